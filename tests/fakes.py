"""A scripted LLM that follows the protocol: words are tokens, replies come from a script.

It refuses any prompt that would not fit its context with the requested answer, so a
pipeline that budgets wrongly fails loudly here, as llama.cpp would.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from longdoc.llm.protocol import Choice, Completion, Message, OptionScore, TokenCallback

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
        self.letter_prior: dict[str, float] = {}
        self.scoring_prefixes: list[tuple[str | None, bool]] = []  # (cache_prefix, save_prefix)
        self.contrasted: list[tuple[list[Message], float]] = []  # chat_contrastive's plain, alpha
        self.chat_prefixes: list[str | None] = []  # each chat's cache_prefix

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
        self.chat_prefixes.append(cache_prefix)
        text = self.reply(messages) if callable(self.reply) else self.reply
        for word in text.split(" "):
            if on_token:
                on_token(word + " ")
        return Completion(text=text, prompt_tokens=used,
                          completion_tokens=self.count_tokens(text), first_token_s=0.0,
                          total_s=0.0)

    def chat_contrastive(self, messages: list[Message], plain: list[Message], max_tokens: int,
                         alpha: float, *, on_token: TokenCallback | None = None,
                         cache_prefix: str | None = None) -> Completion:
        """The scripted reply to `messages`; `plain` and `alpha` are kept in `contrasted`."""
        self.contrasted.append((plain, alpha))
        return self.chat(messages, max_tokens, on_token=on_token, cache_prefix=cache_prefix)

    def _reply_words(self, messages: list[Message]) -> set[str]:
        return set((self.reply(messages) if callable(self.reply) else self.reply).split())

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None, save_prefix: bool = True) -> Choice:
        """Each choice scores the number of its words in what the script would reply."""
        self.scoring_prefixes.append((cache_prefix, save_prefix))
        used = self.prompt_tokens(messages)
        if used + max(self.count_tokens(c) for c in choices) > self.context_size:
            raise ContextOverflow(f"{used} prompt tokens + a choice > {self.context_size}")
        self.calls.append(messages)
        self.max_tokens.append(0)
        reply = self._reply_words(messages)
        return Choice([OptionScore(float(len(reply & set(c.split()))), len(c.split()), len(c))
                       for c in choices], used)

    def first_token_logprobs(self, messages: list[Message], candidates: list[str], *,
                             cache_prefix: str | None = None,
                             save_prefix: bool = True) -> Choice:
        """A letter scores the words its listed option shares with the scripted reply, plus
        `letter_prior[letter]`: a model that likes some letters whatever they stand for."""
        self.scoring_prefixes.append((cache_prefix, save_prefix))
        used = self.prompt_tokens(messages)
        self.calls.append(messages)
        self.max_tokens.append(1)
        reply = self._reply_words(messages)
        proposed = re.search(r"^Proposed answer: (.*)$", messages[-1]["content"], re.MULTILINE)
        if proposed and candidates == ["Yes", "No"]:  # Yes as likely as the words it shares
            shared = len(reply & set(proposed.group(1).split()))
            return Choice([OptionScore(float(shared), 1, 3), OptionScore(0.0, 1, 2)], used)
        listed = dict(re.findall(r"^([A-J])\. (.*)$", messages[-1]["content"], re.MULTILINE))
        return Choice([OptionScore(len(reply & set(listed.get(c, "").split()))
                                   + self.letter_prior.get(c, 0.0), 1, 1)
                       for c in candidates], used)
