"""Stage 3b: the stores. Chroma holds the vectors, a BM25 index (bm25s, Swedish stems)
is built at ingest time and persisted beside it, never rebuilt per query.

Sync between the corpus and Chroma is LangChain's indexing API with a SQL record
manager: unchanged passages are skipped (no embedding work), passages of a changed
or removed document are deleted, nothing is ever stored twice.

Chroma runs embedded (a folder in the data directory) or, with ``LSS_CHROMA_URL``, as a
``chroma run`` server shared by several app processes. The BM25 index and the record
manager always stay local: a process whose BM25 index is missing or older than the store
rebuilds it from the store (every Passage field is in the Chroma metadata), and only one
ingest process may write to a store at a time (its record manager is its own).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .config import Settings
from .load import LoadProblem, load_corpus
from .split import answer_texts, split_documents
from .swedish import TOKEN_FORMAT, lexical_tokens, synonyms
from .types import Passage

MANIFEST = "manifest.json"
PASSAGES_FILE = "passages.jsonl"
BM25_DIR = "bm25"


STORE_FINGERPRINT_KEY = "lss_fingerprint"  # collection metadata: fingerprint of the passages of the last full ingest
STORE_PAGE = 1000  # passages per request when the BM25 index is rebuilt from the store


class IndexNotBuilt(RuntimeError):
    """The index has not been built yet (ingest never ran on this data directory)."""


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (a Chroma server down, a locked or broken folder)."""


# ------------------------------------------------------------------ Chroma


