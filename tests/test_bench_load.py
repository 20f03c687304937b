"""bench/load.py: the loopback-only guard, and a short real run against `python app.py` (the CI run)."""

from __future__ import annotations

import dataclasses
import http.server
import json
import subprocess
import sys
import threading

import pytest

import web_helpers

LOAD = web_helpers.ROOT / "bench" / "load.py"


def run_load(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(LOAD), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "url",
    ["http://example.com:7860", "http://10.0.0.1:7860", "http://127.0.0.2:7860", "ftp://127.0.0.1/", "http://127.0.0.1:7860/api/ask"],
)
def test_only_this_machine_may_be_loaded(url):
    result = run_load("--url", url, "--duration", "1", timeout=30)
    assert result.returncode == 2 and "error:" in result.stderr


def test_a_server_that_is_not_there_is_an_error():
    result = run_load("--url", f"http://127.0.0.1:{web_helpers.free_port()}", "--duration", "1", timeout=30)
    assert result.returncode == 2 and "does not answer" in result.stderr


@pytest.mark.slow
def test_short_load_run_against_the_app(built_index, tmp_path):
    settings = dataclasses.replace(built_index, feedback_db=tmp_path / "feedback.sqlite", rate_limit=0)
    with web_helpers.AppServer(settings, web_helpers.ARTIFACTS / "bench" / "load-server.log") as srv:
        result = run_load("--url", srv.base, "--clients", "4", "--duration", "5", "--json")
        assert srv.alive
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert figures["errors"] == 0 and figures["ok"] >= 4
    assert figures["requests"] == figures["ok"]
    assert figures["throughput_rps"] > 0
    lat = figures["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]


class _FakeApp(http.server.BaseHTTPRequestHandler):
    """Ready, but refuses every question like the app's rate limit does."""

    def do_GET(self):
        self._send(200, {"ready": True})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._send(429, {"error": {"code": "rate_limited", "message": "Vänta."}}, {"Retry-After": "30"})

    def _send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(data)), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_errors_fail_the_run_and_the_request_count_is_bounded():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        result = run_load("--url", base, "--clients", "3", "--duration", "30", "--max-requests", "7", "--json", timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert figures["requests"] == 7 and figures["errors"] == 7 and figures["ok"] == 0
    assert figures["error_kinds"] == {"HTTP 429 rate_limited": 7}
    assert figures["seconds"] < 20  # stopped by the request budget, not the clock
    assert "LSS_RATE_LIMIT=0" in result.stderr
