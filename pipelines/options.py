"""`PipelineOptions`: how the pipelines read and answer, typed, frozen, each default once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from longdoc.core.errors import LongdocError
from longdoc.pipelines.model_defaults import PER_MODEL, model_default

TREE_MODES = ("collapsed", "navigate")
# auto: the caller picks per question (eval: concise for extractive questions); else full
STYLES = ("full", "concise", "detailed", "quote", "auto")
MC_MODES = ("likelihood", "likelihood-char", "pmi", "letters", "ensemble", "verify",
            "ensemble-verify")  # see choice.py
# auto: where a question rag cannot answer goes when its documents fit the window
AUTO_FALLBACKS = ("coa", "full")
# rag: the retrieved passages in document order (OP-RAG), or the best-ranked last
RAG_ORDERS = ("document", "relevance")
COA_KEEPS = ("recent", "related")  # which notes stay when they outgrow their room
# the pipelines that can ask the question before what they read, too (`question_first`)
QUESTION_FIRST = ("rag", "tree", "full", "coa")
MC_ONLY = ":mc"  # a name ending in it asks first for multiple-choice questions only


@dataclass(frozen=True)
class TreeSettings:
    """How a tree of summaries is built; part of the key its stored tree is found by."""

    group_tokens: int = 1024  # most text one summary reads
    summary_tokens: int = 128  # longest summary

    def key(self) -> dict:
        return {"group_tokens": self.group_tokens, "summary_tokens": self.summary_tokens}


@dataclass(frozen=True)
class PipelineOptions:
    answer_tokens: int = 256  # longest generated answer
    # rag (and auto's first step): retrieved text per question. 768 by the sweep of 768 to
    # 6,144 on the dev sample (README "rag's retrieval budget"): reading more did not pay
    rag_tokens: int = 768
    rag_order: str = "document"  # how rag's passages are read, see RAG_ORDERS
    # rag: tokens of the document's opening always read, within rag_tokens (0: off)
    rag_lead_tokens: int = 0
    # rag, free text: also retrieve for the question with a closed-book draft answer (HyDE)
    rag_draft: bool = False
    # the pipelines (comma-separated, of QUESTION_FIRST, or "none") whose final prompt asks
    # the question before what they read as well as after it (query-aware contextualisation,
    # Liu et al. 2023 "Lost in the Middle"); "full:mc" asks first for multiple choice only.
    # `full` then reuses no document state across those questions. None: the model's
    # default, see model_defaults.py
    question_first: str | None = None
    # tree: summaries and passages read per question (the window caps both)
    tree_tokens: int = 1536
    tree_mode: str = "collapsed"  # tree: retrieve over all levels, or navigate from the root
    tree: TreeSettings = field(default_factory=TreeSettings)
    # full: tokens of the passages most related to the question repeated after the document
    # (0: off; None: the model's default, see model_defaults.py)
    full_focus_tokens: int | None = None
    # coa: longest evidence passed between workers (None: the window / 16, 64 to 256)
    notes_tokens: int | None = None
    # coa: most sentences a worker copies into the notes (None: the model's default)
    coa_sentences: int | None = None
    # coa: when the notes outgrow their room, drop the oldest ("recent") or the ones sharing
    # the fewest rare words with the question ("related")
    coa_keep: str = "recent"
    # coa: longest segment even in a larger window (more, shorter segments read closer)
    segment_tokens: int = 4096
    # rag, multiple choice: also retrieve for the question joined with each option
    retrieve_per_option: bool = False
    # coa, multiple choice: the workers read the options too, not only the question
    coa_options: bool = False
    style: str = "full"  # free text: "full" (a sentence or two) or "concise" (a phrase)
    # free text: context-aware decoding, how much the reply without the reading counts against
    # each token (0: plain greedy decoding; llm/contrastive.py)
    cad_alpha: float = 0.0
    # how a multiple-choice option is picked: ensemble did best on the dev MC questions with
    # both the 0.5B and the 1.5B model (README "Multiple choice by method")
    mc_mode: str = "ensemble"
    mc_all_modes: bool = False  # also compute (and record) every other mode's pick
    # auto, multiple choice: escalate when the two likeliest options are closer than this
    # (probability gap after a softmax over the mode's scores). This margin was chosen on the
    # dev sample by benchmarks/auto_policies.py (README "auto"); the fallback by model, below
    auto_margin: float = 0.15
    # documents that fit the window; past it: tree if built, else coa (None: the model's
    # default, see model_defaults.py)
    auto_fallback: str | None = None

    def validate(self) -> PipelineOptions:
        if self.tree_mode not in TREE_MODES:
            raise LongdocError(f"--tree-mode must be 'collapsed' or 'navigate', "
                               f"not '{self.tree_mode}'")
        if self.rag_tokens < 64:
            raise LongdocError(f"--rag-tokens must be at least 64 (got {self.rag_tokens})")
        if self.rag_order not in RAG_ORDERS:
            raise LongdocError(f"--rag-order must be one of {', '.join(RAG_ORDERS)}, "
                               f"not '{self.rag_order}'")
        if self.rag_lead_tokens < 0:
            raise LongdocError(f"--rag-lead must be 0 or more (got {self.rag_lead_tokens})")
        if self.full_focus_tokens is not None and self.full_focus_tokens < 0:
            raise LongdocError(f"--full-focus must be 0 or more (got {self.full_focus_tokens})")
        if self.coa_sentences is not None and not 1 <= self.coa_sentences <= 10:
            raise LongdocError(f"--coa-sentences must be between 1 and 10 "
                               f"(got {self.coa_sentences})")
        if self.coa_keep not in COA_KEEPS:
            raise LongdocError(f"--coa-keep must be one of {', '.join(COA_KEEPS)}, "
                               f"not '{self.coa_keep}'")
        if self.tree_tokens < 64:
            raise LongdocError(f"--tree-tokens must be at least 64 (got {self.tree_tokens})")
        if self.style not in STYLES:
            raise LongdocError(f"--style must be one of {', '.join(STYLES)}, not '{self.style}'")
        if not 0.0 <= self.cad_alpha <= 5.0:
            raise LongdocError(f"--cad must be between 0 and 5 (got {self.cad_alpha})")
        if self.mc_mode not in MC_MODES:
            raise LongdocError(f"--mc-mode must be one of {', '.join(MC_MODES)}, "
                               f"not '{self.mc_mode}'")
        if not 0.0 <= self.auto_margin <= 1.0:
            raise LongdocError(f"--auto-margin must be between 0 and 1 (got {self.auto_margin})")
        if self.auto_fallback is not None and self.auto_fallback not in AUTO_FALLBACKS:
            raise LongdocError(f"--auto-fallback must be one of {', '.join(AUTO_FALLBACKS)}, "
                               f"not '{self.auto_fallback}'")
        if self.question_first is not None:
            self.asked_first()  # raises on an unknown name
        if self.answer_tokens < 1:
            raise LongdocError(f"--max-tokens must be at least 1 (got {self.answer_tokens})")
        return self

    def asks_first(self, pipeline: str, choices: bool = False) -> bool:
        """Whether `pipeline`'s final prompt asks the question before what it read, too, for
        a multiple-choice question (`choices`) or a free-text one."""
        names = self.asked_first()
        return pipeline in names or (choices and pipeline + MC_ONLY in names)

    def asked_first(self) -> set[str]:
        """The names `question_first` gives, each a pipeline, maybe ending in MC_ONLY."""
        names = {n.strip() for n in (self.question_first or "none").split(",") if n.strip()}
        unknown = {n.removesuffix(MC_ONLY) for n in names} - {*QUESTION_FIRST}
        if names != {"none"} and unknown:
            raise LongdocError(f"--question-first takes 'none' or some of "
                               f"{', '.join(QUESTION_FIRST)}, each maybe ending in '{MC_ONLY}' "
                               f"(got '{self.question_first}')")
        return names - {"none"}

    def for_model(self, model: str | None) -> PipelineOptions:
        """A copy whose per-model options left unset take `model`'s defaults (a short name, a
        GGUF path or a served file name; an unknown model gets the generic ones)."""
        unset = {name: model_default(name, model) for name in PER_MODEL
                 if getattr(self, name) is None}
        return replace(self, **unset) if unset else self

    def but(self, **changes) -> PipelineOptions:
        """A copy with some options changed."""
        return replace(self, **changes).validate()
