"""Options shared by several commands, declared once.

Typer has no option groups, so `model_options` and `answer_options` add their parameters to a
command's signature and hand the command one typed record (`settings: ModelSettings`,
`options: PipelineOptions`) instead of a dozen loose values.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Optional

import typer

from longdoc.cli.config import setting
from longdoc.llm.model_store import DEFAULT_MODEL
from longdoc.llm.settings import ModelSettings
from longdoc.pipelines.model_defaults import GENERIC, MODEL_DEFAULTS
from longdoc.pipelines.options import PipelineOptions

_D = ModelSettings()
_P = PipelineOptions()
KW = inspect.Parameter.KEYWORD_ONLY


def _param(name: str, default, flag: str, help_text: str, annotation=None,
           **kwargs) -> inspect.Parameter:
    kind = annotation if annotation is not None else type(default)
    return inspect.Parameter(name, KW, default=default, annotation=Annotated[
        kind, typer.Option(flag, help=help_text, **kwargs)])


MODEL_PARAMS = [
    _param("model", _D.model, "--model", f"GGUF path or short name (default {DEFAULT_MODEL}, or as "
           "configured: longdoc config; see: longdoc models).", Optional[str], show_default=False),
    _param("ctx", _D.ctx, "--ctx", "Context size in tokens (default: as configured, else what "
           "the command's longest prompt needs, up to the trained context capped by memory and "
           "32k).", Optional[int], show_default=False),
    _param("gpu_layers", _D.gpu_layers, "--gpu-layers", "Layers to offload to the GPU (-1: "
           "all; default all when the llama-cpp-python build supports a GPU, else 0).",
           Optional[int], show_default=False),
    _param("threads", _D.threads, "--threads", "CPU threads.", Optional[int],
           show_default=False),
    _param("seed", _D.seed, "--seed", "Sampling seed of the model."),
    _param("temperature", _D.temperature, "--temperature", "0 = greedy (deterministic)."),
    _param("state_cache_mb", _D.state_cache_mb, "--state-cache-mb",
           "Disk cache of document KV states in MB (0 turns it off)."),
    _param("flash_attn", _D.flash_attn, "--flash-attn/--no-flash-attn",
           "llama.cpp flash attention."),
    _param("n_batch", _D.n_batch, "--n-batch", "Tokens evaluated per llama.cpp batch."),
    _param("kv_type", _D.kv_type, "--kv-type", "KV cache type: f16 or q8_0 (half the "
           "memory and state size; needs flash attention)."),
    _param("server", _D.server, "--server", "An OpenAI-compatible model server's base URL "
           "(llama-cpp-python, llama.cpp, vLLM) instead of loading the model here; eval takes "
           "several. API key from LONGDOC_API_KEY.", Optional[list[str]],
           envvar="LONGDOC_SERVER", show_default=False),
]


def _model_defaults(option: str) -> str:
    """A per-model option's defaults as help text: "768 for qwen2.5-coder-0.5b, else 0"."""
    named = [f"{row[option]} for {model}" for model, row in MODEL_DEFAULTS.items()
             if option in row]
    return ", ".join(named + [f"else {GENERIC[option]}"]) if named else str(GENERIC[option])


