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


def csv_cell(value: object, *, leading: bool = False) -> str:
    """A value as a CSV cell that never starts a spreadsheet formula.

    Text starting with ``= + - @`` (or their full-width forms), a tab or a line
    break is prefixed with a single quote, as OWASP recommends; so is every part of
    the text that follows a separator a spreadsheet may apply (``,`` ``;`` tab, line
    break) and starts a formula (``Invoices;=1+1;`` -> ``Invoices;'=1+1;``). A plain
    number (``-3``, ``2.5``) is left as it is so it still sorts as a number, except in a
    row's first cell (``leading``): read with another separator the whole row is one
    cell that starts with it, ``-3,=...``. Control characters are cleaned first
    (:func:`clean_text`), whatever the value came from.
    """
    text = "" if value is None else clean_text(str(value))
    if _NUMBER.fullmatch(text) and not (leading and text[:1] in "+-"):
        return text
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if _PART_FORMULA.search(text):
        # A spreadsheet may split the cell at a separator of its own (Excel's ";" in much
        # of Europe, a tab): every part that could start a formula is guarded too.
        text = _PART_FORMULA.sub(_guard_part, text)
    return text


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# A part of a cell, between the separators a spreadsheet may apply (, ; tab, a line
# break) or at its start, that starts a formula after blanks (some importers trim them).
_PART_FORMULA = re.compile("(^|[,;\t\n])([ ]*)([=+\\-@\uff1d\uff0b\uff0d\uff20])")


def _guard_part(match: re.Match[str]) -> str:
    # No number is spared here: read with another separator, the part runs on into the
    # next cells ("ok; -3" then ",undecided" reads "-3,undecided" under ";").
    separator, blanks, part = match.groups()
    return f"{separator}{blanks}'{part}"


# What would become HTML in Markdown prose (CommonMark): a `<` that opens a tag, a
# closing tag, a comment, a declaration or an autolink (escaped with the `>` closing it
# on its line, so it reads "&lt;b&gt;"); a `&` that spells an entity. Any other `<`, `>`
# or `&` renders as itself and stays (a title reads "R&D <= 3 days" raw).
_TAG = re.compile(r"<(?=[A-Za-z/!?])([^<>\n]*)(>?)")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_BACKTICKS = re.compile(r"`+")
_SPAN_CHARS = re.compile(r"[\\`]")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _escaped_tag(match: re.Match[str]) -> str:
    return "&lt;" + match.group(1) + ("&gt;" if match.group(2) else "")


