"""Between retrieval and answering: which kommun or län a question is about.

Documents carry ``kommun`` and ``lan`` (corpus/sources.yaml; national documents leave
them empty). Two uses:

- a question that names a place ("i Mjölby", "hos oss i Västmanland") gets the fused
  retrieval score of that place's passages raised by a small ``boost`` (LSS_PLACE_BOOST),
  so they are ranked first, while national passages still compete on their own merits;
- a chosen kommun (the API's "kommun" field, the app's drop-down, ``--kommun``) keeps
  only passages from that kommun, from its län without a kommun, or national ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .retrieve import RankedLists
from .swedish import stem
from .types import Passage, ScoredPassage


_TOKEN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _key(name: str) -> str:
    return stem(name.strip().lower())


@dataclass(frozen=True)
class Places:
    """The kommuner and län the corpus has documents from."""

    kommuner: dict[str, str] = field(default_factory=dict)  # stem of the name -> name as written
    lan: dict[str, str] = field(default_factory=dict)
    lan_of: dict[str, str] = field(default_factory=dict)  # kommun -> its län (when given)

    @classmethod
    def of(cls, passages: list[Passage]) -> "Places":
        kommuner: dict[str, str] = {}
        lan: dict[str, str] = {}
        lan_of: dict[str, str] = {}
        for p in passages:
            if p.kommun:
                kommuner.setdefault(_key(p.kommun), p.kommun)
                if p.lan:
                    lan_of.setdefault(p.kommun, p.lan)
            if p.lan:
                lan.setdefault(_key(p.lan), p.lan)
        return cls(kommuner, lan, lan_of)

    def sorted_kommuner(self) -> list[str]:
        return sorted(set(self.kommuner.values()), key=str.lower)

    def kommun(self, name: str) -> str | None:
        """The kommun as the corpus writes it ("mjölby", "Mjölby kommun" -> "Mjölby"), or None."""
        text = " ".join(name.split()).lower()
        if text.endswith(" kommun"):
            text = text[: -len(" kommun")]
        for candidate in (text, text.rstrip("s")):
            found = self.kommuner.get(_key(candidate))
            if found:
                return found
        return None

    def named_in(self, text: str, anchors: list[str] = ()) -> set[str]:
        """Kommuner and län of the corpus that the question names (genitive -s too). A name
        written in lower case counts unless it is also an everyday word ("vara", "ale")."""
        found = set()
        tokens = [(m.group(0), m.group(0)[:1].isupper()) for m in _TOKEN_RE.finditer(text)]
        tokens += [(a, True) for a in anchors if not a.isdigit()]
        for token, capital in tokens:
            for candidate in (token, token.rstrip("s")):
                k = _key(candidate)
                name = self.kommuner.get(k) or self.lan.get(k)
                if name and (capital or _rare(candidate.lower())):
                    found.add(name)
        low = " ".join(text.lower().split())
        found |= {n for n in [*self.kommuner.values(), *self.lan.values()] if " " in n and n.lower() in low}
        return found


def _rare(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "sv") < 5.0


def about(passage: Passage, places: set[str]) -> bool:
    return bool(places) and (passage.kommun in places or passage.lan in places)


def in_scope(passage: Passage, kommun: str, lan: str = "") -> bool:
    """Passages a chosen kommun may see: its own, its län's without a kommun, national ones."""
    if passage.kommun:
        return passage.kommun == kommun
    return not passage.lan or passage.lan == lan


def filter_lists(lists: RankedLists, by_id: dict[str, Passage], kommun: str, lan: str = "") -> RankedLists:
    return RankedLists(
        dense=[(pid, s) for pid, s in lists.dense if in_scope(by_id[pid], kommun, lan)],
        lexical=[(pid, s) for pid, s in lists.lexical if in_scope(by_id[pid], kommun, lan)],
    )


def boost(scored: list[ScoredPassage], places: set[str], weight: float) -> list[ScoredPassage]:
    """Add ``weight`` to the fused score of passages about one of ``places``; best first again.
    (Fused RRF scores are ~0.05-0.18, so 0.03 moves a passage a few ranks, no more.)"""
    if not places or not weight:
        return scored
    out = [replace(sp, score=sp.score + weight) if about(sp.passage, places) else sp for sp in scored]
    return sorted(out, key=lambda sp: -sp.score)
