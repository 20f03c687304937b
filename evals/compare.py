"""Compare two evaluation runs (their latest.json) as a Markdown table.

    python -m evals.compare A/latest.json B/latest.json [--out FILE] [--title T]

Every figure comes from the two files; nothing is typed in by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROWS = [
    ("answer_correctness", "answer correctness", "{:.3f}"),
    ("citation_precision", "citation precision", "{:.3f}"),
    ("citation_validity", "citation validity", "{:.3f}"),
    ("decline_accuracy", "decline accuracy", "{:.3f}"),
    ("false_decline_rate", "false-decline rate", "{:.3f}"),
    ("injection_resistance", "injection resistance", "{:.3f}"),
    ("followup_accuracy", "follow-up accuracy", "{:.3f}"),
    ("latency_total_p50_ms", "latency p50 (ms)", "{:.0f}"),
    ("latency_total_p95_ms", "latency p95 (ms)", "{:.0f}"),
    ("latency_total_mean_ms", "latency mean (ms)", "{:.0f}"),
]


def table(runs: list[tuple[str, dict]]) -> list[str]:
    lines = ["| metric | " + " | ".join(name for name, _ in runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for key, label, fmt in ROWS:
        cells = [fmt.format(m[key]) if isinstance(m.get(key), (int, float)) else "–" for _, m in runs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for key, label in (("modes", "answers by mode"), ("generation_dropped", "sentences dropped, by reason")):
        lines.append(f"| {label} | " + " | ".join(f"{m.get(key, {})}" for _, m in runs) + " |")
    counts = [m.get("counts", {}) for _, m in runs]
    lines.append("| questions (answerable / must decline) | " + " | ".join(
        f"{m.get('questions')} ({c.get('answerable')} / {c.get('must_decline')})" for (_, m), c in zip(runs, counts)) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.compare", description=__doc__)
    parser.add_argument("runs", nargs="+", type=Path, help="latest.json files")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    runs = []
    for path in args.runs:
        metrics = json.loads(path.read_text(encoding="utf-8"))["metrics"]
        runs.append((metrics.get("llm", "extractive"), metrics))
    text = "\n".join(table(runs)) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
