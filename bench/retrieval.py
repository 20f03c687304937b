"""Section 3: hybrid retrieval latency at 1k, 10k and 100k passages (synthetic corpus).

``Retriever.retrieve`` is timed with a precomputed query vector: the query embedding
(one model call per question) is timed on its own. The dense and BM25 halves are
timed separately too, to show where the time goes as the corpus grows.
"""

from __future__ import annotations

import dataclasses
import gc
import shutil
import time
from pathlib import Path

from .common import latency_summary, loadavg
from .synthetic import Generator, SyntheticStore


def _timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def query_embedding(embedder, questions: list[str], runs: int) -> tuple[dict, list]:
    vectors = [embedder.query_vector(q) for q in questions]  # also loads the model and warms up
    lat = [_timed(embedder.query_vector, questions) for _ in range(runs)]
    return latency_summary(lat), vectors


def measure(retriever, settings, queries: list[tuple[str, object]], runs: int) -> dict:
    k = settings.rerank_candidates  # what Assistant.ask retrieves before the rerank
    n = max(k, settings.candidates)
    for q, v in queries[:20]:  # warm-up: first-touch of the HNSW index and the BM25 matrix
        retriever.retrieve(q, k=k, query_vector=v)
    hybrid = [_timed(lambda qv: retriever.retrieve(qv[0], k=k, query_vector=qv[1]), queries) for _ in range(runs)]
    dense = [_timed(lambda qv: retriever.dense(qv[1], n), queries) for _ in range(runs)]
    bm25 = [_timed(lambda qv: retriever.bm25(qv[0], n), queries) for _ in range(runs)]
    return {
        "hybrid": latency_summary(hybrid),
        "dense_chroma": latency_summary(dense),
        "bm25": latency_summary(bm25),
        "loadavg": loadavg()[0],
    }


def run(settings, work: Path, sizes: list[int], runs: int, real_passages, real_vectors, questions: list[str], log) -> dict:
    from assistant.embed import Embedder
    from assistant.retrieve import Retriever

    data = work / "synthetic"
    shutil.rmtree(data, ignore_errors=True)
    s = dataclasses.replace(
        settings, data_dir=data, embed_cache_path=data / "embedding-cache.sqlite", chroma_url="", collection="lss_passages"
    )
    embedder = Embedder(s)
    log(f"retrieval: embedding {len(questions)} eval questions")
    qemb, qvecs = query_embedding(embedder, questions, runs)
    queries = list(zip(questions, qvecs))

    store = SyntheticStore(s, Generator(real_passages, real_vectors))
    stages = []
    for size in sizes:
        log(f"retrieval: building the synthetic store at {size} passages")
        build = store.grow(size, log)
        retriever = Retriever.open(s, embedder)
        assert retriever.size == size and retriever.store_count() == size, (retriever.size, retriever.store_count())
        log(f"retrieval: timing {len(queries)} queries x {runs} runs at {size} passages")
        figures = measure(retriever, s, queries, runs)
        stages.append({"passages": size, "build": build, "disk_mb": store.disk_mb(), **figures})
        log(f"  {size}: hybrid p50 {figures['hybrid']['p50_ms']} ms, p95 {figures['hybrid']['p95_ms']} ms "
            f"(dense p95 {figures['dense_chroma']['p95_ms']}, bm25 p95 {figures['bm25']['p95_ms']})")
        del retriever
        gc.collect()
    largest = stages[-1]
    return {
        "queries": len(queries),
        "runs": runs,
        "query_embedding": qemb,
        "stages": stages,
        "goal_p95_ms_at_100k": 50.0,
        "goal_met": bool(largest["passages"] >= 100_000 and largest["hybrid"]["p95_ms"] < 50.0) if largest["passages"] >= 100_000 else None,
        "vectors": "synthesised: mix of real passage vectors + Gaussian noise, normalised (see bench/synthetic.py)",
        "data_dir": str(data),
        "_settings": s,
        "_store": store,
    }
