"""One ASGI app: the HTTP API, the embeddable widget and the Gradio chat page.

Route order matters: FastAPI routes are registered first and Gradio is mounted
at "/" last, so Gradio only sees the paths the API does not own.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

# Gradio phones home at import/launch unless told not to; this app must run offline.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import FileResponse, RedirectResponse  # noqa: E402

from assistant.config import Settings, load_settings  # noqa: E402
from assistant.feedback import FeedbackStore, apply_retention  # noqa: E402
from assistant.web import ui  # noqa: E402
from assistant.web.admin import add_admin_page, admin_enabled, admin_routes  # noqa: E402
from assistant.web.api import build_router, install_error_handlers  # noqa: E402
from assistant.web.middleware import ApiGuard, SecurityHeaders  # noqa: E402
from assistant.web.provider import AssistantProvider  # noqa: E402
from assistant.web.ratelimit import RateLimiter  # noqa: E402

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
RATE_LIMITED_PATHS = ("/api/ask", "/api/feedback")

# File name -> media type of what /widget.js and /embed serve.
_STATIC_FILES = {
    "widget.js": "text/javascript; charset=utf-8",
    "embed.html": "text/html; charset=utf-8",
    "embed.js": "text/javascript; charset=utf-8",
    "embed.css": "text/css; charset=utf-8",
}


def create_app(
    settings: Settings | None = None,
    assistant: Any | None = None,
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """Build the app. ``assistant`` may be given (tests, a caller that already opened one);
    otherwise the index is opened on first use and retried until it exists."""
    settings = settings or load_settings()
    provider = AssistantProvider(settings, assistant)
    feedback = FeedbackStore.from_settings(settings)
    apply_retention(feedback, settings)  # LSS_FEEDBACK_RETENTION_DAYS: old feedback goes at start
    limiter = limiter or RateLimiter(settings.rate_limit)

    app = FastAPI(
        title="LSS-assistenten API",
        description=(
            "Frågor och svar om LSS med källhänvisningar. Tillståndslöst: skicka med "
            "samtalshistoriken för följdfrågor. Fel returneras som "
            '`{"error": {"code": ..., "message": ...}}` med meddelanden på svenska.'
        ),
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.provider = provider
    app.state.feedback = feedback
    app.state.limiter = limiter

    install_error_handlers(app)
    admin = admin_routes(settings, provider) if admin_enabled(settings) else None
    app.include_router(build_router(settings, provider, feedback, admin))
    _add_widget_routes(app)
    if admin is not None:
        add_admin_page(app)

    # Middleware: the last added is the outermost. CORS wraps the guard so that
    # 429/413 answers also carry CORS headers and the widget can read them.
    app.add_middleware(ApiGuard, limiter=limiter, limited_paths=RATE_LIMITED_PATHS)
    app.add_middleware(SecurityHeaders, allowed_origins=settings.allowed_origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )

    demo = ui.build_blocks(settings, provider, feedback, limiter)
    demo.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        footer_links=[],
        run_history=False,
        show_error=False,  # never show Python errors in the page; ours are friendly messages
        ssr_mode=False,
        pwa=False,
        css=ui.page_css(),
        head=ui.head_html(),
        theme=gr.themes.Default(primary_hue="blue"),
    )


def _add_widget_routes(app: FastAPI) -> None:
    def static(name: str) -> FileResponse:
        # no-cache: browsers revalidate (cheap, ETag) so a new version reaches host pages at once.
        return FileResponse(STATIC_DIR / name, media_type=_STATIC_FILES[name], headers={"Cache-Control": "no-cache"})

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return static("widget.js")

    @app.get("/embed", include_in_schema=False)
    def embed_page() -> FileResponse:
        return static("embed.html")

    @app.get("/embed/", include_in_schema=False)
    def embed_slash() -> RedirectResponse:
        return RedirectResponse("/embed")

    @app.get("/embed.js", include_in_schema=False)
    def embed_js() -> FileResponse:
        return static("embed.js")

    @app.get("/embed.css", include_in_schema=False)
    def embed_css() -> FileResponse:
        return static("embed.css")


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Build the index if it is missing, then serve the app with uvicorn (blocks until stopped)."""
    import uvicorn

    from assistant.service import Assistant, StoreUnavailable

    settings = settings or load_settings()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one log line per request to a Chroma server
    try:
        assistant = Assistant.open_or_build(settings=settings, progress=True)
    except StoreUnavailable as exc:
        # A Chroma server that is down must not keep the app from starting: it answers 503
        # ("tillfälligt otillgänglig") and opens the index as soon as the server is back.
        log.warning("the document store is unavailable at start (%s); retrying on demand", exc)
        assistant = None
    if assistant is not None and hasattr(assistant, "warm_up"):
        assistant.warm_up()  # load the model now, so the first visitor does not wait for it
    app = create_app(settings, assistant=assistant)
    host = host or settings.host
    port = int(port or settings.port)
    log.info("serving LSS-assistenten on http://%s:%d", host, port)
    print(f"LSS-assistenten: http://{host}:{port}/  (API: /docs, widget: /widget.js)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
