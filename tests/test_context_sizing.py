"""The context is sized to the work: what the longest prompt of the command needs, not the whole
trained window; a KV state saved under one context size serves a command with another."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from longdoc.cli import runtime
from longdoc.cli.main import app
from longdoc.llm.settings import SIZED_CTX_MIN, SIZED_CTX_STEP, ModelSettings, sized_context
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import PIPELINES, get_pipeline

from fakes import ScriptedLLM

runner = CliRunner()


def test_sized_context_rounds_up_and_stays_within_the_largest():
    assert sized_context(10, 32768) == SIZED_CTX_MIN
    assert sized_context(SIZED_CTX_MIN + 1, 32768) == SIZED_CTX_MIN + SIZED_CTX_STEP
    assert sized_context(100_000, 32768) == 32768


def test_each_pipeline_needs_room_for_what_it_reads():
    options = PipelineOptions().for_model(None)  # a model without its own defaults
    small, large = 1_000, 50_000
    none = get_pipeline("none").window_needed(large, options)
    full_small = get_pipeline("full").window_needed(small, options)
    assert none < full_small < get_pipeline("full").window_needed(large, options)
    assert full_small > small + options.answer_tokens  # the whole text, the answer, the prompt
    rag = get_pipeline("rag").window_needed(large, options)
    assert options.rag_tokens < rag < full_small + options.rag_tokens
    # coa reads one segment at a time, whatever the document's length
    assert get_pipeline("coa").window_needed(large, options) < large // 4
    auto = get_pipeline("auto").window_needed(small, options)
    assert auto == max(get_pipeline(n).window_needed(small, options)
                       for n in ("rag", "full", "tree", "coa"))


@pytest.fixture
def needs(monkeypatch):
    """Load no model: record what each command says it needs."""
    seen: list[int | None] = []

    def fake_backend(settings: ModelSettings, needed: int | None = None):
        seen.append(needed)
        ctx = settings.ctx or sized_context(needed or 0, 32768)
        return ScriptedLLM("Royal McBee", context_size=ctx)

    monkeypatch.setattr(runtime, "load_backend", fake_backend)
    return seen


def test_ask_and_compare_size_the_context_to_the_pipelines(needs, sample_library):
    base = ["Who employed Mel?", "--index", str(sample_library.root), "--json",
            "--state-cache-mb", "0"]
    for name in ("none", "full"):
        result = runner.invoke(app, ["ask", *base, "-p", name])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["compare", *base, "--pipelines", "none,full,rag"])
    assert result.exit_code == 0, result.output
    closed, full, compared = needs
    tokens = sum(d.tokens for d in sample_library.documents())
    assert closed < 2048 and full > tokens and compared == full


@pytest.mark.model
def test_a_state_saved_under_one_context_serves_another(lighthouse_library, model_ref,
                                                        tmp_path):
    """The next command (a new process, a different context size) reuses the document's
    KV state that the first one saved."""
    cache = tmp_path / "cache"
    (cache / "longdoc").mkdir(parents=True)
    (cache / "longdoc" / "models").symlink_to(model_ref.path.parent, target_is_directory=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "LONGDOC_INDEX": ""}
    args = [sys.executable, "-m", "longdoc.cli.main", "ask", "Who was the first keeper?",
            "--index", str(lighthouse_library.root), "-p", "full", "--max-tokens", "16",
            "--full-focus", "0"]  # only the document: its state is what is reused
    first = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    assert first.returncode == 0, first.stderr
    assert "context 2,048 tokens" in first.stderr  # sized to a short document, not 32k
    second = subprocess.run(args + ["--ctx", "4096", "--json"], capture_output=True,
                            text=True, timeout=600, env=env)
    assert second.returncode == 0, second.stderr
    usage = json.loads(second.stdout)["usage"]
    assert usage["reused_tokens"] > 0.8 * usage["prompt_tokens"]


def test_every_pipeline_says_what_it_needs():
    for name in PIPELINES:
        assert get_pipeline(name).window_needed(3000, PipelineOptions().for_model(None)) > 0


def test_gguf_metadata_is_read_once_and_again_when_the_file_changes(tmp_path, monkeypatch,
                                                                   model_ref):
    from longdoc.llm import gguf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = gguf.read_metadata(model_ref.path)
    assert first["general.architecture"] == "qwen2"

    def no_probe(path):
        raise AssertionError("the kept metadata should have been used")

    monkeypatch.setattr(gguf, "_probe_metadata", no_probe)
    assert gguf.read_metadata(model_ref.path) == first
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")  # another file is read from itself, not from what was kept
    with pytest.raises(AssertionError):
        gguf.read_metadata(other)
    kept = list((tmp_path / "cache" / "longdoc" / "gguf-metadata").iterdir())
    kept[0].write_text("{damaged")
    with pytest.raises(AssertionError):  # a damaged copy is read again, never trusted
        gguf.read_metadata(model_ref.path)
