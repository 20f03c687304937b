"""The Embedder frees what loading the model leaves behind (release_loading_leftovers)
without changing a single bit of the vectors: compared with a plain SentenceTransformer."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embed import release_loading_leftovers
from tests.conftest import REAL_CORPUS

QUERIES = [
    "Till vem ska kommunen rapportera beslut som inte verkställts?",
    "Hur ofta ska gynnande beslut som inte verkställts rapporteras till IVO?",
    "Vad är LSS?",
    "Hur många stödpedagoger finns i Mjölby?",
]


def _plain_model(e5_model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_model_dir), device="cpu", local_files_only=True)


def _corpus_paragraphs(n: int) -> list[str]:
    paragraphs = []
    for path in sorted(REAL_CORPUS.rglob("*")):
        if path.suffix in (".md", ".txt") and path.name != "README.md":
            paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    return paragraphs[:n]


def _encode(model, texts: list[str], prompt: str) -> np.ndarray:
    return model.encode(texts, prompt=prompt, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)


@pytest.mark.slow
def test_lean_model_gives_bit_identical_vectors(e5_model_dir):
    plain, lean = _plain_model(e5_model_dir), _plain_model(e5_model_dir)
    release_loading_leftovers(lean)
    assert lean.tokenizer._vocab is None  # the 250k-entry Python list is gone
    assert plain.tokenizer._vocab is not None
    passages = _corpus_paragraphs(40)  # several batches, mixed lengths
    assert len(passages) >= 20
    for texts, prompt in ((passages, "passage: "), (QUERIES, "query: ")):
        want, got = _encode(plain, texts, prompt), _encode(lean, texts, prompt)
        assert want.dtype == got.dtype == np.float32
        assert np.array_equal(want.view(np.int32), got.view(np.int32))  # bit for bit
    assert lean.tokenizer(QUERIES)["input_ids"] == plain.tokenizer(QUERIES)["input_ids"]


@pytest.mark.slow
def test_embedder_loads_the_lean_model(embedder):
    assert embedder.model.tokenizer._vocab is None


def test_other_tokenizers_are_left_alone():
    class Model:
        tokenizer = type("SomeTokenizer", (), {"_vocab": [("a", 0.0)]})()

    release_loading_leftovers(Model())
    assert Model.tokenizer._vocab == [("a", 0.0)]