def _prose_escaped(text: str) -> str:
    escaped = _ENTITY.sub("&amp;", text) if "&" in text else text
    if "<" in escaped:
        escaped = _TAG.sub(_escaped_tag, escaped)
    if "![" in escaped:
        escaped = escaped.replace("![", "!\\[")
    return md_links(escaped)


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
    is opened (a tracking pixel). A link stays a link only when its target passes
    :func:`md_link_allowed` (:func:`md_links`, on the prose outside code spans); any
    other is shown as text.

    Every Markdown sink (brief, handoffs, diff, and any added later) passes backlog text
    through this function or :func:`md_line`: the link allowlist lives here, once."""
    text = clean_text(text)
    if "`" not in text:
        return _prose_escaped(text)
    out: list[str] = []
    prose_start = 0
    index = 0
    length = len(text)
    while index < length:
        found = _SPAN_CHARS.search(text, index)  # skip prose at C speed
        if found is None:
            break
        index = found.start()
        if text[index] == "\\":
            # An escaped character (a "\\`" opens no code span).
            index += 2 if index + 1 < length and text[index + 1] in _ASCII_PUNCTUATION else 1
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


#: The link targets a Markdown export keeps live (plus relative paths: no scheme).
MD_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_URL_IGNORED = re.compile("[\x00-\x20\x7f]")  # browsers drop tabs and newlines in a url
# A destination after "](" (inline links and images) or a reference definition's
# "[label]:" at the start of a line; a destination may sit on the next line.
_INLINE_TARGET = re.compile(r"\]\([ \t]*\n?[ \t]*([^\s)]*)")
_DEFINITION = re.compile(r"^( {0,3})\[((?:[^\]\\\n]|\\.)+)\]:[ \t]*\n?[ \t]*(\S*)", re.MULTILINE)


def md_link_allowed(target: str) -> bool:
    """Whether a Markdown link target may stay live: ``http``, ``https``, ``mailto``, or a
    relative path (no scheme). ``javascript:``, ``data:``, ``vbscript:``, ``file:`` and
    every other scheme are not, however they are spelt (case, backslash escapes,
    entities, blanks a browser drops)."""
    import html

    url = html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", target))
    url = _URL_IGNORED.sub("", url).lstrip("<")
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in MD_LINK_SCHEMES


def md_links(markdown: str) -> str:
    """``markdown`` with every link whose target fails :func:`md_link_allowed` shown as
    text: the ``(`` of an inline link and the ``[`` of a reference definition are
    escaped, so a renderer prints ``[me](javascript:alert(1))`` as written."""
    if "](" not in markdown and "]:" not in markdown:
        return markdown

    def inline(match: re.Match[str]) -> str:
        if md_link_allowed(match.group(1)):
            return match.group()
        return "]\\(" + match.group()[2:]

    def definition(match: re.Match[str]) -> str:
        if md_link_allowed(match.group(3)):
            return match.group()
        return match.group(1) + "\\" + match.group()[len(match.group(1)) :]

    if "](" in markdown:
        markdown = _INLINE_TARGET.sub(inline, markdown)
    if "]:" in markdown:
        markdown = _DEFINITION.sub(definition, markdown)
    return markdown


def md_link(label: str, url: str) -> str:
    """A link from a backlog (an attachment, a tracker link) for Markdown: the label as one
    line of text (:func:`md_line`), the url a live target only when
    :func:`md_link_allowed` says so; else both are shown as text, ``name (javascript:...)``.
    New Markdown sinks take links from here, never write ``[x](url)`` themselves."""
    target = clean_line(url).strip()
    text = md_line(label) or md_line(target)
    if not target:
        return text
    if not md_link_allowed(target):
        shown_url = md_line(target)
        return text if text == shown_url else f"{text} ({shown_url})"
    if not _PLAIN_TARGET.fullmatch(target):
        # An angle-bracket destination: blanks and parentheses in the url cannot end it.
        for char, code in ((" ", "%20"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C")):
            target = target.replace(char, code)
        target = f"<{target}>"
    return f"[{text}]({target})"


_PLAIN_TARGET = re.compile(r"[^\s<>()\\`\"']+")


# A line starting with one of these (after up to three spaces) opens a block: a heading,
# a quote, a list, a fence, a thematic break, a setext underline, a table row.
_BLOCK_START = re.compile(r"[ \t]*(?:[#>+*=~`|-]|\d{1,9}[.)](?:[ \t]|$))")
_INLINE_MARKS = re.compile(r"([\\*\[\]|`~])")
# "_" inside a word ("user_id") is never emphasis: escaped only at a word's edge.
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md_line(text: str) -> str:
    """Text from a one-line field (a title, an id, a name) for Markdown: one line that
    never starts a heading, list, quote or fence, never opens a link, emphasis, code
    span or table cell, and holds no HTML (:func:`md_text`)."""
    line = " ".join(clean_line(text).split())
    line = _INLINE_MARKS.sub(r"\\\1", line)
    line = _EDGE_UNDERSCORE.sub(r"\\_", line)
    return md_text(md_block_safe(line))


def md_block_safe(markdown: str) -> str:
    """``markdown`` whose first line cannot open a block (heading, list, quote, fence):
    for a paragraph that begins with text from a one-line field (a deliverable drafted
    from the title). The marker is backslash-escaped; the rest is left as it is."""
    match = _BLOCK_START.match(markdown)
    if match is None:
        return markdown
    start = len(markdown) - len(markdown.lstrip(" \t"))
    if markdown[start].isdigit():  # "1. x": a backslash escapes punctuation, not digits
        end = match.end() - (1 if match.group()[-1] in " \t" else 0) - 1
        return markdown[:end] + "\\" + markdown[end:]
    return markdown[:start] + "\\" + markdown[start:]


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


# -- one line about a file: names and messages ---------------------------------------
# What a terminal acts on (C0, DEL, C1) and what draws nothing or reorders the text
# around it: bidi marks, embeddings, overrides and isolates, zero-width characters and
# joiners, the soft hyphen, invisible operators, BOM, interlinear marks, tag characters.
_INVISIBLE_CLASS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f"
)
_UNSHOWN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE_CLASS}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20 or code == 0x7F:
        return _picture(match)
    if code <= 0x9F:
        return f"\\x{code:02x}"  # C1: no control picture; its escape, visibly
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown(text: object) -> str:
    """``text`` as one visible line: for a file name, an error line, a path in a plan.

    Unlike :func:`clean_text` nothing is dropped: a control character becomes its
    picture (ESC -> U+241B, newline -> U+240A), a C1 control its escape (``\\x9b``), and
    every invisible or reordering character (bidi controls, zero-width spaces and
    joiners, BOM, soft hyphen, tag characters) its escape (``\\u202e``), so a hostile
    file name is shown for what it is and a terminal acts on none of it. The identity on
    ordinary text.
    """
    text = str(text)
    return _UNSHOWN.sub(_visible, text) if _UNSHOWN.search(text) else text


# -- length --------------------------------------------------------------------------
def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


# -- ids -----------------------------------------------------------------------------
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")


def id_key(item_id: str) -> str:
    """What an id reads as: invisible characters removed, then Unicode NFKC.

    Two ids with the same key look the same to the room (``A-1`` and ``A-1`` with a
    zero-width space, or with a full-width ``Ａ``): a loader warns about them.
    """
    if item_id.isascii():
        return item_id  # no invisible character, and NFKC changes no ASCII
    import unicodedata

    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", item_id))
