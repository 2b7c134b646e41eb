"""Property-based: no input makes the question-file parser fail with anything but the
project's own LongdocError (bad lines become problems; a broken file one clear error)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longdoc.core.errors import LongdocError
from longdoc.eval.datasets import load_questions

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYS = ["id", "dataset", "question", "answer", "answers", "options", "doc_path", "document",
        "doc", "meta", "answer_type"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6),
    max_leaves=20)
ROWS = st.dictionaries(st.sampled_from(KEYS), JSON | st.just("a.txt"), max_size=8)


def _load(path):
    try:
        return load_questions(path)
    except LongdocError:
        return None


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_random_bytes(tmp_path, data, suffix):
    path = tmp_path / f"q{suffix}"
    path.write_bytes(data)
    _load(path)


@FUZZ
@given(rows=st.lists(ROWS | JSON, max_size=6))
def test_random_json_lines(tmp_path, rows):
    (tmp_path / "a.txt").write_text("Alpha.")
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    loaded = _load(path)
    assert loaded is not None  # JSON lines never reject the whole file
    assert len(loaded.questions) + len(loaded.problems) == len(rows)
    for q in loaded.questions:
        assert q.question and q.answers and all(isinstance(a, str) for a in q.answers)
        assert q.doc_path.parent == tmp_path
