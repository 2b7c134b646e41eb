"""Options whose best value differs by model, as the dev evaluation measured them.

An option listed in `PER_MODEL` is `None` in `PipelineOptions` until the model is known (no flag
given); `for_model` then fills it from the model's row of `MODEL_DEFAULTS`, else from
`GENERIC`. Models not in the table (a GGUF of your own, an unknown server) get `GENERIC`.
"""

from __future__ import annotations

from pathlib import Path

from longdoc.llm.model_store import KNOWN_MODELS

GENERIC: dict[str, int | str] = {"full_focus_tokens": 0, "coa_sentences": 2,
                                 "question_first": "none", "auto_fallback": "coa"}
PER_MODEL = tuple(GENERIC)

# Why each row differs from GENERIC (README "Results"):
# - full --full-focus 768 raised the 0.5B's full from 0.334 to 0.360 on the 75 dev
#   questions; it lowered the 1.5B's (multiple choice, 20 questions), which keeps GENERIC.
# - coa --coa-sentences 5 raised the 0.5B's coa from 0.338 to 0.350 on 60 of those questions,
#   and 0.300 to 0.302 on 5 of the 10-Q filings; the 1.5B was not measured and keeps GENERIC.
# - rag --question-first raised the 0.5B's rag from 0.343 to 0.400 on the 75 dev
#   questions (multiple choice +0.167, free text -0.017); the 1.5B was not measured.
# - auto --auto-fallback full raised the 0.5B's auto (rag asked first) from 0.370 to 0.381 on
#   those 75 (the scientific papers +0.057); the 1.5B was not measured.
MODEL_DEFAULTS: dict[str, dict[str, int | str]] = {
    "qwen2.5-coder-0.5b": {"full_focus_tokens": 768, "coa_sentences": 5, "question_first": "rag",
                           "auto_fallback": "full"},
}


def known_model_name(model: str | None) -> str | None:
    """The short name of the known model `model` names: its short name, its GGUF's file name
    or path (as a served model is often named), else None."""
    if not model:
        return None
    if model in KNOWN_MODELS:
        return model
    file_name = Path(model).name
    for known in KNOWN_MODELS.values():
        if file_name in (known.filename, Path(known.filename).stem):
            return known.name
    return None


def model_default(option: str, model: str | None) -> int | str:
    """The default of a per-model `option` for `model` (a name, a GGUF path or None)."""
    row = MODEL_DEFAULTS.get(known_model_name(model) or "", {})
    return row.get(option, GENERIC[option])


def defaults_of(model: str | None) -> dict[str, int | str]:
    """Every per-model option's default for `model`."""
    return {option: model_default(option, model) for option in PER_MODEL}
