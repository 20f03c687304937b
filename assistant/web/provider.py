"""Gives the web layer an opened ``Assistant``, or says in Swedish why there is none.

The app may start before the index exists (someone runs ``lss-assistant serve``
on a fresh machine without building, or the index is being rebuilt). Instead of
refusing to start, the provider retries ``Assistant.open`` now and then, so the
app becomes ready as soon as the index is there, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from assistant.config import Settings
from assistant.index import IngestReport, ingest
from assistant.service import Assistant, IndexNotReady, IngestRunning, StoreUnavailable
from assistant.web.messages import error_message

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class AssistantProvider:
    def __init__(
        self,
        settings: Settings,
        assistant: Any | None = None,
        opener: Callable[[Settings], Any] | None = None,
    ):
        self.settings = settings
        self._assistant = assistant
        self._opener = opener or (lambda s: Assistant.open(settings=s))
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self._last_try = 0.0
        self._last_error: Exception | None = None

    def get(self) -> Any:
        """The opened assistant; raises IndexNotReady / StoreUnavailable when there is none."""
        if self._assistant is not None:
            return self._assistant
        with self._lock:
            if self._assistant is not None:
                return self._assistant
            now = time.monotonic()
            if self._last_error is not None and now - self._last_try < RETRY_SECONDS:
                raise self._last_error
            self._last_try = now
            try:
                self._assistant = self._opener(self.settings)
                self._last_error = None
                log.info("index opened")
            except (IndexNotReady, StoreUnavailable) as exc:
                self._last_error = exc
                log.warning("assistant not ready: %s", exc)
                raise
            return self._assistant

    def reindex(self) -> IngestReport:
        """Incremental ingest of the corpus folder; the assistant answers from the new passages
        afterwards. Without an opened assistant (no index yet) the index is built and opened."""
        try:
            assistant = self.get()
        except IndexNotReady:
            assistant = None
        if assistant is not None and hasattr(assistant, "reindex"):
            return assistant.reindex()
        if not self._ingest_lock.acquire(blocking=False):
            raise IngestRunning()
        try:
            report = ingest(self.settings, progress=False)
            with self._lock:
                self._last_error = None  # open at the next question instead of waiting out the retry pause
            return report
        finally:
            self._ingest_lock.release()

    def health(self) -> tuple[bool, dict]:
        """(ready, JSON body) for GET /api/health."""
        try:
            assistant = self.get()
        except IndexNotReady as exc:
            return False, {"ready": False, "passages": 0, "store": "ok", "message": str(exc)}
        except StoreUnavailable:
            return False, _store_unavailable()
        try:
            body = dict(assistant.health())
        except StoreUnavailable:
            return False, _store_unavailable()
        ready = bool(body.get("ready")) and body.get("store", "ok") == "ok"
        return ready, body


def _store_unavailable() -> dict:
    # The details (the store's address, the error) are logged, never shown on a public endpoint.
    return {"ready": False, "passages": 0, "store": "unavailable", "message": error_message("store_unavailable")}
