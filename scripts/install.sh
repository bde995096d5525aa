#!/usr/bin/env bash
# Installs what the assistant needs into .venv, on a fresh machine or an old one.
# The local LLM (a llama.cpp build) is separate: scripts/install_llm.sh, `make llm`.
# torch comes first and pinned: the CPU build lies on this machine's disk, while any
# other torch request would pull gigabytes of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet() {  # pip's global config names local indexes that may not exist: drop that noise
  "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
quiet .venv/bin/pip install -q --upgrade pip
quiet .venv/bin/pip install -q "torch==2.13.0"
quiet .venv/bin/pip install -q -e ".[dev]"

# The browser the web app's tests drive: Debian's chromium, run by Playwright for Python
# (never `playwright install`, which would download a browser build of its own).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
