"""End to end on the real default model over the sample documents: answers and cited pages."""

from __future__ import annotations

import pytest

from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def pdf_ctx(sample_library, real_llm, embedder):
    doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id
    return AskContext(sample_library, real_llm, [doc], embedder=embedder)


def _with(ctx: AskContext, **options) -> AskContext:
    """The same documents, model and embedder, asked with other options."""
    return AskContext(ctx.library, ctx.llm, ctx.doc_ids, PipelineOptions(**options),
                      embedder=ctx.embedder)


def test_full_answers_and_cites_the_page(pdf_ctx):
    answer = get_pipeline("full").answer("What company did Mel work for?", pdf_ctx)
    assert "Royal McBee" in answer.text
    assert answer.citations[0].page_start == 8
    assert answer.kept_fraction == 1.0
    # a second question on the same document reuses the document's KV state: all but the
    # passages this model's default (--full-focus 768) repeats after it
    assert pdf_ctx.options.full_focus_tokens == 768
    second = get_pipeline("full").answer("Which computer did Mel write programs for?", pdf_ctx)
    assert "RPC-4000" in second.text
    assert second.citations[0].page_start == 8
    assert second.usage.reused_tokens > 0.9 * second.usage.prompt_tokens
    assert second.timings.total_s < 0.25 * answer.timings.total_s


def test_full_focus_repeats_the_passage_and_keeps_the_document_state(pdf_ctx):
    """A first question leaves the document in the KV cache (the test above already did, so
    it is quick); another budget of focus then reads only its passages and the question."""
    asked = "Which computer did Mel write programs for?"
    get_pipeline("full").answer(asked, pdf_ctx)
    answer = get_pipeline("full").answer(asked, _with(pdf_ctx, full_focus_tokens=600))
    assert "RPC-4000" in answer.text
    pages = [label.rsplit(", ", 1)[1] for label in answer.trace.focus_pages]
    assert any(label in ("p. 8", "pp. 7-8", "pp. 8-9") for label in pages), pages
    assert answer.usage.reused_tokens > 0.8 * answer.usage.prompt_tokens
    assert answer.kept_fraction == 1.0


def test_rag_answers_and_cites_the_page(pdf_ctx):
    answer = get_pipeline("rag").answer(
        "According to Phil Agre, how many meanings does the word hack have?", pdf_ctx)
    assert "one meaning" in answer.text
    assert answer.citations[0].page_start == 1
    assert answer.usage.prompt_tokens < 2500


def test_rag_by_relevance_reads_the_same_passages_best_last(pdf_ctx):
    asked = "According to Phil Agre, how many meanings does the word hack have?"
    answer = get_pipeline("rag").answer(asked, _with(pdf_ctx, rag_order="relevance"))
    in_order = get_pipeline("rag").answer(asked, pdf_ctx)
    assert "one meaning" in answer.text
    assert answer.citations[0].page_start == 1
    assert answer.trace.chunks == in_order.trace.chunks  # the same passages, read reordered
    assert abs(answer.usage.prompt_tokens - in_order.usage.prompt_tokens) <= 8


def test_rag_with_the_opening_and_a_draft_still_finds_the_answer(pdf_ctx):
    """--rag-lead reads the document's first chunk; --rag-draft first writes a closed-book
    draft (one more call) and retrieves with it too."""
    answer = get_pipeline("rag").answer("Which computer did Mel write programs for?",
                                        _with(pdf_ctx, rag_lead_tokens=256, rag_draft=True))
    assert "RPC-4000" in answer.text or "LGP-30" in answer.text  # he wrote for both
    assert answer.trace.chunks[0].chunk == 0  # the opening, read first
    assert answer.usage.calls == 2
    assert any(c.page_start == 8 for c in answer.citations), answer.citations


def test_question_first_still_answers_and_full_keeps_no_document_state(pdf_ctx):
    """The default model's rag asks the question before its passages too; full may as well,
    at the price of reading the document again for every question."""
    asked = "What company did Mel work for?"
    assert pdf_ctx.options.asks_first("rag") and not pdf_ctx.options.asks_first("full")
    assert "Royal McBee" in get_pipeline("rag").answer(asked, pdf_ctx).text
    first = _with(pdf_ctx, question_first="full", full_focus_tokens=0)
    answer = get_pipeline("full").answer(asked, first)
    assert "Royal McBee" in answer.text
    assert answer.citations[0].page_start == 8
    assert answer.usage.reused_tokens < 0.5 * answer.usage.prompt_tokens


def test_detailed_style_answers_at_more_length(pdf_ctx):
    asked = "What company did Mel work for, and on which computers did he write programs?"
    answer = get_pipeline("rag").answer(asked, _with(pdf_ctx, style="detailed"))
    brief = get_pipeline("rag").answer(asked, pdf_ctx)
    assert "Royal McBee" in answer.text
    assert len(answer.text.split()) > len(brief.text.split()), (answer.text, brief.text)


