"""SQLite store for the users' thumbs up/down and comments on answers, and for the
questions the assistant declined (table ``declined``; the gaps report reads both).

Everything free-text (question, answer, comment) goes through ``redact`` before
it is written, so the database never holds personnummer, e-mail addresses or
phone numbers typed by a user. One short-lived connection per call keeps the
store safe to use from the web server's worker threads. Declined questions are only
written when LSS_RECORD_QUESTIONS is on (default); ``apply_retention`` deletes records
older than LSS_FEEDBACK_RETENTION_DAYS (default 365).
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from assistant.config import Settings
from assistant.redact import redact
from assistant.types import GUIDANCE_REASONS

log = logging.getLogger(__name__)

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000
MAX_TEXT_CHARS = 20000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    passage_ids TEXT NOT NULL DEFAULT '[]',
    mode TEXT NOT NULL DEFAULT '',
    answered INTEGER,
    channel TEXT NOT NULL DEFAULT ''
)
"""

# Questions the assistant declined (a gap in the corpus), redacted, for `report gaps`.
# Written unless LSS_RECORD_QUESTIONS=0; both tables are pruned after LSS_FEEDBACK_RETENTION_DAYS.
_DECLINED_SCHEMA = """
CREATE TABLE IF NOT EXISTS declined (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT ''
)
"""

# Decline reasons that say nothing about the corpus: the replies that are guidance, not a lookup.
NOT_A_GAP = GUIDANCE_REASONS

CSV_COLUMNS = (
    "id",
    "created_at",
    "rating",
    "comment",
    "question",
    "answer",
    "passage_ids",
    "mode",
    "answered",
    "channel",
)


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    rating: str
    comment: str
    question: str
    answer: str
    passage_ids: list[str]
    mode: str
    answered: bool | None
    channel: str


@dataclass(frozen=True)
class DeclinedRecord:
    id: int
    created_at: str
    question: str  # redacted
    reason: str  # the answerer's decline reason, e.g. "unknown_terms:färdtjänst"
    channel: str


def feedback_db_path(settings: Settings) -> Path:
    """LSS_FEEDBACK_DB, or feedback.sqlite inside the data directory."""
    return settings.feedback_db or settings.data_dir / "feedback.sqlite"


def _clean(text: str | None, limit: int) -> str:
    # Redact first, then cut: cutting first could split a number and let half of it through.
    return redact(text or "")[:limit]


class FeedbackStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute(_SCHEMA)
            conn.execute(_DECLINED_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> "FeedbackStore":
        return cls(feedback_db_path(settings))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def add(
        self,
        rating: str,
        question: str,
        answer: str,
        passage_ids: list[str] | tuple[str, ...] = (),
        mode: str = "",
        comment: str = "",
        answered: bool | None = None,
        channel: str = "",
    ) -> int:
        """Store one piece of feedback; returns its id (to attach a comment later)."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            rating,
            _clean(comment, MAX_COMMENT_CHARS),
            _clean(question, MAX_TEXT_CHARS),
            _clean(answer, MAX_TEXT_CHARS),
            json.dumps([str(p) for p in passage_ids], ensure_ascii=False),
            str(mode or "")[:50],
            None if answered is None else int(bool(answered)),
            str(channel or "")[:20],
        )
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, answer,"
                " passage_ids, mode, answered, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            feedback_id = int(cur.lastrowid)
        log.info("feedback %s stored: rating=%s channel=%s", feedback_id, rating, channel)
        return feedback_id

    def set_rating(self, feedback_id: int, rating: str) -> bool:
        """Change the thumb of an existing record (the user changed their mind)."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        with closing(self._connect()) as conn, conn:
            cur = conn.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, feedback_id))
            return cur.rowcount == 1

    def set_comment(self, feedback_id: int, comment: str) -> bool:
        """Attach (or replace) the optional comment of an existing record."""
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "UPDATE feedback SET comment = ? WHERE id = ?",
                (_clean(comment, MAX_COMMENT_CHARS), feedback_id),
            )
            return cur.rowcount == 1

    def all(self) -> list[FeedbackRecord]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [_record(r) for r in rows]

    def get(self, feedback_id: int) -> FeedbackRecord | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM feedback WHERE id = ?", (feedback_id,)).fetchone()
        return _record(row) if row else None

    def export_csv(self, path: Path | str) -> int:
        """Write every record to a UTF-8 CSV (with BOM, so Excel shows å/ä/ö); returns the row count."""
        records = self.all()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for r in records:
                writer.writerow(
                    [
                        r.id,
                        r.created_at,
                        r.rating,
                        _csv_safe(r.comment),
                        _csv_safe(r.question),
                        _csv_safe(r.answer),
                        " ".join(r.passage_ids),
                        r.mode,
                        "" if r.answered is None else int(r.answered),
                        r.channel,
                    ]
                )
        return len(records)

    # -- declined questions and retention -------------------------------------------
    def add_declined(self, question: str, reason: str = "", channel: str = "") -> int | None:
        """Store a declined question (redacted); None when its reason is not a corpus gap."""
        if str(reason or "").split(":")[0] in NOT_A_GAP:
            return None
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            _clean(question, MAX_TEXT_CHARS),
            str(reason or "")[:200],
            str(channel or "")[:20],
        )
        with closing(self._connect()) as conn, conn:
            cur = conn.execute("INSERT INTO declined (created_at, question, reason, channel) VALUES (?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    def declined(self, since: str | None = None) -> list[DeclinedRecord]:
        """Declined questions (oldest first), from ``since`` (an ISO time) when given."""
        sql, args = "SELECT * FROM declined", ()
        if since:
            sql, args = sql + " WHERE created_at >= ?", (since,)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [DeclinedRecord(r["id"], r["created_at"], r["question"], r["reason"], r["channel"]) for r in rows]

    def thumbs_down(self, since: str | None = None) -> list[FeedbackRecord]:
        sql, args = "SELECT * FROM feedback WHERE rating = 'down'", ()
        if since:
            sql, args = sql + " AND created_at >= ?", (since,)
        with closing(self._connect()) as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [_record(r) for r in rows]

    def delete_older_than(self, days: int) -> int:
        """Delete feedback and declined questions older than ``days`` days (0 or less: keep all)."""
        if days <= 0:
            return 0
        cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        with closing(self._connect()) as conn, conn:
            n = conn.execute("DELETE FROM feedback WHERE created_at < ?", (cutoff,)).rowcount
            n += conn.execute("DELETE FROM declined WHERE created_at < ?", (cutoff,)).rowcount
        if n:
            log.info("retention: deleted %d feedback records older than %d days", n, days)
        return n



def record_declined(store: "FeedbackStore | None", settings: Settings, question: str, answer, channel: str) -> None:
    """Called by the front ends after every answer: keep a declined question for the gaps report
    (unless LSS_RECORD_QUESTIONS=0). Never raises: recording must not break answering."""
    if store is None or not settings.record_questions or getattr(answer, "answered", True):
        return
    try:
        store.add_declined(question, getattr(answer, "reason", ""), channel)
    except Exception:
        log.exception("could not record a declined question")


def apply_retention(store: "FeedbackStore", settings: Settings) -> int:
    """LSS_FEEDBACK_RETENTION_DAYS: run at app start and before a report. Never raises."""
    try:
        return store.delete_older_than(settings.feedback_retention_days)
    except Exception:
        log.exception("could not apply the feedback retention")
        return 0


def _record(row: sqlite3.Row) -> FeedbackRecord:
    answered = row["answered"]
    return FeedbackRecord(
        id=row["id"],
        created_at=row["created_at"],
        rating=row["rating"],
        comment=row["comment"],
        question=row["question"],
        answer=row["answer"],
        passage_ids=json.loads(row["passage_ids"] or "[]"),
        mode=row["mode"],
        answered=None if answered is None else bool(answered),
        channel=row["channel"],
    )


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas: user text starting with = + - @ is prefixed with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
