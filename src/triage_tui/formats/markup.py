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
from functools import lru_cache
from typing import Any

from triage_tui.core.spec import looks_like_jira

__all__ = ["display_markdown", "jira_to_markdown", "looks_like_jira", "part_markdown"]

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
    as it is, and results are cached by text (descriptions are shown again and again).
    """
    text = _USER_MENTION.sub(r"@\1", _mentions(text.replace("\r\n", "\n")))
    parts = []
    for block in _blocks(_prepare(text)):
        if _MARKUP_CHAR.search(block):
            parts.append(_scanner().transform_string(block).strip("\n"))
        else:
            parts.append(block)
    return "\n\n".join(part for part in parts if part.strip()).rstrip("\n")


# A block with none of these is prose to jira2markdown too (it would change nothing).
_MARKUP_CHAR = re.compile(r"[*_{}\[\]|#^~?!+\-]|^h[1-6]\.|^bq\.|\\\\", re.M)


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


@lru_cache(maxsize=1)
def _grammar() -> Any:
    """jira2markdown's grammar, built once (its `convert` builds it on every call)."""
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
    return markup


#: Where a Jira element can begin: every element of jira2markdown starts with one of
#: these (a markup character, an indented list/table/heading, a line start, a scheme).
_ELEMENT_START = (
    r"(?:[*_{}\[\]|#^~?!+\-\\@\n]|[ \t]+(?:[*#\-|{]|h[1-6]\.|bq\.)|h[1-6]\.|bq\.|[a-z]+:)"
)


@lru_cache(maxsize=1)
def _scanner() -> Any:
    """The grammar behind a cheap look-ahead for where an element can begin.

    `transform_string` tries the whole grammar (28 alternatives) at every character;
    most characters are letters of prose where none can match. Looking ahead for a
    possible start first gives the same output (a test compares the two on every Jira
    description in the samples and on generated markup) about 7x faster: a ~1 KB Jira
    description took ~200 ms here, more than ten frames.
    """
    from pyparsing import FollowedBy, Regex

    grammar = _grammar()  # first: it sets pyparsing's default whitespace to none
    return FollowedBy(Regex(_ELEMENT_START)) + grammar


_BLOCK_TOKEN = re.compile(r"\{(code|noformat)(?::([^}]*))?\}")
_LIST_LINE = re.compile(r"^[ \t]*(?:[*#]+|-)[ \t]+\S")


def _prepare(text: str) -> str:
    """Jira text as jira2markdown reads it the way Jira renders it.

    - a `{code}` block with no language becomes `{noformat}` (jira2markdown would label
      it Java); an unclosed block is closed;
    - a line right after a list item that is not one (a heading, a paragraph) is
      set apart by a blank line (jira2markdown would indent it into the list item).
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
        is_list = bool(_LIST_LINE.match(joined)) and not open_kind
        if was_list and joined.strip() and not is_list:
            out.append("")
        out.append(joined)
        was_list = is_list
    if open_kind:
        out.append("{code}" if open_kind == "code" else "{noformat}")
    return "\n".join(out)


def display_markdown(text: str) -> str:
    """The Markdown to show for a description (Jira markup converted).

    A Jira Cloud mention is unmistakable, so it reads as a person even in a description
    with no other Jira markup; everything else waits for clearer signs of Jira (a
    Markdown "# heading" would otherwise become a numbered list).
    """
    return jira_to_markdown(text) if looks_like_jira(text) else _mentions(text)


def part_markdown(text: str, *, jira: bool) -> str:
    """One part of a handoff (a criterion, the contract) as Markdown.

    Args:
        text: the part as the spec (or the room) wrote it.
        jira: whether the item's description is Jira markup: the part is converted
            then, since a lone `*Given*` or `{{mono}}` does not show it on its own.

    Returns:
        Markdown.
    """
    if jira or looks_like_jira(text):
        return jira_to_markdown(text)
    return _mentions(text)