def chroma_client(settings: Settings):
    """An embedded ``PersistentClient`` in ``settings.chroma_dir``, or with ``LSS_CHROMA_URL`` an
    ``HttpClient`` whose requests time out after ``LSS_CHROMA_TIMEOUT`` seconds
    (raises StoreUnavailable when the server does not answer)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if settings.chroma_url:
        return _http_client(settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


def _http_client(settings: Settings):
    from urllib.parse import urlsplit

    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    url = urlsplit(settings.chroma_url)
    ssl = url.scheme == "https"
    host, port = url.hostname or "127.0.0.1", url.port or (443 if ssl else 8000)
    timeout = httpx.Timeout(settings.chroma_timeout, connect=min(settings.chroma_timeout, 3.0))
    try:
        # Chroma's client waits forever (httpx timeout=None) and its constructor already talks to
        # the server: ask the heartbeat with our timeout first, so a hung server hangs nobody.
        httpx.get(f"{settings.chroma_url}/api/v2/heartbeat", timeout=timeout).raise_for_status()
        client = chromadb.HttpClient(
            host=host, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False)
        )
    except Exception as exc:
        raise StoreUnavailable(
            f"Chroma-servern {settings.chroma_url} svarar inte ({exc.__class__.__name__}: {exc})"
        ) from exc
    for owner in (client, getattr(client, "_admin_client", None)):
        session = getattr(getattr(owner, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            session.timeout = timeout
    return client


def open_collection(settings: Settings, client=None):
    """The passages' collection: IndexNotBuilt when it does not exist, StoreUnavailable when
    the store cannot be reached or read."""
    from chromadb.errors import NotFoundError

    try:
        client = client or chroma_client(settings)
        return client.get_collection(settings.collection)
    except (StoreUnavailable, IndexNotBuilt):
        raise
    except NotFoundError as exc:
        raise IndexNotBuilt(f"{settings.chroma_url or settings.chroma_dir}: {settings.collection}") from exc
    except Exception as exc:  # chromadb raises several types for an unreachable or broken store
        raise StoreUnavailable(str(exc)) from exc


def vector_store(settings: Settings, embedder, client=None):
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=settings.collection,
        embedding_function=embedder,
        client=client or chroma_client(settings),
        collection_metadata={"hnsw:space": "cosine"},
    )


def record_manager(settings: Settings):
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(f"chroma/{settings.collection}", db_url=f"sqlite:///{settings.record_db}")
    manager.create_schema()
    return manager


def to_langchain(passage: Passage):
    from langchain_core.documents import Document as LCDocument

    meta = passage.metadata()
    meta["text"] = passage.text
    return LCDocument(page_content=passage.index_text(), metadata=meta, id=passage.passage_id)


def passage_from_metadata(meta: dict) -> Passage:
    fields = Passage.__dataclass_fields__
    values = {k: meta.get(k) for k in fields}
    values = {k: (v if v is not None else (0 if k == "position" else "")) for k, v in values.items()}
    values["language"] = values["language"] or "sv"
    return Passage(**values)


# ------------------------------------------------------------------ BM25


@dataclass
class LexicalIndex:
    """BM25 over the passages, in the same order as ``passages``."""

    passages: list[Passage]
    bm25: object

    @classmethod
    def build(cls, passages: list[Passage]) -> "LexicalIndex":
        import bm25s

        corpus_tokens = [lexical_tokens(p.index_text()) or ["\x00empty"] for p in passages]
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(corpus_tokens, show_progress=False)
        return cls(passages, model)

    def save(self, directory: Path, fingerprint: str) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.bm25.save(str(tmp / BM25_DIR))
        with open(tmp / PASSAGES_FILE, "w", encoding="utf-8") as fh:
            for p in self.passages:
                fh.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
        (tmp / MANIFEST).write_text(
            json.dumps({"fingerprint": fingerprint, "passages": len(self.passages), "built": time.time(),
                        "tokens": TOKEN_FORMAT})
        )
        # Swap in whole: readers never see half an index.
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        import bm25s

        if not (directory / MANIFEST).is_file():
            raise IndexNotBuilt(str(directory))
        passages = []
        # The passages of a document repeat its title, source, publisher, heading, ...: keep one
        # string object per distinct value (about a third of the index's memory at 100k passages).
        shared: dict[str, str] = {}
        with open(directory / PASSAGES_FILE, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                for key, value in row.items():
                    if key != "text" and isinstance(value, str):
                        row[key] = shared.setdefault(value, value)
                passages.append(Passage(**row))
        model = bm25s.BM25.load(str(directory / BM25_DIR))
        return cls(passages, model)

    def search(self, query: str, n: int) -> list[tuple[int, float]]:
        """(passage index, BM25 score) for passages with a positive score, best first."""
        tokens = lexical_tokens(query)
        if not tokens or not self.passages:
            return []
        vocab = self.bm25.vocab_dict
        # the member's word finds the texts' word ("kolla" -> granska, tillsyn); only words the texts lack
        tokens = tokens + [v for t in tokens if t not in vocab for v in sorted(synonyms().get(t, ()))]
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids:
            return []
        scores = self.bm25.get_scores(ids)
        n = min(n, len(scores))
        import numpy as np

        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        ranked = sorted(((int(i), float(scores[i])) for i in top if scores[i] > 0), key=lambda x: -x[1])
        return ranked


def read_manifest(settings: Settings) -> dict | None:
    """The local BM25 index's manifest; None when there is none or it was built with other tokens
    (then every caller rebuilds it)."""
    path = settings.lexical_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("tokens") == TOKEN_FORMAT else None


def fingerprint(passages: list[Passage]) -> str:
    return fingerprint_ids(p.passage_id for p in passages)


def fingerprint_ids(ids) -> str:
    h = hashlib.sha256()
    for pid in sorted(ids):
        h.update(pid.encode() + b"\n")
    return h.hexdigest()


# ------------------------------------------------------------------ the BM25 index from the store


def store_fingerprint(collection) -> str:
    """The fingerprint the last complete ingest wrote on the collection ("" while one runs or
    after one was interrupted)."""
    return str((collection.metadata or {}).get(STORE_FINGERPRINT_KEY) or "")


def _set_store_fingerprint(collection, value: str) -> None:
    # modify() replaces the metadata; the distance (cosine) lives in the collection's configuration.
    meta = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
    meta[STORE_FINGERPRINT_KEY] = value
    collection.modify(metadata=meta)


def passages_from_store(collection) -> list[Passage]:
    """Every passage in the store, rebuilt from its Chroma metadata, in document order."""
    passages: list[Passage] = []
    offset = 0
    while True:
        got = collection.get(include=["metadatas"], limit=STORE_PAGE, offset=offset)
        metas = got.get("metadatas") or []
        for pid, meta in zip(got["ids"], metas):
            passages.append(passage_from_metadata({**(meta or {}), "passage_id": pid}))
        if len(got["ids"]) < STORE_PAGE:
            break
        offset += STORE_PAGE
    passages.sort(key=lambda p: (p.source, p.position, p.passage_id))
    return passages


def lexical_for_store(settings: Settings, collection) -> tuple[LexicalIndex, bool]:
    """The local BM25 index when it matches the store, else one rebuilt from the store and saved.

    Returns (index, rebuilt). Raises IndexNotBuilt when the store holds no passages.
    """
    manifest = read_manifest(settings)
    wanted = store_fingerprint(collection)
    if not wanted and manifest is not None:
        wanted = fingerprint_ids(collection.get(include=[])["ids"])
    if manifest is not None and manifest.get("fingerprint") == wanted:
        try:
            return LexicalIndex.load(settings.lexical_dir), False
        except (IndexNotBuilt, OSError, ValueError):
            pass  # a damaged local copy: rebuild it below
    passages = passages_from_store(collection)
    if not passages:
        raise IndexNotBuilt(f"{settings.chroma_url or settings.chroma_dir}: samlingen {settings.collection} är tom")
    lexical = LexicalIndex.build(passages)
    lexical.save(settings.lexical_dir, fingerprint(passages))
    return lexical, True


# ------------------------------------------------------------------ ingest


class EmptyCorpus(RuntimeError):
    pass


class IngestRunning(RuntimeError):
    """Another ingest holds this data directory's lock (one ingest process at a time)."""

    def __init__(self, message: str = "En annan inläsning av korpusen pågår redan. Vänta tills den är klar och försök igen."):
        super().__init__(message)
        self.message = message


