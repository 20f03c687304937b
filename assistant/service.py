"""The assistant as one object: validate -> retrieve -> answer, with timings.

This is what the presentation stage (CLI, Gradio app, HTTP API, widget) talks to:

    assistant = Assistant.open()                 # IndexNotReady if ingest never ran
    answer = assistant.ask("Vad är en kontaktperson?", history=[...], easy_read=False)
    answer.to_dict()                             # the JSON contract
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

from .answer import ExtractiveAnswerer, idf_table, place_stems
from .config import Settings, load_settings
from .embed import Embedder
from .index import IndexNotBuilt, index_exists, ingest
from .retrieve import Retriever, StoreUnavailable
from .types import Answer

__all__ = ["Assistant", "QuestionError", "IndexNotReady", "StoreUnavailable", "validate_question", "validate_history"]

MAX_HISTORY_TURNS = 20
MAX_HISTORY_CHARS = 20000


class QuestionError(ValueError):
    """A question the assistant will not process; ``message`` is Swedish and shown to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class IndexNotReady(RuntimeError):
    def __init__(self, settings: Settings):
        self.message = (
            f"Sökindexet är inte byggt ännu (i {settings.data_dir}). "
            "Kör först: lss-assistant ingest   (eller: python ingest.py)"
        )
        super().__init__(self.message)


def _strip_controls(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def validate_question(question, settings: Settings) -> str:
    if not isinstance(question, str):
        raise QuestionError("question_not_string", "Frågan måste vara text.")
    cleaned = " ".join(_strip_controls(question).split())
    if not cleaned:
        raise QuestionError("question_empty", "Skriv en fråga först, till exempel: Vad är en kontaktperson?")
    if len(cleaned) > settings.max_question_chars:
        raise QuestionError(
            "question_too_long",
            f"Frågan är för lång ({len(cleaned)} tecken). Korta ner den till högst {settings.max_question_chars} tecken.",
        )
    return cleaned


def validate_history(history) -> list[dict]:
    if history is None:
        return []
    if not isinstance(history, list):
        raise QuestionError("history_invalid", "Samtalshistoriken måste vara en lista.")
    if len(history) > MAX_HISTORY_TURNS * 2:
        raise QuestionError("history_too_long", "Samtalet är för långt. Börja en ny fråga.")
    out, total = [], 0
    for item in history:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant") or not isinstance(item.get("content"), str):
            raise QuestionError(
                "history_invalid",
                'Varje del av samtalshistoriken ska ha "role" ("user" eller "assistant") och "content" (text).',
            )
        total += len(item["content"])
        out.append({"role": item["role"], "content": _strip_controls(item["content"])})
    if total > MAX_HISTORY_CHARS:
        raise QuestionError("history_too_long", "Samtalet är för långt. Börja en ny fråga.")
    return out


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder, retriever: Retriever):
        self.settings = settings
        self.embedder = embedder
        self.retriever = retriever
        passages = retriever.lexical.passages
        self.answerer = ExtractiveAnswerer(
            embedder, idf_table(passages), place_stems(passages), settings.answer_max_sentences
        )
        self._lock = threading.Lock()

    # -- construction --------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> "Assistant":
        settings = settings or load_settings()
        embedder = embedder or Embedder(settings)
        try:
            retriever = Retriever.open(settings, embedder)
        except IndexNotBuilt as exc:
            raise IndexNotReady(settings) from exc
        return cls(settings, embedder, retriever)

    @classmethod
    def open_or_build(cls, settings: Settings | None = None, progress: bool = True) -> "Assistant":
        settings = settings or load_settings()
        embedder = Embedder(settings, show_progress=progress)
        if not index_exists(settings):
            print("Inget sökindex hittades; bygger det nu från korpusen ...", file=sys.stderr)
            report = ingest(settings, progress=progress, embedder=embedder)
            print(report.summary_sv(), file=sys.stderr)
        return cls.open(settings, embedder)

    def warm_up(self) -> None:
        """Load the model before the first question, so a person never waits for it."""
        self.embedder.query_vector("uppvärmning")

    # -- asking ------------------------------------------------------------------
    def ask(self, question, history=None, easy_read: bool = False) -> Answer:
        for event, payload in self.ask_stream(question, history, easy_read):
            if event == "final":
                return payload
        raise RuntimeError("ask_stream ended without an answer")  # unreachable by construction

    def ask_stream(self, question, history=None, easy_read: bool = False) -> Iterator[tuple[str, object]]:
        """Yield ("delta", text) pieces of the answer, then one ("final", Answer).

        The extractive answer is complete at once; it is streamed sentence by sentence
        so every front end uses the same streaming path as a generative back end would.
        """
        started = time.perf_counter()
        text = validate_question(question, self.settings)
        turns = validate_history(history)
        question_obj = self.answerer.parse(text, turns)
        t0 = time.perf_counter()
        candidates, qvec = [], None
        if question_obj.text:
            qvec = self.embedder.query_vector(question_obj.retrieval_query)
            candidates = self.retriever.retrieve(question_obj.retrieval_query, k=self.settings.rerank_candidates, query_vector=qvec)
        t1 = time.perf_counter()
        answer = self.answerer.answer(
            text, turns, candidates, qvec, question=question_obj, easy_read=easy_read, k=self.passages_to_keep(question_obj)
        )
        t2 = time.perf_counter()
        answer.question = text
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - started) * 1000}
        for piece in _pieces(answer.answer):
            yield "delta", piece
        yield "final", answer

    def passages_to_keep(self, question) -> int:
        # Comparisons and follow-ups need candidates from more than one place or turn.
        wide = len(question.anchors) >= 2 or question.followup
        return self.settings.top_k + (3 if wide else 0)

    def retrieve(self, question, k: int | None = None, mode: str | None = None):
        """The passages the answer is built from: hybrid retrieval, then the sentence-level
        rerank (mode "hybrid", the default); "dense", "bm25" and "rrf" give one stage alone."""
        text = validate_question(question, self.settings)
        k = k or self.settings.top_k
        mode = mode or self.settings.retrieval_mode
        parsed = self.answerer.parse(text, [])
        query = parsed.retrieval_query or text
        if mode != "hybrid":
            return self.retriever.retrieve(query, k=k, mode="hybrid" if mode == "rrf" else mode)
        qvec = self.embedder.query_vector(query)
        candidates = self.retriever.retrieve(query, k=max(k, self.settings.rerank_candidates), query_vector=qvec)
        return self.answerer.rerank(parsed, candidates, qvec, k)[0]

    def health(self) -> dict:
        try:
            count = self.retriever.collection.count()
            store = "ok"
        except Exception:  # any failure to reach the store means "not ready"
            count, store = 0, "unavailable"
        return {
            "ready": store == "ok" and self.retriever.size > 0,
            "passages": self.retriever.size,
            "vectors": count,
            "store": store,
            "model_loaded": self.embedder.is_loaded,
        }


def _pieces(text: str) -> Iterator[str]:
    start = 0
    for i, ch in enumerate(text):
        if ch in " \n" and i - start >= 12:
            yield text[start : i + 1]
            start = i + 1
    if start < len(text):
        yield text[start:]
