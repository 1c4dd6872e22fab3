"""Showing descriptions: Jira wiki markup turned into Markdown for display (the plan keeps the original)."""

from __future__ import annotations

import re

_JIRA_HINT = re.compile(
    r"^h[1-6]\.\s|\{code(?::[^}]*)?\}|\{noformat\}|\{quote\}|\[[^\]|]+\|[^\]]+\]", re.M
)
_HEADING = re.compile(r"^h([1-6])\.\s*(.*)$")
_BLOCK = re.compile(r"\{(code|noformat)(?::([^}]*))?\}")
_LINK = re.compile(r"\[([^\]|]+)\|([^\]]+)\]")
_NUMBERED = re.compile(r"^(#+)\s+(.*)$")
_BULLET = re.compile(r"^(\*+|-+)\s+(.*)$")
# Mentions: Jira Cloud writes an opaque account id, Jira Server the user name.
_ACCOUNT_MENTION = re.compile(r"\[~accountid:[^\]\s]*\]")
_USER_MENTION = re.compile(r"\[~([^\]\s:|]+)\]")
_MONOSPACE = re.compile(r"\{\{(.+?)\}\}")


def _inline(text: str) -> str:
    """Links, mentions and {{monospace}} inside one line of Jira markup, as Markdown."""
    text = _MONOSPACE.sub(r"`\1`", text) if "{{" in text else text
    return _USER_MENTION.sub(r"@\1", _mentions(_LINK.sub(r"[\1](\2)", text)))


def _mentions(text: str) -> str:
    # An account id names nobody the room knows; one token, so it never wraps apart.
    return _ACCOUNT_MENTION.sub("@jira-user", text) if "[~accountid:" in text else text


def looks_like_jira(text: str) -> bool:
    """True when `text` uses Jira wiki markup (headings like `h3.`, `{code}`, `[text|url]`)."""
    return bool(_JIRA_HINT.search(text))


def jira_to_markdown(text: str) -> str:
    """Convert the common parts of Jira wiki markup to Markdown.

    Headings, code and noformat blocks, links, mentions, `{{monospace}}`, bullet and
    numbered lists, and `{quote}`; anything else is left as it is.
    """
    out: list[str] = []
    in_block = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        parts = _BLOCK.split(line)
        if len(parts) > 1:
            # A line holding {code}...{code}: emit fences around each segment.
            for index, part in enumerate(parts):
                if index % 3 == 0:
                    if part.strip():
                        out.append(part)
                elif index % 3 == 1:
                    language = (parts[index + 1] or "").split("|")[0].replace("language=", "")
                    out.append("```" if in_block else f"```{language}")
                    in_block = not in_block
            continue
        if in_block:
            out.append(raw)
            continue
        line = line.replace("{quote}", "")
        heading = _HEADING.match(line)
        if heading:
            out.append(f"{'#' * int(heading.group(1))} {_inline(heading.group(2))}")
            continue
        numbered = _NUMBERED.match(line)
        if numbered:
            out.append(f"{'   ' * (len(numbered.group(1)) - 1)}1. {_inline(numbered.group(2))}")
            continue
        bullet = _BULLET.match(line)
        if bullet:
            out.append(f"{'  ' * (len(bullet.group(1)) - 1)}- {_inline(bullet.group(2))}")
            continue
        out.append(_inline(line))
    if in_block:
        out.append("```")
    return "\n".join(out)


def display_markdown(text: str) -> str:
    """The Markdown to show for a description (Jira markup converted).

    A Jira Cloud mention is unmistakable, so it reads as a person even in a description
    with no other Jira markup; everything else waits for clearer signs of Jira (a
    Markdown "# heading" would otherwise become a numbered list).
    """
    return jira_to_markdown(text) if looks_like_jira(text) else _mentions(text)
