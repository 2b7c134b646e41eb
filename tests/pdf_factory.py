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


def aes_encrypted_copy(source: Path, path: Path) -> Path:
    """AES-256 with an empty user password: any viewer opens it without asking (many filings)."""
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="", owner_password="x", algorithm="AES-256")
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def titled_copy(source: Path, path: Path, title: str) -> Path:
    writer = PdfWriter(clone_from=source)
    writer.add_metadata({"/Title": title})
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def raw_pdf(path: Path, lines: list[str], page_extra: bytes = b"", title: str = "") -> Path:
    """A one-page PDF written byte by byte (Helvetica text), with `page_extra` in the page's
    dictionary: the way to make files that pypdf's writer would not produce."""
    text = b"".join(b"(%s) Tj 0 -20 Td " % line.encode("latin-1") for line in lines)
    content = b"BT /F1 12 Tf 72 720 Td " + text + b"ET"
    info = b"<< /Title (%s) >>" % title.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def huge_array_pdf(path: Path, lines: list[str], elements: int = 100_001) -> Path:
    """A page holding an array longer than pypdf's safety limit (100,000 elements in pypdf 5-7;
    SEC filings hit it): pypdf refuses the file, viewers open it."""
    array = b"[" + b"0 " * elements + b"]"
    return raw_pdf(path, lines, page_extra=b"/PieceInfo << /Data " + array + b" >>")


def scanned_pdf(path: Path, pages: list[list[str]], text_first: list[str] | None = None) -> Path:
    """Image-only pages, as a scanner makes them: each page's lines drawn by Pillow into a
    300-dpi letter-size image (12 pt text), saved as a PDF without any text layer. With
    `text_first`, a page with a real text layer comes first (a scan inside a normal PDF)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=50)  # 12 pt at 300 dpi
    images = []
    for lines in pages:
        image = Image.new("L", (2550, 3300), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((250, 300 + 75 * i), line, fill=0, font=font)
        images.append(image)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    writer = PdfWriter()
    if text_first:
        writer.append(raw_pdf(path.with_suffix(".text.pdf"), text_first))
    writer.append(PdfReader(io.BytesIO(buf.getvalue())))
    with open(path, "wb") as fh:
        writer.write(fh)
    return path
