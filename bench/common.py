"""Small helpers shared by the benchmark sections: timing statistics, load, processes."""

from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "questions.jsonl"

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def percentile(values, p: float) -> float:
    """Linear-interpolated percentile (the same definition as evals/runner.py)."""
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def median(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(values) if values else float("nan")


def latency_summary(runs: list[list[float]]) -> dict:
    """Per run p50/p95 (ms) of its latencies; the reported figure is the median over runs."""
    p50s = [percentile(r, 50) for r in runs if r]
    p95s = [percentile(r, 95) for r in runs if r]
    return {
        "p50_ms": round(median(p50s), 2),
        "p95_ms": round(median(p95s), 2),
        "runs": len(p50s),
        "samples_per_run": len(runs[0]) if runs else 0,
        "p50_ms_per_run": [round(v, 2) for v in p50s],
        "p95_ms_per_run": [round(v, 2) for v in p95s],
    }


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return [float("nan")] * 3


def wait_for_low_load(limit: float | None, max_wait: float, log) -> list[float]:
    """Wait (up to max_wait seconds) until the 1-minute load average is below limit."""
    if not limit:
        return loadavg()
    deadline = time.monotonic() + max_wait
    while loadavg()[0] >= limit and time.monotonic() < deadline:
        log(f"load average {loadavg()[0]} >= {limit}: waiting ...")
        time.sleep(15)
    return loadavg()


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM / VmPeak of a process in bytes (Linux /proc)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "VmPeak", "VmSize"):
                out[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: offline, no inherited LSS_* but the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSS_")}
    env.update(OFFLINE_ENV)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def settings_env(settings) -> dict[str, str]:
    """LSS_* variables that reproduce the paths of a Settings object in a child process."""
    return {
        "LSS_CORPUS_DIR": str(settings.corpus_dir),
        "LSS_DATA_DIR": str(settings.data_dir),
        "LSS_MODEL_DIR": str(settings.models_dir),
        "LSS_EMBED_CACHE": str(settings.embedding_cache),
        "LSS_EMBED_MODEL": settings.embed_model,
        "LSS_PRECOMPUTE_WINDOWS": "1" if settings.precompute_windows else "0",
        "LSS_COLLECTION": settings.collection,
    }


def run_timed(cmd: list[str], env: dict[str, str], timeout: float = 600) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - started, proc


def python() -> str:
    return sys.executable


def load_questions(limit: int | None = None) -> list[dict]:
    import json

    rows = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if isinstance(row.get("question"), str) and row["question"].strip():
                rows.append({"id": row.get("id"), "question": row["question"], "history": row.get("history") or []})
    return rows[:limit] if limit else rows
