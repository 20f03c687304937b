"""All settings of LSS-assistenten, read from ``LSS_*`` environment variables.

Every setting is documented in the README (section "Inställningar / Settings").
``load_settings()`` reads the environment each time it is called, so tests can
change a variable and get a fresh ``Settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_EMBED_MODEL = "builtin:multilingual-e5-small"
LLM_MODES = ("extractive", "openai", "local")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _env(name, default).lower()
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _env_path_or_none(name: str) -> Path | None:
    raw = _env(name, "")
    return Path(raw).expanduser() if raw else None


def _env_origins(name: str) -> tuple[str, ...]:
    """Comma-separated origins such as ``https://kommun.se``; a trailing slash is dropped."""
    raw = _env(name, "")
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def _env_url(name: str) -> str:
    """An http(s) URL such as ``http://127.0.0.1:8001`` (a trailing slash is dropped); "" when unset."""
    raw = _env(name, "").rstrip("/")
    if raw and not (raw.startswith("http://") or raw.startswith("https://")):
        raise ValueError(f"{name} must start with http:// or https://, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    data_dir: Path
    embed_model: str
    embed_batch_size: int
    collection: str
    chunk_size: int
    chunk_overlap: int
    top_k: int
    candidates: int
    rrf_k: int
    retrieval_mode: str
    max_question_chars: int
    answer_max_sentences: int
    host: str
    port: int
    extra: dict = field(default_factory=dict)
    # Web front end (assistant/web): feedback store, rate limit, embedding origins.
    feedback_db: Path | None = None  # None means <data_dir>/feedback.sqlite
    rate_limit: int = 30  # requests per minute per client IP on public endpoints; 0 disables
    allowed_origins: tuple[str, ...] = ()  # origins allowed to call /api/* and frame /embed
    rerank_candidates: int = 10  # passages retrieved before the sentence-level rerank
    precompute_windows: bool = True  # embed quotable sentences at ingest (fast first answers)
    model_dir: Path | None = None  # None means <data_dir>/models (the converted embedding model)
    embed_cache_path: Path | None = None  # None means <data_dir>/embedding-cache.sqlite
    # Scale-out and administration.
    chroma_url: str = ""  # "" = embedded Chroma in <data_dir>/chroma; else a `chroma run` server, e.g. http://127.0.0.1:8001
    chroma_timeout: float = 10.0  # seconds before a request to the Chroma server counts as failed
    store_sync_seconds: float = 30.0  # with a Chroma server: how often a replica checks the store for a newer ingest; 0 = never
    admin_token: str = field(default="", repr=False)  # "" = no admin routes at all
    max_upload_mb: int = 20  # largest document POST /api/admin/upload accepts
    # For the association and the municipalities (issue #9).
    stale_years: int = 3  # a cited source older than this many years gets a note in the answer; 0 = never
    place_boost: float = 0.03  # added to the fused score of passages from a kommun/län the question names
    record_questions: bool = True  # store declined questions (redacted) for `report gaps`
    feedback_retention_days: int = 365  # feedback and declined questions older than this are deleted; 0 = keep
    # Generative answers (issue #3): "extractive" (no model), "openai" (any OpenAI-compatible server)
    # or "local" (a GGUF model in-process through llama-cpp-python, extra [local-llm]).
    llm: str = "extractive"
    llm_base_url: str = ""  # openai: e.g. http://127.0.0.1:8080/v1
    llm_model: str = ""  # openai: the model name the server expects
    llm_api_key: str = field(default="", repr=False)  # openai: "" sends a placeholder (local servers need none)
    llm_timeout: float = 60.0  # seconds for one model call (connect, first token and the whole answer)
    llm_max_tokens: int = 300  # longest generated answer, in tokens
    llm_temperature: float = 0.2  # greedy decoding loops on small models
    llm_repeat_penalty: float | None = None  # None: 1.2 for local, not sent to an openai server
    llm_model_path: Path | None = None  # local: a GGUF file; None = the default model assembled in <models>
    llm_threads: int = 0  # local: CPU threads; 0 = all cores
    llm_context: int = 4096  # local: context window in tokens
    llm_passages: int = 3  # passages put in the prompt (each ~200-300 tokens)
    llm_condense: bool = True  # with a model: rewrite a follow-up into a standalone question for retrieval

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def record_db(self) -> Path:
        return self.data_dir / "records.sqlite"

    @property
    def lexical_dir(self) -> Path:
        return self.data_dir / "lexical"

    @property
    def models_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def embedding_cache(self) -> Path:
        return self.embed_cache_path or self.data_dir / "embedding-cache.sqlite"


def load_settings() -> Settings:
    """Read every ``LSS_*`` variable, falling back to the documented defaults."""
    return Settings(
        corpus_dir=Path(_env("LSS_CORPUS_DIR", str(PROJECT_ROOT / "corpus"))).expanduser(),
        data_dir=Path(_env("LSS_DATA_DIR", str(PROJECT_ROOT / "data"))).expanduser(),
        embed_model=_env("LSS_EMBED_MODEL", DEFAULT_EMBED_MODEL),
        embed_batch_size=_env_int("LSS_EMBED_BATCH_SIZE", 16),
        collection=_env("LSS_COLLECTION", "lss_passages"),
        chunk_size=_env_int("LSS_CHUNK_SIZE", 700),
        chunk_overlap=_env_int("LSS_CHUNK_OVERLAP", 150),
        top_k=_env_int("LSS_TOP_K", 5),
        candidates=_env_int("LSS_CANDIDATES", 30),
        rrf_k=_env_int("LSS_RRF_K", 10),
        retrieval_mode=_env("LSS_RETRIEVAL", "hybrid"),
        max_question_chars=_env_int("LSS_MAX_QUESTION_CHARS", 1000),
        answer_max_sentences=_env_int("LSS_ANSWER_MAX_SENTENCES", 3),
        host=_env("LSS_HOST", "127.0.0.1"),
        port=_env_int("LSS_PORT", 7860),
        feedback_db=_env_path_or_none("LSS_FEEDBACK_DB"),
        rate_limit=_env_int("LSS_RATE_LIMIT", 30),
        allowed_origins=_env_origins("LSS_ALLOWED_ORIGINS"),
        rerank_candidates=_env_int("LSS_RERANK_CANDIDATES", 10),
        precompute_windows=_env("LSS_PRECOMPUTE_WINDOWS", "1") not in ("0", "false", "no"),
        model_dir=_env_path_or_none("LSS_MODEL_DIR"),
        embed_cache_path=_env_path_or_none("LSS_EMBED_CACHE"),
        chroma_url=_env_url("LSS_CHROMA_URL"),
        chroma_timeout=_env_float("LSS_CHROMA_TIMEOUT", 10.0),
        store_sync_seconds=_env_float("LSS_STORE_SYNC_SECONDS", 30.0),
        admin_token=_env("LSS_ADMIN_TOKEN", ""),
        max_upload_mb=_env_int("LSS_MAX_UPLOAD_MB", 20),
        stale_years=_env_int("LSS_STALE_YEARS", 3),
        place_boost=_env_float("LSS_PLACE_BOOST", 0.03),
        record_questions=_env("LSS_RECORD_QUESTIONS", "1").lower() not in ("0", "false", "no"),
        feedback_retention_days=_env_int("LSS_FEEDBACK_RETENTION_DAYS", 365),
        llm=_env_choice("LSS_LLM", "extractive", LLM_MODES),
        llm_base_url=_env_url("LSS_LLM_BASE_URL"),
        llm_model=_env("LSS_LLM_MODEL", ""),
        llm_api_key=_env("LSS_LLM_API_KEY", ""),
        llm_timeout=_env_float("LSS_LLM_TIMEOUT", 60.0),
        llm_max_tokens=_env_int("LSS_LLM_MAX_TOKENS", 300),
        llm_temperature=_env_float("LSS_LLM_TEMPERATURE", 0.2),
        llm_repeat_penalty=_env_float("LSS_LLM_REPEAT_PENALTY", 0.0) or None,
        llm_model_path=_env_path_or_none("LSS_LLM_MODEL_PATH"),
        llm_threads=_env_int("LSS_LLM_THREADS", 0),
        llm_context=_env_int("LSS_LLM_CONTEXT", 4096),
        llm_passages=_env_int("LSS_LLM_PASSAGES", 3),
        llm_condense=_env("LSS_LLM_CONDENSE", "1").lower() not in ("0", "false", "no"),
    )
