"""PDF text page by page: pypdf first, PDFium (pypdfium2) where pypdf refuses or fails.

pypdf refuses some real filings outright ("Reached maximum array element count", one of its
safety limits) and fails on others page by page; PDFium, the engine of Chrome's viewer, reads
them. The rule: every PDF that a viewer opens without a password is read. Only when both
readers fail is the file reported, as encrypted (a password is needed) or as corrupt.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from longdoc.core.errors import LoadError
from longdoc.indexers import ocr
from longdoc.indexers.titles import pdf_title

logging.getLogger("pypdf").setLevel(logging.ERROR)

# pypdfium2's error codes (FPDF_ERR_*) for a document that cannot be opened
_PDFIUM_PASSWORD = 4
_PDFIUM_SECURITY = 5


@dataclass
class PdfText:
    pages: list[str]
    title: str  # "" when there is none worth keeping (the caller falls back to the file name)
    note: str = ""
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR


class _Failed(Exception):
    """pypdf could not read the file (or all of it); the message is the short reason.

    `partial` holds what pypdf did read, used when PDFium cannot open the file either.
    """

    def __init__(self, reason: str, encrypted: bool = False,
                 partial: PdfText | None = None) -> None:
        super().__init__(reason)
        self.encrypted = encrypted
        self.partial = partial


def read_pdf(data: bytes) -> PdfText:
    """Read a PDF's text; a `LoadError` only when no reader can open it or it has no text."""
    if not data.lstrip().startswith(b"%PDF"):
        raise LoadError("corrupt PDF (no PDF header)")
    try:
        result = _read_pypdf(data)
    except _Failed as failure:
        result = _fallback(data, failure)
    scans = _read_scans(data, result)
    if not any(p.strip() for p in result.pages):
        why = ("OCR found no text either" if scans and ocr.ocr_available()
               else f"to read scans by OCR: {ocr.OCR_HINT}")
        raise LoadError(f"PDF has no extractable text (scanned or image-only?); {why}")
    result.title = pdf_title(result.title, result.pages[0])
    return result


def _fallback(data: bytes, failure: _Failed) -> PdfText:
    try:
        result = _read_pdfium(data)
    except LoadError as pdfium_error:
        if failure.partial is not None:
            return failure.partial
        if failure.encrypted or "encrypted" in str(pdfium_error):
            raise LoadError("encrypted PDF (needs a password)") from None
        raise LoadError(f"corrupt PDF ({failure})") from None
    result.note = f"read with PDFium (pypdf: {failure})"
    return result


def _read_scans(data: bytes, result: PdfText) -> int:
    """Read the pages that look scanned by OCR when the extra is installed (else say in the
    note how to); returns how many pages looked scanned."""
    if all(len("".join(p.split())) >= ocr.MIN_TEXT_CHARS for p in result.pages):
        return 0  # every page has a text layer: the PDF is not reopened
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return 0  # pypdf read it but PDFium cannot render it: nothing to OCR
    try:
        scans = ocr.scanned_pages(doc, result.pages)
        if scans and ocr.ocr_available():
            for index in scans:
                text = _ocr_text(doc, index)
                if text:
                    result.pages[index] = text
                    result.ocr_pages.append(index + 1)
    finally:
        doc.close()
    if scans:
        done = len(result.ocr_pages)
        note = (f"{done} of {len(scans)} scanned pages read by OCR" if ocr.ocr_available() else
                f"{len(scans)} scanned pages without text not read (OCR: {ocr.OCR_HINT})")
        result.note = "; ".join(filter(None, [result.note, note]))
    return len(scans)


def _ocr_text(doc, index: int) -> str:
    try:
        return clean(ocr.ocr_page(doc, index))
    except Exception:  # one page the OCR engine cannot read must not lose the others
        return ""


def _read_pypdf(data: bytes) -> PdfText:
    """pypdf's text, or `_Failed` when it cannot open the file or loses any page."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Failed("needs a password", encrypted=True)
        pages = list(reader.pages)
    except _Failed:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged or unusual files
        raise _Failed(short_reason(exc)) from None
    if not pages:
        raise LoadError("PDF has no pages")
    texts, problem = [], ""
    for page in pages:
        try:
            texts.append(clean(page.extract_text() or ""))
        except Exception as exc:  # PDFium may read the page that pypdf cannot
            texts.append("")
            problem = problem or f"page {len(texts)}: {short_reason(exc)}"
    result = PdfText(texts, _pypdf_title(reader))
    if problem or not any(texts):  # PDFium also reads some text layers that pypdf misses
        raise _Failed(problem or "no text", partial=result)
    return result


def _pypdf_title(reader) -> str:
    try:
        return str((reader.metadata.title or "") if reader.metadata else "")
    except Exception:  # a damaged info dictionary only costs the title
        return ""


def _read_pdfium(data: bytes) -> PdfText:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (_PDFIUM_PASSWORD, _PDFIUM_SECURITY):
            raise LoadError("encrypted PDF (needs a password)") from None
        raise LoadError(f"corrupt PDF ({short_reason(exc)})") from None
    try:
        if len(doc) == 0:
            raise LoadError("PDF has no pages")
        pages = [_pdfium_page_text(doc, i) for i in range(len(doc))]
        try:
            title = str(doc.get_metadata_dict().get("Title", ""))
        except Exception:  # a damaged info dictionary only costs the title
            title = ""
    finally:
        doc.close()
    return PdfText(pages, title)


def _pdfium_page_text(doc, index: int) -> str:
    try:
        page = doc[index]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
    except Exception:  # one unreadable page must not lose the others
        return ""
    return clean(text.replace("\r\n", "\n").replace("\r", "\n"))


def clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def short_reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:80]
