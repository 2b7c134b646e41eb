"""Property-based: whatever bytes a file holds, loading it ends in a document or a LoadError.

A traceback on bad input is a bug (the CLI prints a LongdocError as one line, exit code 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longdoc.core.errors import LongdocError
from longdoc.indexers.loaders import load_file

from conftest import SAMPLE_PDF

SAMPLE_BYTES = SAMPLE_PDF.read_bytes()
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        doc = load_file(path)
    except LongdocError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert doc.pages and any(p.strip() for p in doc.pages)
    assert "\n" not in doc.title


# Plain random bytes, plus text in random encodings (what real legacy files look like).
_texts = st.text(min_size=1, max_size=300).flatmap(
    lambda text: st.sampled_from(["utf-8", "utf-16", "cp1252", "cp1251", "latin-1", "koi8-r"])
    .map(lambda enc: text.encode(enc, errors="replace")))
_any_bytes = st.one_of(st.binary(max_size=2000), _texts)


@pytest.mark.parametrize("name", ["notes.txt", "notes.md"])
@FUZZ
@given(data=_any_bytes)
def test_random_bytes_as_text(tmp_path, name, data):
    _load(tmp_path, name, data)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_pdf(tmp_path, data):
    _load(tmp_path, "random.pdf", b"%PDF-1.4\n" + data)
    _load(tmp_path, "raw.pdf", data)


@FUZZ
@given(cut=st.integers(0, len(SAMPLE_BYTES)), junk=st.binary(min_size=1, max_size=64),
       at=st.integers(0, len(SAMPLE_BYTES)))
def test_damaged_real_pdf(tmp_path, cut, junk, at):
    """A real PDF truncated, or with junk written over part of it."""
    _load(tmp_path, "truncated.pdf", SAMPLE_BYTES[:cut])
    _load(tmp_path, "overwritten.pdf", SAMPLE_BYTES[:at] + junk + SAMPLE_BYTES[at + len(junk):])
