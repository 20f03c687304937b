"""`python -m bench`: performance benchmarks of LSS-assistenten (issue #8).

Writes bench/results.md and bench/results.json (or --out DIR) with the machine's facts and,
each as a median over several runs: the embedding limit (raw encode vs the ingest
pipeline, with faster variants), an unchanged re-ingest (in process and as a
subprocess), hybrid retrieval latency at 1k/10k/100k passages (synthetic corpus), the
end-to-end answer latency and the app's time to the first streamed token, and the peak
memory of a serving process on the largest index.

    python -m bench                 # everything, ~10-15 min on 2 cores
    python -m bench --quick         # smoke run: 1k passages only, fewer runs (~1-2 min)
    python -m bench --max-load 1.0  # wait (up to 10 min) for a quiet machine first
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import machine
from .common import OFFLINE_ENV, ROOT, load_questions, loadavg, wait_for_low_load

SECTIONS = ("embedding", "reingest", "retrieval", "answers", "memory")
DEFAULT_OUT = ROOT / "bench"


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')} load {loadavg()[0]:.2f}] {msg}", file=sys.stderr, flush=True)


def _public(obj):
    """The results without private entries (keys starting with "_") for JSON."""
    if isinstance(obj, dict):
        return {k: _public(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, (list, tuple)):
        return [_public(v) for v in obj]
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _base_settings():
    from assistant.config import load_settings

    settings = load_settings()
    # Every data directory of the benchmark shares the one converted model folder.
    return dataclasses.replace(settings, chroma_url="", model_dir=settings.models_dir)


def _quick_corpus(settings, work: Path) -> Path:
    """The two smallest documents of the corpus (with their metadata): a smoke run's corpus."""
    import yaml

    src = settings.corpus_dir
    meta_path = src / "sources.yaml"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    docs = sorted((p for p in src.rglob("*") if p.is_file() and p.suffix in (".md", ".txt") and p.name != "README.md"),
                  key=lambda p: p.stat().st_size)[:2]
    dest = work / "quick-corpus"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    keep = {}
    for doc in docs:
        rel = doc.relative_to(src).as_posix()
        (dest / doc.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(doc, dest / doc.relative_to(src))
        if isinstance(meta, dict) and rel in meta:
            keep[rel] = meta[rel]
    (dest / "sources.yaml").write_text(yaml.safe_dump(keep, allow_unicode=True), encoding="utf-8")
    return dest


def _real_vectors(settings, passages, work: Path):
    """fp32 vectors of the real passages (when the embedding section did not run)."""
    from assistant.embed import Embedder

    s = dataclasses.replace(settings, data_dir=work / "vectors", embed_cache_path=work / "vectors" / "cache.sqlite")
    return Embedder(s).embed_many([p.index_text() for p in passages], "document")


def _shipped_index(settings, work: Path):
    from assistant.embed import Embedder
    from assistant.index import ingest

    data = work / "shipped"
    s = dataclasses.replace(settings, data_dir=data, embed_cache_path=data / "embedding-cache.sqlite")
    ingest(s, progress=False, embedder=Embedder(s))
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1k passages, 2 runs, fewer variants and questions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where results.md and results.json go (default bench/)")
    parser.add_argument("--runs", type=int, default=None, help="repetitions per measurement (default 3, --quick 2)")
    parser.add_argument("--sizes", default=None, help="synthetic corpus sizes (default 1000,10000,100000; --quick 1000)")
    parser.add_argument("--only", default=None, help=f"comma-separated sections to run: {','.join(SECTIONS)}")
    parser.add_argument("--work", type=Path, default=None, help="work directory (default: a temporary one, removed after)")
    parser.add_argument("--questions", type=int, default=None, help="eval questions to use (default all; --quick 20)")
    parser.add_argument("--max-load", type=float, default=None, help="wait until the 1-minute load average is below this")
    args = parser.parse_args(argv)

    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    from assistant.cli import _quiet_libraries

    _quiet_libraries()
    import logging

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    runs = args.runs or (2 if args.quick else 3)
    sizes = [int(x) for x in (args.sizes or ("1000" if args.quick else "1000,10000,100000")).split(",")]
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    work = args.work or Path(tempfile.mkdtemp(prefix="lss-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    keep = args.work is not None

    started = time.perf_counter()
    wait_for_low_load(args.max_load, 600, _log)
    results: dict = {
        "machine": machine.facts(),
        "options": {"quick": args.quick, "runs": runs, "sizes": sizes, "sections": [s for s in SECTIONS if s in only]},
        "command": "python -m bench" + (" --quick" if args.quick else ""),
    }
    _log(f"machine: {results['machine']['cores']} cores, load {results['machine']['loadavg_start']}; work dir {work}")
    settings = _base_settings()
    if args.quick:
        settings = dataclasses.replace(settings, corpus_dir=_quick_corpus(settings, work))
    results["corpus"] = str(settings.corpus_dir) if args.quick else "corpus/ (the shipped corpus)"
    questions = load_questions(args.questions or (20 if args.quick else None))
    try:
        from . import answers, embedding, memory, reingest, retrieval

        emb = None
        if "embedding" in only:
            wait_for_low_load(args.max_load, 300, _log)
            emb = embedding.run(settings, work, runs, args.quick, _log)
            results["embedding"] = emb
        if "reingest" in only:
            wait_for_low_load(args.max_load, 300, _log)
            seed = Path(emb["pipeline_with_windows"]["data_dir"]) / "embedding-cache.sqlite" if emb else None
            results["reingest"] = reingest.run(settings, work, runs, seed, _log)
        shipped = results.get("reingest", {}).get("_settings")
        if "retrieval" in only or "memory" in only:
            wait_for_low_load(args.max_load, 300, _log)
            if emb is not None:
                real_passages, real_vectors = emb["_passages"], emb["_vectors"]
            else:
                real_passages = embedding.corpus_passages(settings)
                real_vectors = _real_vectors(settings, real_passages, work)
            texts = [q["question"] for q in questions]
            ret = retrieval.run(settings, work, sizes, runs, real_passages, real_vectors, texts, _log)
            if "retrieval" in only:
                results["retrieval"] = ret
            if "memory" in only:
                results["memory"] = memory.run(ret["_settings"], texts[:3], _log)
            ret["_store"].client = None
        if "answers" in only:
            wait_for_low_load(args.max_load, 300, _log)
            shipped = shipped or _shipped_index(settings, work)
            stream_questions = [q for q in questions if not q["history"]][: 5 if args.quick else 20]
            results["answers"] = answers.run(shipped, questions, stream_questions, runs, work, _log)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    results["machine"]["loadavg_end"] = loadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    public = _public(results)
    (args.out / "results.json").write_text(json.dumps(public, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    from .report import markdown

    (args.out / "results.md").write_text(markdown(public), encoding="utf-8")
    _log(f"wrote {args.out / 'results.md'} and results.json in {results['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
