"""The one boundary for text that came from a backlog or a plan.

Backlog text is data, never instructions. Every loader passes each string it
reads through :func:`clean_text` (the boundary), so no terminal, spreadsheet or
Markdown renderer downstream ever receives a control character from a backlog.
The sinks that give characters a meaning of their own encode on the way out:
:func:`csv_cell` for spreadsheets (OWASP's CSV-injection rule) and
:func:`md_text` / :func:`md_fence` for Markdown (no raw HTML passes through).

What :func:`clean_text` does:
- tab and newline are kept (they mean something in a description); CR and CRLF
  become a newline, as do U+2028/U+2029;
- every other C0 control, DEL and every C1 control (U+0080-U+009F, U+009B is
  an 8-bit CSI) becomes its visible Unicode "control picture" (ESC -> U+241B),
  so the room sees that something was there and nothing is executed;
- bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are
  removed: they reorder what the room reads (CWE-451 "Trojan Source").
"""

from __future__ import annotations

import re
from typing import Any

# C0 except tab (09) and newline (0a); CR (0d) is handled first. DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 SYMBOL FOR NULL ... U+241F
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    return "\ufffd"  # C1: no control picture exists; the replacement character


def clean_text(text: str) -> str:
    """``text`` with nothing a terminal would act on (see the module docstring).

    Idempotent, and the identity on ordinary text. A short string costs one regex
    search; a whole file (a CSV export is cleaned in one call, before it is parsed)
    one C-speed pass when it is ASCII, plus the CRLF rewrite when it has CRs.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:  # a memchr: far cheaper than a second replace on a 23 MB file
            text = text.replace("\r", "\n")
    if len(text) > _LARGE and text.isascii():
        # ASCII holds no C1, bidi or line separator: only C0 controls and DEL can be
        # there, and bytes.translate finds them twice as fast as the regex.
        if not text.encode("ascii").translate(None, _ASCII_FINE):
            return text
    elif not _NEEDS_WORK.search(text):
        return text
    text = _NEWLINES.sub("\n", text)
    text = _BIDI.sub("", text)
    return _CONTROL.sub(_picture, text)


_NEEDS_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_ASCII_FINE = bytes(range(0x20, 0x7F)) + b"\t\n"
_LARGE = 4096


def clean_data(value: Any) -> Any:
    """:func:`clean_text` applied to every string in a parsed document, keys included.

    Tables and arrays are rebuilt only where something changed; numbers, booleans
    and dates pass as they are.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        cleaned = {clean_text(key): clean_data(item) for key, item in value.items()}
        unchanged = len(cleaned) == len(value) and all(
            key in value and cleaned[key] is value[key] for key in cleaned
        )
        return value if unchanged else cleaned
    if isinstance(value, list):
        items = [clean_data(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


# What in TOML source can put a control or bidi character into a parsed string: an
# escape (\b \f \r \uXXXX \UXXXXXXXX; \t and \n are kept anyway) or one of the raw
# characters TOML allows (DEL is refused, C1, bidi controls, the line separators).
_TOML_RISK = re.compile(r"\\[bfrUu]|[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def clean_document(document: dict[str, Any], text: str) -> dict[str, Any]:
    """A parsed TOML document with every string in it cleaned (:func:`clean_data`).

    ``text`` is the document's source. When nothing in it can decode to a control
    or bidi character (one search: the usual case) the document comes back as it
    is, so a 50,000-item plan pays no walk over its values.
    """
    if not _TOML_RISK.search(text):
        return document
    cleaned: dict[str, Any] = clean_data(document)
    return cleaned


def clean_line(text: str) -> str:
    """:func:`clean_text` for one-line places (a title, a list row): newlines and tabs become spaces."""
    return clean_text(text).replace("\n", " ").replace("\t", " ")


# OWASP "CSV Injection": a cell starting with one of these is a formula to
# Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that never starts a spreadsheet formula.

    Text starting with ``= + - @`` (or their full-width forms), a tab or a line
    break is prefixed with a single quote, as OWASP recommends; a plain number
    (``-3``, ``2.5``) is left as it is so it still sorts as a number. Control
    characters are cleaned first (:func:`clean_text`), whatever the value came from.
    """
    text = "" if value is None else clean_text(str(value))
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")

# What would become HTML in Markdown prose (CommonMark): a `<` that opens a tag, a
# closing tag, a comment, a declaration or an autolink (escaped with the `>` closing it
# on its line, so it reads "&lt;b&gt;"); a `&` that spells an entity. Any other `<`, `>`
# or `&` renders as itself and stays (a title reads "R&D <= 3 days" raw).
_TAG = re.compile(r"<(?=[A-Za-z/!?])([^<>\n]*)(>?)")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_BACKTICKS = re.compile(r"`+")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _escaped_tag(match: re.Match[str]) -> str:
    return "&lt;" + match.group(1) + ("&gt;" if match.group(2) else "")


def _prose_escaped(text: str) -> str:
    escaped = _ENTITY.sub("&amp;", text) if "&" in text else text
    if "<" in escaped:
        escaped = _TAG.sub(_escaped_tag, escaped)
    return escaped.replace("![", "!\\[") if "![" in escaped else escaped


def md_text(text: str) -> str:
    """Backlog text for Markdown prose: what would become raw HTML is escaped (a `<`
    opening a tag, a comment or an autolink: ``<script>``, ``<img onerror>``, a stray
    ``</details>``; a `&` spelling an entity: ``&lt;``), and nothing else, so the file
    reads well raw ("Ops & tooling", "p95 < 200 ms" stay as written). Code spans are
    left exactly as written: Markdown renders nothing inside them, so an escape there
    would show (`` `Idempotency-Key: <uuid v4>` `` stays so). Control characters are
    cleaned too (:func:`clean_text`): text typed into the app, or read back from an
    autosave, reaches a brief without passing a loader. A Markdown image
    (``![x](url)``) is shown as its text: a renderer would fetch the url when the plan
    is opened (a tracking pixel); a link stays a link."""
    text = clean_text(text)
    if "`" not in text:
        return _prose_escaped(text)
    out: list[str] = []
    prose_start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length and text[index + 1] in _ASCII_PUNCTUATION:
            index += 2  # an escaped character (a "\\`" opens no code span)
            continue
        if char != "`":
            index += 1
            continue
        run = _BACKTICKS.match(text, index)
        assert run is not None
        opener = run.group()
        # The closing run: the same length, on the same line (a span across lines may
        # be two blocks to a renderer, so what follows the line is escaped as prose),
        # with no `|` between (a table row is cut into cells before code spans are read).
        line_end = text.find("\n", run.end())
        line_end = length if line_end == -1 else line_end
        close = None
        for candidate in _BACKTICKS.finditer(text, run.end(), line_end):
            if candidate.group() == opener:
                close = candidate
                break
        if close is not None and "|" in text[run.end() : close.start()]:
            close = None
        if close is None:
            index = run.end()
            continue
        out.append(_prose_escaped(text[prose_start:index]))
        out.append(text[index : close.end()])
        prose_start = index = close.end()
    out.append(_prose_escaped(text[prose_start:]))
    return "".join(out)


def md_fence(text: str, info: str = "") -> str:
    """``text`` as a fenced code block whose fence no backtick run inside can close.

    Inside a fence Markdown renders nothing (no HTML, no headings), so this is
    the safe way to quote a spec as written. Control characters are cleaned.
    """
    text = clean_text(text)
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def clean_source(text: str) -> str:
    """:func:`clean_text` for a whole CSV file, before it is split into rows and cells.

    The same cleaning, except that U+2028/U+2029 become spaces: a newline there
    would split a row the CSV reader keeps whole. CR and CRLF become newlines,
    which ends rows exactly where they ended (the CSV reader ends a row at either).
    """
    if not text.isascii() and ("\u2028" in text or "\u2029" in text):
        text = text.replace("\u2028", " ").replace("\u2029", " ")
    return clean_text(text)


_SHOWN_AS_ONE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def same_length_pictures(text: str) -> str:
    """``text`` for display in a field being edited: each control character replaced by
    one visible character (its control picture, else U+FFFD), so positions (the cursor,
    a selection) stay where they are. Tab is kept. Use :func:`clean_text` for storage.
    """
    if not _SHOWN_AS_ONE.search(text):
        return text

    def one(match: re.Match[str]) -> str:
        return "\t" if match.group() == "\t" else _picture(match)

    return _SHOWN_AS_ONE.sub(one, text)
