"""Log-probabilities read from a llama.cpp context: how likely each option is as the reply, or
each candidate as the reply's first token. The prompt is evaluated once, from the position
the caller chose (reuse.py: the same for a prompt whatever came before it); each option is
evaluated after it and then forgotten."""

from __future__ import annotations

import numpy as np


def common_prefix(llama, tokens: list[int]) -> int:
    """How many leading `tokens` the context already holds."""
    n = 0
    for a, b in zip(llama._input_ids, tokens):  # noqa: B905 - lengths differ
        if a != b:
            break
        n += 1
    return n


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


def _logits(llama, index: int) -> np.ndarray:
    import llama_cpp

    pointer = llama_cpp.llama_get_logits_ith(llama._ctx.ctx, index)
    return np.ctypeslib.as_array(pointer, shape=(llama.n_vocab(),)).copy()


def eval_prompt(llama, tokens: list[int], start: int) -> np.ndarray:
    """Evaluate `tokens` from `start` (the context holds the cells before it); the
    log-probabilities of the token that would follow."""
    start = min(start, len(tokens) - 1)  # the last token gives the logits
    llama.n_tokens = start
    llama.eval(tokens[start:])
    return last_logprobs(llama)


def last_logprobs(llama) -> np.ndarray:
    """Log-probabilities of the token after the last one evaluated."""
    return log_softmax(_logits(llama, -1))


def _continuation_logprob(llama, option: list[int], first: np.ndarray, n_prompt: int) -> float:
    total = float(first[option[0]])
    if len(option) > 1:
        batch = llama._batch
        batch.set_batch(batch=option[:-1], n_past=n_prompt, logits_all=True)
        llama._ctx.decode(batch)
        for j, token in enumerate(option[1:]):
            total += float(log_softmax(_logits(llama, j))[token])
    return total


def continuation_logprobs(llama, tokens: list[int], options: list[list[int]],
                          start: int) -> list[float]:
    """Summed log-probability of each option's tokens as the continuation of `tokens`."""
    first = eval_prompt(llama, tokens, start)
    n_prompt = len(tokens)
    sums = []
    for option in options:
        sums.append(_continuation_logprob(llama, option, first, n_prompt) if option else -1e9)
        llama._ctx.kv_cache_seq_rm(-1, n_prompt, -1)  # forget the option
    llama.n_tokens = n_prompt
    llama._requires_eval = True
    return sums


def first_token_logprobs(llama, tokens: list[int], candidates: list[int],
                         start: int) -> list[float]:
    """Log-probability of each candidate token as the one that follows `tokens`."""
    first = eval_prompt(llama, tokens, start)
    return [float(first[c]) for c in candidates]
