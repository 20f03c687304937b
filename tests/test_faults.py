"""Faults with real processes: a real `chroma run` server, `python ingest.py` and `python app.py`.

- The Chroma server killed (SIGKILL) while the app runs: questions get 503 store_unavailable
  with a Swedish message, /api/health is 503, the app stays up and answers again once the
  server is back on the same path and port. A hung server (SIGSTOP) fails fast, not forever.
- A second replica with an EMPTY data directory on the same server answers the same question
  (its BM25 index is rebuilt from the store), and picks up a document another replica added
  through POST /api/admin/upload (+ reindex).
- `python ingest.py` killed with SIGKILL during the embedding: the next ingest completes and
  the store holds every passage exactly once (no orphans), embedded and on a server.
- Broken files in the corpus are reported by name by the CLI and skipped; the rest is ingested.
"""

from __future__ import annotations

import dataclasses
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

import web_helpers
from assistant.config import Settings
from assistant.index import LexicalIndex, chroma_client, read_manifest, record_manager
from assistant.load import load_corpus
from assistant.split import split_documents

pytestmark = pytest.mark.slow

ROOT = web_helpers.ROOT
LOGS = web_helpers.ARTIFACTS / "faults"
QUESTION = "Till vem ska kommunen rapportera beslut som inte har verkställts?"
TOKEN = "faults-admin-token-" + uuid.uuid4().hex


def ask(base: str, question: str = QUESTION, timeout: float = 60.0) -> httpx.Response:
    return httpx.post(base + "/api/ask", json={"question": question}, timeout=timeout)


def expected_ids(settings: Settings) -> list[str]:
    docs = load_corpus(settings.corpus_dir).documents
    return sorted(p.passage_id for p in split_documents(docs, settings.chunk_size, settings.chunk_overlap))


def store_ids(settings: Settings) -> list[str]:
    collection = chroma_client(settings).get_collection(settings.collection)
    ids = collection.get(include=[])["ids"]
    assert collection.count() == len(ids)
    return sorted(ids)


