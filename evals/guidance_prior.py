"""What it would cost to rank the guidance texts below the other documents (issue #10, an experiment).

    python -m evals.guidance_prior [--pairs 0:1,0.04:0.8] [--without FILE]

Issue #10 asks that the retrieval figures of the questions not written for the guidance texts do not
drop when the texts are added. The dense retriever scores each passage on its own, so added passages
can only keep or lower the rank of the others; the only way to keep those figures is a prior against
the guidance: here a cosine offset subtracted from a guidance passage's dense score and a factor on its
BM25 score. For each pair this prints the retrieval and answer figures of the rest of the set (the 158
questions of ``evals.guidance_effect``, first as they were without the guidance texts) and of the
questions answered from the guidance texts and of the later questions (the first pair, 0:1, is the
assistant as it is). The prior changes the retrievers' lists only; the answer stage is the same.

"was" comes from ``evals/reports/guidance-effect/without/latest.json``: run
``python -m evals.guidance_effect`` first. Needs a built index (``LSS_DATA_DIR``). About three minutes per pair on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals.guidance_effect import rest_of_set
from evals.runner import DEFAULT_QUESTIONS, load_questions, retrieval_metrics

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WITHOUT = ROOT / "evals" / "reports" / "guidance-effect" / "without" / "latest.json"
GUIDANCE_KIND = "vägledning"
MODES = ("dense", "bm25", "rrf", "hybrid")
EXTRA = 40  # fetched beyond n, so that passages the prior lifts above a guidance passage are in the list


def with_prior(retriever, offset: float, factor: float) -> None:
    """Lower the guidance passages in this retriever's dense and BM25 lists (offset on the cosine, factor on BM25)."""
    dense, bm25 = retriever.dense, retriever.bm25

    def guidance(pid: str) -> bool:
        return retriever.by_id[pid].kind == GUIDANCE_KIND

    def rescored(pairs, change):
        pairs = [(pid, change(s) if guidance(pid) else s) for pid, s in pairs]
        return sorted(pairs, key=lambda x: -x[1])

    retriever.dense = lambda vec, n: rescored(dense(vec, n + EXTRA), lambda s: s - offset)[:n]
    retriever.bm25 = lambda query, n: rescored(bm25(query, n + EXTRA), lambda s: s * factor)[:n]


def figures(assistant, questions: list[dict], ids: set[str]) -> dict[str, float | None]:
    """The retrieval and answer figures of the questions ``ids`` (None: no question to measure it on)."""
    from evals.runner import answer_metrics, ask_in_process, evaluate_answers

    chosen = [q for q in questions if q["id"] in ids]
    metrics = retrieval_metrics(assistant, chosen)[0]
    known = {p.passage_id: p.text for p in assistant.retriever.lexical.passages}
    metrics.update(answer_metrics(evaluate_answers(ask_in_process(assistant), chosen, known)))
    return figures_of(metrics)


ANSWER_FIGURES = {"correct": "answer_correctness", "citations": "citation_precision",
                  "declines": "decline_accuracy", "false declines": "false_decline_rate"}


def figures_of(metrics: dict) -> dict[str, float | None]:
    """The table's figures from an evaluation's metrics (``evals.runner``'s, or a report's ``metrics``)."""
    values = {**{f"{m} MRR": metrics[f"{m}_mrr@10"] for m in MODES}, "hybrid hit@3": metrics["hybrid_hit@3"],
              **{name: metrics[key] for name, key in ANSWER_FIGURES.items()}}
    return with_undefined(values, metrics["counts"], metrics["retrieval_questions"] > 0)


def with_undefined(values: dict, counts: dict, ranked: bool) -> dict[str, float | None]:
    """Figures with nothing to measure them on set to None (a group with no must-decline question has no decline accuracy)."""
    undefined = set()
    if not ranked:
        undefined |= {f"{m} MRR" for m in MODES} | {"hybrid hit@3"}
    if not counts["answerable"]:
        undefined |= {"correct", "false declines"}
    if not counts["answered"]:
        undefined.add("citations")
    if not counts["must_decline"]:
        undefined.add("declines")
    return {k: (None if k in undefined else v) for k, v in values.items()}


def print_table(title: str, rows: list[tuple[str, dict]]) -> None:
    names = list(rows[0][1])
    print(f"\n{title}")
    print(f"{'':26s}" + "".join(f"{n:>15s}" for n in names))
    for label, values in rows:
        print(f"{label:26s}" + "".join(f"{'-' if values[n] is None else format(values[n], '.3f'):>15s}" for n in names))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.guidance_prior", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", default="0:1,0.02:1,0.04:1,0:0.8,0.04:0.8",
                        help="offset:factor pairs (cosine offset for the dense list, factor on the BM25 score)")
    parser.add_argument("--without", type=Path, default=DEFAULT_WITHOUT)
    args = parser.parse_args(argv)
    if not args.without.exists():
        raise SystemExit(f"{args.without} saknas: kör först python -m evals.guidance_effect")

    from assistant.cli import _quiet_libraries
    from assistant.service import Assistant

    _quiet_libraries()
    questions = load_questions(DEFAULT_QUESTIONS)
    groups = {"rest": {q["id"] for q in rest_of_set(questions)},
              "guidance": {q["id"] for q in questions if q.get("source", "").startswith("guidance/")}}
    groups["later"] = {q["id"] for q in questions} - groups["rest"] - groups["guidance"]
    assistant = Assistant.open()
    plain = (assistant.retriever.dense, assistant.retriever.bm25)
    rows: dict[str, list] = {name: [] for name in groups}
    # guidance_effect evaluated the rest of the set alone: its report's metrics are the rest's figures
    rows["rest"].append(("without the guidance", figures_of(json.loads(args.without.read_text())["metrics"])))
    for pair in args.pairs.split(","):
        offset, factor = map(float, pair.split(":"))
        assistant.retriever.dense, assistant.retriever.bm25 = plain
        with_prior(assistant.retriever, offset, factor)
        label = f"offset {offset:.2f}, factor {factor:.2f}"
        for name, ids in groups.items():
            rows[name].append((label, figures(assistant, questions, ids)))
        print(f"measured {label}", file=sys.stderr, flush=True)
    print_table(f"The rest of the set ({len(groups['rest'])} questions, the first row without the guidance texts):", rows["rest"])
    print_table(f"Questions answered from the guidance texts ({len(groups['guidance'])}):", rows["guidance"])
    print_table(f"Later questions on the other documents and out of scope ({len(groups['later'])}):", rows["later"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
