#!/usr/bin/env bash
# Install everything, build the index (first run) and start the chat app on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/lss-assistant ingest
exec .venv/bin/python app.py "$@"
