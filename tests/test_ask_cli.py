"""`longdoc ask` and `longdoc models` from the command line: bad input gets one line and exit
code 2; a damaged state cache is rebuilt; --json gives the Answer record."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _ask(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", "ask", *args],
                          capture_output=True, text=True, timeout=600, env=env)


def _one_line_error(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr  # one line, last
    assert text in errors[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_empty_question(tmp_path):
    _one_line_error(_ask("  ", "--index", str(tmp_path)), "the question is empty")


def test_nothing_ingested(tmp_path):
    _one_line_error(_ask("What?", "--index", str(tmp_path / "none")), "nothing ingested yet")


def test_unknown_document(lighthouse_library):
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "--doc", "nope.pdf"),
                    "no indexed document matches 'nope.pdf'")


def test_unknown_pipeline(lighthouse_library):
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "-p", "magic"),
                    "unknown pipeline 'magic'")


def test_negative_full_focus(lighthouse_library):
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "-p", "full",
                         "--full-focus", "-5"), "--full-focus must be 0 or more (got -5)")


def test_model_path_missing(lighthouse_library, tmp_path):
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "--model",
                         str(tmp_path / "missing.gguf")), "not found")


def test_model_not_a_gguf(lighthouse_library, tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_text("definitely not a model")
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "--model", str(fake)),
                    "is not a GGUF model file")


@pytest.mark.model
def test_model_truncated(lighthouse_library, model_ref, tmp_path):
    cut = tmp_path / "cut.gguf"
    with open(model_ref.path, "rb") as src:
        cut.write_bytes(src.read(4 << 20))
    _one_line_error(_ask("What?", "--index", str(lighthouse_library.root), "--model", str(cut)),
                    "not a valid GGUF file or truncated")


@pytest.mark.model
def test_context_too_large_to_allocate(lighthouse_library, cli_env):
    _one_line_error(_ask("Who?", "--index", str(lighthouse_library.root), "-p", "full",
                         "--ctx", "10000000", env=cli_env),
                    "cannot allocate a context of 10,000,000 tokens")


@pytest.mark.model
def test_context_smaller_than_prompt_overhead(lighthouse_library, cli_env):
    _one_line_error(_ask("Who was the first keeper?", "--index", str(lighthouse_library.root),
                         "-p", "full", "--ctx", "300", env=cli_env),
                    "context size 300 is too small")


@pytest.mark.model
def test_damaged_state_cache_is_rebuilt_and_json_answer(lighthouse_library, cli_env):
    from pathlib import Path

    args = ("Who was the first keeper of the lighthouse?", "--index",
            str(lighthouse_library.root), "-p", "full", "--ctx", "2048", "--json",
            "--full-focus", "0")  # only the document, whose state is the one reused
    first = _ask(*args, env=cli_env)
    assert first.returncode == 0, first.stderr
    states = Path(cli_env["XDG_CACHE_HOME"]) / "longdoc" / "states"
    files = list(states.glob("*.kv"))
    assert len(files) == 1
    files[0].write_bytes(b"\x00" * files[0].stat().st_size)  # damaged on disk
    second = _ask(*args, env=cli_env)
    assert second.returncode == 0, second.stderr
    answer = json.loads(second.stdout)
    assert "Ada Quill" in answer["text"]
    assert answer["pipeline"] == "full" and answer["usage"]["calls"] == 1
    assert answer["usage"]["reused_tokens"] < 100  # the damaged state was not used
    assert answer["citations"][0]["page_start"] == 1
    third = json.loads(_ask(*args, env=cli_env).stdout)  # the rebuilt state serves now
    assert third["usage"]["reused_tokens"] > 0.8 * third["usage"]["prompt_tokens"]


@pytest.mark.model
def test_models_lists_the_default_model(model_ref, cli_env):
    result = subprocess.run([sys.executable, "-m", "longdoc.cli.main", "models", "--json"],
                            capture_output=True, text=True, timeout=120, env=cli_env)
    assert result.returncode == 0, result.stderr
    known = {m["name"]: m for m in json.loads(result.stdout)["known"]}
    default = known["qwen2.5-coder-0.5b"]
    assert default["default"] and default["assembled"] and default["context"] == 32768
    assert default["sha256"] == model_ref.model_id
    # its own, from the dev runs
    assert default["defaults"] == {"full_focus_tokens": 768, "coa_sentences": 5,
                                   "question_first": "rag", "auto_fallback": "full"}
    assert known["qwen2.5-coder-1.5b"]["defaults"] == {"full_focus_tokens": 0,
                                                       "coa_sentences": 2,
                                                       "question_first": "none",
                                                       "auto_fallback": "coa"}
