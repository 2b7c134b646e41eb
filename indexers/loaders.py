"""Turn files into `Document`s: PDF page by page (`pdf_reader`), text and Markdown decoded
(`text_decoding`).

Every failure becomes a `LoadError` with a short reason; nothing here raises anything else for
bad input, so one broken file never stops an ingest of a folder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from longdoc.core.errors import LoadError
from longdoc.indexers.pdf_reader import clean, read_pdf
from longdoc.indexers.text_decoding import decode_text
from longdoc.indexers.types import Document

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES


def read_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into one-line `LoadError`s."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LoadError("no such file") from None
    except PermissionError:
        raise LoadError("permission denied (cannot read file)") from None
    except IsADirectoryError:
        raise LoadError("is a directory") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_file(path: Path, data: bytes | None = None) -> Document:
    """Load one file; `data` may be passed when the bytes were already read (for hashing).

    `Document.note` carries a warning for the ingest report (a guessed text encoding, a PDF
    that only the fallback reader could read).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type '{suffix or '(none)'}' (use .pdf, .txt or .md)")
    if data is None:
        data = read_bytes(path)
    if not data or data.isspace():  # (isspace copies nothing; a 50 MB file is read once)
        raise LoadError("empty file")
    if suffix in PDF_SUFFIXES:
        pdf = read_pdf(data)
        pages, title, note, kind, ocr_pages = pdf.pages, pdf.title, pdf.note, "pdf", pdf.ocr_pages
    else:
        decoded = decode_text(data)
        pages, note = _text_pages(decoded.text), decoded.note
        del decoded  # the pages hold the text now; a large file must not be kept twice
        markdown = suffix in MARKDOWN_SUFFIXES
        title = _markdown_title(pages[0]) if markdown else ""
        kind = "md" if markdown else "txt"
        ocr_pages = []
    if not any(p.strip() for p in pages):
        raise LoadError("no text in file")
    title = " ".join(title.split())[:200]
    return Document(doc_id=content_id(data), title=title or path.stem, pages=pages, kind=kind,
                    note=note, ocr_pages=ocr_pages)


def _text_pages(text: str) -> list[str]:
    """Form feeds mark page breaks (PDF-to-text conversions use them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = [clean(p) for p in text.split("\f")]
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return pages


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text[:100_000], flags=re.MULTILINE)
    return match.group(1).strip() if match else ""


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Walk files and folders (recursively, skipping hidden entries).

    Returns the files to try and (path, reason) for what cannot be tried at all. Unsupported
    files inside a folder are listed as problems too, so the user sees they were not indexed;
    so is anything that is not a regular file (FIFOs, sockets, devices, dangling links, link
    loops, links to folders): those are never opened (reading a FIFO blocks forever).
    """
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists() and not path.is_symlink():
            problems.append((path, "no such file or directory"))
            continue
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or (
                        child.is_dir() and not child.is_symlink()):
                    continue
                _add(child, files, problems, seen)
        else:
            _add(path, files, problems, seen)
    return files, problems


def _add(path: Path, files: list[Path], problems: list[tuple[Path, str]], seen: set) -> None:
    import errno
    import stat

    try:
        mode = path.stat().st_mode  # follows links, opens nothing
    except OSError as exc:
        kind = {errno.ELOOP: "symbolic link loop", errno.ENOENT: "dangling symbolic link"}
        problems.append((path, f"not a regular file ({kind[exc.errno]})" if exc.errno in kind
                         else (exc.strerror or str(exc)).lower()))
        return
    if not stat.S_ISREG(mode):
        kind = "link to a folder, not followed" if stat.S_ISDIR(mode) else \
            "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        problems.append((path, f"not a regular file ({kind})"))
        return
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    suffix = resolved.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        problems.append((resolved, f"unsupported file type '{suffix or '(none)'}'"))
    else:
        files.append(resolved)
