"""Stage 2: passages from whole sentences, sized and overlapping, with stable ids and metadata."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.load import load_corpus
from assistant.split import split_document, split_documents
from assistant.swedish import sentences_of
from assistant.types import Document

REAL_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def real_docs() -> list[Document]:
    result = load_corpus(REAL_CORPUS)
    assert result.problems == [] and len(result.documents) >= 7
    return result.documents


@pytest.fixture(scope="module")
def real_passages(real_docs):
    return split_documents(real_docs)


def long_document(n_sentences: int = 40) -> Document:
    """One section of many ~80-character sentences, no headings."""
    sentences = [
        f"Mening nummer {i} handlar om kontaktperson enligt LSS och om hur kommunen arbetar med det."
        for i in range(n_sentences)
    ]
    return Document(doc_id="lang", source="lang.txt", title="Ett långt dokument", text=" ".join(sentences),
                    publisher="Testkommunen", date="2024", kind="nyhet", kommun="Sala", lan="Västmanland")


def test_real_passages_are_mostly_150_to_800_chars(real_passages):
    lengths = [len(p.text) for p in real_passages]
    assert len(lengths) >= 30
    within = sum(150 <= n <= 800 for n in lengths)
    assert within / len(lengths) >= 0.9, sorted(lengths)
    assert all(40 <= n <= 1200 for n in lengths), sorted(lengths)


def test_every_passage_has_its_documents_metadata(real_docs, real_passages):
    docs = {d.doc_id: d for d in real_docs}
    assert {p.doc_id for p in real_passages} == set(docs)  # every document gives passages
    for p in real_passages:
        d = docs[p.doc_id]
        assert (p.source, p.title, p.publisher, p.date, p.kind, p.language, p.kommun, p.lan) == (
            d.source, d.title, d.publisher, d.date, d.kind, d.language, d.kommun, d.lan
        )
        assert p.passage_id.startswith(d.doc_id + ":")
        assert p.text.strip() and not p.text.startswith("# ")
        assert p.title in p.index_text() and p.text in p.index_text()


def test_passage_ids_are_unique_and_positions_ordered(real_passages):
    ids = [p.passage_id for p in real_passages]
    assert len(ids) == len(set(ids))
    by_doc: dict[str, list[int]] = {}
    for p in real_passages:
        by_doc.setdefault(p.doc_id, []).append(p.position)
    for positions in by_doc.values():
        assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_no_passage_crosses_from_one_document_to_another(real_docs, real_passages):
    docs = {d.doc_id: d for d in real_docs}
    for p in real_passages:
        own = docs[p.doc_id].text
        for line in p.text.split("\n"):
            assert line in own, (p.passage_id, line)
        # and its sentences come from its own document only
        for span in sentences_of(p.text):
            assert span.text in own


def test_ids_are_stable_and_change_only_for_the_changed_document(real_docs):
    first = split_documents(real_docs)
    again = split_documents(real_docs)
    assert [p.passage_id for p in first] == [p.passage_id for p in again]

    target = next(d for d in real_docs if d.source == "norberg-interpellationssvar-lss-2021.md")
    changed_text = target.text.replace("ca 5 mnkr per år", "ca 6 mnkr per år")
    assert changed_text != target.text
    changed_docs = [dataclasses.replace(d, text=changed_text) if d is target else d for d in real_docs]
    after = split_documents(changed_docs)

    def ids(passages, doc_id=None, exclude=None):
        return {p.passage_id for p in passages if (doc_id is None or p.doc_id == doc_id) and p.doc_id != exclude}

    assert ids(after, exclude=target.doc_id) == ids(first, exclude=target.doc_id)
    before_target, after_target = ids(first, target.doc_id), ids(after, target.doc_id)
    assert before_target != after_target
    changed = [p for p in after if p.passage_id in after_target - before_target]
    assert changed and all("6 mnkr" in p.text for p in changed)
    # passages of the changed document that do not hold the edit keep their ids
    assert before_target & after_target


def test_metadata_change_changes_the_ids_of_that_document():
    doc = long_document(12)
    before = {p.passage_id for p in split_document(doc)}
    after = {p.passage_id for p in split_document(dataclasses.replace(doc, date="2025"))}
    assert before.isdisjoint(after)


def test_consecutive_passages_overlap_by_whole_sentences():
    doc = long_document(40)
    passages = split_document(doc, chunk_size=700, chunk_overlap=150)
    assert len(passages) >= 5
    for a, b in zip(passages, passages[1:]):
        last_sentence = sentences_of(a.text)[-1].text
        assert b.text.startswith(last_sentence), (a.text[-120:], b.text[:120])
        overlap = [s.text for s in sentences_of(b.text) if s.text in a.text]
        assert 1 <= len(overlap) <= 2 and sum(len(s) for s in overlap) <= 150
    for p in passages:
        assert len(p.text) <= 700 + 100
    # together the passages cover every sentence of the document, in order
    seen = []
    for p in passages:
        for s in sentences_of(p.text):
            if not seen or s.text not in seen:
                seen.append(s.text)
    assert seen == [s.text for s in sentences_of(doc.text)]


def test_real_documents_have_overlapping_passages(real_docs, real_passages):
    pairs = 0
    for doc in real_docs:
        ps = [p for p in real_passages if p.doc_id == doc.doc_id]
        for a, b in zip(ps, ps[1:]):
            if sentences_of(a.text)[-1].text in b.text:
                pairs += 1
    assert pairs >= 3


def test_no_overlap_setting_gives_disjoint_passages():
    passages = split_document(long_document(30), chunk_size=500, chunk_overlap=0)
    sentences = [s.text for p in passages for s in sentences_of(p.text)]
    assert len(sentences) == len(set(sentences)) == 30


def test_passage_remembers_nearest_heading():
    text = "\n".join(
        [
            "# Rapportering",
            "Kommunen ska rapportera beslut som inte verkställts inom tre månader till IVO. " * 3,
            "# Kontaktperson",
            "En kontaktperson är ett medmänskligt stöd som ska bryta social isolering för den enskilde. " * 3,
        ]
    )
    doc = Document(doc_id="rubriker", source="rubriker.md", title="Rubriker", text=text)
    passages = split_document(doc)
    assert [p.heading for p in passages] == ["Rapportering", "Kontaktperson"]
    assert "IVO" in passages[0].text and "IVO" not in passages[1].text
    assert "Kontaktperson" in passages[1].index_text()


def test_identical_passages_in_one_document_get_distinct_ids():
    block = "Samma stycke om daglig verksamhet upprepas här ordagrant, och det är tillräckligt långt för att stå ensamt."
    text = "\n".join(["# Del ett", block, block, "# Del två", block, block])
    doc = Document(doc_id="dubbel", source="dubbel.md", title="Dubbel", text=text)
    passages = split_document(doc)
    ids = [p.passage_id for p in passages]
    assert len(passages) == 2 and len(set(ids)) == 2
    assert ids[1] == ids[0] + "-2"


def test_two_points_of_a_numbered_list_are_never_one_quote():
    from assistant.split import answer_texts, list_number

    doc = Document(doc_id="d", source="d.md", title="d", text=(
        "Lagen räknar upp tio insatser.\n3. Ledsagarservice (9 § 3 LSS).\n4. Biträde av kontaktperson (9 § 4 LSS).\n"
        "Kontaktpersonen är ett stöd i vardagen. Insatsen bryter social isolering."
    ))
    texts = answer_texts(split_document(doc)[0])
    # "Vad är ledsagarservice?" once got "3. Ledsagarservice ... 4. Biträde av kontaktperson ..."
    assert not any("Ledsagarservice" in t and "kontaktperson" in t for t in texts)
    assert "3. Ledsagarservice (9 § 3 LSS)." in texts
    # an item starts a new thing: it never ends a pair, not even after the list's opening line
    # (Mjölby's "... klara 2028 och 2029 i Sörby respektive Eldslösa." got "3. Uppdrag till nämnd ..." after it)
    assert "Lagen räknar upp tio insatser.\n3. Ledsagarservice (9 § 3 LSS)." not in texts
    # ordinary sentences still pair
    assert "Kontaktpersonen är ett stöd i vardagen. Insatsen bryter social isolering." in texts
    assert list_number("10. Daglig verksamhet") == 10 and list_number("Grupp 1 är") == 0


def test_an_items_description_pairs_with_the_item_but_not_with_the_next_item():
    from assistant.split import answer_texts

    doc = Document(doc_id="d", source="d.md", title="d", text=(
        "3. Ledsagarservice (9 § 3 LSS). En ledsagare följer med dig ut (förarbetena till 9 § 3 LSS).\n"
        "4. Kontaktperson (9 § 4 LSS). Med en kontaktperson kan du göra saker på fritiden (Socialstyrelsen om 9 § 4 LSS)."
    ))
    texts = answer_texts(split_document(doc)[0])
    assert "3. Ledsagarservice (9 § 3 LSS). En ledsagare följer med dig ut (förarbetena till 9 § 3 LSS)." in texts
    # "Vad är en kontaktperson?" got "... följer med dig ut (...). 4. Kontaktperson (9 § 4 LSS)."-like pairs
    assert not any("följer med" in t and "4. Kontaktperson" in t for t in texts)