def run_ingest(settings: Settings, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "ingest.py"), *args],
        cwd=ROOT,
        env=web_helpers.subprocess_env(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    return last


# --- One Chroma server, the real corpus ingested into it, app A on it ---


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    with web_helpers.ChromaServer(tmp_path_factory.mktemp("chroma-server"), LOGS / "chroma.log") as server:
        yield server


@pytest.fixture(scope="module")
def settings_a(built_index, chroma, tmp_path_factory) -> Settings:
    """Replica A: its own copy of the corpus (uploads go there), its own data dir, the server."""
    root = tmp_path_factory.mktemp("replica-a")
    shutil.copytree(built_index.corpus_dir, root / "corpus")
    settings = dataclasses.replace(
        built_index,
        corpus_dir=root / "corpus",
        data_dir=root / "data",
        feedback_db=root / "feedback.sqlite",
        chroma_url=chroma.url,
        chroma_timeout=3.0,
        rate_limit=0,
        admin_token=TOKEN,
    )
    result = run_ingest(settings, "--quiet")  # LSS_CHROMA_URL reaches the CLI through the environment
    assert result.returncode == 0, result.stderr
    assert not (settings.data_dir / "chroma").exists(), "ingest wrote an embedded store instead of the server"
    assert store_ids(settings) == expected_ids(settings)
    return settings


@pytest.fixture(scope="module")
def app_a(settings_a):
    with web_helpers.AppServer(settings_a, LOGS / "app-a.log") as srv:
        yield srv


@pytest.fixture
def chroma_up(chroma):
    """Every test starts and ends with the server running and answering."""
    chroma.ensure_running()
    yield chroma
    chroma.ensure_running()


def citation_ids(resp: httpx.Response) -> list[str]:
    return [c["passage_id"] for c in resp.json()["citations"]]


def assert_store_unavailable(resp: httpx.Response) -> None:
    assert resp.status_code == 503, resp.text
    error = resp.json()["error"]
    assert error["code"] == "store_unavailable"
    assert "tillfälligt otillgänglig" in error["message"] and "Traceback" not in error["message"]
    assert resp.headers.get("retry-after")


def test_server_killed_then_restarted(app_a, chroma_up):
    chroma = chroma_up
    first = ask(app_a.base)
    assert first.status_code == 200, first.text
    assert first.json()["answered"] and first.json()["citations"]

    chroma.kill()
    started = time.monotonic()
    assert_store_unavailable(ask(app_a.base))
    resp = httpx.post(app_a.base + "/api/ask/stream", json={"question": QUESTION}, timeout=30)
    assert_store_unavailable(resp)
    health = httpx.get(app_a.base + "/api/health", timeout=30)
    assert health.status_code == 503 and health.json()["store"] == "unavailable"
    assert time.monotonic() - started < 20, "the failures must be quick"
    assert app_a.alive, "the app process died with the store"
    # The page itself is still served.
    assert httpx.get(app_a.base + "/widget.js", timeout=10).status_code == 200

    chroma.start()  # same path, same port
    again = wait_for(lambda: (r := ask(app_a.base)).status_code == 200 and r, timeout=30)
    assert again, "no answer after the server came back"
    assert citation_ids(again) == citation_ids(first)
    assert httpx.get(app_a.base + "/api/health", timeout=10).status_code == 200


def test_hung_server_fails_within_the_timeout(app_a, chroma_up):
    chroma = chroma_up
    assert ask(app_a.base).status_code == 200
    chroma.pause()
    try:
        t0 = time.monotonic()
        assert_store_unavailable(ask(app_a.base))
        assert time.monotonic() - t0 < app_a.settings.chroma_timeout + 5
        t0 = time.monotonic()
        assert httpx.get(app_a.base + "/api/health", timeout=30).status_code == 503
        assert time.monotonic() - t0 < app_a.settings.chroma_timeout + 5
    finally:
        chroma.resume()
    assert wait_for(lambda: ask(app_a.base).status_code == 200, timeout=30)
    assert app_a.alive


# --- A second replica with nothing local ---


@pytest.fixture(scope="module")
def app_b(settings_a, app_a, tmp_path_factory):
    root = tmp_path_factory.mktemp("replica-b")
    (root / "corpus").mkdir()  # nothing to ingest: everything must come from the store
    settings = dataclasses.replace(
        settings_a,
        corpus_dir=root / "corpus",
        data_dir=root / "data",
        feedback_db=root / "feedback.sqlite",
        store_sync_seconds=1.0,
        admin_token="",
    )
    with web_helpers.AppServer(settings, LOGS / "app-b.log") as srv:
        yield srv


def test_replica_with_empty_data_dir_answers_from_the_store(app_a, app_b, settings_a, chroma_up):
    a, b = ask(app_a.base), ask(app_b.base)
    assert a.status_code == b.status_code == 200, b.text
    assert b.json()["answered"]
    assert citation_ids(b) == citation_ids(a)
    assert [c["quote"] for c in b.json()["citations"]] == [c["quote"] for c in a.json()["citations"]]
    # The BM25 index was rebuilt locally from the store's metadata, identical to A's.
    manifest_b = read_manifest(app_b.settings)
    assert manifest_b and manifest_b["fingerprint"] == read_manifest(settings_a)["fingerprint"]
    passages_a = LexicalIndex.load(settings_a.lexical_dir).passages
    passages_b = LexicalIndex.load(app_b.settings.lexical_dir).passages
    assert sorted(passages_b, key=lambda p: p.passage_id) == sorted(passages_a, key=lambda p: p.passage_id)
    assert not (app_b.settings.data_dir / "chroma").exists()
    # Without LSS_ADMIN_TOKEN the admin routes do not exist.
    assert httpx.post(app_b.base + "/api/admin/reindex", timeout=10).status_code == 404
    assert httpx.get(app_b.base + "/admin", timeout=10).status_code == 404


def place_name() -> str:
    """A made-up Swedish-looking place name, new in every run (so no cached answer can help)."""
    rng = random.Random()
    return "".join(rng.choice("bdfgklmnprstv") + rng.choice("aeiou") for _ in range(3)).capitalize() + "by"


def test_upload_and_reindex_on_one_replica_reach_the_other(app_a, app_b, chroma_up):
    place = place_name()
    text = (
        f"Ledsagarservice i {place}\n\n"
        f"I {place} får personer med beslut om ledsagarservice högst 22 timmar ledsagning per månad. "
        "Ledsagaren följer med till fritidsaktiviteter, kulturevenemang och besök hos vänner.\n"
    )
    question = f"Hur många timmar ledsagning per månad får man i {place}?"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    resp = httpx.post(
        app_a.base + "/api/admin/upload",
        headers=auth,
        files={"file": (f"Ledsagning {place}.txt", text.encode("utf-8"), "text/plain")},
        data={"title": f"Ledsagarservice i {place}", "kommun": place, "date": "2024-05", "reindex": "1"},
        timeout=300,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    name = f"ledsagning-{place.lower()}.txt"
    assert body["stored"] == name and (app_a.settings.corpus_dir / name).is_file()
    assert body["reindex"]["added"] >= 1 and body["reindex"]["deleted"] == 0
    assert body["reindex"]["problems"] == []

    on_a = ask(app_a.base, question)
    assert on_a.status_code == 200 and on_a.json()["answered"], on_a.text
    assert on_a.json()["citations"][0]["source"] == name
    # B notices the new fingerprint on the store (LSS_STORE_SYNC_SECONDS=1) and reloads.
    time.sleep(1.2)
    on_b = wait_for(lambda: (r := ask(app_b.base, question)).json().get("citations") and r, timeout=30)
    assert on_b and on_b.json()["citations"][0]["source"] == name


# --- An ingest killed half-way ---


TOPICS = [
    ("kontaktperson", "En kontaktperson ger ett medmänskligt stöd i vardagen"),
    ("ledsagarservice", "Ledsagarservice gör det möjligt att delta i fritidsaktiviteter och kulturliv"),
    ("daglig verksamhet", "Daglig verksamhet ges till personer i yrkesverksam ålder som saknar förvärvsarbete"),
    ("korttidsvistelse", "Korttidsvistelse utanför det egna hemmet ger miljöombyte och avlösning för anhöriga"),
    ("avlösarservice", "Avlösarservice i hemmet ger föräldrar möjlighet att uträtta ärenden och få egen tid"),
    ("personlig assistans", "Personlig assistans är ett personligt utformat stöd som ges av ett begränsat antal personer"),
    ("bostad med särskild service", "Bostad med särskild service för vuxna kan vara en gruppbostad eller en servicebostad"),
    ("korttidstillsyn", "Korttidstillsyn för skolungdom över tolv år ges utanför det egna hemmet före och efter skoldagen"),
]


def generated_corpus(directory: Path, n: int, seed: int) -> Path:
    """``n`` Swedish documents, about 1,500 characters each, unique to this run (no cache hits)."""
    rng = random.Random(seed)
    tag = f"{seed:08x}"
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic, lead = TOPICS[i % len(TOPICS)]
        place = f"Testby{i:02d}"
        sentences = [f"# {topic.capitalize()} i {place} ({tag})", f"{lead}."]
        for _ in range(11):
            sentences.append(
                rng.choice(
                    [
                        f"Under {rng.randint(2015, 2025)} beviljade {place} kommun {rng.randint(3, 400)} personer {topic}.",
                        f"Handläggningstiden för {topic} var i genomsnitt {rng.randint(5, 120)} dagar i {place}.",
                        f"Nämnden i {place} följer upp insatsen {topic} var {rng.randint(2, 12)}:e månad.",
                        f"I {place} fanns {rng.randint(1, 60)} ej verkställda beslut om {topic} vid årets slut.",
                        f"Kostnaden för {topic} uppgick till {rng.randint(1, 90)} miljoner kronor i {place}.",
                        f"Brukarundersökningen i {place} visade att {rng.randint(40, 99)} procent var nöjda med {topic}.",
                    ]
                )
            )
        (directory / f"dok-{i:02d}-{tag}.md").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return directory


PROGRESS_RE = re.compile(r"Bäddar in passager:[^\r\n]*?(\d+)/(\d+)")


def ingest_killed_after(settings: Settings, min_done: int, log_path: Path, timeout: float = 300) -> tuple[int, int]:
    """Start `python ingest.py`, SIGKILL it once the progress bar shows >= min_done passages."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "ingest.py")],
        cwd=ROOT,
        env=web_helpers.subprocess_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = {"done": 0, "total": 0}
    buffer: list[str] = []

    def read() -> None:
        for chunk in iter(lambda: proc.stderr.read1(4096), b""):
            text = chunk.decode("utf-8", "replace")
            buffer.append(text)
            for m in PROGRESS_RE.finditer(text):
                seen["done"], seen["total"] = int(m.group(1)), int(m.group(2))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while seen["done"] < min_done:
            if proc.poll() is not None:
                raise AssertionError(f"ingest ended before it could be killed ({proc.returncode}): {''.join(buffer)[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("ingest made no progress in time")
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text("".join(buffer), encoding="utf-8")
    assert proc.returncode == -signal.SIGKILL
    return seen["done"], seen["total"]


@pytest.mark.parametrize("where", ["server", "embedded"])
def test_ingest_killed_halfway_then_completed(where, tmp_path, chroma_up, e5_model_dir, test_environment):
    from assistant.config import load_settings

    corpus = generated_corpus(tmp_path / "corpus", 40, seed=random.randrange(1 << 30))
    settings = dataclasses.replace(
        load_settings(),
        corpus_dir=corpus,
        data_dir=tmp_path / "data",
        collection=f"killed-{uuid.uuid4().hex[:8]}",
        chroma_url=chroma_up.url if where == "server" else "",
        precompute_windows=False,  # the passages are what is being tested; keep the run short
        embed_batch_size=4,
    )
    total_expected = len(expected_ids(settings))
    assert total_expected >= 76, total_expected

    # The indexing API embeds and stores 64 passages per batch: past 68, the first batch is stored
    # and recorded, and the second is being embedded.
    done, total = ingest_killed_after(settings, 68, LOGS / f"killed-ingest-{where}.log")
    assert total == total_expected and 68 <= done < total

    # Meanwhile a document is removed (its passages were stored by the killed run) ...
    removed = sorted(corpus.glob("dok-00-*.md"))[0]
    removed.unlink()
    # ... and on the server, a vector that no record knows (as if a run had been killed between
    # storing a batch and recording it) waits to be cleaned up.
    if where == "server":
        collection = chroma_client(settings).get_collection(settings.collection)
        partial = collection.count()
        assert 64 <= partial < total_expected
        collection.upsert(ids=["orphan-of-a-killed-run"], embeddings=[[0.01] * 384], metadatas=[{"source": "gone.md"}])

    result = run_ingest(settings, "--quiet")
    assert result.returncode == 0, result.stderr
    want = expected_ids(settings)
    assert len(want) < total_expected
    got = store_ids(settings)
    assert got == want, "the store must hold every passage exactly once"
    assert sorted(record_manager(settings).list_keys()) == want
    assert sorted(p.passage_id for p in LexicalIndex.load(settings.lexical_dir).passages) == want
    new = int(re.search(r"Nya: (\d+)", result.stdout).group(1))
    skipped = int(re.search(r"oförändrade: (\d+)", result.stdout).group(1))
    removed_count = total_expected - len(want)
    assert skipped >= 64 - removed_count, result.stdout  # the killed run's stored batch was kept, not redone
    assert new + skipped == len(want)
    # A third run has nothing to do.
    again = run_ingest(settings, "--quiet")
    assert again.returncode == 0 and "Nya: 0, uppdaterade: 0" in again.stdout and "borttagna: 0" in again.stdout


# --- Broken files through the CLI ---


def test_cli_ingest_reports_broken_files_by_name_and_ingests_the_rest(tmp_path, make_corpus, settings_for):
    tag = uuid.uuid4().hex[:8]
    corpus = make_corpus(
        tmp_path / "corpus",
        {
            "bra-dokument.md": f"# Kontaktperson i Felby {tag}\n\nEn kontaktperson i Felby träffar brukaren varje vecka.",
            "annat-bra.txt": f"Daglig verksamhet i Felby {tag}\n\nDaglig verksamhet i Felby har tolv platser.",
            "trasig.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf at all",
            "tom.txt": b"",
            "binar.txt": bytes(range(256)) * 8,
            "latin1.txt": "Åsa räknar öppna ärenden i Älvby.".encode("latin-1"),
        },
    )
    settings = settings_for(corpus, tmp_path / "data")
    result = run_ingest(settings, "--quiet")
    assert result.returncode == 0, result.stderr
    for name in ("trasig.pdf", "tom.txt", "binar.txt", "latin1.txt"):
        line = next((ln for ln in result.stdout.splitlines() if name in ln), "")
        assert line.startswith("Hoppade över"), result.stdout
    assert "UTF-8" in result.stdout and "binärdata" in result.stdout
    assert "Dokument: 2" in result.stdout
    assert store_ids(settings) == expected_ids(settings)
    sources = {p.source for p in LexicalIndex.load(settings.lexical_dir).passages}
    assert sources == {"bra-dokument.md", "annat-bra.txt"}
