"""Bytes of a text file to `str`: UTF-8 first, then Western European cp1252, then a detector.

A file that is UTF-8 but for a few stray bytes (a Windows quote pasted in) stays UTF-8, the
stray bytes replaced and counted in the note.

charset-normalizer alone misreads short Western European text (it took "crème brûlée à" in
cp1252 for cp1250, mac_iceland or cp775 and returned "crčme brűlée ŕ"). cp1252 is tried before
it, and kept only when the result reads like Western text: accented letters a minority of the
letters, and no symbols wedged inside words (Polish in cp1250 read as cp1252 gives "mo¿e",
Cyrillic gives nothing but accented letters). Whenever the encoding was not declared (a BOM)
or valid UTF-8, the caller gets a note saying it was guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from longdoc.core.errors import LoadError

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Accented letters above this share of all letters: not a Western European language.
MAX_ACCENTED_SHARE = 0.3
# Symbols glued between letters above this share of the high bytes: another code page.
MAX_WEDGED_SHARE = 0.02
# Valid multi-byte UTF-8 characters needed per undecodable byte to call a file UTF-8 anyway.
MIN_VALID_PER_BAD = 2
# A Windows code page this close in coherence to the detector's pick (and no messier) wins.
NEAR_TIE_COHERENCE = 0.1
# Non-letters that do sit inside Western words: curly apostrophes, Catalan middle dot, soft hyphen.
_IN_WORD_OK = "\u2019\u2018\u00b7\u00ad"


def _cp1252_classes() -> tuple[bytes, bytes]:
    letters, symbols = bytearray(), bytearray()
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        if char.isalpha():
            letters.append(byte)
        elif char not in _IN_WORD_OK:
            symbols.append(byte)
    return bytes(letters), bytes(symbols)


_HIGH_LETTERS, _HIGH_SYMBOLS = _cp1252_classes()
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTER_CLASS = b"[A-Za-z" + re.escape(_HIGH_LETTERS) + b"]"
_WEDGED = re.compile(_LETTER_CLASS + b"[" + re.escape(_HIGH_SYMBOLS) + b"]" + _LETTER_CLASS)
_LOW_BYTES = bytes(range(0x80))


class Decoded(NamedTuple):
    text: str
    encoding: str
    guessed: bool
    replaced: int = 0  # undecodable bytes replaced by U+FFFD

    @property
    def note(self) -> str:
        """The warning for the ingest report ("" when the encoding was certain)."""
        if self.replaced:
            plural = "s" if self.replaced > 1 else ""
            return (f"text encoding guessed: {self.encoding} "
                    f"({self.replaced} undecodable byte{plural} replaced)")
        return f"text encoding guessed: {self.encoding}" if self.guessed else ""


def decode_text(data: bytes) -> Decoded:
    """Decode a text file; refuse binary content with a `LoadError`."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(codec, errors="replace"), codec, False)
    head = data[:8192]
    if b"\x00" in head or _control_ratio(head) > 0.1:
        raise LoadError("binary content, not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    if reads_as_cp1252(data):
        return Decoded(data.decode("cp1252"), "cp1252", True)
    return _detect(data)


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few stray bytes (a Windows quote pasted in): the detector refused those."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    wide = len(text) - len(text.encode("ascii", errors="ignore"))
    valid = wide - text.count("\ufffd")  # characters that UTF-8 did decode
    if valid >= MIN_VALID_PER_BAD * replaced > 0:
        return Decoded(text, "utf-8", True, replaced)
    return None


def reads_as_cp1252(data: bytes) -> bool:
    """True when `data` decodes as cp1252 and reads like Western European text.

    Counted on bytes (C speed): a 50 MB file is judged without a Python loop over characters.
    """
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    high = data.translate(None, _LOW_BYTES)
    accented = len(high) - len(high.translate(None, _HIGH_LETTERS))
    plain = len(data) - len(data.translate(None, _ASCII_LETTERS))
    if accented > MAX_ACCENTED_SHARE * (plain + accented):
        return False
    wedged = sum(1 for _ in _WEDGED.finditer(data))
    return wedged <= MAX_WEDGED_SHARE * max(len(high), 1)


def _detect(data: bytes) -> Decoded:
    """charset-normalizer's pick, except that a Windows code page wins a near tie.

    Russian in cp1251 came back as mac_cyrillic ("ѕривет" for "Привет"): both read cleanly,
    and Windows files are far more common than classic Mac ones.
    """
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise LoadError("cannot detect the text encoding")
    for match in results:
        if match.encoding.startswith("cp125") and match.chaos <= best.chaos \
                and match.coherence >= best.coherence - NEAR_TIE_COHERENCE:
            best = match
            break
    return Decoded(str(best), best.encoding, True)


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    allowed = {9, 10, 12, 13, 27}
    bad = sum(1 for b in data if b < 32 and b not in allowed)
    return bad / len(data)
