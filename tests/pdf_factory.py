"""Build small PDFs for bad-input tests with pypdf itself (no other PDF writer needed)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter


def blank_pdf(path: Path, pages: int = 2) -> Path:
    """An image-only PDF has no text layer; blank pages stand in for scanned ones."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def encrypted_copy(source: Path, path: Path, password: str = "secret") -> Path:
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def corrupt_copy(source: Path, path: Path) -> Path:
    """Keep the header, garble the body: what a broken download looks like."""
    data = source.read_bytes()
    path.write_bytes(data[:200] + b"\x00garbage" * 50)
    return path
