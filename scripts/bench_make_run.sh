#!/usr/bin/env bash
# Times `make run` from a fresh clone to the line "running at", as a new user would see it.
#   scripts/bench_make_run.sh cold   # pip's cache empty (a throw-away PIP_CACHE_DIR)
#   scripts/bench_make_run.sh warm   # pip's cache as it is on this machine
# The clone is made from this checkout's HEAD, with ../shared beside it, in a temp folder
# that is removed afterwards. The server is stopped as soon as it prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-warm}"
ROOT="$(mktemp -d /tmp/nhsa-make-run.XXXXXX)"
RUN_PID=""
# make run ends in a server that runs until stopped: stop its whole process group.
trap '[ -n "$RUN_PID" ] && kill -- -"$RUN_PID" 2>/dev/null; rm -rf "$ROOT"' EXIT

git clone -q . "$ROOT/main"
cp -r ../shared "$ROOT/shared"
ENV=()
if [ "$MODE" = cold ]; then
  mkdir -p "$ROOT/pip-cache"
  ENV=(PIP_CACHE_DIR="$ROOT/pip-cache")
fi
PORT="${PORT:-7911}"
start=$(date +%s.%N)
setsid bash -c 'cd "$1" && shift && exec env "$@"' _ "$ROOT/main" "${ENV[@]}" \
  make run PORT="$PORT" >"$ROOT/make-run.log" 2>&1 &
RUN_PID=$!
until grep -q "running at" "$ROOT/make-run.log" 2>/dev/null; do
  if ! kill -0 "$RUN_PID" 2>/dev/null; then
    echo "make run ended before serving:"; tail -20 "$ROOT/make-run.log"; exit 1
  fi
  sleep 0.5
done
end=$(date +%s.%N)
grep "running at" "$ROOT/make-run.log"
echo "make run ($MODE pip cache): $(python3 -c "print(round($end - $start))") s" \
  'from a fresh clone to "running at"'
