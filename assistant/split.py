"""Stage 2: split cleaned ``Document``s into ``Passage``s.

Passages are built from whole sentences (Swedish-aware splitting, see swedish.py),
about ``chunk_size`` characters long, overlapping by up to ``chunk_overlap``
characters of whole sentences, and never running across a heading unless the
section before it is too small to stand alone. Each passage remembers its
nearest heading, which is indexed with it as context.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from .swedish import Span, sentences_of, split_sentences, words
from .types import Document, Passage

MIN_SECTION_CHARS = 200  # a smaller section joins the next one instead of standing alone
LIST_ITEM_RE = re.compile(r"^(\d{1,2})\.\s+\S")  # "3. Ledsagarservice (9 § 3 LSS)."


@dataclass
class _Unit:
    """A sentence (or heading line) and whether a line break precedes it."""

    text: str
    heading: str
    new_line: bool
    is_heading: bool = False


def _units(doc: Document) -> list[_Unit]:
    units: list[_Unit] = []
    heading = ""
    for line in doc.text.split("\n"):
        if line.startswith("# "):
            heading = line[2:].strip()
            units.append(_Unit(heading, heading, True, is_heading=True))
            continue
        for i, span in enumerate(split_sentences(line)):
            units.append(_Unit(span.text, heading, i == 0))
    return units


def _join(units: list[_Unit]) -> str:
    text = ""
    for u in units:
        if text:
            text += "\n" if u.new_line else " "
        text += u.text
    return text


def _chunks(units: list[_Unit], size: int, overlap: int) -> list[tuple[str, list[_Unit]]]:
    """Group units into (heading, units) chunks."""
    chunks: list[tuple[str, list[_Unit]]] = []
    current: list[_Unit] = []
    heading = ""

    def length(us: list[_Unit]) -> int:
        return sum(len(u.text) + 1 for u in us)

    def flush(carry: bool) -> None:
        nonlocal current
        body = [u for u in current if not u.is_heading]
        if body:
            chunks.append((heading, current))
        if not carry:
            current = []
            return
        # Carry whole trailing sentences into the next chunk as overlap.
        tail: list[_Unit] = []
        for u in reversed(body):
            if length(tail) + len(u.text) > overlap or len(tail) >= 2:
                break
            tail.insert(0, u)
        current = [_Unit(u.text, u.heading, u.new_line) for u in tail] if len(tail) < len(body) else []

    for u in units:
        if u.is_heading:
            if length([x for x in current if not x.is_heading]) >= MIN_SECTION_CHARS:
                flush(carry=False)
            if not any(not x.is_heading for x in current):
                heading = u.text
                current = []
            current.append(u)
            continue
        if current and length(current) + len(u.text) > size and any(not x.is_heading for x in current):
            flush(carry=True)
            heading = u.heading
        if not current:
            heading = u.heading
        current.append(u)
    flush(carry=False)
    return chunks


# Bump when what a passage stores changes, so every passage is re-indexed (vectors come
# from the embedding cache, so that costs no model time).
PASSAGE_FORMAT = 2


def passage_id_for(doc: Document, text: str) -> str:
    """Stable id from the document (id and metadata) and the passage content."""
    digest = hashlib.sha1(
        (f"v{PASSAGE_FORMAT}\n" + json.dumps(doc.metadata(), sort_keys=True, ensure_ascii=False) + "\n" + text).encode("utf-8")
    ).hexdigest()
    return f"{doc.doc_id}:{digest[:16]}"


def split_document(doc: Document, chunk_size: int = 700, chunk_overlap: int = 150) -> list[Passage]:
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for position, (heading, units) in enumerate(_chunks(_units(doc), chunk_size, chunk_overlap)):
        # A heading line that opens the chunk is context, not body text.
        while units and units[0].is_heading:
            units = units[1:]
        text = _join(units)
        if not text.strip():
            continue
        inline = "\n".join(u.text for u in units if u.is_heading)
        pid = passage_id_for(doc, text)
        if pid in seen:  # identical text twice in one document: keep both, distinct ids
            seen[pid] += 1
            pid = f"{pid}-{seen[pid]}"
        else:
            seen[pid] = 1
        passages.append(
            Passage(
                passage_id=pid,
                doc_id=doc.doc_id,
                source=doc.source,
                title=doc.title,
                text=text,
                heading=heading,
                publisher=doc.publisher,
                date=doc.date,
                kind=doc.kind,
                language=doc.language,
                kommun=doc.kommun,
                lan=doc.lan,
                law=doc.law,
                register=doc.register,
                position=position,
                inline_headings=inline,
            )
        )
    return passages


def split_documents(docs: list[Document], chunk_size: int = 700, chunk_overlap: int = 150) -> list[Passage]:
    return [p for doc in docs for p in split_document(doc, chunk_size, chunk_overlap)]


def answer_spans(passage: Passage) -> list[list[Span]]:
    """The quotable units of a passage: each sentence, and each sentence with the next one.

    Heading lines, lines of one or two words ("Nuläge", "Bakgrund") and the document's own
    questions ("Både på DV och på boendena?") are never a quote. The answer stage scores
    these units; ingest embeds them ahead of time.
    """
    headings = passage.heading_lines()
    spans = sentences_of(passage.text)
    usable = [
        len(words(s.text)) >= 3 and s.text not in headings and not s.text.rstrip().endswith("?") for s in spans
    ]
    list_point = [bool(list_number(s.text)) for s in spans]
    units: list[list[Span]] = []
    for i, span in enumerate(spans):
        if not usable[i]:
            continue
        units.append([span])
        # Only truly adjacent sentences pair up: a quote never jumps over a skipped line. A
        # point of a numbered list starts a new thing, so it never ends a pair (item 3's "... följer
        # med dig ut (förarbetena till 9 § 3 LSS)." is no answer with "4. Kontaktperson" after it);
        # a whole list is quoted by the answer stage.
        if i + 1 < len(spans) and usable[i + 1] and not list_point[i + 1]:
            units.append([span, spans[i + 1]])
    return units


def list_number(text: str) -> int:
    """The number of a numbered list item ("3. Ledsagarservice ..." -> 3); 0 for other text."""
    m = LIST_ITEM_RE.match(text.strip())
    return int(m.group(1)) if m else 0


def answer_texts(passage: Passage) -> list[str]:
    return [passage.text[u[0].start : u[-1].end] for u in answer_spans(passage)]
