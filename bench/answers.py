"""Section 4: end-to-end answer latency (Assistant.ask in process) and the app's time to the
first streamed token (POST /api/ask/stream on a real `python app.py`)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from .common import ROOT, bench_env, free_port, latency_summary, loadavg, proc_status, python, settings_env


def in_process(settings, questions: list[dict], runs: int, log) -> dict:
    from assistant.service import Assistant, QuestionError

    started = time.perf_counter()
    assistant = Assistant.open(settings)
    assistant.warm_up()
    open_s = time.perf_counter() - started
    totals, retrieve, answer = [], [], []
    for q in questions[:10]:  # warm-up
        try:
            assistant.ask(q["question"], q["history"])
        except QuestionError:
            pass
    for r in range(runs):
        run_total, run_retrieve, run_answer = [], [], []
        for q in questions:
            t0 = time.perf_counter()
            try:
                a = assistant.ask(q["question"], q["history"])
            except QuestionError:
                continue
            run_total.append((time.perf_counter() - t0) * 1000)
            run_retrieve.append(a.timings_ms.get("retrieve", 0.0))
            run_answer.append(a.timings_ms.get("answer", 0.0))
        totals.append(run_total)
        retrieve.append(run_retrieve)
        answer.append(run_answer)
        log(f"  ask run {r + 1}: {len(run_total)} questions")
    summary = latency_summary(totals)
    return {
        "questions": len(totals[0]) if totals else 0,
        "open_and_warm_up_s": round(open_s, 2),
        "ask": summary,
        "retrieve_incl_query_embedding": latency_summary(retrieve),
        "answer_stage": latency_summary(answer),
        "goal_p50_ms": 300.0,
        "goal_met": bool(summary["p50_ms"] < 300.0),
        "loadavg": loadavg()[0],
    }


def _first_delta(client, url: str, body: dict) -> tuple[float, float]:
    """(ms to the first `event: delta`, ms to the end of the stream)."""
    t0 = time.perf_counter()
    first = None
    with client.stream("POST", url, json=body) as resp:
        if resp.status_code != 200:
            raise RuntimeError(f"POST {url}: HTTP {resp.status_code} {resp.read()[:300]!r}")
        for line in resp.iter_lines():
            if first is None and line.strip() == "event: delta":
                first = (time.perf_counter() - t0) * 1000
    end = (time.perf_counter() - t0) * 1000
    if first is None:
        raise RuntimeError(f"no delta event from {url} for {body['question']!r}")
    return first, end


def streamed(settings, questions: list[dict], runs: int, work: Path, log) -> dict:
    """Start the real app (python app.py) on a free port and time POST /api/ask/stream."""
    import httpx

    port = free_port()
    env = bench_env(**settings_env(settings), LSS_RATE_LIMIT="0")
    log_path = work / "app.log"
    started = time.perf_counter()
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([python(), str(ROOT / "app.py"), "--port", str(port)], env=env, cwd=ROOT,
                                stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        ready_s = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    ready_s = time.perf_counter() - started
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        if ready_s is None:
            raise RuntimeError("app.py did not become ready within 300 s")
        log(f"  app ready after {ready_s:.1f} s")
        firsts, ends = [], []
        with httpx.Client(timeout=60) as client:
            for q in questions[:3]:  # warm-up
                _first_delta(client, base + "/api/ask/stream", {"question": q["question"], "history": q["history"]})
            for _ in range(runs):
                run_first, run_end = [], []
                for q in questions:
                    f, e = _first_delta(client, base + "/api/ask/stream", {"question": q["question"], "history": q["history"]})
                    run_first.append(f)
                    run_end.append(e)
                firsts.append(run_first)
                ends.append(run_end)
        mem = proc_status(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {
        "questions": len(questions),
        "app_start_to_ready_s": round(ready_s, 2),
        "first_delta": latency_summary(firsts),
        "whole_stream": latency_summary(ends),
        "app_peak_rss_mb": round(mem.get("VmHWM", 0) / 1024**2, 1),
        "loadavg": loadavg()[0],
    }


def run(settings, questions: list[dict], stream_questions: list[dict], runs: int, work: Path, log) -> dict:
    log(f"answers: Assistant.ask over {len(questions)} eval questions x {runs} runs")
    e2e = in_process(settings, questions, runs, log)
    log(f"answers: time to first streamed token over {len(stream_questions)} questions x {runs} runs")
    ttft = streamed(settings, stream_questions, runs, work, log)
    return {"ask": e2e, "stream": ttft}