@contextmanager
def ingest_lock(settings: Settings):
    """An exclusive lock on <data_dir>/ingest.lock for the whole ingest (released by the kernel
    if the process dies). It guards one data directory, i.e. one record manager; two hosts
    ingesting into one Chroma server are not guarded: run one ingest process at a time."""
    import fcntl

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "ingest.lock", "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestRunning() from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _stored_ids(store) -> set[str]:
    return set(store._collection.get(include=[])["ids"])


def forget_lost_vectors(manager, store) -> None:
    """Records whose vectors are gone from the store (a deleted collection) are forgotten,
    so the indexing API adds those passages again instead of trusting the record."""
    keys = manager.list_keys()
    if keys and store._collection.count() != len(keys):
        lost = set(keys) - _stored_ids(store)
        if lost:
            manager.delete_keys(sorted(lost))


def embed_answer_windows(embedder, passages: list[Passage]) -> None:
    """Embed the quotable sentences of new passages now, so no question waits for them."""
    texts = list(dict.fromkeys(t for p in passages for t in answer_texts(p)))
    if texts:
        with embedder.progress(len(texts), desc="Bäddar in meningar"):
            embedder.embed_many(texts, "document")


def delete_orphans(store, wanted: set[str]) -> int:
    """Vectors no record knows about (an ingest killed between storing a batch and recording
    it, then its document removed) are deleted, so the store holds each passage exactly once."""
    if store._collection.count() == len(wanted):
        return 0
    orphans = sorted(_stored_ids(store) - wanted)
    if orphans:
        store._collection.delete(ids=orphans)
    return len(orphans)


