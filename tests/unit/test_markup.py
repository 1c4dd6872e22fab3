"""Jira wiki markup is shown as Markdown; other text is left alone."""

from __future__ import annotations

from triage_tui.markup import display_markdown, jira_to_markdown, looks_like_jira


def test_jira_headings_code_lists_links_become_markdown() -> None:
    text = 'h3. API\n{code:json}\n{"a": 1}\n{code}\n* one\n** two\n# first\nSee [design doc|https://x/y].'
    assert jira_to_markdown(text).splitlines() == [
        "### API",
        "```json",
        '{"a": 1}',
        "```",
        "- one",
        "  - two",
        "1. first",
        "See [design doc](https://x/y).",
    ]


def test_unclosed_code_block_is_closed() -> None:
    assert jira_to_markdown("{code}\nx = 1").splitlines() == ["```", "x = 1", "```"]


def test_markdown_is_not_touched() -> None:
    text = "## Acceptance criteria\n- [ ] Given a user\n\n```json\n{}\n```"
    assert not looks_like_jira(text)
    assert display_markdown(text) == text
