"""Section 1: the embedding limit.

Raw ``SentenceTransformer.encode`` throughput of the default model on the real corpus's
passages (with variants: batch size, torch threads, int8 dynamic quantisation, ONNX),
against the throughput of the whole ingest pipeline on the same passages (fresh data
directory, fresh empty embedding cache, the model loaded beforehand).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import numpy as np

from .common import loadavg, median

BATCH_SIZES = (8, 16, 32, 64)


def corpus_passages(settings):
    from assistant.load import load_corpus
    from assistant.split import split_documents

    loaded = load_corpus(settings.corpus_dir)
    return split_documents(loaded.documents, settings.chunk_size, settings.chunk_overlap)


def quantize_int8(model):
    """Dynamic int8 quantisation of the model's Linear layers (CPU inference only)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def _onnx_via_sentence_transformers(path: str) -> str:
    """ST's own ONNX back end (needs optimum-onnx); returns why it is not available."""
    try:
        from sentence_transformers import SentenceTransformer

        SentenceTransformer(path, device="cpu", backend="onnx", local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"
    return ""


class OnnxEncoder:
    """Exploratory: the model exported locally (torch.onnx.export from the converted folder, no
    hub) and run by ONNX Runtime, with the same tokenizer, mean pooling and normalisation as
    the sentence-transformers model. Needs the `onnx` package for the export."""

    def __init__(self, st_model, folder: Path, threads: int, quantize: bool = False):
        import onnxruntime as ort
        import torch

        self.tokenizer = st_model.tokenizer
        self.max_length = st_model.max_seq_length
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "model.onnx"
        if not path.is_file():
            hf = st_model[0].auto_model.eval()

            class Wrapper(torch.nn.Module):
                def __init__(self, model):
                    super().__init__()
                    self.model = model

                def forward(self, input_ids, attention_mask):
                    return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

            sample = self.tokenizer(["passage: exempel"] * 2, return_tensors="pt", padding=True)
            axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                    "last_hidden_state": {0: "batch", 1: "tokens"}}
            with torch.no_grad():
                torch.onnx.export(Wrapper(hf), (sample["input_ids"], sample["attention_mask"]), str(path), dynamo=False,
                                  input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                                  dynamic_axes=axes, opset_version=17)
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            qpath = folder / "model-int8.onnx"
            if not qpath.is_file():
                quantize_dynamic(str(path), str(qpath), weight_type=QuantType.QInt8)
            path = qpath
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts, prompt="", batch_size=16, **_):
        texts = [prompt + t for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            idx = order[i : i + batch_size]
            enc = self.tokenizer([texts[j] for j in idx], padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="np")
            mask = enc["attention_mask"].astype(np.int64)
            hidden = self.session.run(None, {"input_ids": enc["input_ids"].astype(np.int64), "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def _encode_once(model, texts: list[str], prompt: str, batch_size: int, threads: int | None = None):
    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        started = time.perf_counter()
        vectors = model.encode(texts, prompt=prompt, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return time.perf_counter() - started, np.asarray(vectors)
    finally:
        torch.set_num_threads(before)


def _pipeline_once(settings, model, work: Path, tag: str, windows: bool) -> dict:
    """Ingest the corpus into a fresh data dir with a fresh, empty embedding cache."""
    from assistant.embed import Embedder
    from assistant.index import ingest

    data = work / f"pipeline-{'w' if windows else 'p'}-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    s = dataclasses.replace(
        settings, data_dir=data, embed_cache_path=data / "embedding-cache.sqlite", precompute_windows=windows, chroma_url=""
    )
    embedder = Embedder(s)
    embedder._model = model  # the model loaded beforehand, as for the raw figures (its cache is new and empty)
    started = time.perf_counter()
    report = ingest(s, progress=False, embedder=embedder)
    return {"seconds": time.perf_counter() - started, "embedded": report.embedded, "passages": report.passages,
            "data_dir": str(data), "loadavg": loadavg()[0]}


def _variant_row(v: dict, n_texts: int, reference) -> dict:
    secs = median(v["times"])
    row = {
        "variant": v["name"],
        "passages": n_texts,
        "seconds_median": round(secs, 3),
        "seconds_per_run": [round(t, 3) for t in v["times"]],
        "passages_per_s": round(n_texts / secs, 2) if secs else float("nan"),
        "loadavg": round(median(v["loads"]), 2),
        **v["meta"],
    }
    if v["meta"]["dtype"] != "fp32" and v.get("vectors") is not None and reference is not None:
        cos = (v["vectors"] * reference).sum(axis=1)
        row["cosine_to_fp32_mean"] = round(float(cos.mean()), 4)
        row["cosine_to_fp32_min"] = round(float(cos.min()), 4)
    return row


def _pipeline_row(rows: list[dict], windows: bool) -> dict:
    secs = median([r["seconds"] for r in rows])
    passages, embedded = rows[0]["passages"], rows[0]["embedded"]
    return {
        "precompute_windows": windows,
        "passages": passages,
        "texts_embedded": embedded,
        "seconds_median": round(secs, 3),
        "seconds_per_run": [round(r["seconds"], 3) for r in rows],
        "passages_per_s": round(passages / secs, 2),
        "texts_per_s": round(embedded / secs, 2),
        "data_dir": rows[-1]["data_dir"],
        "loadavg": round(median([r["loadavg"] for r in rows]), 2),
    }


def run(settings, work: Path, runs: int, quick: bool, log) -> dict:
    """Every variant and both pipelines once per round, ``runs`` rounds: a burst of load on
    this shared machine then hits all of them alike, and medians over the rounds are reported."""
    import torch
    from sentence_transformers import SentenceTransformer

    from assistant.embed import resolve_model_path

    passages = corpus_passages(settings)
    texts = [p.index_text() for p in passages]
    log(f"embedding: {len(texts)} passages of the real corpus")
    path = resolve_model_path(settings)
    started = time.perf_counter()
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    load_s = time.perf_counter() - started
    prompt = (model.prompts or {}).get("document", "")
    threads = torch.get_num_threads()
    default_bs = settings.embed_batch_size

    def variant(name, encoder, bs, dtype, n_threads=None):
        return {"name": name, "encoder": encoder, "bs": bs, "threads": n_threads, "times": [], "loads": [],
                "meta": {"batch_size": bs, "threads": n_threads or threads, "dtype": dtype}}

    variants = [variant(f"fp32, batch {bs}, {threads} threads", model, bs, "fp32") for bs in ((16, 32) if quick else BATCH_SIZES)]
    if default_bs not in [v["bs"] for v in variants]:
        variants.append(variant(f"fp32, batch {default_bs}, {threads} threads", model, default_bs, "fp32"))
    if threads > 1:
        variants.append(variant(f"fp32, batch {default_bs}, 1 thread", model, default_bs, "fp32", 1))
    log("  preparing int8 dynamic quantisation of the Linear layers")
    variants.append(variant(f"int8 dynamic (torch), batch {default_bs}, {threads} threads",
                            quantize_int8(SentenceTransformer(path, device="cpu", local_files_only=True)), default_bs, "int8"))
    unavailable = []
    note = _onnx_via_sentence_transformers(path)
    if note:
        unavailable.append({"variant": "ONNX Runtime via sentence-transformers (backend=\"onnx\")", "unavailable": note})
    for quantize in (False, True):
        name = f"ONNX Runtime{' int8' if quantize else ''} (local torch.onnx export), batch {default_bs}, {threads} threads"
        if quick:  # the export alone takes longer than a smoke run may
            unavailable.append({"variant": name, "unavailable": "skipped with --quick"})
            continue
        try:
            import onnx  # noqa: F401 - torch.onnx.export needs it

            log(f"  preparing {name}")
            encoder = OnnxEncoder(model, work / "onnx", threads, quantize)
        except Exception as exc:  # noqa: BLE001 - exploratory: any failure is reported, not fatal
            unavailable.append({"variant": name, "unavailable": f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"})
            continue
        variants.append(variant(name, encoder, default_bs, "onnx-int8" if quantize else "onnx"))
    for v in variants:  # warm-up: first-call allocations, lazy initialisation
        v["encoder"].encode(texts[:16], prompt=prompt, batch_size=16)

    reference = None
    pipelines: dict[bool, list[dict]] = {False: [], True: []}
    for r in range(runs):
        log(f"  round {r + 1}/{runs}: {len(variants)} encode variants, then the pipeline without and with answer windows")
        for v in variants:
            secs, vectors = _encode_once(v["encoder"], texts, prompt, v["bs"], v["threads"])
            v["times"].append(secs)
            v["loads"].append(loadavg()[0])
            v["vectors"] = vectors
            if reference is None and v["meta"]["dtype"] == "fp32" and v["bs"] == default_bs and not v["threads"]:
                reference = vectors
        for windows in (False, True):
            pipelines[windows].append(_pipeline_once(settings, model, work, str(r), windows))
        log(f"    pipeline {pipelines[False][-1]['seconds']:.2f} s (passages), {pipelines[True][-1]['seconds']:.2f} s (with windows)")

    rows = [_variant_row(v, len(texts), reference) for v in variants] + unavailable
    ref_row = next(r for r in rows if r.get("dtype") == "fp32" and r.get("batch_size") == default_bs and r.get("threads") == threads)
    ref_row["reference"] = True
    passages_only, with_windows = _pipeline_row(pipelines[False], False), _pipeline_row(pipelines[True], True)
    ratio = passages_only["passages_per_s"] / ref_row["passages_per_s"]
    # The same ratio round by round (each pipeline run against the raw pass just before it).
    ref_variant = next(v for v in variants if v["meta"]["dtype"] == "fp32" and v["bs"] == default_bs and not v["threads"])
    per_round = [round(raw / p["seconds"], 3) for raw, p in zip(ref_variant["times"], pipelines[False])]
    best = max((r for r in rows if "passages_per_s" in r), key=lambda r: r["passages_per_s"])
    return {
        "passages": len(texts),
        "raw": {"model_path": path, "model_load_s": round(load_s, 3), "threads_default": threads,
                "batch_size_default": default_bs, "variants": rows},
        "pipeline_passages_only": passages_only,
        "pipeline_with_windows": with_windows,
        "ratio_pipeline_to_raw": round(ratio, 3),
        "ratio_per_round": per_round,
        "goal_ratio": 0.8,
        "goal_met": bool(ratio >= 0.8),
        "fastest_variant": best["variant"],
        "_vectors": reference,  # the passages' fp32 vectors (for the synthetic corpus; not written out)
        "_passages": passages,
    }
