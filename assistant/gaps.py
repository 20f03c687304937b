"""`lss-assistant report gaps`: what members ask that the corpus does not answer.

Reads the feedback store (assistant/feedback.py): questions the assistant declined
(recorded, redacted, by the app and the API unless LSS_RECORD_QUESTIONS=0) and answers
that got a thumbs down. Similar questions are grouped: each question is embedded with
the project's own model (kind "query") and grouped by complete-linkage agglomerative
clustering on cosine similarity (two groups merge only while *every* pair of their
questions is at least ``threshold`` alike), so "Hur ansöker jag om färdtjänst?" and
"Kan min son få färdtjänst?" end up together and apart from "bostadsbidrag".

multilingual-e5-small puts unrelated Swedish questions at cosine ~0.79-0.85 and
rephrasings of one question at ~0.86-0.95. Complete linkage keeps the default threshold
0.85 safe: one close pair cannot chain two topics together (on a test set of 17
questions in 6 topics, 0.85 found every topic and merged none; 0.88 split two).

Writes gaps-<date>.md (groups, largest first, with their newest examples) and
gaps-<date>.csv (one row per question, newest first in each group) to the out folder.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from .config import Settings
from .feedback import FeedbackStore, apply_retention

DEFAULT_DAYS = 90
DEFAULT_THRESHOLD = 0.85
EXAMPLES_IN_MARKDOWN = 5

KIND_DECLINED = "avböjd"
KIND_THUMBS_DOWN = "tumme ned"


@dataclass(frozen=True)
class GapItem:
    created_at: str  # ISO time (UTC)
    question: str  # redacted when it was stored
    kind: str  # KIND_DECLINED or KIND_THUMBS_DOWN
    reason: str = ""  # decline reason, e.g. "unknown_terms:färdtjänst"
    comment: str = ""  # the user's comment on a thumbs down
    channel: str = ""


@dataclass
class GapGroup:
    items: list[GapItem]  # newest first
    label: str = ""  # the question most like the others in the group

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def newest(self) -> str:
        return self.items[0].created_at if self.items else ""


@dataclass
class GapReport:
    groups: list[GapGroup] = field(default_factory=list)
    markdown: Path | None = None
    csv: Path | None = None
    since: str = ""
    deleted: int = 0  # records removed by the retention rule before reading

    @property
    def questions(self) -> int:
        return sum(g.count for g in self.groups)

    def summary_sv(self) -> str:
        lines = [f"{self.questions} frågor i {len(self.groups)} grupper (sedan {self.since[:10]})."]
        if self.deleted:
            lines.append(f"{self.deleted} poster äldre än lagringstiden raderades först.")
        if self.markdown:
            lines.append(f"Rapport: {self.markdown}")
        if self.csv:
            lines.append(f"Tabell:  {self.csv}")
        return "\n".join(lines)


# ------------------------------------------------------------------ reading


def collect(store: FeedbackStore, since: str | None) -> list[GapItem]:
    items = [GapItem(r.created_at, r.question, KIND_DECLINED, r.reason, "", r.channel) for r in store.declined(since)]
    items += [
        GapItem(r.created_at, r.question, KIND_THUMBS_DOWN, "", r.comment, r.channel)
        for r in store.thumbs_down(since)
    ]
    return [i for i in items if i.question.strip()]


# ------------------------------------------------------------------ grouping


def cluster(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Complete-linkage agglomerative clustering of unit vectors by cosine similarity.

    Repeatedly merges the two groups whose *least* similar pair is the most similar,
    while that similarity is at least ``threshold``. Returns lists of row indices."""
    n = len(vectors)
    if n == 0:
        return []
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    link = sims.copy()  # complete linkage: the minimum similarity between two groups
    np.fill_diagonal(link, -np.inf)
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(groups) > 1:
        i, j = np.unravel_index(np.argmax(link), link.shape)
        if link[i, j] < threshold:
            break
        i, j = int(min(i, j)), int(max(i, j))
        groups[i] += groups.pop(j)
        merged = np.minimum(link[i], link[j])
        link[i, :] = merged
        link[:, i] = merged
        link[i, i] = -np.inf
        link[j, :] = -np.inf
        link[:, j] = -np.inf
    return list(groups.values())


