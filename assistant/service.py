"""The assistant as one object: validate -> retrieve -> answer, with timings.

This is what the presentation stage (CLI, Gradio app, HTTP API, widget) talks to:

    assistant = Assistant.open()                 # IndexNotReady if ingest never ran
    answer = assistant.ask("Vad är en kontaktperson?", history=[...], easy_read=False)
    answer = assistant.ask("Hur många stödpedagoger finns det?", kommun="Mjölby")  # that kommun + national sources
    answer.to_dict()                             # the JSON contract
    assistant.reindex()                          # incremental ingest, then the new passages are live

The retriever and the answerer built on its passages are swapped in together
(``reload``), so a question in flight finishes on the index it started with.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .answer import ExtractiveAnswerer, idf_table, place_stems
from .config import Settings, load_settings
from .embed import Embedder
from .generate import GenerativeAnswerer, followup_question
from .index import IndexNotBuilt, IngestReport, IngestRunning, embed_answer_windows, index_exists, ingest
from .llm import LLMUnavailable, describe, make_chat_model
from .llm import warm_up as warm_up_model
from .retrieve import MODES, RankedLists, Retriever, StoreUnavailable
from .scoping import Places, boost, filter_lists
from .types import Answer, ScoredPassage

__all__ = [
    "Assistant",
    "QuestionError",
    "IndexNotReady",
    "IngestRunning",
    "LLMUnavailable",
    "StoreUnavailable",
    "validate_question",
    "validate_history",
    "validate_kommun",
]

log = logging.getLogger(__name__)

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


_ANSI_ESCAPE_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def _strip_controls(text: str) -> str:
    """Terminal escape sequences go whole; other control characters become spaces (words stay
    apart); invisible format characters (zero-width, direction overrides), lone surrogates and
    unassigned code points are removed."""
    text = _ANSI_ESCAPE_RE.sub(" ", text)
    out = []
    for ch in text:
        if ch in "\n\t" or ch.isprintable():
            out.append(ch)
        elif unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
            out.append(" ")
    return "".join(out)


def validate_question(question, settings: Settings) -> str:
    if not isinstance(question, str):
        raise QuestionError("question_not_string", "Frågan måste vara text.")
    if len(question) > 20 * settings.max_question_chars + 1000:  # hopeless: do not scan megabytes
        raise QuestionError(
            "question_too_long",
            f"Frågan är för lång ({len(question)} tecken). Korta ner den till högst {settings.max_question_chars} tecken.",
        )
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
        out.append({"role": item["role"], "content": _strip_controls(item["content"]).strip()})
    if total > MAX_HISTORY_CHARS:
        raise QuestionError("history_too_long", "Samtalet är för långt. Börja en ny fråga.")
    return out


MAX_KOMMUN_CHARS = 100


def validate_kommun(kommun, places: Places) -> str | None:
    """None for no filter ("" or None); else the kommun as the corpus writes it.
    QuestionError (Swedish, listing the known ones) for anything else."""
    if kommun is None:
        return None
    if not isinstance(kommun, str):
        raise QuestionError("kommun_invalid", "Kommunen måste anges som text.")
    name = " ".join(_strip_controls(kommun).split())
    if not name:
        return None
    if len(name) > MAX_KOMMUN_CHARS:
        raise QuestionError("kommun_invalid", f"Kommunens namn är för långt (högst {MAX_KOMMUN_CHARS} tecken).")
    found = places.kommun(name)
    if found:
        return found
    known = places.sorted_kommuner()
    listed = ", ".join(known) if known else "(inga: alla källor är nationella)"
    raise QuestionError(
        "unknown_kommun",
        f"Det finns inga källor från kommunen \"{name[:60]}\". Välj en av: {listed} – eller fråga utan kommun.",
    )


@dataclass(frozen=True)
class _Index:
    """What one opened index consists of; replaced whole, never edited."""

    retriever: Retriever
    answerer: ExtractiveAnswerer
    places: Places  # the kommuner and län the passages come from


def make_generator(settings: Settings, model=None) -> GenerativeAnswerer | None:
    """The generative answerer LSS_LLM asks for (None for "extractive"); ``model`` overrides
    the chat model (tests). LLMUnavailable at start-up when the model cannot be used."""
    model = model if model is not None else make_chat_model(settings)
    if model is None:
        return None
    return GenerativeAnswerer(
        model, timeout=settings.llm_timeout, max_passages=settings.llm_passages,
        stale_years=settings.stale_years, condense_enabled=settings.llm_condense, name=describe(settings),
        max_tokens=settings.llm_max_tokens,
    )


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder, retriever: Retriever, generator: GenerativeAnswerer | None = None):
        self.settings = settings
        self.embedder = embedder
        # The model is shared across index reloads: a local one is loaded once.
        self.generator = generator if generator is not None else make_generator(settings)
        self._index = self._index_for(retriever)
        self._lock = threading.Lock()  # serialises swaps of self._index
        self._reindex_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._last_sync = time.monotonic()
        if retriever.rebuilt_from_store:
            self._precompute_windows(retriever)

    def _index_for(self, retriever: Retriever) -> _Index:
        passages = retriever.lexical.passages
        answerer = ExtractiveAnswerer(
            self.embedder, idf_table(passages), place_stems(passages), self.settings.answer_max_sentences,
            stale_years=self.settings.stale_years, passages=passages,
        )
        return _Index(retriever, answerer, Places.of(passages))

    @property
    def retriever(self) -> Retriever:
        return self._index.retriever

    @property
    def answerer(self) -> ExtractiveAnswerer:
        return self._index.answerer

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
        """Open the index, building it from the corpus first when there is none.

        With a Chroma server, a store that already holds passages is only read (a new
        replica rebuilds its BM25 index from it); the corpus is ingested only into an
        empty or missing collection. StoreUnavailable when the server does not answer.
        """
        settings = settings or load_settings()
        embedder = Embedder(settings, show_progress=progress)
        if settings.chroma_url:
            try:
                return cls.open(settings, embedder)
            except IndexNotReady:
                pass
        elif index_exists(settings):
            return cls.open(settings, embedder)
        print("Inget sökindex hittades; bygger det nu från korpusen ...", file=sys.stderr)
        report = ingest(settings, progress=progress, embedder=embedder)
        print(report.summary_sv(), file=sys.stderr)
        return cls.open(settings, embedder)

    # -- keeping the index current -------------------------------------------------
    def reload(self) -> None:
        """Open the stores again and swap them in (after an ingest, or when another process
        changed a shared Chroma server). IndexNotReady / StoreUnavailable leave the old ones."""
        try:
            retriever = Retriever.open(self.settings, self.embedder)
        except IndexNotBuilt as exc:
            raise IndexNotReady(self.settings) from exc
        new = self._index_for(retriever)
        with self._lock:
            self._index = new
        self._last_sync = time.monotonic()
        log.info("index reloaded: %d passages", retriever.size)
        if retriever.rebuilt_from_store:
            self._precompute_windows(retriever)

    def reindex(self) -> IngestReport:
        """Incremental ingest of the corpus folder, then reload: the new passages answer at once.

        One at a time: IngestRunning when another ingest (this process or another one on
        the same data directory) is under way. Questions are answered meanwhile.
        """
        if not self._reindex_lock.acquire(blocking=False):
            raise IngestRunning()
        try:
            report = ingest(self.settings, progress=False, embedder=self.embedder)
            self.reload()
            return report
        finally:
            self._reindex_lock.release()

    def sync_with_store(self, force: bool = False) -> bool:
        """With a Chroma server: reload when another process's ingest changed the store.

        Checked at most every LSS_STORE_SYNC_SECONDS (one small request); True if reloaded.
        """
        every = self.settings.store_sync_seconds
        if not self.settings.chroma_url or (every <= 0 and not force):
            return False
        if not force and time.monotonic() - self._last_sync < every:
            return False
        if not self._sync_lock.acquire(blocking=False):
            return False  # another thread is checking right now
        try:
            self._last_sync = time.monotonic()
            current = self.retriever.store_fingerprint()
            if not current or current == self.retriever.fingerprint:
                return False  # unchanged, or an ingest is under way: check again later
            log.info("the store changed (another process ingested): reloading")
            self.reload()
            return True
        except (StoreUnavailable, IndexNotReady) as exc:
            log.warning("store check failed: %s", exc)
            return False
        finally:
            self._sync_lock.release()

    def _precompute_windows(self, retriever: Retriever) -> None:
        """A replica that rebuilt its BM25 index from the store embeds the quotable sentences
        in the background (most are in the embedding cache already when it is shared)."""
        if not self.settings.precompute_windows:
            return

        def work() -> None:
            try:
                embed_answer_windows(self.embedder, retriever.lexical.passages)
            except Exception:  # only a speed-up: questions embed what they need themselves
                log.exception("precomputing answer windows failed")

        threading.Thread(target=work, name="lss-windows", daemon=True).start()

    def warm_up(self) -> None:
        """Load the models before the first question, so a person never waits for them."""
        self.embedder.query_vector("uppvärmning")
        if self.generator is not None:
            warm_up_model(self.generator.model)

    # -- asking ------------------------------------------------------------------
    def ask(self, question, history=None, easy_read: bool = False, kommun: str | None = None) -> Answer:
        for event, payload in self.ask_stream(question, history, easy_read, kommun=kommun):
            if event == "final":
                return payload
        raise RuntimeError("ask_stream ended without an answer")  # unreachable by construction

    def ask_stream(self, question, history=None, easy_read: bool = False, kommun: str | None = None) -> Iterator[tuple[str, object]]:
        """Yield ("delta", text) pieces of the answer, maybe one ("replace", text), then one
        ("final", Answer).

        The extractive answer is complete at once; it is streamed in pieces so every front
        end uses one streaming path. With a language model (LSS_LLM), a question the
        evidence supports is worded by the model: its tokens are the deltas, and "replace"
        carries the checked answer when validation changed the streamed text.
        """
        started = time.perf_counter()
        text = validate_question(question, self.settings)
        turns = validate_history(history)
        self.sync_with_store()
        index = self._index  # one consistent retriever + answerer for the whole question
        kommun = validate_kommun(kommun, index.places)
        question_obj = index.answerer.parse(text, turns)
        timings: dict[str, float] = {}
        condensed = self._condense(question_obj, turns, timings)
        t0 = time.perf_counter()
        candidates, qvec = [], None
        if question_obj.text:
            qvec = self.embedder.query_vector(question_obj.retrieval_query)
            candidates = self.candidates(question_obj, qvec, kommun=kommun, index=index)
        t1 = time.perf_counter()
        answer = index.answerer.answer(
            text, turns, candidates, qvec, question=question_obj, easy_read=easy_read, k=self.passages_to_keep(question_obj)
        )
        t2 = time.perf_counter()
        answer.question = text
        answer.timings_ms = {**timings, "retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - started) * 1000}
        if self.generator is None or not answer.answered:
            # No model, or the evidence says decline: never ask a model.
            for piece in _pieces(answer.answer):
                yield "delta", piece
            yield "final", answer
            return
        for kind, payload in self.generator.stream(followup_question(question_obj, condensed), answer, easy_read):
            if kind == "final":
                payload.timings_ms["total"] = (time.perf_counter() - started) * 1000
            yield kind, payload

    def _condense(self, question, turns: list[dict], timings: dict) -> str | None:
        """With a model: a follow-up rewritten into a standalone question, used for retrieval.
        None (the answerer's own follow-up handling stays) without a model or when it fails."""
        if self.generator is None or not question.followup or not question.text:
            return None
        t = time.perf_counter()
        condensed = self.generator.condense(question.text, turns)
        timings["condense"] = (time.perf_counter() - t) * 1000
        if condensed:
            question.retrieval_query = condensed
        return condensed

    def candidates(
        self,
        question,
        qvec,
        kommun: str | None = None,
        *,
        k: int | None = None,
        lists: RankedLists | None = None,
        index: _Index | None = None,
    ) -> list[ScoredPassage]:
        """The passages handed to the answerer's rerank: hybrid retrieval, where passages about
        a kommun/län the question names get LSS_PLACE_BOOST added to their fused score, and a
        chosen ``kommun`` keeps only its own, its län's and national passages. ``lists`` (the
        ranked lists, already fetched) lets the eval score every retrieval mode from one fetch."""
        index = index or self._index
        retriever = index.retriever
        k = k or index.answerer.candidates_wanted(question, self.settings.rerank_candidates)
        query = question.retrieval_query
        named = index.places.named_in(question.text, question.anchors)
        if not named and question.followup:
            named = index.places.named_in(query)
        if kommun:
            named.add(kommun)
        if lists is None and not named:
            return retriever.retrieve(query, k=k, query_vector=qvec)
        mode = self.settings.retrieval_mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {MODES}")
        if lists is None:
            # A filter drops candidates: fetch more so that enough of the kommun's remain.
            lists = retriever.ranked_lists(query, max(k, self.settings.candidates) * (3 if kommun else 1), mode, qvec)
        if kommun:
            lists = filter_lists(lists, retriever.by_id, kommun, index.places.lan_of.get(kommun, ""))
        fused = retriever.fuse(lists, len(lists.dense) + len(lists.lexical), mode)
        return boost(fused, named, self.settings.place_boost)[:k]

    def kommuner(self) -> list[str]:
        """The kommuner the corpus has documents from (for a filter's choices)."""
        return self._index.places.sorted_kommuner()

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
        index = self._index
        parsed = index.answerer.parse(text, [])
        query = parsed.retrieval_query or text
        if mode != "hybrid":
            return index.retriever.retrieve(query, k=k, mode="hybrid" if mode == "rrf" else mode)
        qvec = self.embedder.query_vector(query)
        candidates = self.candidates(parsed, qvec, k=max(k, self.settings.rerank_candidates), index=index)
        return index.answerer.rerank(parsed, candidates, qvec, k)[0]

    def health(self) -> dict:
        retriever = self.retriever
        try:
            count = retriever.store_count()
            store = "ok"
        except Exception:  # any failure to reach the store means "not ready"
            count, store = 0, "unavailable"
        return {
            "ready": store == "ok" and retriever.size > 0,
            "passages": retriever.size,
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
