"""The guidance-effect comparison (issue #10): the right questions, the right corpus copy, a real run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT


def test_the_rest_of_the_set_is_the_158_questions_from_before_the_guidance_texts():
    from evals.guidance_effect import rest_of_set
    from evals.runner import DEFAULT_QUESTIONS

    questions = [json.loads(line) for line in DEFAULT_QUESTIONS.read_text().splitlines() if line.strip()]
    rest = rest_of_set(questions)
    assert len(rest) == 158
    assert not any(q["source"].startswith("guidance/") for q in rest)
    assert {"q007", "q216"} <= {q["id"] for q in rest}
    assert not {"q257", "q286", "q290"} & {q["id"] for q in rest}  # member probes written later


def test_the_copy_of_the_corpus_leaves_out_only_the_guidance_folder(tmp_path):
    from evals.guidance_effect import corpus_without_guidance

    corpus = tmp_path / "corpus"
    (corpus / "guidance").mkdir(parents=True)
    (corpus / "guidance" / "lss-i-korthet.md").write_text("# LSS i korthet\n")
    (corpus / "sources.yaml").write_text("a.txt:\n  title: A\n")
    (corpus / "a.txt").write_text("Text.\n")
    copy = corpus_without_guidance(corpus, tmp_path / "copy")
    assert sorted(p.name for p in copy.iterdir()) == ["a.txt", "sources.yaml"]
    assert (corpus / "guidance" / "lss-i-korthet.md").exists()


def test_rank_changes_name_the_questions_whose_evidence_moves_and_a_lost_rank_counts_as_lower():
    from evals.guidance_effect import rank_changes, wrong_on_one_side

    without = {"q001": {"dense": 1}, "q007": {"dense": 3}, "q027": {"dense": 2}, "q051": {"dense": 4}}
    with_ = {"q001": {"dense": 1}, "q007": {"dense": 6}, "q027": {"dense": 1}, "q051": {"dense": None}}
    lower, higher = rank_changes(without, with_, "dense")
    assert lower == [("q007", 3, 6), ("q051", 4, None)]
    assert higher == [("q027", 2, 1)]
    only_with, only_without = wrong_on_one_side({"failures": [{"id": "q007"}, {"id": "q022"}]},
                                                {"failures": [{"id": "q007"}, {"id": "q144"}]})
    assert (only_with, only_without) == (["q144"], ["q022"])


@pytest.mark.slow
def test_the_comparison_runs_both_sides_and_prints_every_figure(tmp_path, e5_model_dir):
    env = dict(os.environ, HF_HUB_OFFLINE="1", LSS_DATA_DIR=str(tmp_path / "data"),
               LSS_MODEL_DIR=str(e5_model_dir.parent))
    env.pop("LSS_CORPUS_DIR", None)
    result = subprocess.run([sys.executable, "-m", "evals.guidance_effect", "--out", str(tmp_path / "effect")],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "158 questions not written for the guidance texts" in result.stdout
    for figure in ("hybrid_mrr@10", "answer_correctness", "dense_mrr@10"):
        assert figure in result.stdout
    without = json.loads((tmp_path / "effect" / "without" / "latest.json").read_text())["metrics"]
    with_ = json.loads((tmp_path / "effect" / "with" / "latest.json").read_text())["metrics"]
    assert without["questions"] == with_["questions"] == 158
    # and the questions behind the figures: every retriever's rank changes, and one-sided wrong answers
    for mode in ("dense", "bm25", "rrf", "hybrid"):
        assert f"  {mode:6s} lower (" in result.stdout
    assert "Answered wrongly only with the guidance:" in result.stdout
    ranks = json.loads((tmp_path / "effect" / "with" / "latest.json").read_text())["retrieval_ranks"]
    assert set(ranks["q007"]) == {"dense", "bm25", "rrf", "hybrid"}


def test_the_prior_lowers_only_the_guidance_passages_and_keeps_the_list_length():
    from types import SimpleNamespace

    from evals.guidance_prior import with_prior

    kinds = {"g1": "vägledning", "d1": "", "d2": "protokoll"}
    retriever = SimpleNamespace(
        by_id={pid: SimpleNamespace(kind=kind) for pid, kind in kinds.items()},
        dense=lambda vec, n: [("g1", 0.90), ("d1", 0.88), ("d2", 0.80)][:n],
        bm25=lambda query, n: [("g1", 10.0), ("d2", 9.0), ("d1", 1.0)][:n],
    )
    with_prior(retriever, 0.04, 0.8)
    assert retriever.dense(None, 2) == [("d1", 0.88), ("g1", pytest.approx(0.86))]
    assert [pid for pid, _ in retriever.bm25("q", 3)] == ["d2", "g1", "d1"]


def test_a_figure_with_no_question_to_measure_it_on_is_undefined():
    from evals.guidance_prior import with_undefined

    values = {"dense MRR": 0.5, "hybrid hit@3": 1.0, "correct": 0.9, "citations": 0.8, "declines": 0.0,
              "false declines": 0.0}
    counts = {"answerable": 10, "answered": 9, "must_decline": 0}
    assert with_undefined(values, counts, ranked=True)["declines"] is None
    assert with_undefined(values, counts, ranked=True)["correct"] == 0.9
    assert with_undefined(values, dict(counts, answerable=0, answered=0), ranked=False)["dense MRR"] is None
