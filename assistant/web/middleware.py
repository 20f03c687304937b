"""ASGI middleware of the web app: request guard for the API and security headers.

Written as plain ASGI (not BaseHTTPMiddleware) so streamed responses (server-sent
events, Gradio's queue) pass through untouched and unbuffered.
"""

from __future__ import annotations

import json
import logging
from typing import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.web.messages import error_message, error_status
from assistant.web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024  # 20 history messages of 8,000 characters fit with room to spare


async def send_error(send: Send, code: str, headers: dict[str, str] | None = None, **params: object) -> None:
    body = json.dumps(
        {"error": {"code": code, "message": error_message(code, **params)}}, ensure_ascii=False
    ).encode()
    raw_headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": error_status(code), "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def client_key(scope: Scope) -> str:
    """The client's IP (uvicorn already applied X-Forwarded-For from trusted proxies)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class ApiGuard:
    """Rate limit and body size limit for the public POST endpoints, checked before any parsing."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, limited_paths: Iterable[str], max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.limiter = limiter
        self.limited_paths = tuple(limited_paths)
        self.max_body = max_body

    def _is_limited(self, scope: Scope) -> bool:
        path = scope.get("path", "")
        return scope.get("method") == "POST" and any(
            path == p or path.startswith(p + "/") for p in self.limited_paths
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._is_limited(scope):
            await self.app(scope, receive, send)
            return
        decision = self.limiter.hit(client_key(scope))
        if not decision.allowed:
            await send_error(send, "rate_limited", {"Retry-After": str(decision.retry_after)}, retry_after=decision.retry_after)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await send_error(send, "body_too_large")
            return
        await self._call_with_body_limit(scope, receive, send)

    async def _call_with_body_limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Chunked bodies carry no Content-Length: read (at most max_body bytes) before the
        # app sees anything, then replay. Raising from inside receive would be turned into
        # a generic 400 by FastAPI's body parser.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await send_error(send, "body_too_large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class SecurityHeaders:
    """Who may frame which page, plus the usual hardening headers.

    /embed may be framed by the allowed origins (the widget's iframe); everything
    else only by the assistant's own origin. The embed page has no inline script
    or style, so it also gets a strict script/style policy.
    """

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]):
        self.app = app
        ancestors = " ".join(["'self'", *allowed_origins])
        self.embed_csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        ).encode()
        self.default_csp = b"frame-ancestors 'self'"
        # The admin page: own scripts and styles only, never framed, never cached.
        self.admin_csp = (
            b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in ("/embed", "/embed/"):
            csp = self.embed_csp
        elif path == "/admin":
            csp = self.admin_csp
        else:
            csp = self.default_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
