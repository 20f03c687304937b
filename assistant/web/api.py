"""The public HTTP API: POST /api/ask, POST /api/ask/stream, GET /api/health, POST /api/feedback.

Stateless: a client sends the conversation history with every question. Every
error is JSON ``{"error": {"code": ..., "message": <Swedish>}}`` with a 4xx
status for anything the client can fix; the pydantic models exist so /docs
describes the contract, while the checks that depend on settings (lengths)
are done here so their messages can name the limits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from typing import Any, Callable, Iterator, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, StrictBool, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.config import Settings
from assistant.feedback import FeedbackStore, record_declined
from assistant.redact import redact
from assistant.service import IndexNotReady, QuestionError, StoreUnavailable, validate_history, validate_question
from assistant.web.messages import error_message, error_status
from assistant.web.provider import AssistantProvider

log = logging.getLogger(__name__)

MAX_PASSAGE_IDS = 50


class ApiError(Exception):
    """An error with a stable code, a Swedish message and an HTTP status."""

    def __init__(self, code: str, message: str | None = None, status: int | None = None, headers=None, **params):
        self.code = code
        self.message = message or error_message(code, **params)
        self.status = status or error_status(code)
        self.headers = headers or {}
        super().__init__(self.message)


def error_response(code: str, message: str | None = None, status: int | None = None, headers=None, **params) -> JSONResponse:
    err = ApiError(code, message, status, headers, **params)
    return JSONResponse({"error": {"code": err.code, "message": err.message}}, err.status, headers=err.headers)


# --- Request and response models (these drive the OpenAPI document at /docs) ---


class HistoryItem(BaseModel):
    role: Literal["user", "assistant"]
    content: StrictStr


class AskRequest(BaseModel):
    question: StrictStr = Field(description="Frågan, på svenska. Högst LSS_MAX_QUESTION_CHARS tecken.")
    history: list[HistoryItem] = Field(
        default_factory=list,
        description="Tidigare meddelanden i samtalet (äldst först), för följdfrågor.",
    )
    easy_read: StrictBool = Field(False, description="Svara på lättläst svenska.")
    kommun: StrictStr | None = Field(
        None,
        max_length=100,
        description="Valfritt: svara bara från den kommunens källor och nationella källor. "
        "En kommun som inte finns i källorna ger 400 (unknown_kommun) med en lista över dem som finns.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"question": "Vad gör en kontaktperson enligt LSS?", "history": [], "easy_read": False}
            ]
        }
    }


class CitationOut(BaseModel):
    id: int
    source: str
    title: str
    publisher: str
    date: str
    passage_id: str
    text: str
    quote: str
    stale: bool = Field(False, description="Källan är äldre än LSS_STALE_YEARS år (svaret slutar då med en notis).")
    kind: str = Field("", description="Dokumenttyp ur metadata, t.ex. \"vägledning\", \"protokoll\"; tom om okänd.")
    law: str = Field("", description="Lagen som källan sammanfattar; citatet är då en sammanfattning, inte lagtext.")
    # Named through an alias: a field called "register" would shadow BaseModel.register.
    text_register: str = Field("", alias="register", description="\"lättläst\" för en lättläst text, annars tom.")


class PassageOut(BaseModel):
    passage_id: str
    source: str
    title: str
    text: str
    score: float


class AnswerOut(BaseModel):
    question: str
    answer: str = Field(description="Svaret; [n] hänvisar till citations[].id.")
    answered: bool = Field(description="false när assistenten avstår från att svara (då finns inga källor).")
    reply_kind: Literal["answer", "not_covered", "guidance"] = Field(
        description='"answer": svar ur källorna; "not_covered": källorna täcker inte frågan; '
                    '"guidance": en hälsning eller vägledning om hur man frågar, inget att slå upp.')
    mode: str
    citations: list[CitationOut]
    passages: list[PassageOut]
    timings_ms: dict[str, float]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class FeedbackRequest(BaseModel):
    rating: Literal["up", "down"]
    question: StrictStr = Field("", max_length=20000)
    answer: StrictStr = Field("", max_length=20000)
    passage_ids: list[StrictStr] = Field(default_factory=list, max_length=MAX_PASSAGE_IDS)
    mode: StrictStr = Field("", max_length=50)
    answered: StrictBool | None = None
    comment: StrictStr = Field("", max_length=2000)


class FeedbackUpdate(BaseModel):
    token: StrictStr = Field(max_length=200)
    rating: Literal["up", "down"] | None = None
    comment: StrictStr | None = Field(None, max_length=2000)


class FeedbackOut(BaseModel):
    id: int
    token: str = Field(description="Behövs för att ändra eller kommentera samma återkoppling.")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Ogiltig förfrågan (koden säger vad som är fel)."},
    413: {"model": ErrorOut, "description": "Förfrågan är för stor."},
    429: {"model": ErrorOut, "description": "För många förfrågningar; se Retry-After."},
    503: {"model": ErrorOut, "description": "Index saknas eller dokumentdatabasen nås inte."},
}


# --- Validation helpers ---

# Which field of the body a pydantic error is about -> our error code.
_FIELD_CODES = {
    "question": "question_not_string",
    "history": "history_invalid",
    "easy_read": "invalid_easy_read",
    "kommun": "kommun_invalid",
}


def validation_error_code(errors: list[dict]) -> str:
    """Map FastAPI/pydantic validation errors to one stable code (the most useful first)."""
    codes = []
    for err in errors:
        loc = tuple(err.get("loc") or ())
        kind = err.get("type", "")
        field = loc[1] if len(loc) > 1 and loc[0] == "body" else None
        if kind == "json_invalid":
            codes.append("invalid_json")
        elif field == "question" and kind == "missing":
            codes.append("question_missing")
        elif isinstance(field, str) and field in _FIELD_CODES:
            codes.append(_FIELD_CODES[field])
        elif loc[:1] == ("body",) and len(loc) <= 1:
            codes.append("invalid_body")
        else:
            codes.append("invalid_feedback" if field else "invalid_body")
    order = ["invalid_json", "invalid_body", "question_missing", "question_not_string", "history_invalid", "invalid_easy_read", "kommun_invalid", "invalid_feedback"]
    return min(codes, key=lambda c: order.index(c) if c in order else len(order)) if codes else "invalid_body"


def check_request(body: AskRequest, settings: Settings) -> tuple[str, list[dict]]:
    """The pipeline's own validation (one source of truth for limits), as API errors."""
    try:
        question = validate_question(body.question, settings)
        history = validate_history([{"role": h.role, "content": h.content} for h in body.history])
    except QuestionError as exc:
        raise service_error(exc) from exc
    return question, history


