"""Stage 4: hybrid retrieval (Chroma + BM25, fused by RRF) on the index built from the real corpus."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from assistant.index import chroma_client
from assistant.retrieve import MODES, Retriever

pytestmark = pytest.mark.slow

REPORTING_Q = "Till vem ska kommunen rapportera ej verkställda beslut?"
IVO_SENTENCE = "Rapporteringen skall ske till inspektionen för vård och omsorg IVO"
MJOLBY_Q = "Hur många stödpedagoger finns i Mjölby?"


@pytest.fixture(scope="module")
def retriever(assistant) -> Retriever:
    return assistant.retriever


def test_index_holds_every_passage_once(built_index, built_index_report, retriever):
    collection = chroma_client(built_index).get_collection(built_index.collection)
    ids = collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == collection.count() == retriever.size == built_index_report.passages
    assert set(ids) == set(retriever.by_id)
    sources = {p.source for p in retriever.lexical.passages}
    assert {"guidance/lss-i-korthet.md", "guidance/lss-lattlast.md", "norberg-interpellationssvar-lss-2021.md"} <= sources


def test_stored_vectors_are_the_passages_document_embeddings(built_index, retriever, assistant):
    sample = retriever.lexical.passages[::17]
    got = chroma_client(built_index).get_collection(built_index.collection).get(
        ids=[p.passage_id for p in sample], include=["embeddings"]
    )
    stored = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    expected = assistant.embedder.embed_many([p.index_text() for p in sample], "document")
    for p, vec in zip(sample, expected):
        assert float(stored[p.passage_id] @ vec) > 0.9999, p.passage_id


def test_hybrid_finds_the_norberg_reporting_passage(retriever):
    results = retriever.retrieve(REPORTING_Q, k=5, mode="hybrid")
    assert len(results) == 5
    hits = [sp for sp in results if IVO_SENTENCE in sp.passage.text]
    assert hits, [sp.passage.text[:80] for sp in results]
    assert hits[0].passage.source == "norberg-interpellationssvar-lss-2021.md"
    assert hits[0].dense_rank is not None and hits[0].lexical_rank is not None  # both retrievers found it


def test_hybrid_finds_the_mjolby_stodpedagoger_passage(retriever):
    results = retriever.retrieve(MJOLBY_Q, k=5)
    hits = [sp for sp in results if "8 stödpedagoger" in sp.passage.text]
    assert hits, [sp.passage.text[:80] for sp in results]
    assert hits[0].passage.source == "mjolby-protokoll-samverkan-lss-2025-09-22.txt"
    assert hits[0].passage.kommun == "Mjölby"


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_returns_sorted_results(retriever, mode):
    results = retriever.retrieve(REPORTING_Q, k=5, mode=mode)
    assert len(results) == 5
    scores = [sp.score for sp in results]
    assert scores == sorted(scores, reverse=True)
    assert len({sp.passage.passage_id for sp in results}) == 5
    if mode == "dense":
        assert all(sp.dense_score is not None and -1.0 <= sp.dense_score <= 1.0001 for sp in results)
        assert all(sp.score == sp.dense_score for sp in results)
    elif mode == "bm25":
        assert all(sp.lexical_score is not None and sp.lexical_score > 0 for sp in results)
        assert all(sp.dense_score is None for sp in results)
    else:
        rrf = retriever.settings.rrf_k
        for sp in results:
            expected = sum(1.0 / (rrf + r) for r in (sp.dense_rank, sp.lexical_rank) if r is not None)
            assert sp.score == pytest.approx(expected)
    assert any(IVO_SENTENCE in sp.passage.text for sp in results), mode


def test_bm25_only_matches_exact_words(retriever):
    results = retriever.retrieve("stödpedagoger Hallstahammar", k=3, mode="bm25")
    assert results and "27 anställda Stödpedagoger" in results[0].passage.text
    assert retriever.retrieve("xyzzyplugh qwertzuiop", k=3, mode="bm25") == []


def test_bm25_looks_up_a_members_word_the_texts_lack_by_its_synonyms():
    from assistant.index import LexicalIndex
    from assistant.types import Passage

    def search(texts: dict[str, str], query: str) -> list[str]:
        index = LexicalIndex.build([Passage(passage_id=k, doc_id=k, source=k, title="", text=t) for k, t in texts.items()])
        return [index.passages[i].passage_id for i, _ in index.search(query, 5)]

    texts = {"ivo": "IVO granskar all verksamhet enligt LSS.", "ansvar": "Kommunen ansvarar för LSS."}
    # the texts lack "kolla": its synonyms (granska, tillsyn, ...) are looked up instead
    assert search(texts, "vem kollar lss")[0] == "ivo"
    # a word the texts have is looked up as it is, without its synonyms
    assert search(texts | {"plan": "Planen ska kollas varje år."}, "kollar") == ["plan"]


def test_scored_passages_carry_source_metadata(retriever, built_index):
    sources = yaml.safe_load((built_index.corpus_dir / "sources.yaml").read_text(encoding="utf-8"))
    results = retriever.retrieve(MJOLBY_Q, k=8)
    assert results
    for sp in results:
        p = sp.passage
        assert p.title and p.publisher and p.date and p.source and p.doc_id and p.text
        if p.source in sources:
            meta = sources[p.source]
            assert (p.title, p.publisher, str(p.date)) == (meta["title"], meta["publisher"], str(meta["date"]))
            assert p.kommun == (meta.get("kommun") or "")


def test_k_and_unknown_mode(retriever):
    assert len(retriever.retrieve(REPORTING_Q, k=2)) == 2
    assert len(retriever.retrieve(REPORTING_Q)) == retriever.settings.top_k
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        retriever.retrieve(REPORTING_Q, mode="magic")


def test_assistant_retrieve_validates_and_delegates(assistant):
    from assistant.service import QuestionError

    results = assistant.retrieve("  " + MJOLBY_Q + "\n", k=3, mode="bm25")
    assert len(results) == 3 and "8 stödpedagoger" in " ".join(sp.passage.text for sp in results)
    with pytest.raises(QuestionError):
        assistant.retrieve("   ")


def test_health_reports_ready(assistant, built_index_report):
    health = assistant.health()
    assert health["ready"] is True and health["store"] == "ok"
    assert health["passages"] == health["vectors"] == built_index_report.passages


def test_bm25_finds_a_section_by_its_number_and_letter():
    from assistant.index import LexicalIndex
    from assistant.types import Passage

    texts = {"28c": "Förvaltningsrätten beslutar om avgiften (28 c § LSS).", "28f": "Nämnden rapporterar till IVO (28 f § LSS).",
             "age": "Barn som är 28 år eller 9 år.", "9e": "Omvårdnad ingår (9 e § LSS).", "19": "Avgift för bostad (19 § LSS).",
             "9": "Det finns tio insatser (9 § LSS).", "sol": "Beslut enligt 4 kap. 1 § SoL."}
    index = LexicalIndex.build([Passage(passage_id=k, doc_id=k, source=k, title="", text=t) for k, t in texts.items()])

    def search(query: str) -> list[str]:
        return [index.passages[i].passage_id for i, _ in index.search(query, 5)]

    # the letter is part of the reference: "28 f §" is not "28 c §" or "28 år"
    assert search("Vad är 28 f §?") == ["28f"]
    assert search("Vad säger paragraf 9 e?") == ["9e"]
    assert search("Vad står det i 9 § LSS?")[0] == "9"
    # a chapter of another law is its own reference: "1 § SoL" is not 1 § LSS
    assert search("4 kap. 1 § SoL")[0] == "sol" and "sol" not in search("Vad säger 1 §?")
