"""OCR for PDF pages without a text layer (scanned pages), through the optional extra
`longdoc[ocr]`: rapidocr-onnxruntime, whose ONNX models (PP-OCRv4 detection and recognition)
ship inside its wheel, so nothing is downloaded at run time.

A page is read by OCR when its text layer holds almost nothing and it carries an image: a
blank page is not sent to OCR, and a page number printed over a scan does not hide the scan.
"""

from __future__ import annotations

import importlib.util
import re
import threading

OCR_PACKAGE = "rapidocr_onnxruntime"
OCR_HINT = "pip install 'longdoc[ocr]'"
# a page whose text layer has fewer characters than this is taken for a scan, if it has images
MIN_TEXT_CHARS = 20
# long side of the rendered page in pixels: rapidocr scales larger images down to 2,000 pixels
# anyway, and below about 1,600 its recognizer starts to drop the spaces between words
RENDER_LONG_SIDE = 2000

# runs of letters and digits at least this long are checked for words run together
MERGED_RUN = 10
_RUN = re.compile(rf"[A-Za-z0-9]{{{MERGED_RUN},}}")

_engine = None
_engine_lock = threading.Lock()


def ocr_available() -> bool:
    """True when the OCR extra is installed (checked without importing it)."""
    return importlib.util.find_spec(OCR_PACKAGE) is not None


def _get_engine():
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR(use_cls=False)  # no upside-down text lines to turn
        return _engine


def scanned_pages(doc, texts: list[str]) -> list[int]:
    """0-based indices of the pages of the PDFium document `doc` that look scanned."""
    import pypdfium2.raw as pdfium_c

    found = []
    for index, text in enumerate(texts):
        if len("".join(text.split())) >= MIN_TEXT_CHARS:
            continue
        try:
            page = doc[index]
            has_image = next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])),
                             None) is not None
            page.close()
        except Exception:  # a page PDFium cannot parse is not one OCR could read either
            continue
        if has_image:
            found.append(index)
    return found


def ocr_page(doc, index: int) -> str:
    """The text of page `index`, rendered and read by OCR, one detected line per line."""
    page = doc[index]
    try:
        width, height = page.get_size()
        scale = RENDER_LONG_SIDE / max(width, height, 1.0)
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    result, _elapsed = _get_engine()(image)
    return "\n".join(split_merged_words(line[1]) for line in result or [] if line[1].strip())


def split_merged_words(line: str) -> str:
    """Put back the spaces the recognizer dropped ("TheMeaningofHack" -> "The Meaning of
    Hack"): its PP-OCRv4 model was trained mostly on Chinese, which has none, and it runs
    English words together on dense pages. wordninja splits a run of letters into the likeliest
    English words (unigram frequencies); a known long word stays whole, and characters are only
    ever separated, never changed. Without wordninja the line is kept as read."""
    try:
        import wordninja
    except ImportError:
        return line

    def split(match: re.Match) -> str:
        parts = wordninja.split(match.group())
        return " ".join(parts) if "".join(parts) == match.group() else match.group()

    return _RUN.sub(split, line)
