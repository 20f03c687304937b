"""Administration, only when ``LSS_ADMIN_TOKEN`` is set (otherwise none of this exists: 404).

    POST /api/admin/reindex   incremental ingest of the corpus folder; JSON report
    POST /api/admin/upload    multipart: file (+ overwrite, reindex, title, publisher,
                              date, kind, kommun, lan); checked, then stored in the corpus
    GET  /admin               a plain page with forms for both (the token is typed by the
                              admin and sent by fetch; it is never part of the page)

Every request carries ``Authorization: Bearer <token>``, compared in constant time.
Failed attempts are limited per client address. The upload's size is checked from
Content-Length before the body is read, and again on the bytes.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from starlette.datastructures import UploadFile

from assistant.config import Settings
from assistant.index import EmptyCorpus
from assistant.service import IndexNotReady, IngestRunning, StoreUnavailable
from assistant.upload import ALLOWED_SUFFIXES, METADATA_UPLOAD_FIELDS, UploadError, store_document
from assistant.web.api import ApiError
from assistant.web.middleware import client_key
from assistant.web.provider import AssistantProvider
from assistant.web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries, headers and the metadata fields
FAILED_LOGINS_PER_MINUTE = 10
TRUE_VALUES = {"1", "true", "yes", "on", "ja"}

ADMIN_FILES = {
    "admin.html": "text/html; charset=utf-8",
    "admin.js": "text/javascript; charset=utf-8",
    "admin.css": "text/css; charset=utf-8",
}


def admin_enabled(settings: Settings) -> bool:
    return bool(settings.admin_token)


class AdminAuth:
    """Bearer-token check in constant time, with a per-address limit on failed attempts."""

    def __init__(self, token: str):
        self._token = token.encode("utf-8")
        self._failures = RateLimiter(FAILED_LOGINS_PER_MINUTE, 60.0)

    def check(self, request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"), self._token)
        if ok:
            return
        decision = self._failures.hit(client_key(request.scope))
        log.warning("admin: refused request from %s", client_key(request.scope))
        if not decision.allowed:
            raise ApiError(
                "rate_limited", status=429, headers={"Retry-After": str(decision.retry_after)}, retry_after=decision.retry_after
            )
        raise ApiError("unauthorized", headers={"WWW-Authenticate": "Bearer"})


def admin_routes(settings: Settings, provider: AssistantProvider) -> Callable[[APIRouter], None]:
    """A function that adds /admin/reindex and /admin/upload to the /api router."""

    def add(router: APIRouter) -> None:
        _add_routes(router, settings, provider)

    return add


def _add_routes(router: APIRouter, settings: Settings, provider: AssistantProvider) -> None:
    auth = AdminAuth(settings.admin_token)
    max_bytes = settings.max_upload_mb * 1024 * 1024

    @router.post("/admin/reindex", tags=["Administration"], summary="Läs in korpusen igen (inkrementellt); svarar med rapporten")
    def reindex(request: Request) -> JSONResponse:
        auth.check(request)
        return JSONResponse(_reindex(provider))

    @router.post("/admin/upload", tags=["Administration"], summary="Ladda upp ett dokument till korpusen (multipart/form-data)")
    async def upload(request: Request) -> JSONResponse:
        auth.check(request)  # before a single byte of the body is read
        raw_length = request.headers.get("content-length")
        if raw_length is None:
            raise ApiError("upload_length_required")
        try:
            length = int(raw_length)
        except ValueError:
            raise ApiError("upload_length_required")
        if length > max_bytes + FORM_OVERHEAD_BYTES:
            raise ApiError("upload_too_large", limit=settings.max_upload_mb)
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            raise ApiError("invalid_form", status=415)
        try:
            form = await request.form(max_files=1, max_fields=len(METADATA_UPLOAD_FIELDS) + 4, max_part_size=64 * 1024)
        except Exception as exc:  # starlette raises several types for a malformed body
            raise ApiError("invalid_form") from exc
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ApiError("upload_missing_file")
            data = await file.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ApiError("upload_too_large", limit=settings.max_upload_mb)
            fields = {k: form.get(k) for k in METADATA_UPLOAD_FIELDS if isinstance(form.get(k), str)}
            overwrite = _flag(form.get("overwrite"))
            then_reindex = _flag(form.get("reindex"))
            filename = file.filename
        finally:
            await form.close()
        try:
            stored = await run_in_threadpool(
                store_document, settings.corpus_dir, filename, data, overwrite=overwrite, metadata=fields
            )
        except UploadError as exc:
            raise ApiError(exc.code, **exc.params) from exc
        log.info("admin: stored %s (%d bytes, overwritten=%s)", stored.name, stored.bytes, stored.overwritten)
        body: dict[str, Any] = stored.to_dict()
        if then_reindex:
            body["reindex"] = await run_in_threadpool(_reindex, provider)
        return JSONResponse(body, status_code=201)


def _flag(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in TRUE_VALUES


def _reindex(provider: AssistantProvider) -> dict:
    try:
        report = provider.reindex()
    except IngestRunning as exc:
        raise ApiError("reindex_running") from exc
    except (EmptyCorpus, FileNotFoundError) as exc:
        raise ApiError("reindex_failed", detail=str(exc)) from exc
    except StoreUnavailable as exc:
        raise ApiError("store_unavailable", headers={"Retry-After": "30"}) from exc
    except IndexNotReady as exc:
        raise ApiError("index_not_ready", headers={"Retry-After": "30"}) from exc
    log.info("admin: reindex done: %s", report.summary_sv().replace("\n", "; "))
    return report.to_dict()


def add_admin_page(app: FastAPI) -> None:
    """GET /admin and its script and style (same origin; no inline code, so a strict CSP)."""

    def static(name: str) -> FileResponse:
        return FileResponse(STATIC_DIR / name, media_type=ADMIN_FILES[name], headers={"Cache-Control": "no-store"})

    @app.get("/admin", include_in_schema=False)
    def admin_page() -> FileResponse:
        return static("admin.html")

    @app.get("/admin.js", include_in_schema=False)
    def admin_js() -> FileResponse:
        return static("admin.js")

    @app.get("/admin.css", include_in_schema=False)
    def admin_css() -> FileResponse:
        return static("admin.css")


__all__ = ["ALLOWED_SUFFIXES", "admin_enabled", "admin_routes", "add_admin_page"]
