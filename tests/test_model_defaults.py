"""Options whose default depends on the model: filled in once the model is known."""

from __future__ import annotations

from longdoc.cli import runtime
from longdoc.llm.model_store import DEFAULT_MODEL
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.model_defaults import GENERIC, known_model_name, model_default
from longdoc.pipelines.options import PipelineOptions
from tests.fakes import ScriptedLLM


def test_a_known_model_is_recognised_by_name_file_name_and_path():
    for given in ("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                  "/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                  "qwen2.5-coder-0.5b-instruct-q4_k_m"):
        assert known_model_name(given) == "qwen2.5-coder-0.5b", given
    assert known_model_name("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf") == "qwen2.5-coder-1.5b"
    for unknown in (None, "", "scripted", "/models/mistral-7b.gguf"):
        assert known_model_name(unknown) is None


def test_unset_options_take_the_models_default_and_a_given_value_stays():
    unset = PipelineOptions()
    assert unset.full_focus_tokens is None
    assert unset.for_model("qwen2.5-coder-0.5b").full_focus_tokens == 768
    assert unset.for_model("qwen2.5-coder-1.5b").full_focus_tokens == 0
    assert unset.for_model("/models/mine.gguf").full_focus_tokens == GENERIC["full_focus_tokens"]
    assert PipelineOptions(full_focus_tokens=0).for_model(
        "qwen2.5-coder-0.5b").full_focus_tokens == 0
    assert PipelineOptions(full_focus_tokens=300).for_model(None).full_focus_tokens == 300


def test_every_per_model_option_is_filled_and_models_lists_only_the_different_ones():
    from longdoc.cli.models_cmd import FLAGS, _flags

    for model in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", None):
        resolved = PipelineOptions().for_model(model)
        assert all(getattr(resolved, option) is not None for option in GENERIC), model
    assert set(FLAGS) == set(GENERIC)
    assert _flags(dict(GENERIC)) == ""
    assert _flags({**GENERIC, "full_focus_tokens": 768}) == "--full-focus 768"
    assert PipelineOptions().for_model("qwen2.5-coder-0.5b").coa_sentences == 5
    assert PipelineOptions().for_model("qwen2.5-coder-1.5b").coa_sentences == 2
    assert PipelineOptions(coa_sentences=3).for_model("qwen2.5-coder-0.5b").coa_sentences == 3
    assert PipelineOptions().for_model("qwen2.5-coder-0.5b").auto_fallback == "full"
    assert PipelineOptions().for_model("/models/mine.gguf").auto_fallback == "coa"


def test_the_context_fills_in_its_models_defaults(sample_library):
    assert AskContext(sample_library, ScriptedLLM(), []).options.full_focus_tokens == 0
    served = ScriptedLLM()
    served.name = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"  # as a model server names it
    assert AskContext(sample_library, served, []).options.full_focus_tokens == 768


def test_the_window_is_sized_with_the_default_models_focus(monkeypatch, sample_library):
    """`ask -p full` on the default model leaves room for the passages it repeats."""
    from typer.testing import CliRunner

    from longdoc.cli.main import app
    from longdoc.llm.settings import ModelSettings

    seen: list[int | None] = []

    def fake_backend(settings: ModelSettings, needed: int | None = None):
        seen.append(needed)
        return ScriptedLLM("Royal McBee", context_size=8192)

    monkeypatch.setattr(runtime, "load_backend", fake_backend)
    monkeypatch.delenv("LONGDOC_MODEL", raising=False)
    base = ["ask", "Who employed Mel?", "--index", str(sample_library.root), "--json",
            "--state-cache-mb", "0", "-p", "full"]
    for extra in ([], ["--full-focus", "0"]):
        result = CliRunner().invoke(app, base + extra)
        assert result.exit_code == 0, result.output
    with_focus, without = seen
    assert with_focus - without == model_default("full_focus_tokens", DEFAULT_MODEL) == 768
