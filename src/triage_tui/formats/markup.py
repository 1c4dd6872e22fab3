"""Jira wiki markup as Markdown, wherever a description or a handoff part is shown or
exported (the plan keeps the original).

The conversion is jira2markdown's (a maintained pyparsing grammar: headings, lists,
tables, `{code}`/`{noformat}`/`{quote}`/`{panel}`, `*bold*`, `{{monospace}}`, links,
colours); the mention rules on top are ours: a Jira Cloud account mention
(`[~accountid:...]`) names nobody the room knows and reads as one token, `@jira-user`;
a Jira Server user-name mention (`[~jsmith]`) reads as `@jsmith`.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from triage_tui.core.spec import dialect, is_jira, looks_like_jira

__all__ = [
    "dialect",
    "display_markdown",
    "is_jira",
    "jira_to_markdown",
    "looks_like_jira",
    "part_markdown",
    "quick_jira_to_markdown",
    "to_markdown",
]

_ACCOUNT_MENTION = re.compile(r"\[~accountid:[^\]\s]*\]")
_USER_MENTION = re.compile(r"\[~([^\]\s:|]+)\]")


def _mentions(text: str) -> str:
    # An account id names nobody the room knows; one token, so it never wraps apart.
    return _ACCOUNT_MENTION.sub("@jira-user", text) if "[~accountid:" in text else text


@lru_cache(maxsize=4096)
def jira_to_markdown(text: str) -> str:
    """Jira wiki markup converted to Markdown (an unclosed `{code}` block is closed).

    jira2markdown parses ~20-50 ms per description here, so the text is converted in
    blocks (paragraphs, code blocks), a block with no markup character passes through
    as it is, a block of headings and prose is converted line by line
    (`_headings_and_prose`), and results are cached by text (descriptions are shown
    again and again).
    """
    markdown = _convert(text, grammar=True)
    assert markdown is not None
    return markdown


def quick_jira_to_markdown(text: str) -> str | None:
    """`jira_to_markdown(text)` when no block of `text` needs jira2markdown's grammar
    (prose, headings: well under a millisecond), else None (convert it off the UI
    thread: it takes milliseconds)."""
    return _convert(text, grammar=False)


#: One conversion at a time through the grammar: jira2markdown's lists keep their indent
#: as state in the grammar while a list converts, and pyparsing resets a process-wide
#: cache at each scan, so two threads (a description's worker and one it outlived, the
#: cursor having moved on) must not interleave.
_GRAMMAR_LOCK = threading.Lock()


def _convert(text: str, *, grammar: bool) -> str | None:
    text = _USER_MENTION.sub(r"@\1", _mentions(text.replace("\r\n", "\n")))
    text, spans = _protect_monospace(_prepare(text))
    parts = []
    for block in _blocks(text):
        if not _MARKUP_CHAR.search(block):
            parts.append(block)
            continue
        converted = _convert_block(block, grammar=grammar)
        if converted is None:
            return None
        parts.append(converted)
    markdown = "\n\n".join(part for part in parts if part.strip()).rstrip("\n")
    if spans:
        markdown = _PLACEHOLDER.sub(lambda match: spans[int(match.group(1))], markdown)
    return markdown


# A `{{monospace}}` span is set aside before the conversion as a token no Jira element
# reads (Private Use Area characters around its number), then put back as a code span.
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_CODE_BLOCK = re.compile(r"\{code(?::[^}]*)?\}.*?\{code\}|\{noformat\}.*?\{noformat\}", re.S)


def _protect_monospace(text: str) -> tuple[str, list[str]]:
    """`text` with each `{{monospace}}` outside code blocks replaced by a placeholder,
    and the code spans they stand for.

    jira2markdown ends a monospace span at the first `}}`, so `{{422 {"error": "x"}}}`
    came out as `` `422 {"error": "x"`} ``; here the braces inside are counted, and the
    content is kept exactly as written (no emphasis or link read inside code).
    """
    if "{{" not in text:
        return text, []
    spans: list[str] = []
    out: list[str] = []
    position = 0
    for block in _CODE_BLOCK.finditer(text):
        out.append(_monospace_spans(text[position : block.start()], spans))
        out.append(block.group(0))
        position = block.end()
    out.append(_monospace_spans(text[position:], spans))
    return "".join(out), spans


def _monospace_spans(text: str, spans: list[str]) -> str:
    out: list[str] = []
    position = 0
    while (start := text.find("{{", position)) != -1:
        end = _monospace_end(text, start + 2)
        content = text[start + 2 : end] if end != -1 else ""
        if not content.strip():
            out.append(text[position : start + 2])
            position = start + 2
            continue
        out.append(text[position:start])
        out.append(f"\ue000{len(spans)}\ue001")
        if "|" in content and text[text.rfind("\n", 0, start) + 1 :].lstrip().startswith("|"):
            content = content.replace("|", "\\|")  # in a table row: a cell's own pipe
        spans.append(code_span(content))
        position = end + 2
    out.append(text[position:])
    return "".join(out)


def _monospace_end(text: str, start: int) -> int:
    """Where the `}}` closing a monospace span that opens before `start` is (-1: none on
    its line); braces opened inside the span are closed inside it."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\n":
            return -1
        if char == "{":
            depth += 1
        elif char == "}":
            if depth:
                depth -= 1
            elif text.startswith("}}", index):
                # `{{a}}}`: the last two braces close the span when one more is open.
                return index
        index += 1
    return -1


