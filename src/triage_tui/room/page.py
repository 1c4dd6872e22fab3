"""The participant's page: the HTML shell (from this package) and an item's spec as safe HTML.

The spec goes backlog text -> core.sanitize (the loaders did) -> Markdown (Jira markup
converted, formats.markup) -> HTML by markdown-it with raw HTML off (every `<` of the
text is escaped), images off (nothing is fetched from elsewhere) and its own link
check (no `javascript:` or `data:` links). The page's script puts it in place; every
other text the page shows is set as text, never as HTML.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from triage_tui.core.model import Item

#: Longest description rendered for a phone (characters of Markdown).
MAX_SPEC = 6000


@cache
def page_html() -> str:
    """The page's HTML shell (static; the script fills it in from /state and /events)."""
    return resources.files("triage_tui.room").joinpath("static", "index.html").read_text("utf-8")


@cache
def _renderer() -> Any:
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    markdown.disable(["image", "html_block", "html_inline"])
    return markdown


def item_html(item: Item) -> str:
    """`item`'s description as HTML safe to put in the page."""
    from triage_tui.formats.markup import display_markdown

    text = display_markdown(item.description.strip())
    if not text:
        return "<p><em>No description: the room decides from the title.</em></p>"
    if len(text) > MAX_SPEC:
        text = text[:MAX_SPEC] + f"\n\n_… {len(item.description):,} characters; cut here._"
    html: str = _renderer().render(text)
    # Links open elsewhere, tell nothing about where they came from.
    return html.replace("<a href=", '<a rel="noopener noreferrer nofollow" href=')
