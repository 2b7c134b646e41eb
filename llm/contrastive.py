"""Context-aware decoding (Shi et al. 2023, "Trusting Your Evidence: Hallucinate Less with
Context-aware Decoding"): each token of a free-text answer is chosen from

    (1 + alpha) * log p(y | reading, question) - alpha * log p(y | question)

so that what the model would say without the reading counts against a token, and what the
reading adds counts for it. Only tokens at least `PLAUSIBILITY` times as likely as the likeliest
one after the reading compete (the adaptive plausibility constraint of contrastive decoding, Li
et al. 2023), so the subtraction never promotes a token the reading makes implausible.

Two llama.cpp contexts advance together, one token a step: the reader's (the whole prompt) and
the plain one (the same prompt without the reading), whose prompt is short.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from longdoc.llm.llama_scoring import eval_prompt, last_logprobs

PLAUSIBILITY = 0.1


def contrastive_scores(reading: np.ndarray, plain: np.ndarray, alpha: float,
                       plausibility: float = PLAUSIBILITY) -> np.ndarray:
    """The score of every token (log-probabilities in, -inf for the implausible ones)."""
    scores = (1 + alpha) * reading - alpha * plain
    floor = reading.max() + np.log(plausibility)
    return np.where(reading >= floor, scores, -np.inf)


def next_token(reading: np.ndarray, plain: np.ndarray, alpha: float) -> int:
    """The greedy pick under context-aware decoding."""
    return int(np.argmax(contrastive_scores(reading, plain, alpha)))


def _advance(llama, token: int) -> np.ndarray:
    llama.eval([token])
    return last_logprobs(llama)


def ends_turn(llama) -> Callable[[int], bool]:
    """Whether a token ends the reply (end of turn or of text) for `llama`'s model."""
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llama.model)
    return lambda token: bool(llama_cpp.llama_vocab_is_eog(vocab, token))


def decode(reader, reader_tokens: list[int], reader_start: int, plain, plain_tokens: list[int],
           plain_start: int, max_tokens: int, alpha: float,
           on_text: Callable[[str], None] | None = None) -> tuple[str, float | None]:
    """Generate with two contexts readied at their starts (llama.py `_ready`); the text and
    the seconds to its first piece, counted from the call."""
    started = time.perf_counter()
    is_end = ends_turn(reader)
    reading = eval_prompt(reader, reader_tokens, reader_start)
    plain_logprobs = eval_prompt(plain, plain_tokens, plain_start)
    made: list[int] = []
    text, first = "", None
    for _ in range(max_tokens):
        token = next_token(reading, plain_logprobs, alpha)
        if is_end(token):
            break
        made.append(token)
        # decode everything so far: a character split over tokens appears once it is whole
        now = reader.detokenize(made).decode("utf-8", errors="ignore")
        if len(now) > len(text):
            first = first if first is not None else time.perf_counter() - started
            if on_text:
                on_text(now[len(text):])
            text = now
        if len(made) < max_tokens:
            reading, plain_logprobs = _advance(reader, token), _advance(plain, token)
    return text, first
