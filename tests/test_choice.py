"""Multiple-choice methods on the scripted LLM: PMI, letters over permutations, normalisation."""

from __future__ import annotations

import pytest

from longdoc.pipelines.choice import pick, score_choices
from longdoc.pipelines.prompts import SYSTEM, Prompt

from fakes import ScriptedLLM

CHOICES = ["IBM", "Royal McBee Computer Corp.", "Bell Labs"]
PROMPT = Prompt(SYSTEM, "<document>Mel worked for Royal McBee.</document>\n", "Who employed Mel?")


def _reads_or_guesses(messages) -> str:
    """With the document the model leans to Royal McBee, but it likes 'IBM' whatever it reads."""
    if "<document>" in messages[-1]["content"]:
        return "IBM Royal McBee"
    return "IBM"


def test_pmi_subtracts_the_question_only_score():
    llm = ScriptedLLM(_reads_or_guesses)
    scores, tally = score_choices(llm, PROMPT, CHOICES, ["likelihood", "pmi"])
    # per token: IBM 1/1 beats Royal McBee 2/4, so plain likelihood keeps the prior
    assert scores["likelihood"] == [1.0, 0.5, 0.0]
    # after the document minus without it: IBM 1 - 1, Royal McBee 2 - 0
    assert scores["pmi"] == [0.0, 2.0, 0.0]
    assert tally.calls == 2
    without = llm.calls[-1][-1]["content"]
    assert "<document>" not in without and "Who employed Mel?" in without


def test_closed_book_pmi_is_against_a_bare_answer_cue():
    llm = ScriptedLLM("IBM")
    closed = Prompt("You answer questions briefly and precisely.", "", "Who employed Mel?")
    score_choices(llm, closed, CHOICES, ["pmi"])
    assert llm.calls[-1][-1]["content"] == "Answer:"


def test_per_character_normalisation():
    llm = ScriptedLLM("Royal McBee Computer Corp. IBM")
    scores, _ = score_choices(llm, PROMPT, CHOICES, ["likelihood", "likelihood-char"])
    assert scores["likelihood"] == [1.0, 1.0, 0.0]
    assert scores["likelihood-char"] == [1 / 3, 4 / 26, 0.0]


def test_letter_permutations_are_averaged_and_undo_the_letter_prior():
    llm = ScriptedLLM("Royal McBee")
    llm.letter_prior = {"A": 5.0}  # a model that answers "A" whatever A stands for
    # one pass in the given order: A (IBM) wins on its letter alone
    once = llm.first_token_logprobs(PROMPT.listing(CHOICES).messages(), ["A", "B", "C"])
    assert max(range(3), key=lambda i: once.scores[i].logprob) == 0
    completion, trace = pick(llm, PROMPT, CHOICES, "letters")
    # every option sat under "A" once: the prior adds 5/3 to each, the content decides
    assert trace.scores["letters"] == [round(v, 4) for v in (5 / 3, 2 + 5 / 3, 5 / 3)]
    assert completion.text == "B. Royal McBee Computer Corp."
    listings = [call[-1]["content"] for call in llm.calls[-3:]]
    assert [text.split("Options:\nA. ")[1].split("\n")[0] for text in listings] == CHOICES
    assert completion.calls == 3


def test_all_modes_share_one_pass_and_answer_with_the_chosen_mode():
    llm = ScriptedLLM(_reads_or_guesses)
    completion, trace = pick(llm, PROMPT, CHOICES, "pmi", all_modes=True)
    assert set(trace.picks) == {"likelihood", "likelihood-char", "pmi", "letters", "ensemble",
                                "verify", "ensemble-verify"}
    assert trace.mode == "pmi" and trace.picks["pmi"] == 1 and trace.picks["likelihood"] == 0
    assert completion.text == "B. Royal McBee Computer Corp."
    # read + question alone + one per permutation + one per option proposed
    assert completion.calls == 2 + 2 * len(CHOICES)


def test_ensemble_adds_the_standardised_likelihood_and_letter_scores():
    llm = ScriptedLLM("Royal McBee")
    llm.letter_prior = {"A": 5.0}
    scores, _ = score_choices(llm, PROMPT, CHOICES, ["likelihood", "letters", "ensemble"])
    assert scores["likelihood"] == [0.0, 0.5, 0.0]
    # both views favour option 2 by the same standardised amount: sqrt(2) + sqrt(2)
    assert scores["ensemble"] == pytest.approx([-2 ** 0.5, 2 * 2 ** 0.5, -2 ** 0.5])


def test_verify_proposes_each_option_after_the_reading():
    llm = ScriptedLLM("Royal McBee")
    completion, trace = pick(llm, PROMPT, CHOICES, "verify")
    # Yes as likely as the words an option shares with what the model would say; No 0
    assert trace.scores["verify"] == [0.0, 2.0, 0.0]
    assert completion.text == "B. Royal McBee Computer Corp." and completion.calls == 3
    asked = [call[-1]["content"] for call in llm.calls]
    assert all(text.startswith("<document>") for text in asked)  # the reading, then
    assert [text.split("Proposed answer: ")[1].split("\n")[0] for text in asked] == CHOICES
    assert all(text.endswith("Reply Yes or No.") for text in asked)


def test_ensemble_verify_adds_the_three_standardised_views():
    llm = ScriptedLLM("Royal McBee")
    llm.letter_prior = {"A": 5.0}
    modes = ["likelihood", "letters", "verify", "ensemble-verify"]
    scores, _ = score_choices(llm, PROMPT, CHOICES, modes)
    # likelihood, letters and verify each favour option 2 by sqrt(2) once standardised
    assert scores["ensemble-verify"] == pytest.approx([-1.5 * 2 ** 0.5, 3 * 2 ** 0.5,
                                                       -1.5 * 2 ** 0.5])
