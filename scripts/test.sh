#!/usr/bin/env bash
# Install everything and run the whole test suite, then the evaluation with its gates.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/python -m pytest -q -rs "$@"
# The evaluation with every CI gate enforced (evals/README.md).
.venv/bin/python -m evals --gate
