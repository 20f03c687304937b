"""The command line, run as a real subprocess from another working directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.index import LexicalIndex, index_exists

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = PROJECT_ROOT / "corpus"
CLI = Path(sys.executable).parent / "lss-assistant"
CONTRACT_KEYS = {"question", "answer", "answered", "reply_kind", "mode", "citations", "passages", "timings_ms"}


def cli_env(settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LSS_CORPUS_DIR=str(settings.corpus_dir),
        LSS_DATA_DIR=str(settings.data_dir),
        LSS_MODEL_DIR=str(settings.models_dir),
        LSS_EMBED_CACHE=str(settings.embedding_cache),
    )
    return env


def run(args, env, cwd, timeout=300) -> subprocess.CompletedProcess:
    assert CLI.is_file(), f"{CLI} is missing: is the package installed in the venv (pip install -e .)?"
    return subprocess.run([str(CLI), *args], env=env, cwd=str(cwd), capture_output=True, text=True, timeout=timeout)


def single_json(stdout: str):
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def test_ask_json_prints_one_contract_object(built_index, assistant, tmp_path):
    question = "Hur många stödpedagoger finns i Hallstahammar?"
    proc = run(["ask", question, "--json"], cli_env(built_index), tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = single_json(proc.stdout)
    assert set(data) == CONTRACT_KEYS
    assert data["question"] == question and data["answered"] is True and "27" in data["answer"]
    assert data["citations"] and all(c["quote"] in c["text"] for c in data["citations"])
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}
    # the same answer as the library gives in this process
    expected = assistant.ask(question)
    assert data["answer"] == expected.answer
    assert [c["passage_id"] for c in data["citations"]] == [c.passage.passage_id for c in expected.citations]
    assert not list(tmp_path.iterdir())  # nothing written to the working directory


def test_ask_with_history_file(built_index, tmp_path):
    history = tmp_path / "historik.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "Vilka ska kommunen rapportera ej verkställda beslut till?"},
                {"role": "assistant", "content": "..."},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    proc = run(["ask", "Hur ofta?", "--history", str(history), "--json"], cli_env(built_index), tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = single_json(proc.stdout)
    assert set(data) == CONTRACT_KEYS
    assert data["question"] == "Hur ofta?"
    assert data["answered"] is True and "kvartal" in data["answer"].lower(), data["answer"]


def test_ask_with_invalid_history_reports_the_error_as_json(built_index, tmp_path):
    history = tmp_path / "fel.json"
    history.write_text(json.dumps({"role": "user", "content": "hej"}), encoding="utf-8")
    proc = run(["ask", "Hur ofta?", "--history", str(history), "--json"], cli_env(built_index), tmp_path)
    assert proc.returncode == 2
    data = single_json(proc.stdout)
    assert data["error"]["code"] == "history_invalid" and "historik" in data["error"]["message"]


def test_retrieve_json_prints_k_passages(built_index, tmp_path):
    proc = run(["retrieve", "Hur många stödpedagoger finns i Mjölby?", "--k", "3", "--json"], cli_env(built_index), tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = single_json(proc.stdout)
    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        assert set(row) == {"passage_id", "source", "title", "text", "score"}
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert any("8 stödpedagoger" in r["text"] for r in rows)


def test_ask_without_an_index_says_to_run_ingest(built_index, tmp_path):
    env = cli_env(built_index)
    empty = tmp_path / "tom-data"
    empty.mkdir()
    env["LSS_DATA_DIR"] = str(empty)
    proc = run(["ask", "Vad är en kontaktperson?", "--json"], env, tmp_path)
    assert proc.returncode != 0
    assert "lss-assistant ingest" in proc.stderr
    assert "inte byggt" in proc.stderr  # Swedish: "Sökindexet är inte byggt ännu"
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip() == ""


def test_ingest_py_from_the_repo_root_against_tmp_dirs(built_index, settings_for, tmp_path):
    # two real seeds with their metadata; their vectors are already in the shared cache
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    chosen = ["mfd-filmer-kontaktperson.txt", "norberg-interpellationssvar-lss-2021.md"]
    for name in chosen:
        shutil.copyfile(REAL_CORPUS / name, corpus / name)
    sources = yaml.safe_load((REAL_CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    (corpus / "sources.yaml").write_text(yaml.safe_dump({k: sources[k] for k in chosen}, allow_unicode=True), encoding="utf-8")
    settings = settings_for(corpus, tmp_path / "data")
    assert not index_exists(settings)
    project_data_existed = (PROJECT_ROOT / "data").exists()

    env = cli_env(settings)
    proc = subprocess.run(
        [sys.executable, "ingest.py", "--quiet"], env=env, cwd=str(PROJECT_ROOT), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert "Dokument: 2" in proc.stdout
    assert index_exists(settings)
    sources_in_index = {p.source for p in LexicalIndex.load(settings.lexical_dir).passages}
    assert sources_in_index == set(chosen)
    assert (PROJECT_ROOT / "data").exists() == project_data_existed  # the repo's data/ is never touched

    # a second run is a no-op
    again = subprocess.run(
        [sys.executable, "ingest.py", "--quiet"], env=env, cwd=str(PROJECT_ROOT), capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    assert "Nya: 0" in again.stdout and "Inbäddade texter: 0" in again.stdout and "borttagna: 0" in again.stdout


def test_ingest_of_a_missing_corpus_fails_in_swedish(tmp_path):
    env = dict(os.environ)
    env.update(LSS_CORPUS_DIR=str(tmp_path / "finns-inte"), LSS_DATA_DIR=str(tmp_path / "data"))
    proc = run(["ingest", "--quiet"], env, tmp_path)
    assert proc.returncode == 2
    assert "Korpusmappen" in proc.stderr and "finns inte" in proc.stderr
