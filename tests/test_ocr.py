"""Scanned PDF pages: read by OCR with the `ocr` extra, marked in the library, in `docs` and in
citations; without the extra, a message that says how to enable it. The PDFs are made here,
by drawing text into images that have no text layer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from longdoc.core.errors import LoadError
from longdoc.indexers import ocr
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.indexers.loaders import load_file
from longdoc.indexers.types import pages_label
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.registry import get_pipeline

from fakes import ScriptedLLM
from pdf_factory import blank_pdf, scanned_pdf

SCAN = ["The Lighthouse of Varn Island", "Its first keeper was Ada Quill, who kept the light",
        "burning for thirty-two years. In 1934 the light was electrified."]
TEXT_PAGE = ["A note on the history of the Varn Island lighthouse and its keepers."]
needs_ocr = pytest.mark.skipif(not ocr.ocr_available(),
                               reason="the OCR extra is not installed: pip install -e '.[ocr]'")


def test_without_the_extra_a_scan_says_how_to_enable_ocr(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    with pytest.raises(LoadError, match=r"no extractable text .*pip install 'longdoc\[ocr\]'"):
        load_file(scanned_pdf(tmp_path / "scan.pdf", [SCAN]))
    mixed = load_file(scanned_pdf(tmp_path / "mixed.pdf", [SCAN], text_first=TEXT_PAGE))
    assert mixed.ocr_pages == [] and mixed.pages[1] == ""
    assert "1 scanned pages without text not read (OCR: pip install 'longdoc[ocr]')" in mixed.note


def test_page_labels_say_which_pages_were_read_by_ocr():
    assert pages_label(3, 3) == "p. 3" and pages_label(3, 3, [3]) == "p. 3 (OCR)"
    assert pages_label(1, 2, [2]) == "pp. 1-2 (OCR: p. 2)"
    assert pages_label(2, 4, [2, 3, 4, 9]) == "pp. 2-4 (OCR)"
    assert pages_label(1, 4, [4, 2]) == "pp. 1-4 (OCR: pp. 2, 4)"


def test_words_run_together_are_split_and_nothing_else_changes():
    pytest.importorskip("wordninja", reason="wordninja comes with the OCR extra")
    assert ocr.split_merged_words("TheMeaningofHack") == "The Meaning of Hack"
    assert ocr.split_merged_words("In1934thelightwaselectrified.") == \
        "In 1934 the light was electrified."
    kept = "fact, {hack} has only one meaning; notwithstanding 0001045810-22-000166"
    assert ocr.split_merged_words(kept) == kept


def test_blank_pages_are_not_sent_to_ocr(tmp_path, monkeypatch):
    def no_ocr(*args):
        raise AssertionError("a blank page has no image to read")

    monkeypatch.setattr(ocr, "ocr_page", no_ocr)
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(blank_pdf(tmp_path / "blank.pdf"))


@needs_ocr
def test_scanned_page_is_read_marked_and_cited(tmp_path, embedder):
    source = scanned_pdf(tmp_path / "varn.pdf", [SCAN], text_first=TEXT_PAGE)
    lib = Library(tmp_path / "lib")
    report = ingest(lib, [source], embedder)
    assert [r.status for r in report.results] == ["added"]
    assert "1 of 1 scanned pages read by OCR" in report.results[0].reason
    (record,) = lib.documents()
    assert record.ocr_pages == [2] and record.pages == 2
    document = lib.load_document(record.doc_id)
    assert document.ocr_pages == [2] and "Ada Quill" in document.pages[1]
    assert "electrified" in document.pages[1] and "lighthouse" in document.pages[0]
    # the same file again: unchanged (the content hash and file record decide, not OCR)
    again = ingest(lib, [source], embedder)
    assert [r.status for r in again.results] == ["unchanged"] and again.embedded_chunks == 0
    context = AskContext(lib, ScriptedLLM("Ada Quill kept the light burning."), [record.doc_id],
                         embedder=embedder)
    answer = get_pipeline("full").answer("Who was the first keeper?", context)
    labels = [c.label() for c in answer.citations]
    assert labels and all(label.endswith(("p. 2 (OCR)", "pp. 1-2 (OCR: p. 2)"))
                          for label in labels), labels
    assert answer.to_dict()["citations"][0]["ocr_pages"] == [2]
    docs = subprocess.run([sys.executable, "-m", "longdoc.cli.main", "docs", "--index",
                           str(lib.root)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})
    assert docs.returncode == 0 and "1 OCR" in docs.stdout, docs.stdout + docs.stderr
