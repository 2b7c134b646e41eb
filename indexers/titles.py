"""A document's title from a PDF's metadata, unless that title is an identifier, not a title.

SEC filings carry their accession number ("0001045810-22-000166") as the metadata title; word
processors write "Microsoft Word - draft3.docx" or "untitled". Such a title is replaced by the
first heading-like line of the first page, else the caller uses the file name.
"""

from __future__ import annotations

import re

_FILE_NAME = re.compile(
    r"\.(docx?|pdf|txt|rtf|odt|pptx?|xlsx?|indd|qxd|tex|dvi|ps|html?|wpd|pages|key)$", re.I)
_APP_PREFIX = re.compile(
    r"^(microsoft\s+(word|powerpoint|excel)|word|powerpoint|excel|adobe\s+\w+)\s*-\s*", re.I)
_PLACEHOLDERS = {"untitled", "untitled document", "title", "document", "no title", "none",
                 "null", "unknown", "default", "new document", "pdf", "slide 1", "page 1"}
_PLACEHOLDER_NUMBERED = re.compile(r"^(document|untitled|doc|file|scan|image|page)[\s_-]*\d*$",
                                   re.I)
_PAGE_LABEL = re.compile(r"^(page|p\.?)\s*\d+(\s*(of|/)\s*\d+)?$", re.I)
# how far down the first page a heading is looked for
HEADING_LINES = 12
MAX_HEADING_CHARS = 120
MAX_HEADING_WORDS = 16


def looks_like_identifier(title: str) -> bool:
    """True for titles that name a file, a number or nothing, rather than the document."""
    title = " ".join(title.split())
    if not title:
        return True
    if _APP_PREFIX.match(title) or _FILE_NAME.search(title):
        return True
    if title.lower() in _PLACEHOLDERS or _PLACEHOLDER_NUMBERED.match(title):
        return True
    letters = sum(ch.isalpha() for ch in title)
    if letters < len(title.replace(" ", "")) / 2:
        return True  # mostly digits and punctuation: "0001045810-22-000166", "2022-10-Q"
    if " " not in title:
        # one "word" holding a path, an underscore or digits: "report_final_v2", "C:\\x", "a1b2"
        return bool(re.search(r"[\\/_]|\d", title))
    return False


def heading_line(page: str) -> str:
    """The first line near the top of `page` that reads like a heading, or ""."""
    seen = 0
    for raw in page.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        seen += 1
        if seen > HEADING_LINES:
            break
        if _is_heading(line):
            return line
    return ""


def _is_heading(line: str) -> bool:
    if not 3 <= len(line) <= MAX_HEADING_CHARS or len(line.split()) > MAX_HEADING_WORDS:
        return False
    letters = sum(ch.isalpha() for ch in line)
    if letters < 3 or letters < len(line.replace(" ", "")) * 0.6:
        return False  # page numbers, dates, table rows
    if line.endswith((",", ";", ":")) or line[0] in "([{©" or _PAGE_LABEL.match(line):
        return False
    if line.endswith(".") and len(line.split()) >= 3:
        return False  # a sentence
    return not looks_like_identifier(line)


def pdf_title(metadata_title: str, first_page: str) -> str:
    """The metadata title if it is a real title, else the first page's heading (may be "")."""
    title = " ".join((metadata_title or "").split())
    if title and not looks_like_identifier(title):
        return title
    if not title:
        return ""
    return heading_line(first_page)
