"""End to end on the real default model: with a 2,048-token window over a ~3,300-token
document, coa and tree find a fact from the middle that full loses to truncation (unless it
repeats the related passages, this model's default)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from longdoc.indexers.library import Library
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline

pytestmark = pytest.mark.model

QUESTION = ("In a late-1990 snapshot of Usenet, by what ratio was the caret favored over ** "
            "for exponentiation?")


@pytest.fixture(scope="module")
def small_llm(model_ref):
    from longdoc.llm.llama import LlamaCppLLM

    return LlamaCppLLM(model_ref, n_ctx=2048, state_cache=None)


@pytest.fixture(scope="module")
def style_ctx(sample_library, small_llm, embedder, tmp_path_factory):
    root = tmp_path_factory.mktemp("lib-copy") / "lib"
    shutil.copytree(sample_library.root, root)  # tree files get written into this copy
    lib = Library(root)
    doc = lib.resolve_doc("hacker_writing_style.txt").doc_id
    return AskContext(lib, small_llm, [doc], embedder=embedder,
                      options=PipelineOptions(notes_tokens=128))


def test_full_loses_the_middle_of_the_document_unless_it_repeats_the_related_passages(
        style_ctx):
    plain = AskContext(style_ctx.library, style_ctx.llm, style_ctx.doc_ids,
                       PipelineOptions(full_focus_tokens=0), embedder=style_ctx.embedder)
    answer = get_pipeline("full").answer(QUESTION, plain)
    assert answer.kept_fraction < 0.6
    assert "3:1" not in answer.text
    # this model's default (--full-focus 768) reads the passage from the middle again
    assert style_ctx.options.full_focus_tokens == 768
    focused = get_pipeline("full").answer(QUESTION, style_ctx)
    assert focused.trace.focus_pages and "3:1" in focused.text


def test_coa_finds_the_fact(style_ctx):
    answer = get_pipeline("coa").answer(QUESTION, style_ctx)
    assert "3:1" in answer.text
    assert answer.trace.segments >= 2
    assert any("3:1" in w.found for w in answer.trace.workers)
    assert answer.usage.calls == answer.trace.segments + 1


def test_coa_finds_the_fact_with_two_sentences_per_worker(style_ctx):
    """This model's default is 5 (the test above); 2 is every other model's."""
    assert style_ctx.options.coa_sentences == 5
    fewer = AskContext(style_ctx.library, style_ctx.llm, style_ctx.doc_ids,
                       PipelineOptions(notes_tokens=128, coa_sentences=2),
                       embedder=style_ctx.embedder)
    answer = get_pipeline("coa").answer(QUESTION, fewer)
    assert "3:1" in answer.text
    assert any("3:1" in w.found for w in answer.trace.workers)
    assert answer.trace.segments >= 2


def test_tree_finds_the_fact_and_reuses_the_tree(style_ctx):
    first = get_pipeline("tree").answer(QUESTION, style_ctx)
    assert "3:1" in first.text
    build = next(iter(first.trace.build.values()))
    assert build["calls"] >= 3 and build["levels"] >= 2
    second = get_pipeline("tree").answer("What is the digraph ^H a print representation for?",
                                         style_ctx)
    assert "backspace" in second.text.lower()
    assert second.timings.total_s < 0.25 * first.timings.total_s  # no second build


def test_compare_cli_json(lighthouse_library, cli_env):
    result = subprocess.run(
        [sys.executable, "-m", "longdoc.cli.main", "compare", "Who was the first keeper of the "
         "lighthouse?", "--pipelines", "full,rag,coa", "--index", str(lighthouse_library.root),
         "--ctx", "2048", "--json"],
        capture_output=True, text=True, timeout=600, env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["pipeline"] for a in data["answers"]] == ["full", "rag", "coa"]
    assert all("Ada Quill" in a["text"] for a in data["answers"])
    assert len(data["agreement"]) == 1  # they all agree


class _Recording:
    """The real model, with every chat's messages kept (to see what coa's workers were asked)."""

    def __init__(self, llm):
        self._llm, self.chats = llm, []

    def chat(self, messages, *args, **kwargs):
        self.chats.append(messages)
        return self._llm.chat(messages, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._llm, name)


def test_coa_workers_read_the_options_and_the_manager_picks(lighthouse_library, real_llm):
    llm = _Recording(real_llm)
    doc = lighthouse_library.documents()[0].doc_id
    choices = ["white", "dark green", "red and white stripes", "grey stone"]
    ctx = AskContext(lighthouse_library, llm, [doc], options=PipelineOptions(coa_options=True))
    answer = get_pipeline("coa").answer("What colour did Ada Quill paint the tower in 1887?",
                                        ctx, choices)
    workers = [m[-1]["content"] for m in llm.chats if m[0]["content"].startswith("You are one")]
    assert workers and all("Options:\nA. white\nB. dark green" in w for w in workers)
    assert any("green" in w.found for w in answer.trace.workers), answer.trace.workers
    assert answer.text == "B. dark green", answer.choice
