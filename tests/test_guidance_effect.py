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
