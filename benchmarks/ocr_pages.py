"""OCR speed and accuracy on scanned pages: the first pages of a PDF with a text layer are
rasterised at 300 dpi into an image-only PDF (a "scan"), which longdoc then reads by OCR.

    .venv/bin/python benchmarks/ocr_pages.py [PDF] [--pages N]
    (default: sample_docs/hacker_folklore.pdf, 4 pages)

Prints pages per second for the whole load (render + OCR, the engine loaded beforehand) and
the share of the text layer's words that OCR found (word recall, case-insensitive), against
the speed of reading the same pages' text layer. Needs the extra: pip install -e '.[ocr]'.
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

from longdoc.indexers import ocr
from longdoc.indexers.loaders import load_file

DEFAULT = Path(__file__).resolve().parents[1] / "sample_docs" / "hacker_folklore.pdf"
SCAN_DPI = 300


def make_scan(source: Path, pages: int, target: Path) -> Path:
    """The first `pages` pages of `source` as 300-dpi grayscale images in a PDF with no text."""
    doc = pdfium.PdfDocument(source)
    images = [doc[i].render(scale=SCAN_DPI / 72, grayscale=True).to_pil()
              for i in range(min(pages, len(doc)))]
    doc.close()
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])
    target.write_bytes(buf.getvalue())
    return target


def words(text: str) -> Counter:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def recall(truth: str, found: str) -> float:
    expected, got = words(truth), words(found)
    return sum((expected & got).values()) / max(1, sum(expected.values()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    if not ocr.ocr_available():
        raise SystemExit(f"the OCR extra is not installed: {ocr.OCR_HINT}")
    with tempfile.TemporaryDirectory() as tmp:
        scan = make_scan(args.pdf, args.pages, Path(tmp) / "scan.pdf")
        started = time.perf_counter()
        ocr._get_engine()  # loading the ONNX models is counted apart
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        scanned = load_file(scan)
        ocr_s = time.perf_counter() - started
    started = time.perf_counter()
    original = load_file(args.pdf)
    text_s = time.perf_counter() - started
    n = len(scanned.pages)
    truth = "\n".join(original.pages[:n])
    print(f"{args.pdf.name}: {n} pages scanned at {SCAN_DPI} dpi, {len(scanned.ocr_pages)} read "
          f"by OCR")
    print(f"OCR: {n / ocr_s:.3f} pages/s ({ocr_s / n:.2f} s/page; engine load {load_s:.2f} s)")
    print(f"text layer (all {len(original.pages)} pages): "
          f"{len(original.pages) / text_s:.1f} pages/s")
    print(f"word recall of OCR against the text layer: {recall(truth, scanned.text):.3f}")


if __name__ == "__main__":
    main()
