"""Stage 4: hybrid retrieval: dense (Chroma) + Swedish-stemmed BM25, fused by reciprocal rank.

RRF with a small constant (k=10 by default, ``LSS_RRF_K``) scored better than the
textbook 60 on this corpus's question set: with only a handful of good candidates,
the top ranks of each list should dominate.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from .config import Settings
from .index import (
    IndexNotBuilt,
    LexicalIndex,
    StoreUnavailable,
    chroma_client,
    fingerprint,
    index_exists,
    lexical_for_store,
    open_collection,
    store_fingerprint,
)
from .types import Passage, ScoredPassage

__all__ = ["MODES", "RankedLists", "Retriever", "StoreUnavailable"]

MODES = ("hybrid", "dense", "bm25")


@dataclass
class RankedLists:
    dense: list[tuple[str, float]]  # (passage id, cosine similarity), best first
    lexical: list[tuple[str, float]]  # (passage id, BM25 score), best first


RECONNECT_PAUSE = 1.0  # seconds between attempts to reach a store that just failed


class Retriever:
    def __init__(self, settings: Settings, embedder, lexical: LexicalIndex, collection, rebuilt: bool = False, client=None):
        self.settings = settings
        self._client = client
        self.embedder = embedder
        self.lexical = lexical
        self._collection = collection
        self.by_id: dict[str, Passage] = {p.passage_id: p for p in lexical.passages}
        self.fingerprint = fingerprint(lexical.passages)
        self.rebuilt_from_store = rebuilt  # the BM25 index was rebuilt from the store at open
        self._stale = False  # the last store request failed: fetch the collection again before the next
        self._next_try = 0.0
        self._reconnect_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, embedder) -> "Retriever":
        """Open the stores. Embedded Chroma: the local BM25 index must exist (IndexNotBuilt).
        A Chroma server: a missing or outdated local BM25 index is rebuilt from the store."""
        if settings.chroma_url:
            client = _client(settings)
            collection = open_collection(settings, client)
            try:
                lexical, rebuilt = lexical_for_store(settings, collection)
            except IndexNotBuilt:
                raise
            except Exception as exc:
                raise StoreUnavailable(str(exc)) from exc
            return cls(settings, embedder, lexical, collection, rebuilt, client)
        if not index_exists(settings):
            raise IndexNotBuilt(str(settings.data_dir))
        lexical = LexicalIndex.load(settings.lexical_dir)
        client = _client(settings)
        return cls(settings, embedder, lexical, open_collection(settings, client), client=client)

    # -- the store, reconnected after a failure ------------------------------------
    @property
    def collection(self):
        """The Chroma collection; fetched again after a failed request (a restarted server,
        a recreated collection), at most once per RECONNECT_PAUSE. Raises StoreUnavailable."""
        if self._stale:
            with self._reconnect_lock:
                if self._stale:
                    now = time.monotonic()
                    if now < self._next_try:
                        raise StoreUnavailable("the store failed a moment ago")
                    self._next_try = now + RECONNECT_PAUSE
                    try:
                        self._collection = open_collection(self.settings, self._client)
                    except IndexNotBuilt as exc:
                        raise StoreUnavailable(f"the collection is gone: {exc}") from exc
                    self._stale = False
        return self._collection

    def _store(self, call):
        collection = self.collection
        try:
            return call(collection)
        except Exception as exc:
            self._stale = True
            raise StoreUnavailable(f"{exc.__class__.__name__}: {exc}") from exc

    def store_count(self) -> int:
        return self._store(lambda c: c.count())

    def store_fingerprint(self) -> str:
        """The store's current fingerprint as the last complete ingest wrote it ("" if unknown)."""
        # The collection's metadata is read when it is fetched: fetch it again (one small request).
        return self._store(lambda c: store_fingerprint(open_collection(self.settings, self._client)))


    @property
    def size(self) -> int:
        return len(self.lexical.passages)

    # -- the two retrievers ------------------------------------------------------
    def dense(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        n = min(n, self.size)
        if n <= 0:
            return []
        vector = np.asarray(query_vector, dtype=np.float32).tolist()
        res = self._store(lambda c: c.query(query_embeddings=[vector], n_results=n, include=["distances"]))
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


def _client(settings: Settings):
    try:
        return chroma_client(settings)
    except StoreUnavailable:
        raise
    except Exception as exc:  # a locked or broken embedded store
        raise StoreUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
