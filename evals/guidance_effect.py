"""The guidance texts' effect on the rest of the question set (issue #10's "do not drop" criterion).

    python -m evals.guidance_effect [--out DIR]

Runs the evaluation twice with the same code on the questions that were not written for the
guidance texts (source not under ``guidance/``, ids up to q216, the set that existed before the
texts: 158 questions): once on a copy of the corpus without ``corpus/guidance/``, once on the
corpus as it is. Prints every figure as "without -> with" and marks the ones that drop, then, per
retriever, the questions whose evidence ranks lower or higher, and the questions answered wrongly on
one side only.

The copy and its index live under DIR (default ``evals/reports/guidance-effect``, not committed);
the "with" side uses the configured data directory (``LSS_DATA_DIR``) and is brought up to date by
an ordinary incremental ingest first. About a minute on 2 cores (measured 2026-11-24).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from evals.runner import DEFAULT_QUESTIONS, load_questions

ROOT = Path(__file__).resolve().parent.parent
LAST_ID_BEFORE_GUIDANCE = 216
FIGURES = (
    "dense_mrr@10", "bm25_mrr@10", "rrf_mrr@10", "rrf_hit@3",
    "hybrid_hit@1", "hybrid_hit@3", "hybrid_hit@5", "hybrid_mrr@10",
    "answer_correctness", "citation_precision", "decline_accuracy", "false_decline_rate", "followup_accuracy",
)
LOWER_IS_BETTER = {"false_decline_rate"}


def rest_of_set(questions: list[dict]) -> list[dict]:
    return [
        q for q in questions
        if not q.get("source", "").startswith("guidance/") and int(q["id"].lstrip("q")) <= LAST_ID_BEFORE_GUIDANCE
    ]


def corpus_without_guidance(corpus: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(corpus, dest, ignore=shutil.ignore_patterns("guidance"))
    return dest


def run(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def evaluate(questions: Path, out: Path, env: dict) -> dict:
    """The evaluation's whole report (metrics, failures, per-question retrieval ranks)."""
    run(["ingest.py", "--quiet"], env)
    run(["-m", "evals", "--questions", str(questions), "--out", str(out)], env)
    return json.loads((out / "latest.json").read_text())


def _reciprocal(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def rank_changes(without: dict, with_: dict, mode: str) -> tuple[list, list]:
    """(lower, higher): the questions whose evidence rank under ``mode`` falls or rises, as
    (id, rank without, rank with); a rank of None is "not in the top 10"."""
    lower, higher = [], []
    for qid in sorted(set(without) & set(with_)):
        a, b = without[qid].get(mode), with_[qid].get(mode)
        if _reciprocal(b) < _reciprocal(a):
            lower.append((qid, a, b))
        elif _reciprocal(b) > _reciprocal(a):
            higher.append((qid, a, b))
    return lower, higher


def wrong_on_one_side(without: dict, with_: dict) -> tuple[list[str], list[str]]:
    """(wrong only with the guidance, wrong only without it): question ids from the failure lists."""
    a = {f["id"] for f in without.get("failures", [])}
    b = {f["id"] for f in with_.get("failures", [])}
    return sorted(b - a), sorted(a - b)


def _listed(changes: list) -> str:
    if not changes:
        return "none"
    return ", ".join(f"{qid} {a or '-'}->{b or '-'}" for qid, a, b in changes)


def print_question_changes(without: dict, with_: dict) -> None:
    print("Evidence ranks, without -> with ('-': not in the top 10):")
    for mode in ("dense", "bm25", "rrf", "hybrid"):
        lower, higher = rank_changes(without.get("retrieval_ranks", {}), with_.get("retrieval_ranks", {}), mode)
        print(f"  {mode:6s} lower ({len(lower)}): {_listed(lower)}")
        print(f"  {'':6s} higher ({len(higher)}): {_listed(higher)}")
    only_with, only_without = wrong_on_one_side(without, with_)
    print(f"Answered wrongly only with the guidance: {', '.join(only_with) or 'none'}; "
          f"only without it: {', '.join(only_without) or 'none'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.guidance_effect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "guidance-effect")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    rest = rest_of_set(load_questions(DEFAULT_QUESTIONS))
    subset = out / "rest-of-set.jsonl"
    subset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in rest))

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    corpus = Path(env.get("LSS_CORPUS_DIR", ROOT / "corpus"))
    without_env = dict(env, LSS_CORPUS_DIR=str(corpus_without_guidance(corpus, out / "corpus-without-guidance")),
                       LSS_DATA_DIR=str(out / "data-without-guidance"))
    print("==> without the guidance texts", flush=True)
    without_report = evaluate(subset, out / "without", without_env)
    print("==> with the guidance texts", flush=True)
    with_report = evaluate(subset, out / "with", env)
    without, with_ = without_report["metrics"], with_report["metrics"]

    print(f"\n{len(rest)} questions not written for the guidance texts, without -> with:")
    drops = 0
    for name in FIGURES:
        a, b = without.get(name), with_.get(name)
        if a is None or b is None:
            continue
        worse = (b > a) if name in LOWER_IS_BETTER else (b < a)
        drops += worse
        print(f"  {name:22s} {a:.3f} -> {b:.3f}{'   (drops)' if worse else ''}")
    print(f"{drops} figure(s) drop.\n")
    print_question_changes(without_report, with_report)
    print(f"Per-question reports: {out}/without and {out}/with")
    return 0


if __name__ == "__main__":
    sys.exit(main())
