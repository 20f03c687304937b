"""Section 5: peak memory (RSS) of a serving process with the index loaded.

``python -m bench.memory`` (run by the benchmark as a child process, with LSS_DATA_DIR etc.
pointing at the synthetic store) opens the whole serving stack as the app does
(Assistant.open: Retriever with Chroma and the BM25 index, the answerer), loads the
model, asks a few questions and prints its memory figures as JSON (VmHWM = peak RSS).
"""

from __future__ import annotations

import json
import sys
import time

from .common import bench_env, loadavg, proc_status, python, run_timed, settings_env


# Issue #8's "1.5 GB" read strictly, as 1.5e9 bytes (1430.5 MiB), not as 1.5 GiB.
GOAL_MIB = round(1.5e9 / 1024**2, 1)


def _mb(n: int) -> float:
    return round(n / 1024**2, 1)


def child(questions: list[str]) -> dict:
    from assistant.cli import _quiet_libraries
    from assistant.service import Assistant

    _quiet_libraries()
    marks = {"python_and_imports": _mb(proc_status()["VmRSS"])}
    t0 = time.perf_counter()
    assistant = Assistant.open()
    marks["index_open"] = _mb(proc_status()["VmRSS"])
    open_s = time.perf_counter() - t0
    assistant.warm_up()
    marks["model_loaded"] = _mb(proc_status()["VmRSS"])
    t1 = time.perf_counter()
    for q in questions:
        assistant.ask(q)
    marks["after_questions"] = _mb(proc_status()["VmRSS"])
    status = proc_status()
    return {
        "passages": assistant.retriever.size,
        "rss_mb_at": marks,
        # VmHWM, not getrusage's ru_maxrss: on Linux that keeps the peak of the process it was
        # forked from (the benchmark itself) across exec.
        "peak_rss_mb_vmhwm": _mb(status["VmHWM"]),
        "open_s": round(open_s, 2),
        "questions": len(questions),
        "questions_s": round(time.perf_counter() - t1, 2),
    }


def run(settings, questions: list[str], log) -> dict:
    env = bench_env(**settings_env(settings))
    args = [python(), "-m", "bench.memory", *questions]
    wall, proc = run_timed(args, env, timeout=1200)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"memory child failed ({proc.returncode}): {proc.stderr[-3000:]}")
    out = json.loads(line[2:])
    out["wall_s"] = round(wall, 1)
    out["goal_mb"] = GOAL_MIB
    out["goal_met"] = bool(out["peak_rss_mb_vmhwm"] < GOAL_MIB) if out["passages"] >= 100_000 else None
    out["loadavg"] = loadavg()[0]
    log(f"memory: {out['passages']} passages, peak RSS {out['peak_rss_mb_vmhwm']} MB")
    return out


if __name__ == "__main__":
    print("@@" + json.dumps(child(sys.argv[1:]), ensure_ascii=False), flush=True)
