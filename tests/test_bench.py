"""The performance benchmark runs end to end: `python -m bench --quick` (1k synthetic passages,
a two-document corpus, few runs) writes results.md and results.json with every section."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

SECTIONS = [
    "## Machine",
    "## Goals",
    "## 1. Embedding limit",
    "## 2. Re-ingest of an unchanged corpus",
    "## 3. Retrieval latency at scale",
    "## 4. End-to-end answer latency and time to first streamed token",
    "## 5. Peak memory of a serving process",
]


def test_quick_benchmark_writes_every_section(tmp_path, e5_model_dir):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    md = (out / "results.md").read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in md, heading
    assert "vectors synthesised" in md.lower() or "**vectors synthesised**" in md

    r = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert r["machine"]["cores"] >= 1 and r["machine"]["packages"]["torch"] != "not installed"
    assert len(r["machine"]["loadavg_start"]) == 3
    emb = r["embedding"]
    assert emb["raw"]["variants"] and emb["pipeline_passages_only"]["texts_embedded"] == emb["passages"]
    assert emb["pipeline_with_windows"]["texts_embedded"] > emb["passages"]  # the answer windows too
    assert emb["ratio_pipeline_to_raw"] > 0
    reingest = r["reingest"]
    assert reingest["no_embedding_calls"] and reingest["all_passages_skipped"]
    imported = reingest["subprocess_imported"]
    # An unchanged re-ingest reads the stores' fingerprints without the model stack, LangChain or chromadb.
    assert not any(imported[m] for m in ("torch", "sentence_transformers", "langchain_core.indexing", "chromadb")), imported
    stage = r["retrieval"]["stages"][0]
    assert stage["passages"] == 1000 and 0 < stage["hybrid"]["p50_ms"] <= stage["hybrid"]["p95_ms"]
    assert r["answers"]["ask"]["ask"]["p50_ms"] > 0 and r["answers"]["stream"]["first_delta"]["p50_ms"] > 0
    assert r["memory"]["passages"] == 1000 and r["memory"]["peak_rss_mb_vmhwm"] > 100
