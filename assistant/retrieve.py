"""Stage 4: hybrid retrieval: dense (Chroma) + Swedish-stemmed BM25, fused by reciprocal rank.

RRF with a small constant (k=10 by default, ``LSS_RRF_K``) scored better than the
textbook 60 on this corpus's question set: with only a handful of good candidates,
the top ranks of each list should dominate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Settings
from .index import IndexNotBuilt, LexicalIndex, chroma_client, index_exists
from .types import Passage, ScoredPassage

MODES = ("hybrid", "dense", "bm25")


@dataclass
class RankedLists:
    dense: list[tuple[str, float]]  # (passage id, cosine similarity), best first
    lexical: list[tuple[str, float]]  # (passage id, BM25 score), best first


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (a Chroma server down, a locked or broken folder)."""


class Retriever:
    def __init__(self, settings: Settings, embedder, lexical: LexicalIndex, collection):
        self.settings = settings
        self.embedder = embedder
        self.lexical = lexical
        self.collection = collection
        self.by_id: dict[str, Passage] = {p.passage_id: p for p in lexical.passages}

    @classmethod
    def open(cls, settings: Settings, embedder) -> "Retriever":
        if not index_exists(settings):
            raise IndexNotBuilt(str(settings.data_dir))
        lexical = LexicalIndex.load(settings.lexical_dir)
        try:
            collection = chroma_client(settings).get_collection(settings.collection)
        except Exception as exc:  # chromadb raises several types for a missing/broken store
            raise StoreUnavailable(str(exc)) from exc
        return cls(settings, embedder, lexical, collection)

    @property
    def size(self) -> int:
        return len(self.lexical.passages)

    # -- the two retrievers ------------------------------------------------------
    def dense(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        n = min(n, self.size)
        if n <= 0:
            return []
        try:
            res = self.collection.query(
                query_embeddings=[np.asarray(query_vector, dtype=np.float32).tolist()],
                n_results=n,
                include=["distances"],
            )
        except Exception as exc:
            raise StoreUnavailable(str(exc)) from exc
        ids, dists = res["ids"][0], res["distances"][0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, dists) if pid in self.by_id]

    def bm25(self, query: str, n: int) -> list[tuple[str, float]]:
        return [(self.lexical.passages[i].passage_id, s) for i, s in self.lexical.search(query, n)]

    def ranked_lists(self, query: str, n: int, mode: str = "hybrid", query_vector=None) -> RankedLists:
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vec = self.embedder.query_vector(query) if query_vector is None else query_vector
            dense = self.dense(vec, n)
        if mode in ("hybrid", "bm25"):
            lexical = self.bm25(query, n)
        return RankedLists(dense, lexical)

    # -- fusion ------------------------------------------------------------------
    def fuse(self, lists: RankedLists, k: int, mode: str = "hybrid") -> list[ScoredPassage]:
        rrf = self.settings.rrf_k
        scores: dict[str, float] = {}
        dense_info = {pid: (rank, s) for rank, (pid, s) in enumerate(lists.dense, 1)}
        lex_info = {pid: (rank, s) for rank, (pid, s) in enumerate(lists.lexical, 1)}
        if mode == "dense":
            scores = {pid: s for pid, s in lists.dense}
        elif mode == "bm25":
            scores = {pid: s for pid, s in lists.lexical}
        else:
            for info in (dense_info, lex_info):
                for pid, (rank, _s) in info.items():
                    scores[pid] = scores.get(pid, 0.0) + 1.0 / (rrf + rank)
        ranked = sorted(scores.items(), key=lambda x: -x[1])[:k]
        out = []
        for pid, score in ranked:
            d = dense_info.get(pid)
            lx = lex_info.get(pid)
            out.append(
                ScoredPassage(
                    passage=self.by_id[pid],
                    score=score,
                    dense_score=d[1] if d else None,
                    lexical_score=lx[1] if lx else None,
                    dense_rank=d[0] if d else None,
                    lexical_rank=lx[0] if lx else None,
                )
            )
        return out

    def retrieve(self, query: str, k: int | None = None, mode: str | None = None, query_vector=None) -> list[ScoredPassage]:
        mode = mode or self.settings.retrieval_mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {MODES}")
        k = k or self.settings.top_k
        lists = self.ranked_lists(query, max(k, self.settings.candidates), mode, query_vector)
        return self.fuse(lists, k, mode)
