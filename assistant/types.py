"""Plain data passed between the stages: load -> split -> index -> retrieve -> answer -> present."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One cleaned source document with its metadata (from corpus/sources.yaml or front matter)."""

    doc_id: str  # stable, derived from the file's path inside corpus/
    source: str  # path relative to corpus/, e.g. "interpellationssvar-norberg-2021.md"
    title: str
    text: str  # cleaned text; headings kept as lines starting with "# "
    publisher: str = ""
    date: str = ""  # ISO date (YYYY-MM-DD or YYYY-MM or YYYY) as given in the metadata
    kind: str = ""  # pressmeddelande, protokoll, interpellationssvar, nyhet, vägledning, ...
    language: str = "sv"
    kommun: str = ""
    lan: str = ""
    url: str = ""
    law: str = ""  # for a summary ("vägledning"): the law it summarises
    register: str = ""  # "lättläst" for an easy-read text (preferred in the Lättläst mode); else empty

    def metadata(self) -> dict[str, str]:
        meta = asdict(self)
        meta.pop("text")
        return meta


@dataclass(frozen=True)
class Passage:
    """A piece of a document that is embedded and retrieved as one unit."""

    passage_id: str
    doc_id: str
    source: str
    title: str
    text: str  # the passage itself (what citations quote from)
    heading: str = ""  # nearest heading above the passage, used as retrieval context
    publisher: str = ""
    date: str = ""
    kind: str = ""
    language: str = "sv"
    kommun: str = ""
    lan: str = ""
    law: str = ""
    register: str = ""  # "lättläst": an easy-read text
    position: int = 0  # order of the passage inside its document
    inline_headings: str = ""  # heading lines inside the text (newline-separated): context, never quoted

    def heading_lines(self) -> set[str]:
        """The heading lines inside the text: context, never quoted."""
        return set(self.inline_headings.split("\n")) if self.inline_headings else set()

    def metadata(self) -> dict[str, str | int]:
        meta = asdict(self)
        meta.pop("text")
        return meta

    def index_text(self) -> str:
        """Text that is embedded and BM25-indexed: title and heading give context."""
        parts = [self.title]
        if self.heading and self.heading != self.title:
            parts.append(self.heading)
        parts.append(self.text)
        return "\n".join(parts)


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float  # fused score (higher is better)
    dense_score: float | None = None  # cosine similarity, when the dense retriever found it
    lexical_score: float | None = None  # BM25 score, when the lexical retriever found it
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    id: int  # the number used in the answer's [n] markers
    passage: Passage
    quote: str  # verbatim sentence(s) of passage.text
    stale: bool = False  # the source is older than LSS_STALE_YEARS (the answer then ends with a note)

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "id": self.id,
            "source": p.source,
            "title": p.title,
            "publisher": p.publisher,
            "date": p.date,
            "passage_id": p.passage_id,
            "text": p.text,
            "quote": self.quote,
            "stale": self.stale,
            "kind": p.kind,
            "law": p.law,  # set for a summary ("vägledning"): its quote is not the law's own wording
            "register": p.register,
        }


# Why a reply is guidance rather than a lookup: the question alone says it (a greeting or thanks, a
# question about the assistant itself, an attack, an empty or topic-less question, whom to turn to with
# no topic, why it went so in one member's own case). Such a reply tells nothing about what the sources cover.
GUIDANCE_REASONS = frozenset({"injection", "empty", "vague", "greeting", "thanks", "about_assistant", "own_case", "contact"})


@dataclass
class Answer:
    question: str
    answer: str
    answered: bool
    mode: str = "extractive"  # "extractive", "generative" (a model worded it) or "fallback" (the model failed)
    citations: list[Citation] = field(default_factory=list)
    passages: list[ScoredPassage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    reason: str = ""  # why it declined (for logs, reports and the UI); empty when answered
    retrieval_query: str = ""  # the question as used for retrieval (follow-ups are expanded)
    # With a language model (mode "generative" or "fallback"): its raw output, error and the
    # sentences validation dropped, for logs and evals; not part of the JSON.
    generation: dict = field(default_factory=dict)

    @property
    def reply_kind(self) -> str:
        """"answer" (from the sources, with citations), "not_covered" (looked up: the sources do not
        cover it) or "guidance" (a greeting, thanks or a hint on how to ask: nothing to look up)."""
        if self.answered:
            return "answer"
        return "guidance" if self.reason.split(":")[0] in GUIDANCE_REASONS else "not_covered"

    def to_dict(self) -> dict:
        """The JSON contract of `lss-assistant ask --json` and `POST /api/ask`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "reply_kind": self.reply_kind,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [
                {
                    "passage_id": sp.passage.passage_id,
                    "source": sp.passage.source,
                    "title": sp.passage.title,
                    "text": sp.passage.text,
                    "score": round(float(sp.score), 6),
                }
                for sp in self.passages
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
