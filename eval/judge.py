"""An optional local LLM judge for free-text answers.

Local judges often answer off-format; the verdict is parsed robustly, asked for once more with
a stricter instruction, and otherwise counted as a failure (never a crash, never a NaN).
"""

from __future__ import annotations

import re

from longdoc.llm.protocol import LLM

JUDGE_PROMPT_VERSION = "judge-v1"
SYSTEM = "You grade answers to questions by comparing them with a reference answer."
VERDICTS = {"incorrect": 0.0, "wrong": 0.0, "partial": 0.5, "partially": 0.5, "correct": 1.0}


def judge_messages(question: str, golds: list[str], answer: str, strict: bool) -> list[dict]:
    reference = " / ".join(golds)
    ask = ("Reply with exactly one word and nothing else: CORRECT, PARTIAL or WRONG."
           if strict else
           "Does the answer to grade say the same as the reference? Reply with one word: "
           "CORRECT, PARTIAL or WRONG.")
    user = (f"Question: {question}\nReference answer: {reference}\n"
            f"Answer to grade: {answer or '(empty)'}\n{ask}")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def parse_verdict(reply: str) -> float | None:
    """The first verdict word in the reply ('incorrect' is not read as 'correct')."""
    match = re.search(r"\b(incorrect|wrong|partially|partial|correct)\b", reply.lower())
    return VERDICTS[match.group(1)] if match else None


class Judge:
    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.model_id = llm.model_id

    def grade(self, question: str, golds: list[str], answer: str) -> dict:
        replies = []
        for strict in (False, True):
            done = self.llm.chat(judge_messages(question, golds, answer, strict), 8)
            replies.append(done.text.strip())
            verdict = parse_verdict(done.text)
            if verdict is not None:
                return {"score": verdict, "raw": replies, "failed": False}
        return {"score": None, "raw": replies, "failed": True}
