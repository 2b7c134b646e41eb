"""Model and answer options are declared once and reach every command that loads a model."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from longdoc.cli import eval_cmd, runtime
from longdoc.cli.main import app
from longdoc.llm.model_store import ModelRef
from longdoc.llm.settings import ModelSettings

from fakes import ScriptedLLM

MODEL_FLAGS = ["--model", "--ctx", "--gpu-layers", "--threads", "--seed", "--temperature",
               "--state-cache-mb"]
runner = CliRunner()


def _flags(command: str) -> list[str]:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return re.findall(r"(--[a-z][a-z0-9-]*)", result.output)


@pytest.mark.parametrize("command", ["ask", "compare", "eval", "ingest"])
def test_every_model_command_lists_each_model_option_once(command):
    flags = _flags(command)
    for flag in MODEL_FLAGS:
        assert flags.count(flag) == 1, (command, flag)


def test_eval_has_distinct_sample_and_sampling_seeds():
    flags = _flags("eval")
    assert flags.count("--seed") == 1 and flags.count("--sample-seed") == 1


@pytest.fixture
def captured(monkeypatch):
    """Load no model: record the settings a command asks for and hand it a scripted LLM."""
    seen: list[ModelSettings] = []

    def fake_backend(settings: ModelSettings, needed: int | None = None):
        seen.append(settings)
        return ScriptedLLM("Royal McBee", context_size=settings.ctx or 4096)

    monkeypatch.setattr(runtime, "load_backend", fake_backend)
    return seen


@pytest.mark.parametrize("command", ["ask", "compare"])
def test_model_options_reach_the_loader(command, captured, sample_library):
    args = [command, "Who employed Mel?", "--index", str(sample_library.root), "--json",
            "--ctx", "3000", "--seed", "7", "--temperature", "0.5", "--threads", "1",
            "--state-cache-mb", "0", "--max-tokens", "20", "--no-flash-attn", "--n-batch",
            "256"]
    args += ["-p", "none"] if command == "ask" else ["--pipelines", "none"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert captured == [ModelSettings(None, 3000, None, 1, 7, 0.5, 0, flash_attn=False,
                                      n_batch=256)]


def test_eval_sample_seed_and_model_seed_go_to_their_places(captured, monkeypatch, tmp_path):
    monkeypatch.setattr(eval_cmd, "resolve_model",
                        lambda ref: ModelRef(tmp_path / "m.gguf", "model-id", "scripted"))
    lines = []
    for i in range(12):
        (tmp_path / f"d{i}.txt").write_text(f"Document {i} says the answer is {i}.")
        lines.append(json.dumps({"id": f"x:{i}", "dataset": "x", "question": f"Answer {i}?",
                                 "answers": [str(i)], "doc_path": f"d{i}.txt"}))
    (tmp_path / "q.jsonl").write_text("\n".join(lines) + "\n")

    def run(out: str, sample_seed: str) -> set[str]:
        result = runner.invoke(app, [
            "eval", str(tmp_path / "q.jsonl"), "--out", str(tmp_path / out), "-p", "none",
            "--ctx", "2048", "--sample-per-dataset", "3", "--sample-seed", sample_seed,
            "--seed", "7"])
        assert result.exit_code == 0, result.output
        rows = (tmp_path / out / "results.jsonl").read_text().splitlines()
        return {json.loads(r)["qid"] for r in rows}

    first, second, again = run("a", "1"), run("b", "2"), run("c", "1")
    assert first == again and first != second  # the sample follows --sample-seed
    assert {s.seed for s in captured} == {7}  # --seed goes to the model
    # an evaluation keeps its KV states in its own folder, not in the user's cache
    assert {s.state_dir for s in captured} == {tmp_path / o / "states" for o in "abc"}
    settings = json.loads((tmp_path / "a" / "run.json").read_text())["settings"]
    assert settings["seed"] == 7