def test_multiple_choice_by_likelihood_reads_the_document(lighthouse_library, real_llm):
    doc = lighthouse_library.documents()[0].doc_id
    choices = ["white", "dark green", "red and white stripes", "grey stone"]
    ctx = AskContext(lighthouse_library, real_llm, [doc])
    answer = get_pipeline("full").answer("What colour did Ada Quill paint the tower in 1887?",
                                         ctx, choices)
    assert answer.text == "B. dark green"


@pytest.mark.parametrize("mode", ["pmi", "letters", "likelihood-char", "verify",
                                  "ensemble-verify"])
def test_every_mc_method_reads_the_document(lighthouse_library, real_llm, mode):
    doc = lighthouse_library.documents()[0].doc_id
    choices = ["white", "dark green", "red and white stripes", "grey stone"]
    ctx = AskContext(lighthouse_library, real_llm, [doc], PipelineOptions(mc_mode=mode))
    answer = get_pipeline("full").answer("What colour did Ada Quill paint the tower in 1887?",
                                         ctx, choices)
    assert answer.text == "B. dark green", answer.choice
    assert answer.choice.mode == mode and len(answer.choice.scores[mode]) == 4


def test_auto_records_its_route_on_the_real_model(lighthouse_library, real_llm, embedder):
    doc = lighthouse_library.documents()[0].doc_id
    ctx = AskContext(lighthouse_library, real_llm, [doc], embedder=embedder)
    answer = get_pipeline("auto").answer("What colour did Ada Quill paint the tower in 1887?",
                                         ctx)
    steps = answer.trace.steps
    assert steps[0].pipeline == "rag" and steps[-1].reason == "answered"
    # the story fits the window: the 0.5B's fallback there is full
    assert len(steps) == 1 or steps[1].pipeline == ctx.options.auto_fallback == "full"
    assert "green" in answer.text.lower()
    assert answer.usage.prompt_tokens == sum(s.prompt_tokens for s in steps)


def test_quote_style_answers_in_the_documents_words(pdf_ctx):
    """The style's own effect, with the passages read before the question only. Whether the
    0.5B copies the whole sentence differs between CPUs (on an AMD EPYC it wrote "Mel worked
    for Royal McBee Computer Corp."; elsewhere it copied the document's sentence), so what is
    checked is the company's name as the document writes it, abbreviation and all."""
    asked = "What company did Mel work for?"
    answer = get_pipeline("rag").answer(asked, _with(pdf_ctx, style="quote",
                                                     question_first="none"))
    chunks = pdf_ctx.library.load_chunks(pdf_ctx.doc_ids[0])
    read = " ".join(" ".join(chunks[c.chunk].text.split()) for c in answer.trace.chunks)
    copied = "Royal McBee Computer Corp."
    assert copied in read and copied in " ".join(answer.text.split()), answer.text


def test_context_aware_decoding_answers_from_the_document(pdf_ctx):
    asked = "What company did Mel work for?"
    answer = get_pipeline("rag").answer(asked, _with(pdf_ctx, cad_alpha=0.5))
    assert "Royal McBee" in answer.text
    assert answer.usage.calls == 2  # the reading and the prompt without it, in step
    assert answer.citations[0].page_start == 8


def test_context_aware_decoding_without_alpha_is_greedy_decoding(pdf_ctx):
    """The two-context decoder at alpha 0 picks exactly what llama.cpp's greedy sampler does."""
    messages = [{"role": "system", "content": "You answer questions about documents."},
                {"role": "user", "content": "Mel wrote programs for the LGP-30 and the "
                 "RPC-4000.\nQuestion: Which computers did Mel write programs for?"}]
    plain = [messages[0], {"role": "user", "content": messages[1]["content"].split("\n")[1]}]
    llm = pdf_ctx.llm
    greedy = llm.chat(messages, 40)
    contrasted = llm.chat_contrastive(messages, plain, 40, 0.0)
    assert contrasted.text == greedy.text and "RPC-4000" in greedy.text


def test_full_asked_first_for_multiple_choice_only(lighthouse_library, real_llm):
    """`full:mc` asks first for multiple choice alone: free text keeps the document's state."""
    doc = lighthouse_library.documents()[0].doc_id
    ctx = AskContext(lighthouse_library, real_llm, [doc],
                     PipelineOptions(question_first="full:mc", full_focus_tokens=0))
    full = get_pipeline("full")
    assert "Ada Quill" in full.answer("Who was the first keeper of the lighthouse?", ctx).text
    second = full.answer("In which year was the light electrified?", ctx)
    assert "1934" in second.text
    assert second.usage.reused_tokens > 0.5 * second.usage.prompt_tokens
    choices = ["white", "dark green", "red and white stripes", "grey stone"]
    answer = full.answer("What colour did Ada Quill paint the tower in 1887?", ctx, choices)
    assert answer.text == "B. dark green"
