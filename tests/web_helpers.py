"""Helpers shared by the web and fault tests: settings as environment, real server processes
(the app, a Chroma server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMA_BIN = Path(sys.executable).parent / "chroma"  # the venv's chromadb CLI

def settings_env(settings: Settings) -> dict[str, str]:
    """The LSS_* variables that make a subprocess load exactly these settings."""
    env = {
        "LSS_CORPUS_DIR": str(settings.corpus_dir),
        "LSS_DATA_DIR": str(settings.data_dir),
        "LSS_EMBED_MODEL": settings.embed_model,
        "LSS_EMBED_BATCH_SIZE": str(settings.embed_batch_size),
        "LSS_COLLECTION": settings.collection,
        "LSS_CHUNK_SIZE": str(settings.chunk_size),
        "LSS_CHUNK_OVERLAP": str(settings.chunk_overlap),
        "LSS_TOP_K": str(settings.top_k),
        "LSS_CANDIDATES": str(settings.candidates),
        "LSS_RRF_K": str(settings.rrf_k),
        "LSS_RETRIEVAL": settings.retrieval_mode,
        "LSS_MAX_QUESTION_CHARS": str(settings.max_question_chars),
        "LSS_ANSWER_MAX_SENTENCES": str(settings.answer_max_sentences),
        "LSS_RATE_LIMIT": str(settings.rate_limit),
        "LSS_ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
        "LSS_RERANK_CANDIDATES": str(settings.rerank_candidates),
        "LSS_PRECOMPUTE_WINDOWS": "1" if settings.precompute_windows else "0",
        "LSS_CHROMA_URL": settings.chroma_url,
        "LSS_CHROMA_TIMEOUT": str(settings.chroma_timeout),
        "LSS_STORE_SYNC_SECONDS": str(settings.store_sync_seconds),
        "LSS_ADMIN_TOKEN": settings.admin_token,
        "LSS_MAX_UPLOAD_MB": str(settings.max_upload_mb),
    }
    optional_paths = {
        "LSS_FEEDBACK_DB": "feedback_db",
        "LSS_MODEL_DIR": "model_dir",
        "LSS_EMBED_CACHE": "embed_cache_path",
    }
    for name, attr in optional_paths.items():
        value = getattr(settings, attr, None)
        if value:
            env[name] = str(value)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`python app.py` as a subprocess on a free 127.0.0.1 port, stopped on exit."""

    def __init__(self, settings: Settings, log_path: Path, startup_timeout: float = 180.0):
        self.settings = settings
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "AppServer":
        env = subprocess_env(self.settings)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        wait_ready(self.proc, self.base + "/api/health", self.startup_timeout, "app.py", self.log_path)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __exit__(self, *exc) -> None:
        if self.proc:
            stop_process(self.proc)
        self._log.close()


def wait_ready(proc: subprocess.Popen, url: str, timeout: float, what: str, log_path) -> None:
    """Until ``url`` answers 200; RuntimeError (naming the log) if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} was not ready within {timeout} s; see {log_path}")


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def subprocess_env(settings: Settings, **extra: str) -> dict[str, str]:
    """os.environ + exactly these settings + offline flags, for `python app.py` / `python ingest.py`."""
    return {
        **os.environ,
        **settings_env(settings),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port N` as a subprocess; can be killed, paused
    and started again on the same path and port."""

    def __init__(self, path: Path, log_path: Path, startup_timeout: float = 60.0):
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ChromaServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [str(CHROMA_BIN), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.url + "/api/v2/heartbeat", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"chroma run was not ready within {self.startup_timeout} s; see {self.log_path}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the server dies without any chance to clean up."""
        if self.running:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)  # alive, listening, never answering

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def ensure_running(self) -> None:
        if self.running:
            self.resume()
        else:
            self.start()

    def __enter__(self) -> "ChromaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        if self.running:
            self.resume()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
