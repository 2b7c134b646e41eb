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


def load_questions(path: Path) -> LoadedSet:
    path = Path(path).expanduser()
    if not path.exists():
        raise LongdocError(f"no such question file: {path}")
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    elif path.suffix.lower() in {".jsonl", ".json", ".ndjson"}:
        rows = _jsonl_rows(path)
    else:
        raise LongdocError(f"question file must be .jsonl or .csv, not '{path.suffix}'")
    questions, problems, seen = [], [], set()
    for line, row in rows:
        if isinstance(row, Problem):
            problems.append(row)
            continue
        try:
            q = _question(row, path.parent, line)
        except ValueError as exc:
            problems.append(Problem(line, str(exc)))
            continue
        if q.id in seen:
            problems.append(Problem(line, f"duplicate question id '{q.id}'"))
            continue
        seen.add(q.id)
        questions.append(q)
    return LoadedSet(questions, problems)


def _jsonl_rows(path: Path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield line_no, Problem(line_no, f"malformed JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                yield line_no, Problem(line_no, "a line must be a JSON object")
                continue
            yield line_no, row


def _csv_rows(path: Path):
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), 2):
            yield line_no, dict(row)


def _question(row: dict, base: Path, line: int) -> EvalQuestion:
    text = str(row.get("question") or "").strip()
    if not text:
        raise ValueError("no question")
    answers = row.get("answers", row.get("answer"))
    if isinstance(answers, str):
        answers = [answers]
    answers = [str(a).strip() for a in (answers or []) if str(a).strip()]
    if not answers:
        raise ValueError("no gold answer")
    doc = row.get("doc_path") or row.get("document") or row.get("doc")
    if not doc:
        raise ValueError("no document path")
    doc_path = (base / str(doc)).resolve()
    if not doc_path.is_file():
        raise ValueError(f"document file not found: {doc}")
    options = row.get("options") or None
    meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
    answer_type = meta.get("answer_type") or row.get("answer_type") or (
        "multiple_choice" if options else "free_text")
    if answer_type not in ANSWER_TYPES:
        raise ValueError(f"unknown answer type '{answer_type}'")
    if options is not None and (not isinstance(options, list) or len(options) < 2):
        raise ValueError("options must be a list of at least two answers")
    dataset = str(row.get("dataset") or "custom")
    qid = str(row.get("id") or f"{dataset}:{line}")
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