def code_span(content: str) -> str:
    """`content` as a Markdown code span, whatever backticks it holds (a fence longer
    than any run inside; padded when it starts or ends with a backtick)."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    if content.startswith("`") or content.endswith("`"):
        content = f" {content} "
    return f"{fence}{content}{fence}"


# A block with none of these is prose to jira2markdown too (it would change nothing).
_MARKUP_CHAR = re.compile(r"[*_{}\[\]|#^~?!+\-]|^h[1-6]\.|^bq\.|\\\\", re.M)


#: A hyphen or underscore inside a word ("on-call", "BEN-3", "booked_at"): no Jira
#: element begins there (a strikethrough or italics opens after a non-word character, a
#: dash is two or three hyphens with spaces around, a ruler four at a line's start, a
#: list row's at the start).
_WORD_JOINER = re.compile(r"(?<=[^\W_])[-_](?=[^\W_])")


def _plain(text: str) -> bool:
    """True when no Jira element can begin in `text` (`_MARKUP_CHAR`, but for hyphens
    and underscores inside words)."""
    if "-" in text or "_" in text:
        text = _WORD_JOINER.sub("", text)
    return not _MARKUP_CHAR.search(text)


#: A link with its words: `[words|https://...]` (jira2markdown's `Link`, an http(s) or
#: ftp address), and `*bold*` words (its `Bold`: after a non-word character, the words
#: neither starting nor ending with a space, then a non-word character).
_LINK = re.compile(r"\[([^\[\]|\n]+)\|((?:https?|ftp)://[^\s\[\]|]+)\]")
_BOLD = re.compile(r"(?<!\w)\*([^\s*](?:[^*\n]*[^\s*])?)\*(?![\w*])")
#: Where `_inline` keeps a converted link or bold span (Private Use Area characters,
#: as `_PLACEHOLDER`: no Jira element reads them).
_SPACE = re.compile(r"\s")
_INLINE_MARK = re.compile("\ue002(\\d+)\ue003")


def _inline(text: str) -> str | None:
    """`text` (a line) as jira2markdown converts it, when its only markup is links with
    their words and `*bold*` words (their words plain, `_plain`); else None."""
    if _plain(text):
        return text
    if "*" not in text and "[" not in text:
        return None
    converted: list[str] = []

    def keep(markdown: str) -> str:
        converted.append(markdown)
        return f"\ue002{len(converted) - 1}\ue003"

    def in_address(match: re.Match[str]) -> bool:
        """Inside a bare address (`https://x/*y*`: jira2markdown keeps an address whole,
        to the next space)."""
        return "://" in _SPACE.split(match.string[: match.start()])[-1]

    def link(match: re.Match[str]) -> str:
        words, address = match.groups()
        plain = _plain(words) and not in_address(match)
        return keep(f"[{words}]({address})") if plain else match.group(0)

    def bold(match: re.Match[str]) -> str:
        words = match.group(1)
        # (a link inside: the grammar's)
        plain = _plain(words) and "\ue002" not in words and not in_address(match)
        return keep(f"**{words}**") if plain else match.group(0)

    rest = _BOLD.sub(bold, _LINK.sub(link, text))
    if not converted or not _plain(rest):
        return None
    return _INLINE_MARK.sub(lambda match: converted[int(match.group(1))], rest)


#: A Jira heading line: `h1.` to `h6.`, a space, its text (jira2markdown's `Headings`).
_HEADING_LINE = re.compile(r"h([1-6])\. (.*)", re.S)
#: An indented heading or quote, which jira2markdown reads too (`_MARKUP_CHAR` looks at
#: line starts only).
_INDENTED_MARK = re.compile(r"[ \t]+(?:h[1-6]|bq)\.")


def _headings_and_prose(block: str) -> str | None:
    """`block` converted, when it is only headings and lines of prose (the most common
    Jira description: "h3. Problem", a few sentences, "h3. Notes", ...); else None.

    No line but a heading's start holds a character any Jira element begins with, so
    the grammar changes nothing but the heading markers (`h3. ` to `### `): the same
    output as jira2markdown's (a test compares), without its scan of every character
    (~5-10 ms a description here, the most of a rested item's conversion).
    """
    out = []
    for line in block.split("\n"):
        heading = _HEADING_LINE.fullmatch(line)
        text = line if heading is None else heading.group(2)
        converted = _inline(text)
        if converted is None or _INDENTED_MARK.match(text):
            return None
        out.append(converted if heading is None else "#" * int(heading.group(1)) + " " + converted)
    return "\n".join(out).strip("\n")


def _convert_block(block: str, *, grammar: bool) -> str | None:
    """One block (a paragraph) as Markdown, or None if it needs the grammar and
    `grammar` is False. Its plain tables (`_plain_table`) and the plain list it may end
    in (`_trailing_list`) are converted here, the text around them through the
    headings-and-prose path or jira2markdown; the Markdown is the grammar's for the
    whole block (a test compares)."""
    lines = block.split("\n")
    if (
        "{" in block
        or block.count("[") != block.count("]")
        or any(_TABLE_LINE.match(line) and not _table_cells(line) for line in lines)
    ):
        # A brace block (quote, panel, colour), an unmatched `[` (a link the grammar
        # reads on over the lines after it) or a table row with no closing `|` runs on
        # over the lines after it in the grammar: the whole block is the grammar's.
        whole = _headings_and_prose(block)
        if whole is None:
            if not grammar:
                return None
            with _GRAMMAR_LOCK:
                whole = _scanner().transform_string(block)
        return whole.strip("\n")
    pieces: list[tuple[str, list[str]]] = []
    position = 0
    for start, end in _table_runs(lines):
        if start > position:
            pieces.append(("text", lines[position:start]))
        pieces.append(("table", lines[start:end]))
        position = end
    if position < len(lines):
        pieces.append(("text", lines[position:]))
    out = ""
    for index, (kind, part) in enumerate(pieces):
        if kind == "text":
            converted = _convert_text("\n".join(part), grammar=grammar)
            if converted is None:
                return None
            out += converted
            continue
        # jira2markdown's Table: a blank line before it (but at the start) and after it
        # (but at the end), its rows ending in a line break.
        out += ("\n\n" if index else "") + _plain_table(part)
        out += "\n" if index < len(pieces) - 1 else ""
    return out.strip("\n")


def _convert_text(text: str, *, grammar: bool) -> str | None:
    """A block's text between tables (see `_convert_block`), not stripped."""
    if not _MARKUP_CHAR.search(text):
        return text
    head, listed = _trailing_list(text)
    simple = _headings_and_prose(head) if head else ""
    if simple is None:
        if not grammar:
            return None
        with _GRAMMAR_LOCK:
            simple = _scanner().transform_string(head)
    if listed is not None:
        simple = f"{simple}\n{listed}" if head else listed
    return simple


#: A table row `_plain_table` converts: `||` or `|` around cells (one kind in a row),
#: at the line's start and end.
_TABLE_LINE = re.compile(r"[ \t]*\|")


def _table_runs(lines: list[str]) -> list[tuple[int, int]]:
    """Where the block's tables are, as (first line, line after) each, when every table
    line in it is a plain row (`_table_cells`) and each table follows a line of heading
    or prose (or starts the block); else none (the grammar takes them)."""
    runs: list[tuple[int, int]] = []
    start = -1
    for index, line in enumerate([*lines, ""]):
        if _TABLE_LINE.match(line):
            if _table_cells(line) is None:
                return []
            if start < 0:
                if index and _headings_and_prose(lines[index - 1]) is None:
                    return []  # what precedes may end otherwise before a table (`bq.`)
                start = index
        elif start >= 0:
            runs.append((start, index))
            start = -1
    return runs


def _table_cells(row: str) -> list[str] | None:
    """The cells of a plain table row: `||a||b||` or `|a|b|`, each cell text in which no
    Jira element can begin (nor a blank one); else None."""
    separator = "||" if row.startswith("||") else "|"
    if not row.startswith("|") or not row.endswith(separator) or len(row) <= 2 * len(separator):
        return None
    cells = row[len(separator) : -len(separator)].split(separator)
    if any(not cell.strip() or not _plain(cell) for cell in cells):
        return None
    return cells


def _plain_table(rows: list[str]) -> str:
    """Plain table rows (`_table_runs`) as jira2markdown's Table writes them: the first
    row is the header (padded to the widest row), then the delimiter row, then the rest,
    each ending in a line break."""
    cells = [_table_cells(row) or [] for row in rows]
    widest = max(len(row) for row in cells)
    out = ["|" + "|".join(row) + "|" for row in cells]
    out[0] += "|" * (widest - len(cells[0]))
    out.insert(1, "|" + "---|" * max(widest, 1))
    return "\n".join(out) + "\n"


#: A list row `_plain_list` converts: one kind of bullet (repeated: its depth), one
#: space, then text.
_PLAIN_ROW = re.compile(r"(\*+|#+|-) (\S.*)")


def _trailing_list(block: str) -> tuple[str, str | None]:
    """`block` as (what precedes its list, the list converted) when it ends in a list
    `_plain_list` converts (a Jira block holds a list at its end: `_prepare` sets a line
    after a list apart) after a line of heading or prose; else (`block`, None).

    jira2markdown takes ~2-3 ms a list row (its rows' `SkipTo`); acceptance criteria
    are lists, so a description's list was most of its conversion.
    """
    lines = block.split("\n")
    start = len(lines)
    while start and _PLAIN_ROW.fullmatch(lines[start - 1]):
        start -= 1
    if start == len(lines) or (start and _LIST_LINE.match(lines[start - 1])):
        return block, None  # no list, or one this path does not start
    if start and _headings_and_prose(lines[start - 1]) is None:
        # The line before may run on into the list's first row in the grammar (a table
        # row with no closing `|` takes the next line into its cell): the grammar's.
        return block, None
    listed = _plain_list(lines[start:])
    if listed is None:
        return block, None
    return "\n".join(lines[:start]), listed


def _plain_list(rows: list[str]) -> str | None:
    """Jira list rows as jira2markdown converts them, when each is plain: one kind of
    bullet in all (`*` and `-` bulleted, `#` numbered), starting at depth 1 and moving
    at most one level at a time (`-` at depth 1 only), and text in which no Jira element
    can begin (`_MARKUP_CHAR`); else None (the grammar converts it)."""
    out = []
    kind = ""
    depth = 0
    for row in rows:
        match = _PLAIN_ROW.fullmatch(row)
        if match is None:
            return None
        bullets, text = match.groups()
        kind = kind or bullets[0]
        level = len(bullets)
        if bullets[0] != kind or not depth - 1 <= level <= depth + 1 or level < 1:
            return None
        if (kind == "-" and level > 1) or not _plain(text):
            return None
        depth = level
        if kind == "#":  # jira2markdown's OrderedList: 3 columns a level, "1." each
            out.append(" " * (3 * level - 3) + "1. " + text)
        else:  # UnorderedList: 2 columns a level
            out.append(" " * (2 * level - 2) + "- " + text)
    return "\n".join(out)


def _blocks(text: str) -> list[str]:
    """Paragraphs and whole code blocks (a blank line inside a block stays inside)."""
    blocks: list[str] = []
    current: list[str] = []
    inside = False
    for line in text.split("\n"):
        if not line.strip() and not inside:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
        if len(_BLOCK_TOKEN.findall(line)) % 2:
            inside = not inside
    if current:
        blocks.append("\n".join(current))
    return blocks


def _build_grammar() -> tuple[Any, Any]:
    """jira2markdown's grammar as its `convert` builds it: (inline markup, markup)."""
    from jira2markdown.elements import MarkupElements
    from pyparsing import Forward, ParserElement

    ParserElement.set_default_whitespace_chars("")
    elements = MarkupElements()
    inline_markup = Forward()
    markup = Forward()
    inline_markup <<= elements.expr(
        inline_markup, markup, {}, filter(lambda e: e.is_inline_element, elements)
    )
    markup <<= elements.expr(inline_markup, markup, {}, elements)
    return inline_markup, markup


@lru_cache(maxsize=1)
def _grammar() -> Any:
    """jira2markdown's grammar, built once (its `convert` builds it on every call), as it
    is: the reference the fast `_scanner` is tested against."""
    return _build_grammar()[1]


#: Where a Jira element can begin: every element of jira2markdown starts with one of
#: these (a markup character, an indented list/table/heading, a line start, a scheme).
_ELEMENT_START = (
    r"(?:[*_{}\[\]|#^~?!+\-\\@\n]|[ \t]+(?:[*#\-|{]|h[1-6]\.|bq\.)|h[1-6]\.|bq\.|[a-z]+:)"
)
#: Nested conversions remembered per grammar (see `_scanner`).
NESTED_CACHE = 4096
#: A list's row at a line start: jira2markdown's lists keep their indent as state in the
#: grammar while a list is converted, so a nested text holding one is not remembered.
_LIST_ROW = re.compile(r"(?:^|\n)[ \t]*[*#\-]")


def _remembered(transform: Any) -> Any:
    """`transform` (a text to Markdown), remembered by its text where that is all it reads."""
    cached = lru_cache(maxsize=NESTED_CACHE)(transform)

    def nested(text: str, **options: Any) -> str:
        if options or _LIST_ROW.search(text):
            return str(transform(text, **options))
        return str(cached(text))

    nested.cache_info = cached.cache_info  # type: ignore[attr-defined]  # (tests)
    _NESTED.append(nested)
    return nested


#: The remembered nested conversions (`_remembered`), for tests to read their counts.
_NESTED: list[Any] = []


@lru_cache(maxsize=1)
def _scanner() -> Any:
    """The grammar behind a cheap look-ahead for where an element can begin.

    `transform_string` tries the whole grammar (28 alternatives) at every character;
    most characters are letters of prose where none can match. Looking ahead for a
    possible start first gives the same output (a test compares the two on every Jira
    description in the samples and on generated markup) about 7x faster: a ~1 KB Jira
    description took ~200 ms here, more than ten frames.

    jira2markdown converts a heading's text, a list item's, a table cell's and a quote's
    on their own (a parse action calls `transform_string` on the inline or the whole
    grammar): in this grammar's own copy those nested conversions look ahead the same
    way (about 3x faster on the samples' lists and tables), and they are remembered by
    their text, since the same headings and cells ("Acceptance criteria", "Notes") come
    back item after item (not a text holding a list row: see `_LIST_ROW`). Both keep the
    output exactly jira2markdown's (`_grammar`).
    """
    from pyparsing import FollowedBy, Regex

    inline_markup, markup = _build_grammar()  # first: it sets pyparsing's whitespace to none
    for nested in (inline_markup, markup):
        fast = FollowedBy(Regex(_ELEMENT_START)) + nested
        nested.transform_string = _remembered(fast.transform_string)
    return FollowedBy(Regex(_ELEMENT_START)) + markup


_PANEL_LINE = re.compile(r"^[ \t]*\{panel(?::([^}]*))?\}[ \t]*$")
_PANEL_TITLE = re.compile(r"(?:^|\|)[ \t]*title[ \t]*=[ \t]*([^|]*)")
_BLOCK_TOKEN = re.compile(r"\{(code|noformat)(?::([^}]*))?\}")
_LIST_LINE = re.compile(r"^[ \t]*(?:[*#]+|-)[ \t]+\S")


def _prepare(text: str) -> str:
    """Jira text as jira2markdown reads it the way Jira renders it.

    - a `{code}` block with no language becomes `{noformat}` (jira2markdown would label
      it Java); an unclosed block is closed;
    - a line right after a list item that is not one (a heading, a paragraph) is
      set apart by a blank line (jira2markdown would indent it into the list item);
    - a `{panel}` on a line of its own is set apart by blank lines, its title as a bold
      line (jira2markdown leaves a panel holding a list as it is: `{panel:title=AC}`).
    """
    out: list[str] = []
    open_kind = ""  # the block we are in: "code", "noformat" or ""
    was_list = False
    for line in text.split("\n"):
        pieces: list[str] = []
        position = 0
        for match in _BLOCK_TOKEN.finditer(line):
            pieces.append(line[position : match.start()])
            kind, language = match.group(1), match.group(2)
            if not open_kind:
                open_kind = "code" if kind == "code" and language else "noformat"
                pieces.append("{code:" + language + "}" if open_kind == "code" else "{noformat}")
            elif kind == open_kind or (kind == "code" and open_kind == "noformat"):
                pieces.append("{code}" if open_kind == "code" else "{noformat}")
                open_kind = ""
            else:
                pieces.append(match.group(0))
            position = match.end()
        pieces.append(line[position:])
        joined = "".join(pieces)
        panel = _PANEL_LINE.match(joined) if not open_kind and len(pieces) == 1 else None
        if panel is not None:
            title = _PANEL_TITLE.search(panel.group(1) or "")
            name = title.group(1).strip().strip("*") if title else ""
            out += ["", f"*{name}*", ""] if name else [""]
            was_list = False
            continue
        is_list = bool(_LIST_LINE.match(joined)) and not open_kind
        if was_list and joined.strip() and not is_list:
            out.append("")
        out.append(joined)
        was_list = is_list
    if open_kind:
        out.append("{code}" if open_kind == "code" else "{noformat}")
    return "\n".join(out)


def to_markdown(text: str, markup: str = "") -> str:
    """`text` as Markdown: converted when it is Jira wiki markup. Pure, and cached for
    Jira text (`jira_to_markdown`), so a caller may convert as often as it shows.

    Args:
        text: a description or a part of one, as its source wrote it.
        markup: the source's dialect (`Item.markup`): "jira" converts, "markdown" leaves
            the text as it is; "" (a source that does not say) judges the text by its
            looks, waiting for clear signs of Jira (a Markdown "# heading" would
            otherwise become a numbered list).

    Returns:
        Markdown. A Jira Cloud account mention reads as one token (`@jira-user`) in
        either dialect: it names nobody the room knows.
    """
    return jira_to_markdown(text) if is_jira(text, markup) else _mentions(text)


def display_markdown(text: str, markup: str = "") -> str:
    """The Markdown to show for a description (see `to_markdown`)."""
    return to_markdown(text, markup)


def part_markdown(text: str, *, jira: bool = False, markup: str = "") -> str:
    """One part of a handoff (a criterion, the contract) as Markdown.

    Args:
        text: the part as the spec (or the room) wrote it.
        jira: convert it as Jira markup whatever it looks like (kept for callers that
            know no more than a yes/no).
        markup: the item's dialect as `dialect(item.description, item.markup)` gives it:
            "jira" converts (a lone `*Given*` or `{{mono}}` does not show it on its
            own), "markdown" does not, "" judges the part by its looks.

    Returns:
        Markdown.
    """
    return to_markdown(text, "jira" if jira else markup)
