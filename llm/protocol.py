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


@dataclass
class Choice:
    """Which of several answers the model finds most likely after a prompt."""

    index: int
    scores: list[float]  # mean log-probability per token of each choice
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

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None) -> Choice:
        """Score each choice as the reply to `messages` (mean token log-probability), for
        multiple-choice questions: no letter is generated, so no letter bias."""
        ...
