"""Jira wiki markup is shown as Markdown; other text is left alone."""

from __future__ import annotations

import re

from triage_tui.formats.markup import display_markdown, jira_to_markdown, looks_like_jira


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
        "",  # a paragraph after a list is its own (jira2markdown would indent it in)
        "See [design doc](https://x/y).",
    ]


def test_unclosed_code_block_is_closed() -> None:
    assert jira_to_markdown("{code}\nx = 1").splitlines() == ["```", "x = 1", "```"]


def test_markdown_is_not_touched() -> None:
    text = "## Acceptance criteria\n- [ ] Given a user\n\n```json\n{}\n```"
    assert not looks_like_jira(text)
    assert display_markdown(text) == text


def test_mentions_and_links_read_as_people_and_links_everywhere() -> None:
    # Jira Cloud mentions are opaque account ids; Jira Server ones are user names. Links
    # and mentions inside headings and list items are converted too, not only in prose.
    text = (
        "Resolved by [~accountid:5f8e1c2b9a7d3e0069a4b133] at 3am, then [~dokafor].\n"
        "* ask [~mchen] about [the runbook|https://wiki/x] and {{invoice.render}}\n"
        "h2. Owner: [~dokafor]"
    )
    # An account mention alone reads as a person; it does not make the text Jira.
    assert display_markdown("Paged [~accountid:5f8e1c2b9a7d3e0069a4b133] twice.") == (
        "Paged @jira-user twice."
    )
    markdown = "# Plan\nTook [~2h] so far, asked [~accountid:] too\n# Done"
    assert not looks_like_jira(markdown)
    assert display_markdown(markdown) == "# Plan\nTook [~2h] so far, asked @jira-user too\n# Done"
    assert jira_to_markdown(text).splitlines() == [
        "Resolved by @jira-user at 3am, then @dokafor.",
        "- ask @mchen about [the runbook](https://wiki/x) and `invoice.render`",
        "",
        "## Owner: @dokafor",
    ]
    # A Markdown task list is not a mention.
    assert not looks_like_jira("- [ ] Given a user\n- [x] done")


def test_jira_sample_descriptions_leave_no_raw_markup() -> None:
    from pathlib import Path

    from triage_tui.formats.loaders import load

    backlog = load(Path(__file__).parents[2] / "sample_backlogs" / "jira-export.csv")
    raw = re.compile(r"^h[1-6]\.\s|\{code|\{noformat\}|\{\{|\[~|\[[^\]|]+\|[^\]]+\]", re.M)
    for item in backlog.items:
        shown = display_markdown(item.description)
        assert not raw.search(shown), (item.id, shown)
    rds = next(item for item in backlog.items if item.id == "ACME-221")
    assert "### Acceptance criteria\n1. Rehearsed twice" in display_markdown(rds.description)
    assert "**DoD:**" in display_markdown(rds.description)


def test_code_without_a_language_is_a_plain_fence() -> None:
    assert jira_to_markdown("{code}\nGET /x\n{code}") == "```\nGET /x\n```"
    assert jira_to_markdown("{code:json}\n{}\n{code}").startswith("```json\n")
