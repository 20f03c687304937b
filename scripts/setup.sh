#!/usr/bin/env bash
# Install LSS-assistenten into .venv (idempotent). Usage: bash scripts/setup.sh [--browser]
#   --browser  also install Debian's Chromium for the browser tests (needs root or sudo)
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
stamp=.venv/.lss-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> Installing lss-assistant and its pinned dependencies"
  .venv/bin/pip install -q -e ".[dev]"
  touch "$stamp"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> Installing Chromium (Debian) for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "==> Ready."
