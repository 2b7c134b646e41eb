"""Keep a worker's notes honest: every sentence it writes is replaced by the sentence of its
segment that it copies, or dropped when no sentence of the segment backs it.

Small models asked to "copy the relevant sentences" often paraphrase, echo the question, or
invent a value. A reply sentence is kept only if the words it adds beyond the question are
(mostly) found in one sentence of the segment; that sentence, verbatim and with its page,
becomes the note.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from longdoc.core.text import bm25_tokens, split_sentences
from longdoc.pipelines.evidence import overlap_scores

MIN_COVERAGE = 0.6
PAGE_MARK = re.compile(r"\[Page (\d+)\]")


def _words(text: str) -> set[str]:
    return {w for w in bm25_tokens(PAGE_MARK.sub(" ", text)) if not re.fullmatch(r"p", w)}


def _page_of(segment: str, sentence: str, default: int) -> int:
    flat = " ".join(segment.split())
    pos = flat.find(sentence)
    marks = [(m.start(), int(m.group(1))) for m in PAGE_MARK.finditer(flat)]
    before = [page for start, page in marks if start <= max(pos, 0)]
    return before[-1] if before and pos >= 0 else default


def grounded_notes(reply: str, segment: str, question: str, first_page: int) -> list[str]:
    """Verbatim sentences of `segment` backing `reply`, each tagged with its page."""
    asked = _words(question)
    source = [s for s in split_sentences(segment) if not PAGE_MARK.fullmatch(s)]
    source_words = [_words(s) for s in source]
    notes: list[str] = []
    for sentence in split_sentences(reply):
        words = _words(sentence)
        new = words - asked
        if not new or not source:
            continue
        best = max(range(len(source)), key=lambda i: len(words & source_words[i]))
        if len(new & source_words[best]) / len(new) < MIN_COVERAGE:
            continue
        text = PAGE_MARK.sub("", source[best]).strip()
        note = f"{text} (p. {_page_of(segment, source[best], first_page)})"
        if note not in notes:
            notes.append(note)
    return notes


def drop_least_related(lines: list[str], question: str,
                       fits: Callable[[list[str]], bool]) -> list[str]:
    """`lines` without the fewest notes, least related to `question` first (rare shared words
    weigh most; among equals the oldest), such that `fits` them; the rest in their order."""
    scores = overlap_scores(_words(question), [_words(line) for line in lines])
    dropping = sorted(range(len(lines)), key=lambda i: (scores[i], i))
    kept = set(range(len(lines)))
    for i in dropping:
        if fits([lines[j] for j in sorted(kept)]):
            break
        kept.discard(i)
    return [lines[j] for j in sorted(kept)]
