"""Loading evaluation questions, with every bad line reported by its number."""

from __future__ import annotations

import json

import pytest

from longdoc.core.errors import LongdocError
from longdoc.eval.datasets import load_questions, select
from longdoc.eval.scoring import choices_for, pose, score


def _write(tmp_path, rows) -> object:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "a.txt").write_text("Alpha text.")
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def _q(i, dataset="ds", **kw):
    return {"id": f"{dataset}:{i}", "dataset": dataset, "question": f"Question {i}?",
            "answers": ["alpha"], "options": None, "doc_path": "docs/a.txt",
            "meta": {"answer_type": "extractive"}, **kw}


def test_bad_lines_are_reported_and_the_rest_loads(tmp_path):
    path = _write(tmp_path, [
        _q(1), "{not json", _q(2, answers=[]), _q(3, doc_path="docs/missing.txt"),
        _q(4, question=""), _q(5), _q(1)])
    loaded = load_questions(path)
    assert [q.id for q in loaded.questions] == ["ds:1", "ds:5"]
    reasons = {p.line: p.reason for p in loaded.problems}
    assert reasons[2].startswith("malformed JSON")
    assert reasons[3] == "no gold answer"
    assert reasons[4] == "document file not found: docs/missing.txt"
    assert reasons[5] == "no question"
    assert reasons[7] == "duplicate question id 'ds:1'"


def test_unknown_dataset_is_refused(tmp_path):
    loaded = load_questions(_write(tmp_path, [_q(1)]))
    with pytest.raises(LongdocError, match="unknown dataset.*nope.*this file has: ds"):
        select(loaded, ["nope"])


def test_seeded_sample_is_reproducible_and_stratified(tmp_path):
    rows = [_q(i, "one") for i in range(30)] + [_q(i, "two") for i in range(5)]
    loaded = load_questions(_write(tmp_path, rows))
    first = select(loaded, sample_per_dataset=4, seed=0)
    again = select(loaded, sample_per_dataset=4, seed=0)
    other = select(loaded, sample_per_dataset=4, seed=1)
    assert [q.id for q in first] == [q.id for q in again]
    assert [q.id for q in first] != [q.id for q in other]
    assert sum(q.dataset == "one" for q in first) == 4 == sum(q.dataset == "two" for q in first)


def test_plain_csv(tmp_path):
    (tmp_path / "doc.txt").write_text("Beta.")
    path = tmp_path / "mine.csv"
    path.write_text("question,answer,document\nWhat is it?,Beta,doc.txt\n,x,doc.txt\n")
    loaded = load_questions(path)
    assert [q.question for q in loaded.questions] == ["What is it?"]
    assert loaded.problems[0].line == 3


def test_multiple_choice_is_posed_with_options_and_scored_by_letter(tmp_path):
    row = _q(1, options=["red", "green", "blue", "black"], answers=["B", "green"],
             meta={"answer_type": "multiple_choice"})
    q = load_questions(_write(tmp_path, [row])).questions[0]
    assert pose(q) == "Question 1?"  # scored by likelihood: cloze, options not listed
    assert "B. green" in pose(q, "generate")
    assert pose(q, "generate").endswith("letter of the correct option.")
    assert choices_for(q, "likelihood") == ["red", "green", "blue", "black"]
    assert choices_for(q, "generate") is None
    assert score(q, "B").value == 1.0
    assert score(q, "The tower was painted green.").value == 1.0
    assert score(q, "A").value == 0.0


def test_numeric_and_boolean_answers_and_list_answer_types(tmp_path):
    path = _write(tmp_path, [
        _q(1, answers=None, answer=1963), _q(2, answers=None, answer=True),
        _q(3, answers=[4.5, "x"]), _q(4, meta={"answer_type": ["extractive"]}),
        _q(5, answers=[{"a": 1}]), _q(6, question={"q": 1}), _q(7)])
    loaded = load_questions(path)
    assert [q.id for q in loaded.questions] == ["ds:1", "ds:3", "ds:7"]
    assert loaded.questions[0].answers == ["1963"]
    assert loaded.questions[1].answers == ["4.5", "x"]
    reasons = {p.line: p.reason for p in loaded.problems}
    assert reasons[2] == "an answer must be text, not bool"
    assert reasons[4].startswith("unknown answer type")
    assert reasons[5] == "an answer must be text, not dict"
    assert reasons[6] == "the question must be text, not dict"


def test_documents_outside_the_question_folder_are_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    base = tmp_path / "set"
    base.mkdir()
    (base / "docs").mkdir()
    (base / "docs" / "a.txt").write_text("Alpha text.")
    (base / "docs" / "link.txt").symlink_to(outside / "secret.txt")
    rows = [_q(1), _q(2, doc_path="../outside/secret.txt"),
            _q(3, doc_path=str(outside / "secret.txt")), _q(4, doc_path="docs/link.txt"),
            _q(5, doc_path=str(base / "docs" / "a.txt"))]
    path = base / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    loaded = load_questions(path)
    assert [q.id for q in loaded.questions] == ["ds:1", "ds:5"]
    reasons = {p.line: p.reason for p in loaded.problems}
    assert set(reasons) == {2, 3, 4}
    assert all("outside the question file's folder" in r for r in reasons.values())
    allowed = load_questions(path, allow_outside_docs=True)
    assert len(allowed.questions) == 5 and not allowed.problems


def test_a_question_file_that_is_a_folder(tmp_path):
    (tmp_path / "q.jsonl").mkdir()
    with pytest.raises(LongdocError, match="is a folder"):
        load_questions(tmp_path / "q.jsonl")