def group_items(items: list[GapItem], embedder, threshold: float = DEFAULT_THRESHOLD) -> list[GapGroup]:
    if not items:
        return []
    texts = [" ".join(i.question.split()) for i in items]
    vectors = embedder.embed_many(texts, "query")
    groups = []
    for members in cluster(vectors, threshold):
        sub = vectors[members]
        central = members[int(np.argmax((sub @ sub.T).sum(axis=1)))]
        ordered = sorted((items[m] for m in members), key=lambda it: it.created_at, reverse=True)
        groups.append(GapGroup(items=ordered, label=texts[central]))
    groups.sort(key=lambda g: (-g.count, _neg_time(g.newest)))
    return groups


def _neg_time(iso: str) -> float:
    try:
        return -datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


# ------------------------------------------------------------------ writing

_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>|])")


def md(text: str) -> str:
    """User text made inert in Markdown: one line, every markup character escaped."""
    return _MD_SPECIAL_RE.sub(r"\\\1", " ".join(str(text or "").split()))


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas: text starting with = + - @ gets a leading '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _day(iso: str) -> str:
    return iso[:10]


def write_markdown(groups: list[GapGroup], path: Path, since: str, generated: str) -> None:
    declined = sum(1 for g in groups for i in g.items if i.kind == KIND_DECLINED)
    down = sum(1 for g in groups for i in g.items if i.kind == KIND_THUMBS_DOWN)
    lines = [
        "# Frågor som källorna inte besvarar",
        "",
        f"Skapad {generated[:16].replace('T', ' ')} (UTC), frågor från {_day(since)} och framåt: "
        f"{declined + down} frågor i {len(groups)} grupper ({declined} avböjda, {down} svar med tumme ned).",
        "",
        "Liknande frågor är grupperade; största gruppen först, nyaste frågan först i varje grupp. "
        "Frågorna är maskade (personnummer, e-postadresser och telefonnummer är borttagna).",
        "",
    ]
    if not groups:
        lines += ["Inga avböjda frågor eller svar med tumme ned under perioden."]
    else:
        lines += ["| # | Antal | Senast | Typfråga |", "|---|---|---|---|"]
        for n, g in enumerate(groups, 1):
            lines.append(f"| {n} | {g.count} | {_day(g.newest)} | {md(g.label)} |")
        for n, g in enumerate(groups, 1):
            lines += ["", f"## {n}. {md(g.label)} ({g.count})", ""]
            for it in g.items[:EXAMPLES_IN_MARKDOWN]:
                extra = f" – kommentar: {md(it.comment)}" if it.comment else ""
                lines.append(f"- {_day(it.created_at)} · {it.kind} · {md(it.question)}{extra}")
            if g.count > EXAMPLES_IN_MARKDOWN:
                lines.append(f"- … och {g.count - EXAMPLES_IN_MARKDOWN} till (se CSV-filen)")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CSV_COLUMNS = ("grupp", "antal_i_gruppen", "typfraga", "tid", "typ", "orsak", "fraga", "kommentar", "kanal")


def write_csv(groups: list[GapGroup], path: Path) -> None:
    """UTF-8 with BOM (Excel shows å/ä/ö); one row per question."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for n, g in enumerate(groups, 1):
            for it in g.items:
                writer.writerow([
                    n, g.count, _csv_safe(g.label), it.created_at, it.kind, it.reason,
                    _csv_safe(it.question), _csv_safe(it.comment), it.channel,
                ])


def gaps_report(
    settings: Settings,
    out_dir: Path,
    days: int = DEFAULT_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
    embedder=None,
    store: FeedbackStore | None = None,
    now: datetime | None = None,
) -> GapReport:
    """Apply the retention rule, group the last ``days`` days' gaps, write both files."""
    store = store or FeedbackStore.from_settings(settings)
    deleted = apply_retention(store, settings)
    now = now or datetime.now(timezone.utc)
    since = (now - timedelta(days=days)).isoformat(timespec="seconds")
    items = collect(store, since)
    if items and embedder is None:
        from .embed import Embedder

        embedder = Embedder(settings)
    groups = group_items(items, embedder, threshold)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%d")
    report = GapReport(groups=groups, since=since, deleted=deleted,
                       markdown=out_dir / f"gaps-{stamp}.md", csv=out_dir / f"gaps-{stamp}.csv")
    write_markdown(groups, report.markdown, since, now.isoformat(timespec="minutes"))
    write_csv(groups, report.csv)
    return report
