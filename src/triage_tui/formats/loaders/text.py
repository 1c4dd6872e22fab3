"""Bytes to text for backlog files: BOMs, UTF-8 with a cp1252 fallback, binary junk refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from triage_tui.core.errors import InputError

# C0 controls other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A well-formed UTF-8 multi-byte sequence: if a file that is not valid UTF-8 also holds
# these, it mixes encodings and any single decoding would produce mojibake somewhere.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SAMPLE = 65536
# Anything but the blanks (and the DOS end-of-file mark) an empty file may still hold.
_CONTENT = re.compile(rb"[^ \t\r\n\x1a]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from a file, and what the user should know about it."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line holding byte `offset`."""
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, path: Path) -> Decoded:
    """Decode a text file the way spreadsheet exports arrive.

    UTF-8 (BOM stripped) first; UTF-16 when it carries a BOM (Excel's "Unicode text");
    otherwise Windows-1252 with a warning, unless the bytes also hold UTF-8 sequences,
    which would make the result mojibake.

    Args:
        data: the file's bytes.
        path: the file, for error messages.

    Returns:
        The decoded text (without BOM) and any warnings.

    Raises:
        InputError: empty file, binary data, or text in no encoding we can trust.
    """
    # A search, not strip(): stripping copies the whole file, twice with a BOM (30 ms
    # for a 23 MB export).
    if _CONTENT.search(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0) is None:
        raise InputError(path, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputError(path, f"not valid UTF-16 text ({error.reason})") from None
        return _checked(text.lstrip("\ufeff"), "utf-16", (), path)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            path, "this is a binary file (an Excel workbook?): export or save it as CSV"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            path, "this is a binary file, not text (it holds NUL bytes)", line_of(data, nul)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad_line = line_of(data, error.start)
        if _UTF8_SEQUENCE.search(data):
            raise InputError(
                path,
                "not valid UTF-8 here, though the rest of the file is UTF-8 "
                "(it mixes encodings): re-save it as UTF-8",
                bad_line,
            ) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                path, "not text in UTF-8 or Windows-1252: is it a binary file?", bad_line
            ) from None
        warning = (
            f"not UTF-8 (first at line {bad_line}): read as Windows-1252 (cp1252); "
            "check accented characters, or re-save the file as UTF-8"
        )
        return _checked(text, "cp1252", (warning,), path)
    return _checked(text, "utf-8", (), path)


def _checked(text: str, encoding: str, warnings: tuple[str, ...], path: Path) -> Decoded:
    # Random bytes often decode as cp1252 (or even UTF-8): real text has few controls.
    sample = text[:_SAMPLE]
    controls = _CONTROL.findall(sample.rstrip("\x1a"))
    if len(controls) >= 4 and len(controls) * 100 > len(sample):
        first = _CONTROL.search(sample)
        line = sample.count("\n", 0, first.start()) + 1 if first else None
        raise InputError(path, "this is a binary file, not text (it holds control bytes)", line)
    if "\x00" in text:
        raise InputError(path, "this is a binary file, not text (it holds NUL characters)")
    return Decoded(text.rstrip("\x1a"), encoding, warnings)


# A git merge conflict left in a file: "<<<<<<< ours", "=======", ">>>>>>> theirs" (a
# diff3 "||||||| base" section may come between), each at the start of its own line.
_CONFLICT_OPEN = re.compile(r"^<{7}(?:[ \t].*)?$", re.MULTILINE)
_CONFLICT_MIDDLE = re.compile(r"^={7}[ \t\r]*$", re.MULTILINE)
_CONFLICT_CLOSE = re.compile(r"^>{7}(?:[ \t].*)?$", re.MULTILINE)
CONFLICT_MESSAGE = "unresolved merge conflict (git): resolve it, then open the file again"


def conflict_line(text: str) -> int | None:
    """The line of the first marker of a git merge conflict left in `text`, or None.

    Markers count only as a whole conflict (opening, middle and closing lines, in that
    order): a Markdown "=======" underline in a description is no conflict. Wherever
    they are (inside a TOML multi-line string or a quoted CSV cell, where they parse as
    text) both sides of the merge would become items or specs: the file is refused.
    """
    if "<<<<<<<" not in text:  # a memchr-speed test: the usual case
        return None
    opening = _CONFLICT_OPEN.search(text)
    while opening is not None:
        middle = _CONFLICT_MIDDLE.search(text, opening.end())
        if middle is None:
            return None
        if _CONFLICT_CLOSE.search(text, middle.end()) is not None:
            return text.count("\n", 0, opening.start()) + 1
        opening = _CONFLICT_OPEN.search(text, opening.end())
    return None


def refuse_conflict(text: str, path: Path) -> None:
    """Raise InputError at the first marker of a merge conflict left in `text`."""
    line = conflict_line(text)
    if line is not None:
        raise InputError(path, CONFLICT_MESSAGE, line)


# What clean_source changes besides line endings: C0 controls but tab, newline and CR,
# DEL, C1, bidi controls, U+2028/9 (core.sanitize's clean_text and clean_source; the
# property test in tests/unit/test_loader_stream.py holds the two together).
_CLEANED_BESIDES_NEWLINES = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_ASCII_KEPT = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_UTF8_BOM = b"\xef\xbb\xbf"


def only_newlines_to_clean(decoded: Decoded, data: bytes) -> bool:
    """Whether `decoded` is `data` read as UTF-8 (BOM dropped) and `clean_source` would
    change nothing in it but its line endings (CR and CRLF become LF).

    Such a file can be parsed from its bytes through a newline-translating decoder, with
    no cleaned copy of the whole text (issue 24: a 100,000-row export's parse).
    """
    if decoded.encoding != "utf-8" or data.endswith(b"\x1a"):
        return False  # decode dropped DOS end-of-file marks: the text is not the bytes
    if decoded.text.isascii():
        # One C pass over the bytes: nothing but printable ASCII, tab, LF and CR.
        return data.translate(None, _ASCII_KEPT) in (b"", _UTF8_BOM)
    return _CLEANED_BESIDES_NEWLINES.search(decoded.text) is None


def ascii_export(data: bytes, path: Path) -> bool:
    """Whether `data` (after a UTF-8 BOM) is printable ASCII, tab, LF and CR alone: one C
    pass. Then `decode(data)` is its UTF-8 reading with nothing to warn about, and
    `clean_source` would change only its line endings, so neither needs the whole text.

    Raises:
        InputError: the file is blank, as `decode` says.
    """
    if data.translate(None, _ASCII_KEPT) not in (b"", _UTF8_BOM):
        return False
    if _CONTENT.search(data, 3 if data.startswith(_UTF8_BOM) else 0) is None:
        raise InputError(path, "the file is empty")
    return True
