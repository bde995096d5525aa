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
trap 'pkill -f "$ROOT/main/.venv/bin/nhsa serve" 2>/dev/null || true; rm -rf "$ROOT"' EXIT

git clone -q . "$ROOT/main"
cp -r ../shared "$ROOT/shared"
ENV=()
if [ "$MODE" = cold ]; then
  mkdir -p "$ROOT/pip-cache"
  ENV=(PIP_CACHE_DIR="$ROOT/pip-cache")
fi
PORT="${PORT:-7911}"
start=$(date +%s.%N)
(cd "$ROOT/main" && env "${ENV[@]}" make run PORT="$PORT" >"$ROOT/make-run.log" 2>&1) &
until grep -q "running at" "$ROOT/make-run.log" 2>/dev/null; do
  if ! kill -0 $! 2>/dev/null; then
    echo "make run ended before serving:"; tail -20 "$ROOT/make-run.log"; exit 1
  fi
  sleep 0.5
done
end=$(date +%s.%N)
grep "running at" "$ROOT/make-run.log"
echo "make run ($MODE pip cache): $(python3 -c "print(round($end - $start))") s" \
  'from a fresh clone to "running at"'
