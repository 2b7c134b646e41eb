"""Configuration: flag > LONGDOC_* environment > config file > built-in default; a bad value
anywhere is a one-line error (exit 2), never ignored."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from longdoc.cli import runtime
from longdoc.cli.main import app
from longdoc.llm.settings import ModelSettings

from fakes import ScriptedLLM

runner = CliRunner()


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text("")
    monkeypatch.setenv("LONGDOC_CONFIG", str(path))
    return path


def _settings() -> dict:
    result = runner.invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["settings"]


def test_precedence_of_environment_over_file_over_default(config_file, monkeypatch):
    assert {k: (v["value"], v["source"]) for k, v in _settings().items()} == {
        "model": (None, "default"), "ctx": (None, "default"),
        "library": ("default", "default"), "pipeline": ("rag", "default")}
    config_file.write_text('ctx = 4096\npipeline = "full"\nlibrary = "papers"\n')
    got = _settings()
    assert got["ctx"] == {"value": 4096, "source": "config file", "env": "LONGDOC_CTX"}
    assert got["pipeline"]["value"] == "full" and got["library"]["value"] == "papers"
    monkeypatch.setenv("LONGDOC_CTX", "2048")
    monkeypatch.setenv("LONGDOC_MODEL", "qwen2.5-coder-1.5b")
    got = _settings()
    assert (got["ctx"]["value"], got["ctx"]["source"]) == (2048, "env LONGDOC_CTX")
    assert got["model"]["source"] == "env LONGDOC_MODEL"
    assert got["pipeline"]["source"] == "config file"


def test_flags_override_environment_and_file(config_file, monkeypatch, sample_library):
    seen: list[ModelSettings] = []

    def fake_backend(settings: ModelSettings, needed: int | None = None):
        seen.append(settings)
        return ScriptedLLM("Royal McBee", context_size=settings.ctx or 4096)

    monkeypatch.setattr(runtime, "load_backend", fake_backend)
    config_file.write_text(f'ctx = 4096\npipeline = "rag"\nlibrary = "{sample_library.root}"\n')
    monkeypatch.setenv("LONGDOC_CTX", "3000")
    monkeypatch.setenv("LONGDOC_PIPELINE", "none")
    # library from the file, pipeline and context from the environment
    result = runner.invoke(app, ["ask", "Who employed Mel?", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pipeline"] == "none" and seen[-1].ctx == 3000
    # flags win over both
    result = runner.invoke(app, ["ask", "Who employed Mel?", "--json", "--ctx", "2500",
                                 "-p", "full", "--max-tokens", "8"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pipeline"] == "full" and seen[-1].ctx == 2500


def test_library_by_name_or_folder(config_file, monkeypatch, tmp_path, sample_library):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LONGDOC_LIBRARY", "papers")
    assert json.loads(runner.invoke(app, ["config", "--json"]).stdout)["library_folder"] == \
        str(tmp_path / "data" / "longdoc" / "libraries" / "papers")
    for name in ("LONGDOC_LIBRARY", "LONGDOC_INDEX"):  # LONGDOC_INDEX: the older name
        monkeypatch.delenv("LONGDOC_LIBRARY")
        monkeypatch.setenv(name, str(sample_library.root))
        listing = runner.invoke(app, ["docs", "--json"])
        assert listing.exit_code == 0, listing.output
        assert json.loads(listing.stdout)["library"] == str(sample_library.root)
    # --index beats the environment
    empty = runner.invoke(app, ["docs", "--index", str(tmp_path / "none")])
    assert empty.exit_code == 2 and "nothing ingested yet" in empty.output


@pytest.mark.parametrize("env, file, message", [
    ({"LONGDOC_CTX": "abc"}, "", "LONGDOC_CTX=abc: 'abc' is not a whole number"),
    ({"LONGDOC_CTX": "10"}, "", "'10' is not valid for ctx (at least 256 tokens)"),
    ({"LONGDOC_PIPELINE": "fastest"}, "", "'fastest' is not valid for pipeline (one of"),
    ({"LONGDOC_MODEL": "/no/such/model.gguf"}, "", "not a GGUF file or a known model"),
    ({"LONGDOC_LIBRARY": "my library"}, "", "not valid for library"),
    ({}, "ctx = true\n", "ctx must be a whole number"),
    ({}, "colour = 'red'\n", "unknown setting 'colour'"),
    ({}, "ctx = \n", "cannot be read"),
    ({"LONGDOC_CTX": "4096"}, "pipeline = 'fastest'\n", "not valid for pipeline"),
])
def test_invalid_values_are_one_line_errors(config_file, monkeypatch, env, file, message):
    config_file.write_text(file)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in (["config"], ["docs"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_a_named_config_file_that_does_not_exist_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("LONGDOC_CONFIG", str(tmp_path / "nope.toml"))
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_config_file_in_the_xdg_config_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("LONGDOC_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "longdoc").mkdir()
    (tmp_path / "longdoc" / "config.toml").write_text("ctx = 8192\n")
    result = runner.invoke(app, ["config"], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "longdoc" / "config.toml") in result.output.replace("\n", "")
    assert "8192" in result.output and "config file" in result.output
