"""`ask --server` against a real `python -m llama_cpp.server` with the default model: the same
answers as in-process at temperature 0, and a second question on a document served from the
server's prompt cache."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server_procs import free_port, llama_server_args, running

pytest.importorskip("llama_cpp.server.app",
                    reason="llama-cpp-python's server is not installed (pip install .[server])")
pytestmark = pytest.mark.model

QUESTION = "What colour did Ada Quill paint the tower?"


@pytest.fixture(scope="module")
def server(model_ref, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with running(llama_server_args(model_ref.path, port), f"http://127.0.0.1:{port}/v1/models",
                 log):
        yield f"http://127.0.0.1:{port}"


def _ask(server, library, question, pipeline, cli_env):
    result = subprocess.run(
        [sys.executable, "-m", "longdoc.cli.main", "ask", question, "-p", pipeline,
         "--index", str(library.root), "--server", server, "--ctx", "2048",
         "--max-tokens", "24", "--json"],
        capture_output=True, text=True, timeout=600, env=cli_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _in_process(real_llm, library, question, pipeline, choices=None):
    from longdoc.pipelines.base import AskContext
    from longdoc.pipelines.options import PipelineOptions
    from longdoc.pipelines.registry import get_pipeline

    ctx = AskContext(library, real_llm, [d.doc_id for d in library.documents()],
                     PipelineOptions(answer_tokens=24))
    return get_pipeline(pipeline).answer(question, ctx, choices)


def test_full_and_rag_answer_as_in_process(server, lighthouse_library, real_llm, cli_env):
    for pipeline in ("full", "rag"):
        remote = _ask(server, lighthouse_library, QUESTION, pipeline, cli_env)
        local = _in_process(real_llm, lighthouse_library, QUESTION, pipeline)
        assert remote["text"] == local.text, pipeline
        assert "green" in remote["text"].lower()
        # in-process, the prompt is tokenised in two parts (up to the end of the document,
        # for the KV state cache), which may add one token at the cut; the server tokenises
        # it whole, and longdoc counts it as the server does
        assert abs(remote["usage"]["prompt_tokens"] - local.usage.prompt_tokens) <= 1


def test_second_question_is_served_from_the_prompt_cache(server, lighthouse_library, cli_env):
    first = _ask(server, lighthouse_library, "Who built the lighthouse?", "full", cli_env)
    second = _ask(server, lighthouse_library, "How many steps lead to the lamp room?", "full",
                  cli_env)
    assert second["timings"]["first_token_s"] < first["timings"]["first_token_s"]


def test_multiple_choice_is_generated_as_in_process(server, lighthouse_library, real_llm,
                                                    monkeypatch):
    """llama-cpp-python's server returns prompt log-probabilities too slowly to use (see
    llm/server.py), so multiple choice falls back to generating the letter; in-process, the
    same fallback must write the same letter."""
    from longdoc.llm.settings import ModelSettings, load_llm

    remote_llm = load_llm(ModelSettings(server=[server], ctx=2048))
    assert remote_llm.scores_prompts is False
    choices = ["white", "dark green", "red"]
    remote = _in_process(remote_llm, lighthouse_library, QUESTION, "full", choices)
    monkeypatch.setattr(real_llm, "scores_prompts", False, raising=False)
    local = _in_process(real_llm, lighthouse_library, QUESTION, "full", choices)
    assert remote.text == local.text
    assert remote.text.lstrip().upper().startswith("B")