def service_error(exc: Exception) -> ApiError:
    """Translate the pipeline's exceptions into API errors with Swedish messages."""
    if isinstance(exc, QuestionError):
        code = getattr(exc, "code", None) or "question_invalid"
        message = getattr(exc, "message", None) or str(exc) or None
        return ApiError(code, message, status=400)
    if isinstance(exc, IndexNotReady):
        return ApiError("index_not_ready", headers={"Retry-After": "30"})
    if isinstance(exc, StoreUnavailable):
        return ApiError("store_unavailable", headers={"Retry-After": "30"})
    return ApiError("internal_error")


def sse(event: str, data: Any) -> str:
    """One server-sent event; JSON data never holds a raw newline, so one data line suffices."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class FeedbackTokens:
    """HMAC tokens that let the client who created a feedback record (and only it) amend it.

    The key lives in memory: after a restart old tokens stop working, which only
    means a late comment cannot be attached. No secret ever reaches page source.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def issue(self, feedback_id: int) -> str:
        return hmac.new(self._key, str(feedback_id).encode(), hashlib.sha256).hexdigest()[:32]

    def check(self, feedback_id: int, token: str) -> bool:
        return hmac.compare_digest(self.issue(feedback_id), token)


# --- Routes ---


def build_router(
    settings: Settings,
    provider: AssistantProvider,
    feedback: FeedbackStore,
    add_admin_routes: Callable[[APIRouter], None] | None = None,
) -> APIRouter:
    """The /api routes. ``add_admin_routes`` (only with LSS_ADMIN_TOKEN) adds /api/admin/* to
    this router before the catch-all, so their wrong methods get 405 like the others."""
    router = APIRouter(prefix="/api", tags=["API"])
    tokens = FeedbackTokens()

    def prepare(body: AskRequest) -> tuple[Any, str, list[dict]]:
        question, history = check_request(body, settings)
        try:
            assistant = provider.get()
        except (IndexNotReady, StoreUnavailable) as exc:
            raise service_error(exc) from exc
        return assistant, question, history

    @router.post(
        "/ask",
        response_model=AnswerOut,
        responses=ERROR_RESPONSES,
        summary="Ställ en fråga och få ett svar med källor",
    )
    def ask(body: AskRequest) -> Any:
        assistant, question, history = prepare(body)
        try:
            answer = assistant.ask(question, history=history, easy_read=body.easy_read, **_scope(body))
        except Exception as exc:  # every failure becomes a JSON error, never a trace
            raise _logged(service_error(exc), exc, question) from exc
        _log_answer(question, answer)
        record_declined(feedback, settings, question, answer, "api")
        return JSONResponse(answer.to_dict())

    @router.post(
        "/ask/stream",
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": "Server-sent events: `delta` ({\"text\": ...}) flera gånger, "
                "ibland `replace` ({\"text\": ...}: den kontrollerade texten ersätter det strömmade), "
                "sedan `final` med hela svaret (samma JSON som /api/ask), eller `error`.",
            },
            **ERROR_RESPONSES,
        },
        summary="Som /api/ask, men svaret strömmas (server-sent events)",
    )
    def ask_stream(body: AskRequest) -> StreamingResponse:
        assistant, question, history = prepare(body)
        events = assistant.ask_stream(question, history, body.easy_read, **_scope(body))
        try:
            # Pull the first event here so that a rejected question is a 4xx, not a broken stream.
            first = next(events)
        except StopIteration:
            raise ApiError("internal_error")
        except Exception as exc:
            raise _logged(service_error(exc), exc, question) from exc
        return StreamingResponse(
            _sse_stream(first, events, question, lambda a: record_declined(feedback, settings, question, a, "api")),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.get(
        "/health",
        summary="Är assistenten redo? 200 när den är det, annars 503",
        responses={503: {"description": "Inte redo; body säger varför."}},
    )
    def health() -> JSONResponse:
        ready, body = provider.health()
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.post("/feedback", response_model=FeedbackOut, responses=ERROR_RESPONSES, summary="Tumme upp/ned på ett svar")
    def add_feedback(body: FeedbackRequest) -> FeedbackOut:
        try:
            fid = feedback.add(
                rating=body.rating,
                question=body.question,
                answer=body.answer,
                passage_ids=body.passage_ids,
                mode=body.mode,
                comment=body.comment,
                answered=body.answered,
                channel="widget",
            )
        except Exception as exc:
            raise _logged(ApiError("internal_error"), exc, body.question) from exc
        return FeedbackOut(id=fid, token=tokens.issue(fid))

    @router.post(
        "/feedback/{feedback_id}",
        response_model=FeedbackOut,
        responses=ERROR_RESPONSES,
        summary="Ändra tummen eller lägg till en kommentar",
    )
    def update_feedback(feedback_id: int, body: FeedbackUpdate) -> FeedbackOut:
        if not tokens.check(feedback_id, body.token):
            raise ApiError("invalid_feedback")
        if body.rating:
            feedback.set_rating(feedback_id, body.rating)
        if body.comment is not None:
            feedback.set_comment(feedback_id, body.comment)
        return FeedbackOut(id=feedback_id, token=body.token)

    if add_admin_routes is not None:
        add_admin_routes(router)

    @router.api_route(
        "/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
        include_in_schema=False,
    )
    def unknown(rest: str, request: Request) -> JSONResponse:
        # Registered last: unknown /api paths and wrong methods get our JSON error, not Gradio's page.
        known = {
            r.path: r.methods
            for r in router.routes
            if getattr(r, "path", None) and r.path != "/api/{rest:path}" and getattr(r, "methods", None)
        }
        allowed = known.get(request.url.path)
        if allowed:
            return error_response("method_not_allowed", headers={"Allow": ", ".join(sorted(allowed))})
        return error_response("not_found")

    return router


def _scope(body: AskRequest) -> dict:
    """The optional kommun filter, passed on only when given (an empty string means none)."""
    return {"kommun": body.kommun} if body.kommun and body.kommun.strip() else {}


def _sse_stream(first: tuple, events: Iterator[tuple], question: str, on_final: Callable | None = None) -> Iterator[str]:
    try:
        for kind, payload in _chain(first, events):
            if kind == "delta":
                yield sse("delta", {"text": payload})
            elif kind == "replace":  # the checked answer differs from the streamed model text
                yield sse("replace", {"text": payload})
            elif kind == "final":
                _log_answer(question, payload)
                if on_final is not None:
                    on_final(payload)
                yield sse("final", payload.to_dict())
    except Exception as exc:  # the status line is already sent: report in-band
        err = _logged(service_error(exc), exc, question)
        yield sse("error", {"error": {"code": err.code, "message": err.message}})


def _chain(first: tuple, rest: Iterator[tuple]) -> Iterator[tuple]:
    yield first
    yield from rest


def _logged(err: ApiError, exc: Exception, question: str) -> ApiError:
    if err.code == "internal_error":
        log.exception("ask failed for question %r", redact(question)[:200], exc_info=exc)
    else:
        log.info("ask rejected (%s) for question %r", err.code, redact(question)[:200])
    return err


def _log_answer(question: str, answer: Any) -> None:
    log.info(
        "answered=%s citations=%d question=%r",
        getattr(answer, "answered", None),
        len(getattr(answer, "citations", []) or []),
        redact(question)[:200],
    )


_HTTP_STATUS_CODES = {
    400: "invalid_json",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_body",
}


def install_error_handlers(app: FastAPI) -> None:
    """Make every API error JSON with a Swedish message (FastAPI's default is a 422 in English)."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.code, exc.message, exc.status, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(validation_error_code(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        # Errors raised by the framework itself (e.g. a body nested too deep to parse): JSON with
        # a Swedish message on /api, the framework's default elsewhere.
        if not request.url.path.startswith("/api/"):
            return await http_exception_handler(request, exc)
        code = _HTTP_STATUS_CODES.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "invalid_body")
        return error_response(code, status=exc.status_code, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response("internal_error")
