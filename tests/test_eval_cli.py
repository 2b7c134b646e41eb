"""`longdoc eval` and `longdoc report` from the command line: bad input is one line, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", *args],
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture
def qfile(tmp_path):
    (tmp_path / "a.txt").write_text("Ada Quill kept the lighthouse.")
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "x:1", "dataset": "x", "question": "Who kept it?",
                                "answers": ["Ada Quill"], "doc_path": "a.txt"}) + "\n"
                    + "{broken\n")
    return path


def _error(result, text):
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:")
    assert text in result.stderr


def test_unknown_dataset(qfile, tmp_path):
    result = _cli("eval", str(qfile), "--out", str(tmp_path / "run"), "--datasets", "nope")
    _error(result, "unknown dataset(s) nope")
    assert "q.jsonl:2: malformed JSON" in result.stderr  # reported with its line number


def test_out_folder_of_another_run(qfile, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"settings": {"ctx": 4096}}))
    _error(_cli("eval", str(qfile), "--out", str(out), "--ctx", "2048", "-p", "none"),
           "holds a run made with other settings")


def test_bad_chunking(qfile, tmp_path):
    _error(_cli("eval", str(qfile), "--out", str(tmp_path / "run"), "--chunk-size", "8"),
           "chunk size must be at least 16 tokens")
    _error(_cli("eval", str(qfile), "--out", str(tmp_path / "run"), "--chunk-size", "100",
                "--chunk-overlap", "80"), "chunk overlap must be between 0 and half")
    assert not (tmp_path / "run").exists()


def test_report_on_a_folder_that_is_no_run(tmp_path):
    _error(_cli("report", str(tmp_path)), "is not an evaluation run")


@pytest.mark.model
def test_eval_end_to_end_and_report(qfile, tmp_path, cli_env):
    out = tmp_path / "run"
    result = _cli("eval", str(qfile), "--out", str(out), "--ctx", "2048", "-p", "none,full",
                  "--chunk-size", "64", "--chunk-overlap", "16", env=cli_env)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["pipeline"] for r in rows} == {"none", "full"}
    full = next(r for r in rows if r["pipeline"] == "full")
    assert "Ada Quill" in full["answer"] and full["score"] > 0.3
    settings = json.loads((out / "run.json").read_text())["settings"]
    # the default model's own defaults, recorded
    assert settings["full_focus_tokens"] == 768 and settings["coa_sentences"] == 5
    assert json.loads((out / "library" / "manifest.json").read_text())["chunk_size"] == 64
    assert (out / "report.md").exists() and (out / "score_vs_tokens.png").exists()
    again = _cli("eval", str(qfile), "--out", str(out), "--ctx", "2048", "-p", "none,full",
                 "--chunk-size", "64", "--chunk-overlap", "16", env=cli_env)
    assert "2 answers already in" in again.stderr
    assert len((out / "results.jsonl").read_text().splitlines()) == 2
    import shutil

    shutil.copytree(out, tmp_path / "run-copy")
    report = _cli("report", str(out), str(tmp_path / "run-copy"))
    assert report.returncode == 0 and "Runs compared" in report.stdout


def test_outside_documents_and_wrong_types_are_skipped_lines(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("the secret")
    base = tmp_path / "set"
    base.mkdir()
    (base / "a.txt").write_text("inside")
    rows = [{"question": "What?", "answer": "x", "document": "../outside/secret.txt"},
            {"question": "What?", "answer": True, "document": "../outside/secret.txt"},
            {"question": "What?", "answer": "x", "answer_type": ["free_text"],
             "document": "a.txt"},
            {"question": "What?", "answer": "x", "document": str(tmp_path / "outside")}]
    path = base / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = _cli("eval", str(path), "--out", str(tmp_path / "run"))
    _error(result, "no question to run")
    assert "q.jsonl:1: document ../outside/secret.txt lies outside" in result.stderr
    assert "q.jsonl:2: an answer must be text, not bool" in result.stderr
    assert "q.jsonl:3: unknown answer type" in result.stderr
    assert "q.jsonl:4: document /" in result.stderr  # an absolute path is refused too
