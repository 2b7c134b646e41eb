"""Chunk windows: size, overlap, whole words, pages and offsets."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from longdoc.core.errors import LongdocError
from longdoc.indexers import chunking
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


class _SpyTokenizer:
    """The real tokenizer, recording the longest text it was asked to tokenise at once."""

    def __init__(self, real) -> None:
        self.real, self.longest = real, 0

    def offsets(self, text: str) -> list[tuple[int, int]]:
        self.longest = max(self.longest, len(text))
        return self.real.offsets(text)


def test_a_huge_page_is_tokenised_in_bounded_pieces(embedder):
    """Tokenising a 50 MB page at once took gigabytes (issue 13): pieces, whatever the page."""
    page = " ".join(f"word{i % 997} and some more text." for i in range(40_000))
    spy = _SpyTokenizer(embedder.tokenizer)
    chunks, n_tokens = chunk_document(Document("d", "t", [page]), spy, ChunkSettings())
    assert spy.longest <= chunking.SEGMENT_CHARS < len(page)
    whole = embedder.tokenizer.offsets(page)
    assert n_tokens == len(whole)
    assert [(c.char_start, c.char_end) for c in chunks] == [
        (whole[a][0], whole[b - 1][1]) for a, b in token_windows(page, whole, 200, 40)]


@pytest.mark.parametrize("seed", range(6))
def test_streamed_chunks_equal_whole_text_chunks(embedder, monkeypatch, seed):
    """Pieces of 60 characters, random pages: the same chunks as tokenising `doc.text` at once."""
    monkeypatch.setattr(chunking, "SEGMENT_CHARS", 60)
    rng = random.Random(seed)
    words = ["alpha", "beta,", "déjà", "(paren)", "x" * 20, "2022-10-3", "na\u00efve", "a.b/c"]
    pages = ["".join(rng.choice(words) + rng.choice([" ", "", "\n", "  "])
                     for _ in range(rng.randint(0, 40))).strip() for _ in range(rng.randint(1, 5))]
    pages = [re.sub(r"\S{50,}", "cut it", p) for p in pages]  # no run longer than a piece
    doc = Document("d", "t", pages)
    for size, overlap in [(16, 0), (20, 5)]:
        chunks, n_tokens = chunk_document(doc, embedder.tokenizer, ChunkSettings(size, overlap))
        text = doc.text
        whole = embedder.tokenizer.offsets(text)
        assert n_tokens == len(whole)
        expected = [(whole[a][0], whole[b - 1][1]) for a, b in
                    token_windows(text, whole, size, overlap)]
        assert [(c.char_start, c.char_end) for c in chunks] == expected
        assert all(c.text == text[c.char_start:c.char_end] for c in chunks)


def test_chunking_memory_grows_with_the_file_not_216x(tmp_path):
    """Peak RSS of loading and chunking a generated 2 MB text file, in a fresh process."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from longdoc.indexers.chunking import ChunkSettings, chunk_document\n"
        "from longdoc.indexers.embedder import Embedder\n"
        "from longdoc.indexers.loaders import load_file\n"
        "tok = Embedder().tokenizer\n"
        "tok.count('warm up')\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "chunk_document(load_file(Path(sys.argv[1])), tok, ChunkSettings())\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    path = tmp_path / "big.txt"
    words = "revenue rose in the quarter compared with last year, net of costs and déjà vu"
    path.write_text((words + ".\n") * (2_000_000 // (len(words) + 2)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, check=True)
    growth_mb = int(done.stdout.strip()) / 1024
    assert growth_mb < 20 * path.stat().st_size / 1e6  # was 140x; about 5x now
