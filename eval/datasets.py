"""Evaluation questions: the dev-set JSONL format, or a plain CSV/JSONL of users' own.

Dev format (see ../shared/eval/README.md): one JSON object per line with id, dataset, doc_id,
question, answers, options, doc_path (relative to the file), meta.answer_type.
Plain format: `question`, `answer` (or `answers`), `document` (a path) per row.

Bad lines never stop a load: each becomes a `Problem` with its line number.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from longdoc.core.errors import LongdocError

ANSWER_TYPES = {"multiple_choice", "multiple_select", "extractive", "free_text"}


@dataclass
class EvalQuestion:
    id: str
    dataset: str
    question: str
    answers: list[str]
    doc_path: Path
    options: list[str] | None = None
    answer_type: str = "free_text"
    meta: dict = field(default_factory=dict)

    @property
    def gold_letters(self) -> str:
        return self.answers[0].strip().upper() if self.options else ""


@dataclass
class Problem:
    line: int
    reason: str


@dataclass
class LoadedSet:
    questions: list[EvalQuestion]
    problems: list[Problem]

    def datasets(self) -> list[str]:
        return sorted({q.dataset for q in self.questions})


def load_questions(path: Path, allow_outside_docs: bool = False) -> LoadedSet:
    """Questions of `path`; documents must lie under its folder unless `allow_outside_docs`."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LongdocError(f"no such question file: {path}")
    if path.is_dir():
        raise LongdocError(f"question file {path} is a folder")
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    elif path.suffix.lower() in {".jsonl", ".json", ".ndjson"}:
        rows = _jsonl_rows(path)
    else:
        raise LongdocError(f"question file must be .jsonl or .csv, not '{path.suffix}'")
    base = path.parent.resolve()
    questions, problems, seen = [], [], set()
    try:
        for line, row in rows:
            if isinstance(row, Problem):
                problems.append(row)
                continue
            try:
                q = _question(row, base, line, allow_outside_docs)
            except ValueError as exc:
                problems.append(Problem(line, str(exc)))
                continue
            if q.id in seen:
                problems.append(Problem(line, f"duplicate question id '{q.id}'"))
                continue
            seen.add(q.id)
            questions.append(q)
    except OSError as exc:
        raise LongdocError(f"cannot read question file {path}: {exc.strerror or exc}") from None
    except csv.Error as exc:
        raise LongdocError(f"question file {path} is not valid CSV ({exc})") from None
    return LoadedSet(questions, problems)


def _jsonl_rows(path: Path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield line_no, Problem(line_no, f"malformed JSON ({getattr(exc, 'msg', exc)})")
                continue
            except RecursionError:
                yield line_no, Problem(line_no, "malformed JSON (nested too deeply)")
                continue
            if not isinstance(row, dict):
                yield line_no, Problem(line_no, "a line must be a JSON object")
                continue
            yield line_no, row


def _csv_rows(path: Path):
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), 2):
            yield line_no, {k: v for k, v in row.items() if isinstance(k, str)}


def _text(value: object, what: str) -> str:
    """A field as text: strings as they are, numbers written out; anything else is refused."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what} must be text, not {type(value).__name__}")


def _answers(row: dict) -> list[str]:
    answers = row.get("answers")
    if answers is None:
        answers = row.get("answer")
    if answers is None:
        answers = []
    elif not isinstance(answers, list):
        answers = [answers]
    texts = [_text(a, "an answer") for a in answers]
    if not any(texts):
        raise ValueError("no gold answer")
    return [a for a in texts if a]


def _doc_path(row: dict, base: Path, allow_outside: bool) -> Path:
    doc = row.get("doc_path") or row.get("document") or row.get("doc")
    if not doc:
        raise ValueError("no document path")
    doc = _text(doc, "the document path")
    try:
        doc_path = (base / doc).resolve()
        if not allow_outside and not doc_path.is_relative_to(base):
            raise ValueError(f"document {doc} lies outside the question file's folder "
                             "(refused; --allow-outside-docs allows it)")
        if not doc_path.is_file():
            raise ValueError(f"document file not found: {doc}")
    except OSError as exc:
        raise ValueError(f"document {doc[:80]} cannot be read ({exc.strerror or exc})") from None
    return doc_path


def _answer_type(row: dict, meta: dict, options: list | None) -> str:
    answer_type = meta.get("answer_type") or row.get("answer_type") or (
        "multiple_choice" if options else "free_text")
    if not isinstance(answer_type, str) or answer_type not in ANSWER_TYPES:
        raise ValueError(f"unknown answer type {str(answer_type)[:40]!r}")
    return answer_type


def _question(row: dict, base: Path, line: int, allow_outside: bool = False) -> EvalQuestion:
    text = _text(row.get("question") or "", "the question")
    if not text:
        raise ValueError("no question")
    answers = _answers(row)
    doc_path = _doc_path(row, base, allow_outside)
    options = row.get("options") or None
    if options is not None:
        if not isinstance(options, list) or len(options) < 2:
            raise ValueError("options must be a list of at least two answers")
        options = [_text(o, "an option") for o in options]
    meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
    answer_type = _answer_type(row, meta, options)
    dataset = _text(row.get("dataset") or "custom", "the dataset")
    qid = _text(row.get("id") or f"{dataset}:{line}", "the id")
    return EvalQuestion(qid, dataset, text, answers, doc_path, options, answer_type, meta)


def select(loaded: LoadedSet, datasets: list[str] | None = None, limit: int | None = None,
           sample_per_dataset: int | None = None, seed: int = 0) -> list[EvalQuestion]:
    """Filter by dataset, then take a seeded sample (or the first `limit`) per dataset."""
    available = loaded.datasets()
    if datasets:
        unknown = [d for d in datasets if d not in available]
        if unknown:
            raise LongdocError(f"unknown dataset(s) {', '.join(unknown)} "
                               f"(this file has: {', '.join(available)})")
    chosen = []
    for name in datasets or available:
        items = [q for q in loaded.questions if q.dataset == name]
        if sample_per_dataset is not None:
            rng = random.Random(f"{seed}:{name}")
            items = sorted(rng.sample(items, min(sample_per_dataset, len(items))),
                           key=lambda q: q.id)
        if limit is not None:
            items = items[:limit]
        chosen.extend(items)
    return chosen