@dataclass
class IngestReport:
    documents: int = 0
    passages: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    embedded: int = 0  # texts that really went through the model
    lexical_rebuilt: bool = False
    seconds: float = 0.0
    problems: list[LoadProblem] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The report as JSON (POST /api/admin/reindex)."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 2)
        data["problems"] = [{"path": p.path, "message": p.message} for p in self.problems]
        data["summary"] = self.summary_sv()
        return data

    def summary_sv(self) -> str:
        lines = [
            f"Dokument: {self.documents}, passager: {self.passages}",
            f"Nya: {self.added}, uppdaterade: {self.updated}, oförändrade: {self.skipped}, borttagna: {self.deleted}",
            f"Inbäddade texter: {self.embedded}; BM25-index {'byggt om' if self.lexical_rebuilt else 'oförändrat'}",
            f"Tid: {self.seconds:.1f} s",
        ]
        for p in self.problems:
            lines.append(f"Hoppade över {p.path}: {p.message}")
        return "\n".join(lines)


def ingest(settings: Settings, *, progress: bool = True, embedder=None) -> IngestReport:
    """Bring the stores in line with the corpus folder: incremental, idempotent, crash-safe.

    Order: vectors first (the record manager notes each batch after it is stored, so a
    killed run is finished by the next one, and upserts by passage id never duplicate),
    then the BM25 index, swapped in whole when the set of passages changed.
    Raises IngestRunning when another ingest holds this data directory.
    """
    with ingest_lock(settings):
        return _ingest(settings, progress=progress, embedder=embedder)


def peek_embedded_store(settings: Settings) -> tuple[str, int] | None:
    """(fingerprint, number of vectors) of the embedded store's collection, read straight from
    Chroma's SQLite file, read-only, without importing chromadb (whose import alone takes
    most of a second, more than all the rest of an unchanged re-ingest).

    The layout is chromadb 1.5's (pinned in pyproject.toml). None when the file does not look
    as expected, or when Chroma's write-ahead log holds records its metadata segment has not
    applied yet: the caller then asks Chroma itself. ("", 0) when the collection is gone.
    """
    import sqlite3

    path = settings.chroma_dir / "chroma.sqlite3"
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT id FROM collections WHERE name = ?", (settings.collection,)).fetchall()
            if not rows:
                return ("", 0)
            if len(rows) != 1:
                return None  # the same name in several tenants/databases: let Chroma answer
            cid = rows[0][0]
            fps = conn.execute(
                "SELECT str_value FROM collection_metadata WHERE collection_id = ? AND key = ?", (cid, STORE_FINGERPRINT_KEY)
            ).fetchall()
            segments = dict(conn.execute("SELECT scope, id FROM segments WHERE collection = ?", (cid,)).fetchall())
            if "METADATA" not in segments or "VECTOR" not in segments:
                return None
            applied = conn.execute("SELECT seq_id FROM max_seq_id WHERE segment_id = ?", (segments["METADATA"],)).fetchone()
            logged = conn.execute("SELECT MAX(seq_id) FROM embeddings_queue WHERE topic LIKE ?", (f"%{cid}",)).fetchone()
            if logged and logged[0] is not None and (not applied or int(applied[0]) < int(logged[0])):
                return None  # records not yet applied: not settled
            (count,) = conn.execute("SELECT COUNT(*) FROM embeddings WHERE segment_id = ?", (segments["METADATA"],)).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, ValueError, TypeError):
        return None
    return (str(fps[0][0] or "") if fps else "", int(count))


