"""Answer snapshot: every answer to a fixed list of questions, to see what a change changes.

    python -m evals.snapshot [--out FILE] [--questions FILE ...]   record, and report what changed
    python -m evals.snapshot --diff OLD NEW                        report what changed between two files

The evaluation (``python -m evals``) scores answers against what they must contain; this records
the answers themselves, for questions with no expectation written down: ``evals/handtried.txt``
(questions tried by hand, one per line) and the evaluation set's questions (with their
follow-up history), each asked in the standard and the Lättläst mode. The extractive answerer is
deterministic, so a line that changes was changed by the code or the corpus. Recording over an
existing file first prints every answer that changed against it (and the counts); the committed
file ``evals/reports/answers.jsonl`` is the reference, and ``git diff`` on it shows the same.

Nothing here judges an answer: read the changed ones.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HANDTRIED = HERE / "handtried.txt"
QUESTIONS = HERE / "questions.jsonl"
DEFAULT_OUT = HERE / "reports" / "answers.jsonl"
MODES = ("standard", "easy_read")


def handtried_questions(path: Path) -> list[dict]:
    """One question per line; blank lines and lines starting with '#' are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    questions = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return [{"key": "hand: " + q, "question": q, "history": []} for q in dict.fromkeys(questions)]


def evaluation_questions(path: Path) -> list[dict]:
    from evals.runner import load_questions

    return [{"key": q["id"], "question": q["question"], "history": q.get("history", [])} for q in load_questions(path)]


def record(assistant, questions: list[dict]) -> list[dict]:
    rows = []
    for n, q in enumerate(questions, 1):
        for mode in MODES:
            a = assistant.ask(q["question"], q["history"], easy_read=mode == "easy_read")
            rows.append({
                "key": q["key"], "mode": mode, "question": q["question"], "answered": a.answered,
                "reason": a.reason, "cited": [c.passage.passage_id for c in a.citations], "answer": a.answer,
            })
        if n % 100 == 0:
            print(f"  {n}/{len(questions)} frågor", file=sys.stderr)
    return rows


def read_rows(path: Path) -> dict[tuple[str, str], dict]:
    with open(path, encoding="utf-8") as fh:
        return {(r["key"], r["mode"]): r for r in map(json.loads, filter(str.strip, fh))}


def write_rows(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in sorted(rows, key=lambda r: (r["key"], r["mode"])):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _state(r: dict) -> str:
    return "answered" if r["answered"] else f"declined ({r['reason']})"


def changes(old: dict[tuple[str, str], dict], new: dict[tuple[str, str], dict]) -> list[str]:
    """Readable lines for every answer that was added, removed or changed (text, citations or reason)."""
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        label = f"{key[0]} [{key[1]}]"
        if a is None:
            out.append(f"+ {label}: {_state(b)}")
        elif b is None:
            out.append(f"- {label}: no longer asked")
        elif (a["answered"], a["reason"], a["cited"], a["answer"]) != (b["answered"], b["reason"], b["cited"], b["answer"]):
            out.append(f"~ {label}: {_state(a)} -> {_state(b)}")
            out.append("    before: " + " ".join(a["answer"].split())[:400])
            out.append("    after:  " + " ".join(b["answer"].split())[:400])
    return out


def summary(old: dict, new: dict) -> str:
    changed = sum(1 for k in old.keys() & new.keys() if old[k] != new[k])
    flips = sum(1 for k in old.keys() & new.keys() if old[k]["answered"] != new[k]["answered"])
    answered = sum(r["answered"] for r in new.values())
    return (f"{len(new)} answers ({answered} answered, {len(new) - answered} declined); against the earlier "
            f"file: {changed} changed ({flips} between answered and declined), "
            f"{len(new.keys() - old.keys())} new, {len(old.keys() - new.keys())} gone")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.snapshot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--handtried", type=Path, default=HANDTRIED)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("OLD", "NEW"), help="only compare two snapshot files")
    args = parser.parse_args(argv)
    if args.diff:
        old, new = (read_rows(p) for p in args.diff)
        print("\n".join(changes(old, new) + [summary(old, new)]))
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.cli import _quiet_libraries
    from assistant.service import Assistant

    _quiet_libraries()
    questions = handtried_questions(args.handtried) + evaluation_questions(args.questions)
    old = read_rows(args.out) if args.out.exists() else {}
    assistant = Assistant.open_or_build()
    rows = record(assistant, questions)
    write_rows(rows, args.out)
    new = {(r["key"], r["mode"]): r for r in rows}
    print("\n".join(changes(old, new) + [summary(old, new), f"Skrev {args.out}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
