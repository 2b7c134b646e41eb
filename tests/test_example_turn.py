"""`--example`: one worked example shown as an earlier turn before the reading, on the scripted
LLM."""

from __future__ import annotations

import pytest

from longdoc.pipelines.base import AskContext
from longdoc.pipelines.full import document_room
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import (
    EXAMPLE_ANSWERS,
    EXAMPLE_QUESTION,
    STYLES,
    SYSTEM,
    Prompt,
)
from longdoc.pipelines.registry import get_pipeline

from fakes import PER_MESSAGE, ScriptedLLM


def _ctx(lib, llm, embedder, **options) -> AskContext:
    doc = lib.resolve_doc("hacker_folklore.pdf").doc_id
    ctx = AskContext(lib, llm, [doc], PipelineOptions(**options))
    ctx.embedder = embedder
    return ctx


@pytest.mark.parametrize("name", ["full", "rag", "coa"])
@pytest.mark.parametrize("style", ["full", "concise"])
def test_the_example_comes_before_the_reading_in_the_style(sample_library, embedder, name,
                                                           style):
    llm = ScriptedLLM("Royal McBee.", context_size=16000)
    ctx = _ctx(sample_library, llm, embedder, example=True, style=style)
    get_pipeline(name).answer("Who employed Mel?", ctx)
    system, shown, answered, asked = llm.calls[-1]
    assert system["role"] == "system"
    assert shown["role"] == "user" and EXAMPLE_QUESTION in shown["content"]
    assert answered == {"role": "assistant", "content": EXAMPLE_ANSWERS[style]}
    assert asked["role"] == "user" and "Who employed Mel?" in asked["content"]
    # the example asks in the words the real question is asked in
    instruction = asked["content"].rsplit("\n", 1)[-1]
    assert shown["content"].endswith(instruction)


def test_without_the_option_no_example_is_shown(sample_library, embedder):
    llm = ScriptedLLM("Royal McBee.", context_size=16000)
    get_pipeline("rag").answer("Who employed Mel?", _ctx(sample_library, llm, embedder))
    assert [m["role"] for m in llm.calls[-1]] == ["system", "user"]


def test_closed_book_and_multiple_choice_show_no_example(sample_library, embedder):
    llm = ScriptedLLM("Royal McBee", context_size=16000)
    ctx = _ctx(sample_library, llm, embedder, example=True)
    get_pipeline("none").answer("Who employed Mel?", ctx)
    get_pipeline("full").answer("Who employed Mel?", ctx, ["Royal McBee", "IBM"])
    assert llm.calls  # every call: closed book's answer and the options' scoring
    assert all(EXAMPLE_QUESTION not in m["content"] for call in llm.calls for m in call)


def test_full_keeps_room_for_the_example(sample_library, embedder):
    """The document is cut by exactly what the example turns take, so the prompt still fits."""
    llm = ScriptedLLM("Royal McBee.", context_size=3000)
    plain = document_room(_ctx(sample_library, llm, embedder), "Who employed Mel?")
    shown = document_room(_ctx(sample_library, llm, embedder, example=True),
                          "Who employed Mel?")
    turns = Prompt(SYSTEM, "", "", STYLES["full"]).with_example("full").example_turns()
    assert plain - shown == sum(llm.count_tokens(t["content"]) + PER_MESSAGE for t in turns)
    ctx = _ctx(sample_library, llm, embedder, example=True)
    answer = get_pipeline("full").answer("Who employed Mel?", ctx)  # fits, or the fake raises
    assert answer.kept_fraction < 1.0  # the window was too small for the whole document


def test_context_aware_decoding_contrasts_without_the_example():
    prompt = Prompt(SYSTEM, "Mel worked for Royal McBee.", "Who employed Mel?").with_example(
        "full")
    assert EXAMPLE_QUESTION in prompt.messages()[1]["content"]
    assert all(EXAMPLE_QUESTION not in m["content"] for m in prompt.unread().messages())
