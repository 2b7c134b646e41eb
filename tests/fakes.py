"""A scripted LLM that follows the protocol: words are tokens, replies come from a script.

It refuses any prompt that would not fit its context with the requested answer, so a
pipeline that budgets wrongly fails loudly here, as llama.cpp would.
"""

from __future__ import annotations

from collections.abc import Callable

from longdoc.llm.protocol import Choice, Completion, Message, TokenCallback

PER_MESSAGE = 4


class ContextOverflow(AssertionError):
    pass


class ScriptedLLM:
    def __init__(self, reply: str | Callable[[list[Message]], str] = "scripted answer",
                 context_size: int = 4096) -> None:
        self.name = "scripted"
        self.model_id = "scripted-model"
        self.context_size = context_size
        self.reply = reply
        self.calls: list[list[Message]] = []
        self.max_tokens: list[int] = []

    def offload_summary(self) -> str:
        return "scripted, no device"

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def prompt_tokens(self, messages: list[Message]) -> int:
        return sum(self.count_tokens(m["content"]) + PER_MESSAGE for m in messages)

    def truncate_tokens(self, text: str, max_tokens: int, keep: str = "head") -> str:
        words = text.split()
        if len(words) <= max_tokens:
            return text
        kept = words[:max_tokens] if keep == "head" else words[len(words) - max_tokens:]
        return " ".join(kept)

    def chat(self, messages: list[Message], max_tokens: int, *, stop: list[str] | None = None,
             on_token: TokenCallback | None = None, cache_prefix: str | None = None) -> Completion:
        used = self.prompt_tokens(messages)
        if used + max_tokens > self.context_size:
            raise ContextOverflow(f"{used} prompt + {max_tokens} answer > {self.context_size}")
        self.calls.append(messages)
        self.max_tokens.append(max_tokens)
        text = self.reply(messages) if callable(self.reply) else self.reply
        for word in text.split(" "):
            if on_token:
                on_token(word + " ")
        return Completion(text=text, prompt_tokens=used,
                          completion_tokens=self.count_tokens(text), first_token_s=0.0,
                          total_s=0.0)

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None) -> Choice:
        """The choice sharing the most words with what the script would have replied."""
        used = self.prompt_tokens(messages)
        if used + max(self.count_tokens(c) for c in choices) > self.context_size:
            raise ContextOverflow(f"{used} prompt tokens + a choice > {self.context_size}")
        self.calls.append(messages)
        self.max_tokens.append(0)
        reply = set((self.reply(messages) if callable(self.reply) else self.reply).split())
        scores = [float(len(reply & set(c.split()))) for c in choices]
        best = max(range(len(choices)), key=scores.__getitem__)
        return Choice(best, scores, used)
