"""`ServerLLM`: the LLM protocol over an OpenAI-compatible server (llama-cpp-python's server,
llama.cpp's llama-server, vLLM).

Prompts keep the document first, so the server's own prompt cache (llama-cpp-python's
longest-prefix reuse, llama-server `cache_prompt`, vLLM's prefix caching) serves a document's
later questions. Multiple choice is scored from prompt log-probabilities (`/v1/completions` with
`echo` and `logprobs`, as vLLM returns them); a server that returns none (llama-server), or
only too slowly to use (llama-cpp-python's server), answers it by generating the letter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.llm.protocol import Choice, Completion, Message, OptionScore, TokenCallback
from longdoc.llm.server_http import MissingEndpoint, ServerClient, ServerError
from longdoc.llm.server_tokens import ServerTokenizer, find_template

TOP_LOGPROBS = 20  # vLLM's default --max-logprobs
MEMO = 4096  # token counts remembered (pipelines count the same chunks again and again)


class ServerLLM:
    def __init__(self, url: str, model: str | None = None,
                 local_gguf: Callable[[], Path | None] = lambda: None, ctx: int | None = None,
                 temperature: float = 0.0, seed: int = 0) -> None:
        """`local_gguf`: the GGUF `model` names on this machine, if any (its chat template is
        used when the server offers none)."""
        self.client = ServerClient(url)
        self.temperature, self.seed = temperature, seed
        served = self._models()
        self.served = self._pick(served, model, local_gguf)
        self.name = Path(self.served).name or self.served
        self.model_id = f"server:{self.served}"
        gguf = Path(self.served) if Path(self.served).is_file() else local_gguf()
        self.tokens = ServerTokenizer(self.client, self.served)
        self._template = find_template(self.client, self.tokens, gguf)
        self.context_size = self._context(ctx, served)
        self.scores_prompts = self._probe_prompt_logprobs()
        self._counts: dict[str, int] = {}

    # ---- the server -------------------------------------------------------------------
    def _models(self) -> dict[str, dict]:
        try:
            data = self.client.get("/v1/models").get("data")
        except MissingEndpoint:
            raise ServerError(f"{self.client.url} is not an OpenAI-compatible server "
                              "(no /v1/models)") from None
        if not isinstance(data, list) or not data:
            raise ServerError(f"the model server at {self.client.url} lists no model")
        return {str(m.get("id")): m for m in data if isinstance(m, dict)}

    def _pick(self, served: dict[str, dict], wanted: str | None,
              local_gguf: Callable[[], Path | None]) -> str:
        if wanted is None:
            if len(served) > 1:
                raise LongdocError(f"the model server at {self.client.url} serves several "
                                   f"models ({', '.join(served)}): choose one with --model")
            return next(iter(served))
        for name in served:
            if wanted in (name, Path(name).name, Path(name).stem):
                return name
        local = local_gguf()  # a short name such as qwen2.5-coder-0.5b
        for name in served:
            if local is not None and local.name == Path(name).name:
                return name
        raise ServerError(f"the model server at {self.client.url} serves "
                          f"{', '.join(served)}, not {wanted}")

    def _context(self, ctx: int | None, served: dict[str, dict]) -> int:
        reported = served[self.served].get("max_model_len")  # vLLM
        if not reported:
            try:
                props = self.client.get("/props")  # llama.cpp
                reported = (props.get("default_generation_settings") or {}).get("n_ctx")
            except MissingEndpoint:
                reported = None
        if ctx and reported and ctx > int(reported):
            raise LongdocError(f"--ctx {ctx} is more than the {reported} tokens the model "
                               f"server at {self.client.url} has")
        if ctx or reported:
            return int(ctx or reported)
        raise LongdocError(f"the model server at {self.client.url} does not report its context "
                           "size: pass --ctx N (the server's --n_ctx)")

    def _probe_prompt_logprobs(self) -> bool:
        if self.tokens.path == "/extras/tokenize":
            # llama-cpp-python's server returns them, but sorts the whole vocabulary in Python
            # for every prompt token: 137 s for an 11-token prompt on 2 busy cores
            return False
        try:
            self._prompt_logprobs(self._template([{"role": "user", "content": "Hi"}]) + "Hi")
        except ServerError:
            return False
        return True

    def offload_summary(self) -> str:
        how = "" if self.scores_prompts else " (multiple choice: generated)"
        return f"model server {self.client.url}{how}"

    # ---- tokens -------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        if text not in self._counts:
            if len(self._counts) >= MEMO:
                self._counts.clear()
            self._counts[text] = len(self.tokens.tokenize(text))
        return self._counts[text]

    def truncate_tokens(self, text: str, max_tokens: int, keep: str = "head") -> str:
        tokens = self.tokens.tokenize(text)
        if len(tokens) <= max_tokens:
            return text
        kept = tokens[:max_tokens] if keep == "head" else tokens[len(tokens) - max_tokens:]
        return self.tokens.detokenize(kept) if kept else ""

    def format_prompt(self, messages: list[Message]) -> str:
        return self._template(messages)

    def prompt_tokens(self, messages: list[Message]) -> int:
        return self.count_tokens(self.format_prompt(messages))

    # ---- generation ---------------------------------------------------------------------
    def _sampling(self) -> dict:
        # llama-cpp-python's server defaults repeat_penalty to 1.1; in-process it is 1.0
        return {"model": self.served, "temperature": self.temperature, "seed": self.seed,
                "repeat_penalty": 1.0}

    def chat(self, messages: list[Message], max_tokens: int, *, stop: list[str] | None = None,
             on_token: TokenCallback | None = None, cache_prefix: str | None = None) -> Completion:
        n_prompt = self.prompt_tokens(messages)
        room = self.context_size - n_prompt
        if room < 1:
            raise LongdocError(f"prompt of {n_prompt} tokens does not fit the context of "
                               f"{self.context_size} tokens")
        body = {**self._sampling(), "messages": messages, "max_tokens": max(1, min(max_tokens,
                                                                                   room)),
                "stream": True, **({"stop": stop} if stop else {})}
        started = time.perf_counter()
        pieces: list[str] = []
        first = None
        for event in self.client.stream("/v1/chat/completions", body):
            choices = event.get("choices") or [{}]
            piece = (choices[0].get("delta") or {}).get("content") or ""
            if piece:
                first = first if first is not None else time.perf_counter() - started
                pieces.append(piece)
                if on_token:
                    on_token(piece)
        text = "".join(pieces)
        return Completion(text=text, prompt_tokens=n_prompt,
                          completion_tokens=self.count_tokens(text) if text else 0,
                          first_token_s=first, total_s=time.perf_counter() - started)

    def chat_contrastive(self, messages: list[Message], plain: list[Message], max_tokens: int,
                         alpha: float, *, on_token: TokenCallback | None = None,
                         cache_prefix: str | None = None) -> Completion:
        raise LongdocError(f"--cad needs the model in this process: the model server at "
                           f"{self.client.url} gives no next-token scores for two prompts "
                           "in step")

    def _prompt_logprobs(self, prompt: str, top: int | None = None) -> tuple[list, dict]:
        """Log-probabilities of the prompt's tokens (echo) and the usage record."""
        body = {**self._sampling(), "prompt": prompt, "max_tokens": 1, "echo": top is None,
                "logprobs": top if top is not None else 0, "temperature": 0.0}
        answer = self.client.post("/v1/completions", body)
        choice = (answer.get("choices") or [{}])[0]
        logprobs = choice.get("logprobs") or {}
        values = logprobs.get("top_logprobs" if top is not None else "token_logprobs")
        if not isinstance(values, list) or not values:
            raise ServerError(f"the model server at {self.client.url} returns no prompt "
                              "log-probabilities")
        return values, answer.get("usage") or {}

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None, save_prefix: bool = True) -> Choice:
        if not self.scores_prompts:
            raise LongdocError(f"the model server at {self.client.url} returns no prompt "
                               "log-probabilities: use --mc-mode generate")
        started = time.perf_counter()
        prompt = self.format_prompt(messages)
        n_base = self.count_tokens(prompt)
        scores = []
        for text in choices:
            values, usage = self._prompt_logprobs(prompt + text)
            n_full = int(usage.get("prompt_tokens") or n_base + self.count_tokens(text))
            lead = n_full - len(values[:n_full])  # a BOS token the echo leaves out
            picked = values[max(0, n_base - lead):n_full - lead]
            scores.append(OptionScore(sum(v for v in picked if v is not None),
                                      len(picked), len(text)))
        return Choice(scores, n_base, 0, time.perf_counter() - started)

    def first_token_logprobs(self, messages: list[Message], candidates: list[str], *,
                             cache_prefix: str | None = None,
                             save_prefix: bool = True) -> Choice:
        """From the top log-probabilities of the first generated token; a candidate outside
        them is scored by echoing it after the prompt."""
        started = time.perf_counter()
        prompt = self.format_prompt(messages)
        top = self._prompt_logprobs(prompt, TOP_LOGPROBS)[0][0] or {}
        missing = [c for c in candidates if c not in top]
        if missing:
            echoed = self.choose(messages, missing)
            top = {**top, **{c: s.logprob for c, s in zip(missing, echoed.scores,
                                                            strict=True)}}
        scores = [OptionScore(float(top[c]), 1, len(c)) for c in candidates]
        return Choice(scores, self.count_tokens(prompt), 0, time.perf_counter() - started)
