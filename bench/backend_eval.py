"""Run the evaluation with the embeddings of a faster back end, to decide whether it may be kept.

    python -m bench.backend_eval torch-int8 --out /tmp/eval-torch-int8
    python -m bench.backend_eval onnx-int8 --out /tmp/eval-onnx-int8
    python -m bench.backend_eval onnx --out /tmp/eval-onnx

Issue #8 keeps the fastest embedding variant "whose retrieval figures in evals/ do not drop". The
speed of each variant is measured by ``python -m bench`` (section 1); this runs ``python -m evals``
with every vector (passages, answer windows, questions) made by the variant instead: a fresh data
directory and a fresh embedding cache under ``--work``, so no fp32 vector is reused. Compare its
``latest.json`` with the default run's (evals/reports/latest.json).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

BACKENDS = ("torch-int8", "onnx", "onnx-int8")


def _patch_embedder(backend: str, export_dir: Path) -> None:
    """Make every Embedder load the variant instead of the plain model (the variant keeps the
    model's prompts, so passages and questions get "passage: " / "query: " as usual)."""
    import assistant.embed as embed

    from .embedding import OnnxEncoder, quantize_int8

    load_plain = embed.Embedder._load_model

    def load_variant(self):
        model = load_plain(self)
        if backend == "torch-int8":
            return quantize_int8(model)
        encoder = OnnxEncoder(model, export_dir, threads=os.cpu_count() or 1,
                              quantize=backend == "onnx-int8")
        encoder.prompts = model.prompts
        return encoder

    embed.Embedder._load_model = load_variant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backend_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backend", choices=BACKENDS)
    parser.add_argument("--out", required=True, help="where the evaluation report goes")
    parser.add_argument("--work", help="data dir, embedding cache and ONNX export (default: a temporary dir)")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="lss-backend-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["LSS_DATA_DIR"] = str(work / "data")
    os.environ["LSS_EMBED_CACHE"] = str(work / f"cache-{args.backend}.sqlite")
    _patch_embedder(args.backend, work / "onnx-export")
    from evals.runner import main as run_evals

    return run_evals(["--out", args.out])


if __name__ == "__main__":
    sys.exit(main())
