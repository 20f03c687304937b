"""bench/results.md from the results dictionary (the same figures as results.json)."""

from __future__ import annotations

SECTION_TITLES = {
    "machine": "## Machine",
    "goals": "## Goals",
    "embedding": "## 1. Embedding limit",
    "reingest": "## 2. Re-ingest of an unchanged corpus",
    "retrieval": "## 3. Retrieval latency at scale",
    "answers": "## 4. End-to-end answer latency and time to first streamed token",
    "memory": "## 5. Peak memory of a serving process",
}


def _f(value, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def _ok(flag) -> str:
    return "–" if flag is None else ("met" if flag else "**missed**")


def _goals(r: dict) -> list[str]:
    rows = ["| goal | measured | status |", "|---|---|---|"]
    e = r.get("embedding")
    if e:
        rows.append(f"| ingest pipeline ≥ 0.8 × raw encode throughput | {_f(e['ratio_pipeline_to_raw'], 2)} | {_ok(e['goal_met'])} |")
    g = r.get("reingest")
    if g:
        rows.append(f"| unchanged re-ingest (`lss-assistant ingest`) < 1 s | {_f(g['subprocess_s_median'], 2, ' s')} | {_ok(g['goal_met'])} |")
        rows.append(f"| unchanged re-ingest embeds nothing | {g['checks'][0]['encoded_texts'] if g.get('checks') else '–'} texts | "
                    f"{_ok(g['no_embedding_calls'])} |")
    t = r.get("retrieval")
    if t:
        last = t["stages"][-1]
        rows.append(f"| hybrid retrieval p95 < 50 ms at 100k passages | {_f(last['hybrid']['p95_ms'], 1, ' ms')} at {last['passages']:,} | "
                    f"{_ok(t['goal_met'])} |")
    a = r.get("answers")
    if a:
        rows.append(f"| answer latency p50 < 300 ms | {_f(a['ask']['ask']['p50_ms'], 1, ' ms')} | {_ok(a['ask']['goal_met'])} |")
    m = r.get("memory")
    if m:
        rows.append(f"| peak RSS < 1.5 GB at 100k passages | {_f(m['peak_rss_mb_vmhwm'], 0, ' MB')} at {m['passages']:,} | {_ok(m['goal_met'])} |")
    return rows


def markdown(r: dict) -> str:
    m = r["machine"]
    opts = r["options"]
    lines = [
        "# Performance benchmarks",
        "",
        f"Measured {m['measured_at']} with `{r['command']}` ({opts['runs']} runs per figure; every figure is the "
        f"median over the runs, latency percentiles are computed per run and then the median taken). "
        f"Total time {r.get('total_seconds', 0):.0f} s.",
        "",
        SECTION_TITLES["machine"],
        "",
        "| fact | value |",
        "|---|---|",
        f"| CPU | {m['cpu_model']} |",
        f"| cores | {m['cores']} (usable: {m['cores_usable']}) |",
        f"| memory | {m['memory_gib']} GiB |",
        f"| OS | {m['os']} |",
        f"| Python | {m['python']} |",
    ]
    for name, version in m["packages"].items():
        lines.append(f"| {name} | {version} |")
    lines += [
        f"| load average at start (1/5/15 min) | {' / '.join(str(x) for x in m['loadavg_start'])} |",
        f"| load average at end | {' / '.join(str(x) for x in m.get('loadavg_end', []))} |",
        "",
        "The machine is shared (2 cores): every section also records the 1-minute load average it ran under.",
        "",
        SECTION_TITLES["goals"],
        "",
        *_goals(r),
        "",
    ]

    e = r.get("embedding")
    if e:
        raw = e["raw"]
        lines += [
            SECTION_TITLES["embedding"],
            "",
            f"The default model ({raw['model_path']}, loaded in {raw['model_load_s']:.1f} s) on the real corpus's "
            f"{e['passages']} passages (title + heading + text, with the `passage: ` prompt). Raw = "
            "`SentenceTransformer.encode` alone (or the variant's encoder) on all passages at once; models loaded "
            "beforehand. Each round times every variant once and then both pipelines, so load on the shared "
            "machine hits them alike; the figures are medians over the rounds.",
            "",
            "| variant | passages/s | s per pass | load avg | note |",
            "|---|---|---|---|---|",
        ]
        for v in raw["variants"]:
            if "unavailable" in v:
                lines.append(f"| {v['variant']} | – | – | – | not available: {v['unavailable']} |")
                continue
            note = ""
            if "cosine_to_fp32_mean" in v:
                note = f"cosine to fp32: mean {v['cosine_to_fp32_mean']}, min {v['cosine_to_fp32_min']}"
            if v.get("reference"):
                note = (note + "; " if note else "") + "**the default** (reference)"
            lines.append(f"| {v['variant']} | {_f(v['passages_per_s'], 2)} | {_f(v['seconds_median'], 2)} | {v['loadavg']} | {note} |")
        p, w = e["pipeline_passages_only"], e["pipeline_with_windows"]
        lines += [
            "",
            "Whole ingest pipeline on the same passages: load + split, LangChain indexing API into Chroma, BM25 index; "
            "a fresh data directory and a fresh, empty embedding cache every run (the model loaded beforehand).",
            "",
            "| pipeline | texts embedded | s | passages/s | texts/s | load avg |",
            "|---|---|---|---|---|---|",
            f"| LSS_PRECOMPUTE_WINDOWS=0 (passages only: the comparable figure) | {p['texts_embedded']} | {_f(p['seconds_median'], 2)} | "
            f"{_f(p['passages_per_s'], 2)} | {_f(p['texts_per_s'], 2)} | {p['loadavg']} |",
            f"| LSS_PRECOMPUTE_WINDOWS=1 (default: also the answer windows) | {w['texts_embedded']} | {_f(w['seconds_median'], 2)} | "
            f"{_f(w['passages_per_s'], 2)} | {_f(w['texts_per_s'], 2)} | {w['loadavg']} |",
            "",
            f"Pipeline / raw encode (default variant): **{_f(e['ratio_pipeline_to_raw'], 2)}** (goal ≥ 0.8: {_ok(e['goal_met'])}; "
            f"round by round: {e.get('ratio_per_round')}). Fastest raw variant: {e['fastest_variant']}.",
            "",
        ]

    g = r.get("reingest")
    if g:
        imported = g.get("subprocess_imported") or {}
        heavy = ", ".join(k for k, v in imported.items() if v) or "none of them"
        lines += [
            SECTION_TITLES["reingest"],
            "",
            f"The shipped corpus ({g['passages']} passages) ingested once, then ingested again unchanged.",
            "",
            "| measure | median | per run |",
            "|---|---|---|",
            f"| `ingest()` in process (imports already paid) | {_f(g['in_process_ms_median'], 1, ' ms')} | {g['in_process_ms_per_run']} |",
            f"| `{g['command']}` as a subprocess (wall) | {_f(g['subprocess_s_median'], 3, ' s')} | {g['subprocess_s_per_run']} |",
            f"| of which: bare `python -c pass` | {_f(g['python_start_s_median'], 3, ' s')} | |",
            f"| `python -c \"import assistant.cli, assistant.index\"` | {_f(g['cli_import_s_median'], 3, ' s')} | |",
            "",
            f"No embedding calls: {_ok(g['no_embedding_calls'])} (Embedder.encoded_texts == 0, the model never loaded, "
            f"\"Inbäddade texter: 0\"); every passage skipped: {g['all_passages_skipped']}. "
            f"Heavy modules the subprocess imported: {heavy}. Load average {g['loadavg']}.",
            "",
        ]

    t = r.get("retrieval")
    if t:
        q = t["query_embedding"]
        lines += [
            SECTION_TITLES["retrieval"],
            "",
            "A synthetic Swedish corpus generated from the real passages (3-6 real sentences recombined, numbers varied, "
            "place names swapped for other municipalities); **vectors synthesised** from the real passage vectors "
            "(a mix of real vectors plus Gaussian noise, normalised), since embedding 100k passages would take hours here. "
            "Stored in a real Chroma collection (PersistentClient, batches of 5000) and a real bm25s index "
            "(`LexicalIndex.build`). Queries: the eval questions "
            f"({t['queries']}), each timed through `Retriever.retrieve(k=10)` with a precomputed query vector.",
            "",
            f"Query embedding alone (one model call, not included below): p50 {_f(q['p50_ms'], 1)} ms, p95 {_f(q['p95_ms'], 1)} ms.",
            "",
            "| passages | hybrid p50 | hybrid p95 | dense (Chroma) p50 / p95 | BM25 p50 / p95 | Chroma add | BM25 build | disk | load avg |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in t["stages"]:
            b = s["build"]
            lines.append(
                f"| {s['passages']:,} | {_f(s['hybrid']['p50_ms'], 2)} ms | {_f(s['hybrid']['p95_ms'], 2)} ms | "
                f"{_f(s['dense_chroma']['p50_ms'], 2)} / {_f(s['dense_chroma']['p95_ms'], 2)} ms | "
                f"{_f(s['bm25']['p50_ms'], 2)} / {_f(s['bm25']['p95_ms'], 2)} ms | {b['chroma_add_s']} s | {b['bm25_build_s']} s | "
                f"{s['disk_mb']} MB | {s['loadavg']} |"
            )
        lines += ["", f"Goal p95 < 50 ms at 100k: {_ok(t['goal_met'])}.", ""]

    a = r.get("answers")
    if a:
        ask, st = a["ask"], a["stream"]
        lines += [
            SECTION_TITLES["answers"],
            "",
            f"`Assistant.ask` in process on the shipped corpus, the default extractive answerer, over {ask['questions']} "
            f"eval questions (follow-ups with their history); opened and warmed up in {ask['open_and_warm_up_s']} s.",
            "",
            "| measure | p50 | p95 |",
            "|---|---|---|",
            f"| whole `ask` | {_f(ask['ask']['p50_ms'], 1)} ms | {_f(ask['ask']['p95_ms'], 1)} ms |",
            f"| retrieve (incl. the query embedding) | {_f(ask['retrieve_incl_query_embedding']['p50_ms'], 1)} ms | "
            f"{_f(ask['retrieve_incl_query_embedding']['p95_ms'], 1)} ms |",
            f"| answer stage (rerank + compose) | {_f(ask['answer_stage']['p50_ms'], 1)} ms | {_f(ask['answer_stage']['p95_ms'], 1)} ms |",
            "",
            f"Goal p50 < 300 ms: {_ok(ask['goal_met'])} (load average {ask['loadavg']}).",
            "",
            f"The real app (`python app.py --port <free>`, LSS_RATE_LIMIT=0; ready {st['app_start_to_ready_s']} s after start), "
            f"POST /api/ask/stream over {st['questions']} questions:",
            "",
            "| measure | p50 | p95 |",
            "|---|---|---|",
            f"| time to the first `event: delta` | {_f(st['first_delta']['p50_ms'], 1)} ms | {_f(st['first_delta']['p95_ms'], 1)} ms |",
            f"| whole stream | {_f(st['whole_stream']['p50_ms'], 1)} ms | {_f(st['whole_stream']['p95_ms'], 1)} ms |",
            "",
            f"Peak RSS of that app process (shipped corpus): {st['app_peak_rss_mb']} MB. Load average {st['loadavg']}.",
            "",
        ]

    mm = r.get("memory")
    if mm:
        at = mm["rss_mb_at"]
        lines += [
            SECTION_TITLES["memory"],
            "",
            f"A child process opens the serving stack as the app does (`Assistant.open`: Chroma, the BM25 index, the "
            f"answerer's tables) on the {mm['passages']:,}-passage synthetic index, loads the model and asks "
            f"{mm['questions']} questions.",
            "",
            "| point | RSS |",
            "|---|---|",
            f"| after Python + imports | {at['python_and_imports']} MB |",
            f"| index opened ({mm['open_s']} s) | {at['index_open']} MB |",
            f"| model loaded | {at['model_loaded']} MB |",
            f"| after the questions | {at['after_questions']} MB |",
            f"| **peak (VmHWM)** | **{mm['peak_rss_mb_vmhwm']} MB** |",
            "",
            f"MB here are MiB (2^20 bytes); the goal < 1.5 GB is read as < 1.5e9 bytes = {mm['goal_mb']} MiB: {_ok(mm['goal_met'])} "
            f"(load average {mm['loadavg']}).",
            "",
        ]
    return "\n".join(lines) + "\n"
