"""Load test of a running LSS-assistenten over loopback: N concurrent clients on POST /api/ask.

    python bench/load.py --url http://127.0.0.1:7860 [--clients 20] [--duration 60] [--max-requests 20000]

Each client (a thread with its own keep-alive connection) asks the questions of
evals/questions.jsonl in turn (with their history, so follow-ups are included),
starting at a different place, until the time or the request budget is used up.
Prints throughput, p50/p95/p99 latency and errors; exits 1 if any request failed
(a status other than 200, a timeout, a broken body), 2 on bad arguments or a
server that is not ready.

Only 127.0.0.1 / localhost / ::1 are accepted: this tool must never load someone
else's server. The app's rate limit (LSS_RATE_LIMIT, per client address) would
refuse most requests, since every client here has the same address: start the app
for a load run with LSS_RATE_LIMIT=0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "evals" / "questions.jsonl"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: Counter = field(default_factory=Counter)
    answered: int = 0
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())


def loopback_url(url: str) -> str:
    """The URL without a trailing slash; ValueError unless it is http(s) on a loopback host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.hostname.lower() not in LOOPBACK:
        raise ValueError(f"only a server on this machine may be loaded (127.0.0.1, localhost, ::1), not {parts.hostname!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("give the server's base URL only, e.g. http://127.0.0.1:7860")
    return url.rstrip("/")


def load_questions(path: Path) -> list[dict]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if isinstance(row.get("question"), str) and row["question"].strip():
            items.append({"question": row["question"], "history": row.get("history") or []})
    if not items:
        raise ValueError(f"no questions in {path}")
    return items


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(p / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def client_loop(
    n: int, base: str, questions: list[dict], deadline: float, budget: int, timeout: float, results: Results
) -> None:
    i = n * 7  # each client starts at a different question
    with httpx.Client(base_url=base, timeout=timeout, headers={"User-Agent": "lss-bench-load/1"}) as client:
        while time.monotonic() < deadline:
            with results.lock:
                if results.started >= budget:
                    return
                results.started += 1
            body = questions[i % len(questions)]
            i += 1
            t0 = time.perf_counter()
            try:
                resp = client.post("/api/ask", json=body)
                elapsed = time.perf_counter() - t0
                if resp.status_code != 200:
                    kind = f"HTTP {resp.status_code}"
                    try:
                        kind += " " + resp.json()["error"]["code"]
                    except (ValueError, KeyError, TypeError):
                        pass
                    with results.lock:
                        results.errors[kind] += 1
                    continue
                data = resp.json()
                if not isinstance(data.get("answer"), str):
                    raise ValueError("no answer in the body")
            except (httpx.HTTPError, ValueError) as exc:
                with results.lock:
                    results.errors[exc.__class__.__name__] += 1
                continue
            with results.lock:
                results.latencies.append(elapsed)
                results.answered += bool(data.get("answered"))


def run(base: str, clients: int, duration: float, budget: int, timeout: float, questions: list[dict]) -> tuple[Results, float]:
    results = Results()
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(target=client_loop, args=(n, base, questions, deadline, budget, timeout, results), daemon=True)
        for n in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def report(results: Results, wall: float, clients: int) -> dict:
    lat = sorted(results.latencies)
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "requests": results.requests,
        "ok": len(lat),
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "answered": results.answered,
        "throughput_rps": round(len(lat) / wall, 2) if wall > 0 else 0.0,
        "latency_ms": {
            "p50": ms(percentile(lat, 50)),
            "p95": ms(percentile(lat, 95)),
            "p99": ms(percentile(lat, 99)),
            "max": ms(lat[-1]) if lat else float("nan"),
            "mean": ms(sum(lat) / len(lat)) if lat else float("nan"),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load test of POST /api/ask on a local LSS-assistenten.")
    parser.add_argument("--url", default="http://127.0.0.1:7860", help="server base URL (loopback only)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds to run (default 60)")
    parser.add_argument("--max-requests", type=int, default=20000, help="stop after this many requests (default 20000)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before one request counts as failed")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL with a \"question\" per line")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    try:
        base = loopback_url(args.url)
        if not (1 <= args.clients <= 500 and 0 < args.duration <= 3600 and args.max_requests >= 1):
            raise ValueError("--clients 1..500, --duration 0..3600 s, --max-requests >= 1")
        questions = load_questions(args.questions)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        health = httpx.get(base + "/api/health", timeout=10)
    except httpx.HTTPError as exc:
        print(f"error: the server at {base} does not answer: {exc}", file=sys.stderr)
        return 2
    if health.status_code != 200:
        print(f"error: the server is not ready (GET /api/health: {health.status_code} {health.text[:200]})", file=sys.stderr)
        return 2

    results, wall = run(base, args.clients, args.duration, args.max_requests, args.timeout, questions)
    figures = report(results, wall, args.clients)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        lat = figures["latency_ms"]
        print(f"clients {figures['clients']}, {figures['seconds']} s, {figures['requests']} requests "
              f"({figures['ok']} ok, {figures['errors']} errors, {figures['answered']} answered)")
        print(f"throughput {figures['throughput_rps']} requests/s")
        print(f"latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}  mean {lat['mean']}")
        for kind, count in sorted(results.errors.items()):
            print(f"error {kind}: {count}")
    if any("429" in k for k in results.errors):
        print("hint: the app's rate limit refused requests; start it with LSS_RATE_LIMIT=0 for a load run", file=sys.stderr)
    return 1 if figures["errors"] or figures["ok"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
