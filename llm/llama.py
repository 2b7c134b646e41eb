"""`LlamaCppLLM`: the LLM protocol on llama-cpp-python, with prompt-prefix reuse.

Within a process the context keeps the KV cells of the last prompt, and the next prompt
re-evaluates only what differs, so prompts put the document first and the question last; which
cells may be reused is decided by reuse.py, so that a prompt's scores never depend on the prompt
before it. Across processes, the KV state of a prompt's reusable prefix (up to the end of the
document) is saved to a `StateCache` with llama.cpp's per-sequence state files, which hold only
the KV cells (no logits).
"""

from __future__ import annotations

import os
import time

from longdoc.core.errors import LongdocError
from longdoc.llm import contrastive
from longdoc.llm.gguf import chat_formatter, context_too_large, default_context, read_metadata
from longdoc.llm.llama_scoring import common_prefix, continuation_logprobs, first_token_logprobs
from longdoc.llm.model_store import ModelRef
from longdoc.llm.protocol import Choice, Completion, Message, OptionScore, TokenCallback
from longdoc.llm.reuse import HeldCells
from longdoc.llm.sequence_state import load_sequence, save_sequence
from longdoc.llm.state_cache import StateCache

MIN_CACHED_PREFIX = 256  # shorter prefixes are cheaper to recompute than to load
SCRATCH_CTX = 1024  # the second, small context for short prompts (see _context_for)


