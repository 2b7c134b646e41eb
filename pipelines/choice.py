"""Multiple choice without generating: each option scored by the model, several ways.

- `likelihood`: the option's text as the reply, mean log-probability per token (cloze form).
- `likelihood-char`: the same, per character (lm-evaluation-harness `acc_norm`).
- `pmi`: the option's log-probability after the reading minus after the question alone
  (domain-conditional PMI, Holtzman et al. 2021; lm-evaluation-harness `acc_mutual_info`):
  what the model prefers whatever it read cancels out.
- `letters`: the options listed under letters, the letter's probability as the first reply
  token, averaged over the cyclic permutations of the options (Zheng et al., ICLR 2024: small
  models' picks follow a prior on letters; every option takes every letter once).
- `ensemble`: `likelihood` and `letters` standardised per question and added: the option's
  text read as an answer and its letter among the listed options are two views of the choice.
- `verify`: each option put to the model as a proposed answer, scored log p(Yes) - log p(No)
  as the first reply token: a judgement of one option at a time, not a comparison.
- `ensemble-verify`: `likelihood`, `letters` and `verify` standardised and added.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from longdoc.core.text import LETTERS
from longdoc.llm.protocol import LLM, Choice, Completion
from longdoc.pipelines.options import MC_MODES
from longdoc.pipelines.prompts import Prompt


@dataclass
class ChoiceTrace:
    """How a multiple-choice answer was picked: the mode used and every mode computed."""

    mode: str
    picks: dict[str, int] = field(default_factory=dict)  # mode -> index of the option picked
    scores: dict[str, list[float]] = field(default_factory=dict)

    def margin(self) -> float:
        """Probability gap between the two likeliest options (softmax over the mode's
        scores): the model's own confidence in its pick, 0 (a tie) to 1."""
        scores = self.scores[self.mode]
        top = max(scores)
        weights = sorted((math.exp(s - top) for s in scores), reverse=True)
        runner_up = weights[1] if len(weights) > 1 else 0.0
        return (weights[0] - runner_up) / sum(weights)


@dataclass(frozen=True)
class Reuse:
    """The part of the prompt every scoring call of one question shares (`prefix`: the text it
    ends with), and whether its model state is worth saving for later processes (`save`: a
    document, not passages retrieved for this question)."""

    prefix: str | None = None
    save: bool = True


@dataclass
class Tally:
    prompt_tokens: int = 0
    reused_tokens: int = 0
    calls: int = 0

    def add(self, choice: Choice) -> None:
        self.prompt_tokens += choice.prompt_tokens
        self.reused_tokens += choice.reused_tokens
        self.calls += 1


def letter_scores(llm: LLM, prompt: Prompt, choices: list[str], tally: Tally,
                  reuse: Reuse = Reuse()) -> list[float]:
    """Each option's letter log-probability, averaged over the cyclic permutations."""
    n = len(choices)
    totals = [0.0] * n
    for shift in range(n):
        order = [(j + shift) % n for j in range(n)]  # letter j shows option order[j]
        listed = prompt.listing([choices[k] for k in order]).messages()
        result = llm.first_token_logprobs(listed, list(LETTERS[:n]), cache_prefix=reuse.prefix,
                                          save_prefix=reuse.save)
        tally.add(result)
        for j, k in enumerate(order):
            totals[k] += result.scores[j].logprob
    return [t / n for t in totals]


def verify_scores(llm: LLM, prompt: Prompt, choices: list[str], tally: Tally,
                  reuse: Reuse = Reuse()) -> list[float]:
    """Each option's log p(Yes) - log p(No) when proposed as the answer."""
    scores = []
    for option in choices:
        asked = prompt.verifying(option).messages()
        result = llm.first_token_logprobs(asked, ["Yes", "No"], cache_prefix=reuse.prefix,
                                          save_prefix=reuse.save)
        tally.add(result)
        scores.append(result.scores[0].logprob - result.scores[1].logprob)
    return scores


# the views each ensemble standardises and adds
ENSEMBLES = {"ensemble": ("likelihood", "letters"),
             "ensemble-verify": ("likelihood", "letters", "verify")}


def score_choices(llm: LLM, prompt: Prompt, choices: list[str], modes: list[str],
                  reuse: Reuse = Reuse()) -> tuple[dict[str, list[float]], Tally]:
    """Scores of every option under each of `modes` (work shared between modes)."""
    scores: dict[str, list[float]] = {}
    tally = Tally()
    needed = set(modes).union(*(ENSEMBLES.get(m, ()) for m in modes))
    if {"likelihood", "likelihood-char", "pmi"} & needed:
        read = llm.choose(prompt.messages(), choices, cache_prefix=reuse.prefix,
                          save_prefix=reuse.save)
        tally.add(read)
        scores["likelihood"] = [s.logprob / max(s.tokens, 1) for s in read.scores]
        scores["likelihood-char"] = [s.logprob / max(s.chars, 1) for s in read.scores]
        if "pmi" in needed:
            base = llm.choose(prompt.without_reading(), choices)
            tally.add(base)
            scores["pmi"] = [r.logprob - b.logprob
                             for r, b in zip(read.scores, base.scores, strict=True)]
    if "letters" in needed:
        scores["letters"] = letter_scores(llm, prompt, choices, tally, reuse)
    if "verify" in needed:
        scores["verify"] = verify_scores(llm, prompt, choices, tally, reuse)
    for mode in set(ENSEMBLES) & needed:
        views = [standardised(scores[view]) for view in ENSEMBLES[mode]]
        scores[mode] = [sum(values) for values in zip(*views, strict=True)]
    return {m: scores[m] for m in modes}, tally


def standardised(values: list[float]) -> list[float]:
    """Zero mean, unit spread (all zeros when the values are all equal)."""
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return [(v - mean) / spread if spread else 0.0 for v in values]


def pick(llm: LLM, prompt: Prompt, choices: list[str], mode: str, all_modes: bool = False,
         reuse: Reuse = Reuse()) -> tuple[Completion, ChoiceTrace]:
    """The option `mode` finds likeliest, as the answer "B. text"; with `all_modes`, every
    mode's pick is computed too (an evaluation compares them in one pass)."""
    started = time.perf_counter()
    modes = list(MC_MODES) if all_modes else [mode]
    scores, tally = score_choices(llm, prompt, choices, modes, reuse)
    picks = {m: max(range(len(choices)), key=s.__getitem__) for m, s in scores.items()}
    best = picks[mode]
    elapsed = time.perf_counter() - started
    completion = Completion(f"{LETTERS[best]}. {choices[best]}", tally.prompt_tokens, 0,
                            tally.reused_tokens, elapsed, elapsed, calls=tally.calls)
    rounded = {m: [round(v, 4) for v in s] for m, s in scores.items()}
    return completion, ChoiceTrace(mode, picks, rounded)
