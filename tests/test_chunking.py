"""Chunk windows: size, overlap, whole words, pages and offsets."""

from __future__ import annotations

import pytest

from longdoc.core.errors import LongdocError
from longdoc.indexers.chunking import ChunkSettings, chunk_document, token_windows
from longdoc.indexers.loaders import load_file
from longdoc.indexers.types import Document

from conftest import SAMPLE_PDF


def test_windows_respect_size_and_overlap_and_cover_everything():
    words = [f"w{i}" for i in range(100)]
    text = " ".join(words)
    offsets, pos = [], 0
    for w in words:
        offsets.append((pos, pos + len(w)))
        pos += len(w) + 1
    windows = token_windows(text, offsets, size=10, overlap=3)
    assert windows[0] == (0, 10)
    assert windows[1] == (7, 17)
    assert windows[-1][1] == 100
    assert all(b - a <= 10 for a, b in windows)


def test_cut_never_lands_inside_a_word():
    # "abc" tokenised as three pieces with no space between them: one word.
    text = "xx abc yy"
    offsets = [(0, 2), (3, 4), (4, 5), (5, 6), (7, 9)]
    windows = token_windows(text, offsets, size=3, overlap=0)
    assert windows == [(0, 1), (1, 4), (4, 5)]


def test_chunks_carry_pages_and_offsets(embedder):
    doc = load_file(SAMPLE_PDF)
    chunks, n_tokens = chunk_document(doc, embedder.tokenizer, ChunkSettings(120, 20))
    assert n_tokens > 5000
    assert all(c.tokens <= 120 for c in chunks)
    text = doc.text
    for c in chunks:
        assert text[c.char_start:c.char_end] == c.text
        assert 1 <= c.page_start <= c.page_end <= 10
        # the chunk's first words really are on its first page
        assert c.text[:30] in doc.pages[c.page_start - 1] or c.page_start != c.page_end
        assert c.char_end == len(text) or not text[c.char_end].isalnum() \
            or not text[c.char_end - 1].isalnum()
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 10
    # consecutive chunks overlap
    assert chunks[1].char_start < chunks[0].char_end


def test_page_boundaries(embedder):
    doc = Document("d", "t", ["one two three", "four five six"])
    chunks, _ = chunk_document(doc, embedder.tokenizer, ChunkSettings(16, 0))
    assert len(chunks) == 1
    assert (chunks[0].page_start, chunks[0].page_end) == (1, 2)


@pytest.mark.parametrize("size, overlap", [(8, 0), (200, 150), (200, -1)])
def test_invalid_settings(size, overlap):
    with pytest.raises(LongdocError):
        ChunkSettings(size, overlap).validate()