def store_unchanged(settings: Settings, passages: list[Passage], fp: str) -> bool:
    """Whether the stores already hold exactly these passages, as the last complete ingest
    left them: the local BM25 index and the store carry this corpus's fingerprint (written
    only when an ingest completes) and the store holds one vector per passage.

    Asked of Chroma alone, so an unchanged re-ingest never imports LangChain's indexing
    API, SQLAlchemy or the model. Any doubt (a missing or deleted collection, an ingest
    that was interrupted) answers False: the full sync decides. StoreUnavailable when the
    store cannot be reached (the full sync could not run either).
    """
    manifest = read_manifest(settings)
    if manifest is None or manifest.get("fingerprint") != fp or not settings.record_db.is_file():
        return False
    if not settings.chroma_url:
        if not settings.chroma_dir.is_dir():
            return False
        state = peek_embedded_store(settings)
        if state is not None:
            return state == (fp, len(passages))
    try:
        collection = open_collection(settings)
    except IndexNotBuilt:
        return False
    try:
        return store_fingerprint(collection) == fp and collection.count() == len(passages)
    except Exception as exc:  # chromadb raises several types for an unreachable or broken store
        raise StoreUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


def _ingest(settings: Settings, *, progress: bool, embedder) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    loaded = load_corpus(settings.corpus_dir)
    report.problems = loaded.problems
    report.documents = len(loaded.documents)
    passages = split_documents(loaded.documents, settings.chunk_size, settings.chunk_overlap)
    report.passages = len(passages)
    if not loaded.documents and any(p.path == str(settings.corpus_dir) for p in loaded.problems):
        raise FileNotFoundError(f"Korpusmappen {settings.corpus_dir} finns inte.")
    if not passages:
        # Never let an empty or wholly broken corpus wipe a working index.
        raise EmptyCorpus(
            f"Korpusen i {settings.corpus_dir} innehåller inga läsbara dokument; sökindexet lämnas orört."
        )

    fp = fingerprint(passages)
    if store_unchanged(settings, passages, fp):
        report.skipped = len(passages)
        report.seconds = time.perf_counter() - started
        return report

    from langchain_core.indexing import index

    from .embed import Embedder

    embedder = embedder or Embedder(settings, show_progress=progress)
    manager = record_manager(settings)
    store = vector_store(settings, embedder)
    if store_fingerprint(store._collection) != fp:
        # Replicas that read the store see "ingest under way" until this run completes.
        _set_store_fingerprint(store._collection, "")
    forget_lost_vectors(manager, store)
    docs = [to_langchain(p) for p in passages]
    known = manager.exists([p.passage_id for p in passages]) if passages else []
    to_embed = sum(1 for k in known if not k)
    before = embedder.encoded_texts
    with embedder.progress(to_embed):
        result = index(
            docs,
            manager,
            store,
            cleanup="full",
            source_id_key="source",
            key_encoder=lambda d: d.metadata["passage_id"],
            batch_size=64,
        )
    report.added = result["num_added"]
    report.updated = result["num_updated"]
    report.skipped = result["num_skipped"]
    report.deleted = result["num_deleted"]
    if settings.precompute_windows:
        embed_answer_windows(embedder, [p for p, k in zip(passages, known) if not k])
    report.embedded = embedder.encoded_texts - before
    report.deleted += delete_orphans(store, {p.passage_id for p in passages})
    if store_fingerprint(store._collection) != fp:
        _set_store_fingerprint(store._collection, fp)

    manifest = read_manifest(settings)
    if manifest is None or manifest.get("fingerprint") != fp:
        LexicalIndex.build(passages).save(settings.lexical_dir, fp)
        report.lexical_rebuilt = True
    report.seconds = time.perf_counter() - started
    return report


def index_exists(settings: Settings) -> bool:
    """Whether ingest has run for this data directory (with a Chroma server: whether the local
    BM25 index exists; a replica without one rebuilds it from the store, see lexical_for_store)."""
    if settings.chroma_url:
        return read_manifest(settings) is not None
    return read_manifest(settings) is not None and settings.chroma_dir.is_dir()


def print_problems(problems: list[LoadProblem]) -> None:
    for p in problems:
        print(f"Varning: hoppade över {p.path}: {p.message}", file=sys.stderr)
