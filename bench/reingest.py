"""Section 2: re-ingest of an unchanged corpus.

The in-process ``ingest()`` time (imports already paid) and the wall time of
``lss-assistant ingest`` as a subprocess (Python start and imports included), with
a check that nothing was embedded and the model was never loaded.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

from .common import bench_env, loadavg, median, python, run_timed, settings_env

HEAVY_MODULES = (
    "torch", "sentence_transformers", "transformers", "langchain_core.indexing", "langchain_classic",
    "sqlalchemy", "chromadb", "bm25s",
)

# A child that runs the CLI's ingest and tells which heavy modules it imported.
PROBE = (
    "import json, sys\n"
    "from assistant.cli import main\n"
    "rc = main(['ingest', '--quiet'])\n"
    "print('@@' + json.dumps({'rc': rc, 'modules': {m: m in sys.modules for m in %r}}))\n"
) % (HEAVY_MODULES,)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("lss-assistant")
    return [str(script)] if script.exists() else [python(), "-m", "assistant.cli"]


def run(settings, work: Path, runs: int, seed_cache: Path | None, log) -> dict:
    from assistant.embed import Embedder
    from assistant.index import ingest

    data = work / "reingest"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    cache = data / "embedding-cache.sqlite"
    if seed_cache and seed_cache.is_file():
        shutil.copy(seed_cache, cache)  # vectors of the pipeline runs: the first build embeds nothing new
    s = dataclasses.replace(settings, data_dir=data, embed_cache_path=cache, chroma_url="")
    first = ingest(s, progress=False, embedder=Embedder(s))
    log(f"re-ingest: index built ({first.passages} passages, {first.embedded} texts embedded)")

    in_process, checks = [], []
    for _ in range(runs):
        embedder = Embedder(s)
        report = ingest(s, progress=False, embedder=embedder)
        in_process.append(report.seconds)
        checks.append({"embedded": report.embedded, "encoded_texts": embedder.encoded_texts,
                       "model_loaded": embedder.is_loaded, "skipped": report.skipped, "passages": report.passages})
    no_embedding = all(c["encoded_texts"] == 0 and c["embedded"] == 0 and not c["model_loaded"] for c in checks)
    unchanged = all(c["skipped"] == c["passages"] for c in checks)

    env = bench_env(**settings_env(s))
    cmd = _cli() + ["ingest", "--quiet"]
    walls, outputs = [], []
    for _ in range(runs):
        wall, proc = run_timed(cmd, env)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
        walls.append(wall)
        outputs.append(proc.stdout)
    embedded_cli = [int(m.group(1)) for o in outputs for m in [re.search(r"Inbäddade texter: (\d+)", o)] if m]
    assert no_embedding and embedded_cli == [0] * runs, f"an unchanged re-ingest embedded texts: {checks} {embedded_cli}"
    log(f"re-ingest: in-process {median(in_process) * 1000:.0f} ms, subprocess {median(walls):.2f} s")

    # What the subprocess imported, and the bare interpreter start for comparison.
    _, probe = run_timed([python(), "-c", PROBE], env)
    line = next((x for x in probe.stdout.splitlines() if x.startswith("@@")), "@@{}")
    modules = json.loads(line[2:]).get("modules", {})
    starts = [run_timed([python(), "-c", "pass"], env)[0] for _ in range(runs)]
    imports = [run_timed([python(), "-c", "import assistant.cli, assistant.index"], env)[0] for _ in range(runs)]
    return {
        "passages": first.passages,
        "in_process_ms_median": round(median(in_process) * 1000, 1),
        "in_process_ms_per_run": [round(x * 1000, 1) for x in in_process],
        "subprocess_s_median": round(median(walls), 3),
        "subprocess_s_per_run": [round(x, 3) for x in walls],
        "python_start_s_median": round(median(starts), 3),
        "cli_import_s_median": round(median(imports), 3),
        "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)),
        "no_embedding_calls": bool(no_embedding and embedded_cli and all(e == 0 for e in embedded_cli)),
        "all_passages_skipped": unchanged,
        "checks": checks[:1],
        "subprocess_imported": modules,
        "goal_s": 1.0,
        "goal_met": bool(median(walls) < 1.0),
        "loadavg": loadavg()[0],
        "data_dir": str(data),
        "_settings": s,
    }
