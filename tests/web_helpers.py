"""Helpers shared by the web tests: settings as environment, a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

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
        env = {
            **os.environ,
            **settings_env(self.settings),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "PYTHONUNBUFFERED": "1",
        }
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
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.base + "/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"app.py was not ready within {self.startup_timeout} s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