class LlamaCppLLM:
    def __init__(self, model: ModelRef, n_ctx: int | None = None, n_threads: int | None = None,
                 n_gpu_layers: int | None = None, seed: int = 0, temperature: float = 0.0,
                 state_cache: StateCache | None = None, n_batch: int = 512,
                 flash_attn: bool = True, kv_type: str = "f16") -> None:
        import llama_cpp

        self.name = model.name
        self.model_id = model.model_id
        self.path = model.path
        self.seed = seed
        self.temperature = temperature
        self.state_cache = state_cache
        self.gpu_supported = bool(llama_cpp.llama_supports_gpu_offload())
        self.n_gpu_layers = (-1 if self.gpu_supported else 0) if n_gpu_layers is None \
            else n_gpu_layers
        self._threads = n_threads or os.cpu_count() or 1
        self._n_batch = n_batch
        self._flash_attn = flash_attn
        self._kv_type = kv_type
        self._scratch = None
        self._held: dict[int, HeldCells] = {}  # id of a context -> what its cells hold
        self.metadata = read_metadata(model.path)
        try:
            self.context_size = n_ctx or default_context(self.metadata)
            self._llama = self._open_context(self.context_size)
        except ValueError as exc:
            if "llama_context" not in str(exc) and "llama_batch" not in str(exc):
                raise LongdocError(f"cannot load model {model.path}: not a valid GGUF file or "
                                   f"truncated ({exc})") from None
            # the weights loaded but the context did not
            raise context_too_large(self.metadata, self.context_size) from None
        self.layers = int(self.metadata.get(f"{self._arch}.block_count", 0) or 0)
        self._formatter = chat_formatter(self._llama, self.metadata, self.name)
        self._add_bos = self.metadata.get("tokenizer.ggml.add_bos_token") == "true"

    # ---- description ------------------------------------------------------------------
    @property
    def _arch(self) -> str:
        return self.metadata.get("general.architecture", "llama")

    @property
    def trained_context(self) -> int:
        return int(self.metadata.get(f"{self._arch}.context_length", 0) or 0)

    def offload_summary(self) -> str:
        if not self.gpu_supported:
            return "CPU only (this llama-cpp-python build has no GPU support)"
        layers = self.layers + 1 if self.n_gpu_layers < 0 else min(self.n_gpu_layers,
                                                                   self.layers + 1)
        import llama_cpp

        info = llama_cpp.llama_print_system_info().decode(errors="replace")
        backend = next((b for b in ("CUDA", "METAL", "VULKAN", "HIP", "SYCL") if b in info),
                       "GPU")
        return f"{layers}/{self.layers + 1} layers offloaded to {backend}"

    # ---- tokens -------------------------------------------------------------------------
    def _tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        return self._llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def truncate_tokens(self, text: str, max_tokens: int, keep: str = "head") -> str:
        tokens = self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        if len(tokens) <= max_tokens:
            return text
        kept = tokens[:max_tokens] if keep == "head" else tokens[len(tokens) - max_tokens:]
        return self._llama.detokenize(kept).decode("utf-8", errors="ignore")

    def format_prompt(self, messages: list[Message]) -> str:
        return self._formatter(messages=messages).prompt

    def _encode(self, messages: list[Message], cache_prefix: str | None) -> tuple[list[int], int]:
        prompt = self.format_prompt(messages)
        cut = prompt.find(cache_prefix) if cache_prefix else -1
        if cut < 0:
            return self._tokenize(prompt, self._add_bos), 0
        cut += len(cache_prefix)
        head = self._tokenize(prompt[:cut], self._add_bos)
        return head + self._tokenize(prompt[cut:]), len(head)

    def prompt_tokens(self, messages: list[Message]) -> int:
        return len(self._encode(messages, None)[0])

    # ---- generation ---------------------------------------------------------------------
    def chat(self, messages: list[Message], max_tokens: int, *, stop: list[str] | None = None,
             on_token: TokenCallback | None = None, cache_prefix: str | None = None) -> Completion:
        tokens, n_prefix = self._encode(messages, cache_prefix)
        room = self.context_size - len(tokens)
        if room < 1:
            raise LongdocError(f"prompt of {len(tokens)} tokens does not fit the context of "
                               f"{self.context_size} tokens")
        max_tokens = max(1, min(max_tokens, room))
        started = time.perf_counter()
        _, reused = self._ready(self._llama, tokens, n_prefix)
        pieces: list[str] = []
        first = None
        for chunk in self._llama.create_completion(
            prompt=tokens, max_tokens=max_tokens, temperature=self.temperature, stop=stop,
            stream=True, seed=self.seed,
        ):
            choice = chunk["choices"][0]
            piece = choice.get("text") or ""
            if piece:
                if first is None:
                    first = time.perf_counter() - started
                pieces.append(piece)
                if on_token:
                    on_token(piece)
        text = "".join(pieces)
        self._evaluated(self._llama, tokens, n_prefix)
        return Completion(
            text=text, prompt_tokens=len(tokens), completion_tokens=self.count_tokens(text),
            reused_tokens=min(reused, len(tokens)), first_token_s=first,
            total_s=time.perf_counter() - started,
        )

    def chat_contrastive(self, messages: list[Message], plain: list[Message], max_tokens: int,
                         alpha: float, *, on_token: TokenCallback | None = None,
                         cache_prefix: str | None = None) -> Completion:
        tokens, n_prefix = self._encode(messages, cache_prefix)
        plain_tokens = self._encode(plain, None)[0]
        max_tokens = max(1, min(max_tokens, self.context_size - len(tokens)))
        if len(tokens) >= self.context_size or len(plain_tokens) + max_tokens >= SCRATCH_CTX:
            raise LongdocError(f"prompt of {len(tokens)} tokens (and {len(plain_tokens)} "
                               "without the reading) does not fit the contexts")
        started = time.perf_counter()
        start, reused = self._ready(self._llama, tokens, n_prefix)
        scratch = self._scratch_context()
        plain_start = self._ready(scratch, plain_tokens, 0)[0]
        text, first = contrastive.decode(self._llama, tokens, start, scratch, plain_tokens,
                                         plain_start, max_tokens, alpha, on_token)
        self._evaluated(self._llama, tokens, n_prefix)
        self._evaluated(scratch, plain_tokens, 0)
        return Completion(text, len(tokens), self.count_tokens(text), min(reused, len(tokens)),
                          first, time.perf_counter() - started, calls=2)

    def choose(self, messages: list[Message], choices: list[str], *,
               cache_prefix: str | None = None, save_prefix: bool = True) -> Choice:
        started = time.perf_counter()
        tokens, n_prefix = self._encode(messages, cache_prefix)
        options = [self._llama.tokenize(c.encode("utf-8"), add_bos=False, special=False)
                   for c in choices]
        llama, reused = self._context_for(tokens, max((len(o) for o in options), default=0),
                                          n_prefix, save_prefix)
        sums = continuation_logprobs(llama, tokens, options, llama.n_tokens)
        self._evaluated(llama, tokens, n_prefix)
        scores = [OptionScore(s, len(o), len(c)) for s, o, c in zip(sums, options, choices,
                                                                      strict=True)]
        return Choice(scores, len(tokens), reused, time.perf_counter() - started)

    def first_token_logprobs(self, messages: list[Message], candidates: list[str], *,
                             cache_prefix: str | None = None,
                             save_prefix: bool = True) -> Choice:
        started = time.perf_counter()
        tokens, n_prefix = self._encode(messages, cache_prefix)
        ids = []
        for text in candidates:
            pieces = self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
            if len(pieces) != 1:
                raise LongdocError(f"'{text}' is not a single token of model {self.name}")
            ids.append(pieces[0])
        llama, reused = self._context_for(tokens, 1, n_prefix, save_prefix)
        logprobs = first_token_logprobs(llama, tokens, ids, llama.n_tokens)
        self._evaluated(llama, tokens, n_prefix)
        scores = [OptionScore(lp, 1, len(c)) for lp, c in zip(logprobs, candidates, strict=True)]
        return Choice(scores, len(tokens), reused, time.perf_counter() - started)

    def _context_for(self, tokens: list[int], extra: int, n_prefix: int,
                     save_prefix: bool) -> tuple[object, int]:
        """The llama.cpp context to score `tokens` + `extra` in, and the tokens it reuses.

        A short prompt whose prefix is not a saved document (closed book, the question alone
        for PMI, `rag`'s passages) goes to a small second context, so the document's KV cells
        in the main one survive for the next question.
        """
        if len(tokens) + extra >= self.context_size:
            raise LongdocError(f"prompt of {len(tokens)} tokens and its choices do not fit the "
                               f"context of {self.context_size} tokens")
        llama = self._llama
        if len(tokens) + extra < SCRATCH_CTX and not (n_prefix and save_prefix):
            llama = self._scratch_context()
        return llama, self._ready(llama, tokens, n_prefix, save_prefix)[1]

    def _open_context(self, n_ctx: int):
        """The model with a llama.cpp context of `n_ctx` tokens (weights are memory-mapped, so
        a second context shares them)."""
        import llama_cpp
        from llama_cpp import Llama
        from llama_cpp._utils import suppress_stdout_stderr

        with suppress_stdout_stderr(disable=False):
            kv = getattr(llama_cpp, f"GGML_TYPE_{self._kv_type.upper()}")
            return Llama(str(self.path), n_ctx=n_ctx, n_batch=self._n_batch,
                         n_ubatch=self._n_batch, n_threads=self._threads,
                         n_threads_batch=self._threads, n_gpu_layers=self.n_gpu_layers,
                         seed=self.seed, flash_attn=self._flash_attn, type_k=kv, type_v=kv,
                         verbose=False)

    def _scratch_context(self):
        if self._scratch is None:
            self._scratch = self._open_context(SCRATCH_CTX)
        return self._scratch

    def _ready(self, llama, tokens: list[int], n_prefix: int,
               save_prefix: bool = True) -> tuple[int, int]:
        """Make `llama` hold the cells a canonical evaluation of `tokens` has before its last
        step (reuse.py), loading or computing the document prefix if needed; where the rest of
        the evaluation starts (also `llama.n_tokens`), and how many tokens were reused rather
        than computed."""
        held = self._held.setdefault(id(llama), HeldCells(self._n_batch))
        common = common_prefix(llama, tokens)
        if not 0 < n_prefix < len(tokens):
            start = reused = held.plain_start(common, len(tokens))
        elif held.holds_prefix(common, n_prefix):
            start = reused = n_prefix
        else:
            start = n_prefix
            reused = self._compute_prefix(llama, held, tokens[:n_prefix], common, save_prefix)
        held.truncate(start)
        llama.n_tokens = start
        return start, reused

    def _evaluated(self, llama, tokens: list[int], n_prefix: int) -> None:
        """Record that `tokens` were evaluated the canonical way (after `_ready`)."""
        if not 0 < n_prefix < len(tokens):
            self._held[id(llama)].plain_done(len(tokens))

    def _compute_prefix(self, llama, held: HeldCells, prefix: list[int], common: int,
                        save: bool) -> int:
        """Load the prefix's KV state from disk, or compute it on its own (and, with `save`,
        store it); the prefix tokens reused rather than computed."""
        stored = save and self.state_cache is not None and llama is self._llama \
            and len(prefix) >= MIN_CACHED_PREFIX
        if stored:
            layout = f"fa{int(self._flash_attn)}-{self._kv_type}-b{self._n_batch}"
            key = self.state_cache.key(self.model_id, layout, prefix)
            path = self.state_cache.lookup(key)
            if path is not None and load_sequence(llama, path, prefix, self.context_size):
                held.prefix_done(len(prefix))
                return len(prefix)
            held.forget()  # a failed load leaves the context empty
        start = held.prefix_start(common, len(prefix))
        held.truncate(start)
        llama.n_tokens = start  # eval() drops the KV cells past this point
        llama.eval(prefix[start:])
        held.prefix_done(len(prefix))
        if stored:
            text = llama.detokenize(prefix).decode("utf-8", errors="ignore")
            self.state_cache.store(key, lambda tmp: save_sequence(llama, tmp, prefix), text=text)
        return start
