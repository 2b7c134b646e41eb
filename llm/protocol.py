"""The LLM protocol every pipeline talks to, and the records it returns.

Shaped like simonw/llm's `models.py`: small dataclasses and one protocol. `LlamaCppLLM`
(llm/llama.py) implements it on llama.cpp; tests script a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]
TokenCallback = Callable[[str], None]


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    reused_tokens: int = 0  # prompt tokens served from the KV cache (memory or disk)
    first_token_s: float | None = None
    total_s: float = 0.0
    calls: int = 1  # model calls this completion took (several when options are scored)


@dataclass
class OptionScore:
    """How likely one option is as the reply."""

    logprob: float  # summed log-probability of the option's tokens
    tokens: int
    chars: int


@dataclass
class Choice:
    """The scores of several possible replies to one prompt, in the order they were given."""

    scores: list[OptionScore]
    prompt_tokens: int
    reused_tokens: int = 0
    total_s: float = 0.0


class LLM(Protocol):
    name: str
    model_id: str
    context_size: int

    def offload_summary(self) -> str:
        """Where the model runs (CPU only, or how many layers on which GPU backend)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` alone (no template)."""
        ...

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Exact tokens of `messages` once the chat template is applied."""
        ...

    def truncate_tokens(self, text: str, max_tokens: int, keep: str = "head") -> str:
        """`text` cut to at most `max_tokens` tokens, keeping its head or its tail."""
        ...

    def chat(self, messages: list[Message], max_tokens: int, *, stop: list[str] | None = None,
             on_token: TokenCallback | None = None, cache_prefix: str | None = None) -> Completion:
        """Generate a reply. `cache_prefix`: text that ends the reusable part of the prompt
        (the document); the model state after it may be kept and reused across calls."""
        ...

    def chat_contrastive(self, messages: list[Message], plain: list[Message], max_tokens: int,
                         alpha: float, *, on_token: TokenCallback | None = None,
                         cache_prefix: str | None = None) -> Completion:
        """Generate a reply to `messages` by context-aware decoding: each token scored by its
        log-probability after `messages` plus `alpha` times how much likelier it is there than
        after `plain` (the same prompt without the reading); llm/contrastive.py."""
        ...

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None, save_prefix: bool = True) -> Choice:
        """Score each choice's text as the whole reply to `messages` (multiple choice scored
        cloze-style: no letter is generated, so no letter bias). `cache_prefix` as for `chat`;
        with `save_prefix` False its state is reused within this process only (passages
        retrieved for one question, shared by that question's scoring calls)."""
        ...

    def first_token_logprobs(self, messages: list[Message], candidates: list[str], *,
                             cache_prefix: str | None = None,
                             save_prefix: bool = True) -> Choice:
        """Log-probability of each candidate (one token each, such as an option letter) as
        the first token of the reply (`cache_prefix`, `save_prefix` as for `choose`)."""
        ...