def _answer_params(max_tokens: int, style: str) -> list[inspect.Parameter]:
    return [
        _param("max_tokens", max_tokens, "--max-tokens", "Longest answer in tokens."),
        _param("rag_tokens", _P.rag_tokens, "--rag-tokens",
               "rag (and auto's first step): tokens of retrieved text."),
        _param("rag_order", _P.rag_order, "--rag-order",
               "rag (and auto's first step): read the passages in 'document' order or by "
               "'relevance', the best last, next to the question."),
        _param("rag_lead_tokens", _P.rag_lead_tokens, "--rag-lead",
               "rag (and auto's first step): tokens of the document's opening always read, "
               "within --rag-tokens (0: off)."),
        _param("rag_draft", _P.rag_draft, "--rag-draft",
               "rag (and auto's first step), free text: also retrieve for the question with "
               "a draft answer written without the document (HyDE)."),
        _param("question_first", _P.question_first, "--question-first",
               "The pipelines (of rag, tree, full, coa; or 'none') that ask the question "
               "before what they read as well as after it (full:mc: for multiple choice only); "
               "full and coa then reuse no document state across those questions "
               f"(default {_model_defaults('question_first')}).",
               Optional[str], show_default=False),
        _param("full_focus_tokens", _P.full_focus_tokens, "--full-focus",
               "full: tokens of the passages most related to the question, repeated between "
               "the document and the question (0: off; default "
               f"{_model_defaults('full_focus_tokens')}).",
               Optional[int], show_default=False),
        _param("coa_sentences", _P.coa_sentences, "--coa-sentences",
               "coa: most sentences each worker copies into the notes (default "
               f"{_model_defaults('coa_sentences')}).", Optional[int], show_default=False),
        _param("coa_keep", _P.coa_keep, "--coa-keep",
               "coa: when the notes outgrow their room, drop the oldest ('recent') or those "
               "least related to the question ('related')."),
        _param("tree_tokens", _P.tree_tokens, "--tree-tokens",
               "tree: tokens of summaries and passages read."),
        _param("tree_mode", _P.tree_mode, "--tree-mode",
               "tree: 'collapsed' (retrieve over all levels) or 'navigate'."),
        _param("style", style, "--style", "Free-text answers: 'full' (a sentence or two), "
               "'concise' (the shortest phrase that answers), 'detailed' (two to four "
               "sentences with the figures), 'quote' (the document's own words), or 'auto' "
               "(eval: concise for extractive questions, else full)."),
        _param("cad_alpha", _P.cad_alpha, "--cad",
               "Free-text answers by context-aware decoding: how much what the model would "
               "answer without the reading counts against each token (0: off; 0.5 is the "
               "paper's). A model in this process only."),
        _param("auto_margin", _P.auto_margin, "--auto-margin",
               "auto, multiple choice: escalate past rag when the two likeliest options are "
               "closer than this in probability."),
        _param("auto_fallback", _P.auto_fallback, "--auto-fallback",
               "auto: what reads documents that fit the window when rag cannot answer, "
               "'coa' or 'full' (past the window: a built tree, else coa; default "
               f"{_model_defaults('auto_fallback')}).", Optional[str], show_default=False),
    ]


def _inject(params: list[inspect.Parameter], target: str, build: Callable) -> Callable:
    """Decorator: `params` become options of the command; `build(**their values)` is passed
    to the command as its argument `target`."""

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func, eval_str=True)  # typer reads the annotations
        kept = [p for p in signature.parameters.values() if p.name != target]

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            values = {p.name: kwargs.pop(p.name, p.default) for p in params}
            kwargs[target] = build(**values)
            return func(*args, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=kept + params)
        return wrapper

    return decorate


def model_options(func: Callable) -> Callable:
    """Adds --model, --ctx, --gpu-layers, --threads, --seed, --temperature, --state-cache-mb,
    --flash-attn, --n-batch, --kv-type, --server; the command receives
    `settings: ModelSettings`."""

    def build(**values) -> ModelSettings:
        # a flag wins; else LONGDOC_MODEL / LONGDOC_CTX; else the config file (cli/config.py)
        values["model"] = setting("model", values["model"])
        values["ctx"] = setting("ctx", values["ctx"])
        settings = ModelSettings(**values)
        settings.validate()
        return settings

    return _inject(MODEL_PARAMS, "settings", build)(func)


def answer_options(max_tokens: int = _P.answer_tokens, style: str = _P.style) -> Callable:
    """Adds --max-tokens, --rag-tokens, --rag-order, --full-focus, --question-first,
    --coa-sentences, --coa-keep, --tree-tokens, --tree-mode, --style, --cad, --auto-margin,
    --auto-fallback; the command receives `options: PipelineOptions` (validated)."""

    def build(max_tokens: int, **values) -> PipelineOptions:
        # every other parameter is named as its PipelineOptions field
        return PipelineOptions(answer_tokens=max_tokens, **values).validate()

    return _inject(_answer_params(max_tokens, style), "options", build)
