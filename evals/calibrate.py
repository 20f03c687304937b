"""Fit the answerer's window-scoring weights on the question set.

    python -m evals.calibrate            # 2-fold cross-validation report, then fit on all and write
                                         # assistant/window_weights.json
    python -m evals.calibrate --dry-run  # report only

For every answerable question, each candidate window (one or two sentences of the
retrieved passages) gets its feature vector from ``ExtractiveAnswerer.window_features``;
windows that contain all the required facts are the positives. A listwise softmax
model (one weight per feature, L2-regularised) is fitted so the top-scoring window is
a positive. The cross-validated top-1 accuracy is printed, so the figure that matters
is measured on questions the weights did not see.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from evals.runner import DEFAULT_QUESTIONS, load_questions


def collect(assistant, questions: list[dict]):
    from assistant.answer import WEIGHTS_FILE  # noqa: F401  (documented output location)

    answerer = assistant.answerer
    groups = []
    names = None
    for q in questions:
        if not q.get("expect_answer") or not q.get("facts"):
            continue
        if q.get("easy_read"):
            continue  # the same question as its standard twin: the window scores do not depend on the mode
        parsed = answerer.parse(q["question"], q.get("history", []))
        if not parsed.text:
            continue
        qvec = assistant.embedder.query_vector(parsed.retrieval_query)
        candidates = assistant.retriever.retrieve(
            parsed.retrieval_query, k=assistant.settings.rerank_candidates, query_vector=qvec
        )
        windows = answerer.windows(candidates)
        if not windows:
            continue
        answerer.score_windows(parsed, windows, qvec)
        names = names or list(windows[0].features)
        X = np.array([[w.features[n] for n in names] for w in windows], dtype=np.float64)
        hits = np.array([_fact_groups_in(w.quote + " " + w.scored.passage.kommun, q["facts"]) for w in windows])
        if hits.max() == 0:
            continue  # no candidate holds the answer: a retrieval miss, nothing to learn here
        y = (hits == hits.max()).astype(np.float64)
        groups.append((q["id"], X, y))
    return names, groups


def _fact_groups_in(text: str, facts: list[list[str]]) -> int:
    low = text.lower()
    return sum(1 for g in facts if any(a.lower() in low for a in g))


def fit(groups, n_features: int, l2: float = 0.02, steps: int = 3000, lr: float = 0.5, init=None) -> np.ndarray:
    w = np.zeros(n_features) if init is None else np.array(init, dtype=np.float64)
    for _ in range(steps):
        grad = l2 * w
        for _id, X, y in groups:
            s = X @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y
            q /= q.sum()
            grad += X.T @ (p - q) / len(groups)
        w -= lr * grad
    return w


def top1(groups, w) -> float:
    return float(np.mean([y[int(np.argmax(X @ w))] for _id, X, y in groups])) if groups else 0.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.answer import DEFAULT_WINDOW_WEIGHTS, WEIGHTS_FILE
    from assistant.cli import _quiet_libraries
    from assistant.service import Assistant

    _quiet_libraries()
    assistant = Assistant.open_or_build()
    names, groups = collect(assistant, load_questions(args.questions))
    init = [DEFAULT_WINDOW_WEIGHTS.get(n, 0.0) for n in names]
    print(f"{len(groups)} questions with an answer-bearing window; features: {names}")
    print(f"hand-set weights: top-1 {top1(groups, np.array(init)):.3f}")
    folds = [[g for g in groups if int(g[0][1:]) % 2 == k] for k in (0, 1)]
    cv = []
    for k in (0, 1):
        w = fit(folds[1 - k], len(names), init=init)
        cv.append(top1(folds[k], w))
        print(f"fold {k}: trained on {len(folds[1 - k])}, top-1 on {len(folds[k])} unseen = {cv[-1]:.3f}")
    w = fit(groups, len(names), init=init)
    print(f"all: top-1 (seen) {top1(groups, w):.3f}; cross-validated {np.mean(cv):.3f}")
    weights = {n: round(float(v), 4) for n, v in zip(names, w)}
    print(json.dumps(weights, indent=1))
    if not args.dry_run:
        WEIGHTS_FILE.write_text(json.dumps({
            "fitted": time.strftime("%Y-%m-%d %H:%M:%S"),
            "questions": len(groups),
            "cross_validated_top1": round(float(np.mean(cv)), 3),
            "command": "python -m evals.calibrate",
            "weights": weights,
        }, indent=1) + "\n")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
