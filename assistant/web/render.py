"""Build the HTML the Gradio page shows, escaping every piece of outside text.

Questions come from users and passages from documents: both are untrusted.
Every such string passes through ``esc`` before it is put into markup, so a
question like ``<img src=x onerror=alert(1)>`` is shown as text. The only tags
in the output are the ones written literally in this module.
"""

from __future__ import annotations

import html
import re
from typing import Iterable

from assistant.web import messages as msg

MARKER_RE = re.compile(r"\[(\d{1,3})\]")


def esc(text: object) -> str:
    """Escape text for HTML and keep its line breaks visible."""
    return html.escape(str(text or ""), quote=True).replace("\n", "<br>")


def source_anchor(turn: int, cite_id: object) -> str:
    # The turn number keeps anchors unique when several answers are in the page's history.
    return f"lss-kalla-{int(turn)}-{int(cite_id)}"


def render_question(question: str) -> str:
    return esc(question)


def render_answer(text: str, citations: Iterable[dict], turn: int, linked: bool) -> str:
    """The answer with each known [n] marker turned into a link to its source card.

    Only the current answer is ``linked``: the source panel shows its sources only,
    so older answers keep their markers as plain text.
    """
    known = {int(c["id"]) for c in citations}
    out: list[str] = []
    pos = 0
    for m in MARKER_RE.finditer(text or ""):
        out.append(esc(text[pos : m.start()]))
        cite_id = int(m.group(1))
        if linked and cite_id in known:
            out.append(
                f'<a href="#{source_anchor(turn, cite_id)}" class="lss-cite">'
                f'<span class="lss-sr">Visa källa </span>[{cite_id}]</a>'
            )
        else:
            out.append(esc(m.group(0)))
        pos = m.end()
    out.append(esc((text or "")[pos:]))
    return "".join(out)


def render_notice(text: str) -> str:
    """A friendly message from the assistant itself (errors, hints): trusted text, still escaped."""
    return f'<span class="lss-notice">{esc(text)}</span>'


def highlight_quote(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted sentence(s) wrapped in <mark>."""
    passage = passage or ""
    start = passage.find(quote) if quote else -1
    if start < 0:
        return esc(passage)
    end = start + len(quote)
    return f"{esc(passage[:start])}<mark>{esc(passage[start:end])}</mark>{esc(passage[end:])}"


def _meta_line(citation: dict) -> str:
    parts = [str(citation.get(k) or "").strip() for k in ("publisher", "date")]
    return " · ".join(esc(p) for p in parts if p)


def summary_label(law: str) -> str:
    """"Sammanfattning av lag (1993:387) …, inte lagtexten" for a source that summarises ``law``;
    "" when it summarises none."""
    law = " ".join((law or "").split())
    if not law:
        return ""
    first = law.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].isalpha() and first[1:].islower():  # "Lag (1993:387)", not "SoL"
        law = law[0].lower() + law[1:]
    return msg.SUMMARY_OF_LAW.format(law=law)


def stale_label(citation: dict) -> str:
    """"Äldre källa (2019)" for a citation marked stale (older than LSS_STALE_YEARS), else ""."""
    if citation.get("stale") is not True:
        return ""
    year = str(citation.get("date") or "")[:4]
    return msg.STALE_SOURCE.format(year=year) if year.isdigit() else msg.STALE_SOURCE.replace(" ({year})", "")


def render_source_card(citation: dict, turn: int) -> str:
    cite_id = int(citation["id"])
    anchor = source_anchor(turn, cite_id)
    title = esc(citation.get("title") or citation.get("source") or "Okänd källa")
    meta = _meta_line(citation)
    stale = stale_label(citation)
    summary = summary_label(citation.get("law") or "")
    quote = esc(citation.get("quote") or "")
    passage = highlight_quote(citation.get("text") or "", citation.get("quote") or "")
    return (
        f'<article class="lss-source" id="{anchor}" tabindex="-1" aria-labelledby="{anchor}-t">'
        f'<h3 id="{anchor}-t"><span class="lss-source-no">[{cite_id}]</span> {title}</h3>'
        + (f'<p class="lss-source-meta">{meta}</p>' if meta else "")
        + (f'<p class="lss-summary-of">{esc(summary)}</p>' if summary else "")
        + (f'<p class="lss-stale">{esc(stale)}</p>' if stale else "")
        + f'<blockquote class="lss-quote">{quote}</blockquote>'
        f'<details class="lss-passage"><summary>Visa hela stycket</summary>'
        f"<p>{passage}</p></details>"
        "</article>"
    )


def _section(state: str, turns: int, body: str) -> str:
    # data-state / data-turns tell scripts and tests that an answer is complete.
    return (
        f'<section class="lss-sources" aria-live="polite" data-state="{esc(state)}" data-turns="{int(turns)}">'
        f"<h2>{esc(msg.SOURCES_HEADING)}</h2>{body}</section>"
    )


def render_sources(answer: dict | None, turn: int) -> str:
    """The source panel for the current answer (``turn`` is its index in the conversation)."""
    if not answer:
        return _section("empty", 0, f"<p>{esc(msg.NO_SOURCES_YET)}</p>")
    citations = answer.get("citations") or []
    if answer.get("reply_kind") == "guidance":
        return _section("guidance", turn + 1, f'<p class="lss-declined">{esc(msg.GUIDANCE_NO_SOURCES)}</p>')
    if not answer.get("answered") or not citations:
        return _section("declined", turn + 1, f'<p class="lss-declined">{esc(msg.DECLINED_NO_SOURCES)}</p>')
    cards = "".join(render_source_card(c, turn) for c in citations)
    return _section("answered", turn + 1, cards)


def render_sources_notice(text: str, turns: int, state: str = "notice") -> str:
    return _section(state, turns, f"<p>{esc(text)}</p>")
