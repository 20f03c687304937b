#!/usr/bin/env bash
# Install everything and run the whole test suite, then the evaluation with its gates.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/python -m pytest -q -rs "$@"
# Every gate is enforced except answer correctness, which the system does not reach yet
# (see evals/README.md); its miss is still printed. Remove the --waive once it passes.
.venv/bin/python -m evals --gate --waive answer_correctness
