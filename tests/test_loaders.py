"""Loading real files, and every kind of bad input the ingest must survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from longdoc.core.errors import LoadError
from longdoc.indexers.loaders import content_id, discover, load_file

from conftest import SAMPLE_DOCS, SAMPLE_PDF
from pdf_factory import (
    aes_encrypted_copy,
    blank_pdf,
    corrupt_copy,
    encrypted_copy,
    huge_array_pdf,
    raw_pdf,
    titled_copy,
)


def test_pdf_keeps_pages_and_title():
    doc = load_file(SAMPLE_PDF)
    assert len(doc.pages) == 10
    assert doc.kind == "pdf"
    assert doc.title.startswith("Hacker Folklore")
    assert "The Meaning of" in doc.pages[0]
    assert "Royal McBee" in doc.pages[-1]
    assert doc.doc_id == content_id(SAMPLE_PDF.read_bytes())


def test_markdown_title_from_heading():
    doc = load_file(SAMPLE_DOCS / "hacker_slang_and_culture.md")
    assert doc.title == "Chapter 1. Hacker Slang and Hacker Culture"
    assert doc.kind == "md"


def test_text_form_feeds_are_page_breaks(tmp_path):
    path = tmp_path / "paged.txt"
    path.write_text("first page\fsecond page\fthird page\f")
    doc = load_file(path)
    assert doc.pages == ["first page", "second page", "third page"]


def test_non_utf8_text_is_decoded(tmp_path):
    path = tmp_path / "latin.txt"
    text = "Le café était fermé à Noël; garçon, où est la crème brûlée? " * 20
    path.write_bytes(text.encode("cp1252"))
    doc = load_file(path)
    assert "café était fermé à Noël" in doc.text


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("hello wide world".encode("utf-16"))
    assert load_file(path).text == "hello wide world"


# Short texts are where the detector alone went wrong ("crème brûlée à" became "crčme brűlée ŕ").
@pytest.mark.parametrize("text, encoding", [
    ("La crème brûlée à la carte, garçon!", "cp1252"),
    ("Le café était fermé à Noël; où est la crème brûlée?", "cp1252"),
    ("Größere Übungen für Müller, die Straße entlang – schön.", "cp1252"),
    ("¿Dónde está el niño? Mañana comeremos piñata en la montaña.", "cp1252"),
    ("A informação não está disponível, então começaremos às três.", "cp1252"),
    ("Ça coûte 5 € — « très cher », n’est-ce pas ?", "cp1252"),
    ("Привет, как дела? Это простой текст на русском языке для проверки.", "cp1251"),
    ("Zażółć gęślą jaźń. Może jutro pójdziemy do miasta.", "cp1250"),
    ("Καλημέρα, πώς είστε σήμερα; Αυτό είναι ελληνικό κείμενο.", "cp1253"),
    ("Élan vital, naïve café, crème brûlée", "utf-16"),
    ("Élan vital, naïve café, crème brûlée", "utf-8-sig"),
])
def test_legacy_encodings_come_out_right(tmp_path, text, encoding):
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    doc = load_file(path)
    assert doc.text == text
    guessed = encoding not in {"utf-16", "utf-8-sig"}
    assert ("encoding guessed" in doc.note) == guessed


@pytest.mark.parametrize("repeat", [1, 3, 50])
def test_cp1251_is_not_taken_for_mac_cyrillic(tmp_path, repeat):
    text = "Привет, как дела? Это простой текст. " * repeat
    path = _write(tmp_path / "ru.txt", text.encode("cp1251"))
    doc = load_file(path)
    assert doc.text == text.strip()
    assert doc.note == "text encoding guessed: cp1251"


@pytest.mark.parametrize("text", [
    "Le café était fermé à Noël; où est la crème brûlée? ",
    "Größere Übungen für Müller, die Straße entlang. ",
    "Привет, как дела? Это простой текст. ",
])
def test_utf8_with_a_stray_byte_stays_utf8(tmp_path, text):
    """A Windows quote pasted into a UTF-8 file: the detector refused the whole file."""
    path = _write(tmp_path / "mixed.txt", (text * 5).encode() + b"It\x92s the end.")
    doc = load_file(path)
    assert doc.text == (text * 5) + "It\ufffds the end."
    assert doc.note == "text encoding guessed: utf-8 (1 undecodable byte replaced)"


def test_cp1252_file_with_one_utf8_looking_pair_stays_cp1252(tmp_path):
    text = "Le café était fermé à Noël; où est la crème brûlée? " * 5
    path = _write(tmp_path / "menu.txt", text.encode("cp1252"))
    assert load_file(path).note == "text encoding guessed: cp1252"


def test_english_utf8_with_one_accent_and_a_stray_quote(tmp_path):
    path = _write(tmp_path / "note.txt", "A café in Paris. ".encode() * 3 + b"It\x92s late.")
    assert load_file(path).text == "A café in Paris. " * 3 + "It\ufffds late."


def test_utf8_is_not_a_guess(tmp_path):
    path = _write(tmp_path / "plain.txt", "naïve café".encode())
    assert load_file(path).note == ""


def test_guessed_encoding_is_in_the_ingest_note(tmp_path, embedder):
    from longdoc.indexers.ingest import ingest
    from longdoc.indexers.library import Library

    src = tmp_path / "src"
    src.mkdir()
    _write(src / "menu.txt", "La crème brûlée à la carte, garçon!".encode("cp1252"))
    report = ingest(Library(tmp_path / "index"), [src], embedder)
    (result,) = report.results
    assert result.status == "added"
    assert result.reason == "text encoding guessed: cp1252"


@pytest.mark.parametrize("make, reason", [
    (lambda d: corrupt_copy(SAMPLE_PDF, d / "corrupt.pdf"), "corrupt PDF"),
    (lambda d: _write(d / "fake.pdf", b"this is not a pdf at all"), "corrupt PDF"),
    (lambda d: encrypted_copy(SAMPLE_PDF, d / "locked.pdf"), "encrypted PDF"),
    (lambda d: blank_pdf(d / "scanned.pdf"), "no extractable text"),
    (lambda d: _write(d / "empty.txt", b""), "empty file"),
    (lambda d: _write(d / "blank.md", b"  \n\n \t"), "empty file"),
    (lambda d: _write(d / "binary.txt", bytes(range(256)) * 40), "binary content"),
    (lambda d: _write(d / "image.png", b"\x89PNG\r\n"), "unsupported file type '.png'"),
    (lambda d: d / "missing.txt", "no such file"),
])
def test_bad_input_gives_one_line_reason(tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(LoadError) as info:
        load_file(path)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message


def test_aes_encrypted_pdf_with_empty_user_password_is_read(tmp_path):
    doc = load_file(aes_encrypted_copy(SAMPLE_PDF, tmp_path / "aes.pdf"))
    assert len(doc.pages) == 10 and "Royal McBee" in doc.pages[-1]


def test_aes_pdf_falls_back_to_pdfium_without_pypdf_crypto(tmp_path, monkeypatch):
    """What a machine without `cryptography` saw: pypdf cannot decrypt AES at all."""
    import pypdf._encryption as encryption
    from pypdf._crypt_providers import _fallback

    path = aes_encrypted_copy(SAMPLE_PDF, tmp_path / "aes.pdf")
    for name in ("aes_cbc_decrypt", "aes_ecb_decrypt", "CryptAES"):
        monkeypatch.setattr(encryption, name, getattr(_fallback, name))
    doc = load_file(path)
    assert len(doc.pages) == 10 and "Royal McBee" in doc.pages[-1]
    assert "PDFium" in doc.note and "cryptography" in doc.note


def test_pdf_over_pypdf_array_limit_is_read_with_pdfium(tmp_path):
    path = huge_array_pdf(tmp_path / "filing.pdf", ["Quarterly Report", "Revenue rose 12%."])
    doc = load_file(path)
    assert doc.pages == ["Quarterly Report\nRevenue rose 12%."]
    assert "maximum array element count" in doc.note


def test_damaged_pdf_that_no_reader_opens_is_still_corrupt(tmp_path):
    data = huge_array_pdf(tmp_path / "x.pdf", ["Quarterly Report"]).read_bytes()
    path = _write(tmp_path / "broken.pdf", data[:9] + b"\x00" * (len(data) - 9))
    with pytest.raises(LoadError, match="corrupt PDF"):
        load_file(path)


@pytest.mark.parametrize("meta, first_lines, expected", [
    ("0001045810-22-000166", ["NVIDIA CORPORATION", "FORM 10-Q"], "NVIDIA CORPORATION"),
    ("Microsoft Word - q3_draft.docx", ["12", "Annual Letter to Shareholders"],
     "Annual Letter to Shareholders"),
    ("untitled", ["Page 1 of 9", "2022-10-31", "Minutes of the Board"], "Minutes of the Board"),
    ("report_final_v2", ["The Budget for 2023"], "The Budget for 2023"),
    ("0001045810-22-000166", ["12345", "---"], "filing"),
    ("Hacker Folklore", ["Something else"], "Hacker Folklore"),
    ("", ["Some Heading"], "filing"),
])
def test_identifier_titles_give_way_to_the_first_heading(tmp_path, meta, first_lines, expected):
    doc = load_file(raw_pdf(tmp_path / "filing.pdf", first_lines + ["body text here."],
                            title=meta))
    assert doc.title == expected


def test_sample_pdf_with_filing_number_title(tmp_path):
    doc = load_file(titled_copy(SAMPLE_PDF, tmp_path / "x.pdf", "0001045810-22-000166"))
    assert doc.title == "Appendix A. Hacker Folklore"


def test_unreadable_file(tmp_path, monkeypatch):
    path = _write(tmp_path / "secret.txt", b"hidden words")
    path.chmod(0)
    # Tests may run as root, who can read anything: make the read fail the way it would.
    original = Path.read_bytes

    def deny(self):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(LoadError, match="permission denied"):
        load_file(path)


def test_discover_walks_folders_and_reports_problems(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    _write(tmp_path / "a.txt", b"alpha")
    _write(tmp_path / "sub" / "b.md", b"# Bee")
    _write(tmp_path / "sub" / "deeper" / "c.pdf", b"%PDF-1.4")
    _write(tmp_path / "sub" / "notes.docx", b"PK")
    (tmp_path / ".hidden").mkdir()
    _write(tmp_path / ".hidden" / "x.txt", b"x")
    files, problems = discover([tmp_path, tmp_path / "nope"])
    assert sorted(f.name for f in files) == ["a.txt", "b.md", "c.pdf"]
    reasons = {p.name: r for p, r in problems}
    assert reasons["notes.docx"].startswith("unsupported file type")
    assert reasons["nope"] == "no such file or directory"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
