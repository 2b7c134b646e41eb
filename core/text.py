"""Text helpers shared by retrieval, citations, notes and scoring."""

from __future__ import annotations

import re

LETTERS = "ABCDEFGHIJ"  # option letters of multiple-choice questions


def with_options(question: str, options: list[str]) -> str:
    """A question followed by its options, one a line under their letters ("A. first")."""
    listed = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))
    return f"{question}\nOptions:\n{listed}"


STOPWORDS = frozenset(
    "a an and are as at be but by for from had has have he her his i if in into is it its of on "
    "or she so than that the their them then there these they this to was were what when where "
    "which who whom why will with would you your do does did how".split()
)


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased word tokens without stop words: what BM25 and word overlap compare."""
    return [t for t in re.findall(r"\w+", text.lower()) if t not in STOPWORDS]


def split_sentences(text: str) -> list[str]:
    """Sentences (or paragraphs without end punctuation), white space folded."""
    parts = re.split(r"(?<=[.!?])\s+|\n{2,}", text)
    return [" ".join(p.split()) for p in parts if p.strip()]
