"""A model server that is down, at a wrong URL, failing (HTTP 500), too slow, or serving another
model than a run recorded: one line, exit 2, and no result line in an evaluation."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from fake_server import fake_server

pytest.importorskip("httpx", reason="the model-server client needs httpx (pip install .[server])")


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "LONGDOC_INDEX": "", **env})


def _error(result, text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and text in lines[0], result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv-errors")
    (root / "a.txt").write_text("Ada Quill kept the lighthouse on Varn Island for 32 years.")
    result = _cli("ingest", str(root / "a.txt"), "--index", str(root / "index"))
    assert result.returncode == 0, result.stderr
    return root


def _ask(library, url: str, **env: str) -> subprocess.CompletedProcess:
    return _cli("ask", "Who kept the lighthouse?", "-p", "full", "--index",
                str(library / "index"), "--server", url, **env)


def test_server_down(library):
    _error(_ask(library, f"http://127.0.0.1:{_free_port()}"), "cannot reach the model server")


def test_wrong_url(library):
    with fake_server(mode="404") as url:
        _error(_ask(library, url + "/wrong"), "is not an OpenAI-compatible server")


def test_not_a_url(library):
    _error(_ask(library, "127.0.0.1:8000"), "is not an http:// or https:// URL")


def test_http_500(library):
    with fake_server(mode="500") as url:
        _error(_ask(library, url), "failed on /v1/chat/completions: HTTP 500")


def test_context_aware_decoding_needs_the_model_in_process(library):
    with fake_server(mode="500") as url:
        _error(_cli("ask", "Who kept the lighthouse?", "-p", "full", "--cad", "0.5", "--index",
                    str(library / "index"), "--server", url),
               "--cad needs the model in this process")


def test_timeout(library):
    with fake_server(mode="slow") as url:
        _error(_ask(library, url, LONGDOC_SERVER_TIMEOUT="1"), "did not answer")


def test_eval_stops_without_a_result_line_and_refuses_another_model(library, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x:1", "dataset": "x", "question": "Who kept it?",
                                     "answers": ["Ada Quill"],
                                     "doc_path": str(library / "a.txt")}) + "\n")
    run = tmp_path / "run"
    args = ("eval", str(questions), "--out", str(run), "-p", "full", "--allow-outside-docs")
    with fake_server("model-a", mode="500") as url:
        _error(_cli(*args, "--server", url), "HTTP 500")
    assert not (run / "results.jsonl").exists() or not (run / "results.jsonl").read_text()
    assert json.loads((run / "run.json").read_text())["settings"]["model_id"] == \
        "server:model-a"
    with fake_server("model-b", mode="500") as url:
        _error(_cli(*args, "--server", url), "holds a run made with other settings (model_id")
