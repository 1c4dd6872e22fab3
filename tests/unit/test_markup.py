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


# -- the look-ahead scanner gives jira2markdown's own output ------------------------------
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from triage_tui.formats import markup as _markup  # noqa: E402

_JIRA_PIECES = st.sampled_from(
    [
        "*bold*",
        "_it_",
        "{{mono}}",
        "h2. Head\n",
        "  h3. Indented\n",
        "* a\n",
        "# one\n",
        "  * nested\n",
        "|| h || h ||\n",
        "| a | b |\n",
        '{code:json}\n{"a": 1}\n{code}\n',
        "{noformat}\nx\n{noformat}\n",
        "[link|https://x.example]",
        "https://x.example/a",
        "[~jsmith]",
        "-strike-",
        "+under+",
        "^sup^",
        "~sub~",
        "??cite??",
        "!img.png!",
        "----\n",
        " -- ",
        " --- ",
        "\\\\",
        "{color:red}r{color}",
        "{quote}q{quote}",
        "bq. q\n",
        "mailto:a@b.example",
        "plain words ",
        "\n",
        "? ",
        "! ",
        "x-y ",
        "a+b ",
        "2*3 ",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_JIRA_PIECES, min_size=1, max_size=12))
def test_the_scanner_converts_exactly_as_the_whole_grammar(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _markup._scanner().transform_string(text) == _markup._grammar().transform_string(text)


def test_the_scanner_converts_every_sample_description_as_the_whole_grammar() -> None:
    from pathlib import Path

    from triage_tui.formats.loaders import load

    root = Path(__file__).resolve().parents[2]
    checked = 0
    for path in sorted((root / "sample_backlogs").iterdir()):
        if path.suffix not in (".csv", ".toml") or path.name.endswith(".plan.toml"):
            continue
        for item in load(path).items:
            if item.description and _markup.looks_like_jira(item.description):
                for block in _markup._blocks(_markup._prepare(item.description)):
                    fast = _markup._scanner().transform_string(block)
                    assert fast == _markup._grammar().transform_string(block)
                checked += 1
    assert checked >= 10


def test_a_panel_holding_a_list_reads_as_a_titled_section() -> None:
    text = "Intro.\n\n{panel:title=Acceptance criteria|borderStyle=solid}\n# one\n# two\n{panel}\nAfter."
    assert jira_to_markdown(text).splitlines() == [
        "Intro.",
        "",
        "**Acceptance criteria**",
        "",
        "1. one",
        "1. two",
        "",
        "After.",
    ]
    # Inside a code block a panel is text; a one-line panel is jira2markdown's quote.
    assert jira_to_markdown("{code}\n{panel}\n{code}") == "```\n{panel}\n```"
    assert jira_to_markdown("{panel}inline{panel}") == "> inline"


def test_monospace_in_a_table_cell_keeps_its_pipe_inside_the_cell() -> None:
    assert jira_to_markdown("||#||Criterion||\n|1|{{a|b}}|").splitlines() == [
        "|#|Criterion|",
        "|---|---|",
        "|1|`a\\|b`|",
    ]
    assert jira_to_markdown("and {{a|b}} here") == "and `a|b` here"


# -- nested conversions: looked ahead and remembered, still jira2markdown's output -------
def test_nested_texts_in_lists_of_any_depth_convert_as_the_whole_grammar() -> None:
    # A list keeps its indent as grammar state while it is converted: a nested text holding
    # a list row depends on it and must not be answered from what another depth gave.
    texts = [
        "* - x\n* *b* y\n",
        "*** - x\n*** *b* y\n",
        "# - x\n#* - x\n## *b* y\n",
        "** - x\n* - x\n*** - x\n",
        "h3. *Notes*\n* - x\n| *a* | - b |\n",
    ]
    for text in texts * 2:  # the second round meets what the first remembered
        assert _markup._scanner().transform_string(text) == _markup._grammar().transform_string(
            text
        )


def test_a_heading_repeated_across_items_is_converted_once() -> None:
    _markup._scanner()
    before = sum(nested.cache_info().hits for nested in _markup._NESTED)
    for number in range(3):
        # (_a_ markup character: headings, prose, bold and links alone never reach the
        # grammar)
        jira_to_markdown(f"h3. Acceptance criteria\nItem {number} of the _nested_ cache test.")
    assert sum(nested.cache_info().hits for nested in _markup._NESTED) - before >= 2


_PROSE_LINES = st.sampled_from(
    [
        "h3. Problem",
        "h1. A",
        "h6. ",
        "h2.  two spaces",
        "h3. h2. twice",
        "h3. with *bold*",
        "h3. ends in a dash -",
        "h3.no space",
        "  h3. Indented",
        "\th2. Tabbed",
        " bq. quoted",
        "bq. quoted",
        "The current job runs nightly, and takes four hours.",
        "Done means the old code path is deleted (not switched off).",
        "see https://x.example/a?b=c&d=e and mailto: nobody",
        "  indented prose; 50% of it: 'quoted' \"too\" <b> = $5 / 2",
        "tab\there",
        "a line with - a dash",
        "a line with _under_ and *stars*",
        "{{mono}} text",
        "* a list",
        "# one",
        "| a | b |",
        "----",
        "ünïcödé prose, 日本語",
        "the on-call rota for BEN-3, day-to-day",
        "h3. Follow-up",
        "x -y- z and -start",
        "a-b- c",
        "end-",
        "naïve-café über-cool 3-4",
        "snake_-case",
        "booked_at and snake_case_name, _it_ x_y _z a_-b",
        "*Do not* break it: see [the runbook|https://wiki.example.com/BEN-18].",
        "h3. *Bold* heading",
        "(*a*) *b*, *c*: [d|https://x.example/d?e=f]",
        "*a**b* *c *d* a*b* x *y*z",
        "see https://x.example/*y* and https://x.example/[a|https://y.example], *z*",
        "*[a|https://x.example]* [*a*|https://x.example] [a|www.x.example]",
        "h3 not a heading",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PROSE_LINES, min_size=1, max_size=8))
def test_headings_and_prose_convert_as_the_whole_grammar(lines: list[str]) -> None:
    # The fast path takes a block of headings and prose only; whatever it takes, its
    # Markdown is jira2markdown's, character for character.
    for block in _markup._blocks("\n".join(lines)):
        fast = _markup._headings_and_prose(block)
        if fast is not None:
            assert fast == _markup._grammar().transform_string(block).strip("\n")


def test_a_description_of_headings_and_prose_takes_the_fast_path() -> None:
    text = "h3. Problem\nThe job runs nightly.\nh3. Notes\nDepends on the schema change."
    assert _markup._headings_and_prose(text) == (
        "### Problem\nThe job runs nightly.\n### Notes\nDepends on the schema change."
    )
    assert _markup._headings_and_prose("h3. Problem\n* a list") is None
    assert jira_to_markdown(text + "\n\nh2. *Bold*") == (
        _markup._headings_and_prose(text) + "\n\n## **Bold**"
    )


def test_every_sample_block_the_fast_path_takes_converts_as_the_whole_grammar() -> None:
    from pathlib import Path

    from triage_tui.formats.loaders import load

    root = Path(__file__).resolve().parents[2]
    taken = 0
    for path in sorted((root / "sample_backlogs").iterdir()):
        if path.suffix not in (".csv", ".toml") or path.name.endswith(".plan.toml"):
            continue
        for item in load(path).items:
            if item.description and _markup.looks_like_jira(item.description):
                for block in _markup._blocks(_markup._prepare(item.description)):
                    fast = _markup._headings_and_prose(block)
                    if fast is not None:
                        assert fast == _markup._grammar().transform_string(block).strip("\n")
                        taken += 1
    assert taken >= 1


def test_the_grammar_converts_one_text_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lists keep state in the grammar while they convert: a worker still converting for an
    # item the cursor left must not interleave with the next one's.
    held: list[bool] = []
    scanner = _markup._scanner()

    class Watched:
        def transform_string(self, text: str) -> str:
            held.append(_markup._GRAMMAR_LOCK.locked())
            return str(scanner.transform_string(text))

    monkeypatch.setattr(_markup, "_scanner", Watched)
    # (A list with markup in a row, a heading in italics: plain lists and bold
    # headings do not reach the grammar.)
    assert _markup.jira_to_markdown.__wrapped__("* one\n* *two*\n\nh3. _It_") == (
        "- one\n- **two**\n\n### _It_"
    )
    assert held == [True, True]


_LIST_BLOCK_LINES = st.sampled_from(
    [
        "h3. Acceptance criteria",
        "The job runs nightly, and takes four hours.",
        "*Do not* break it: see [the runbook|https://x.example/a].",
        "||Field||Type||",
        "| id | string |",
        "* a bullet",
        "* another, longer bullet: with a colon",
        "** nested",
        "*** deeper",
        "# one",
        "## one point one",
        "### three",
        "- dash item",
        "-- two dashes",
        "*  two spaces",
        "* with *bold*",
        "* with a dash - here",
        "# with {{mono}}",
        "  * indented",
        "#* mixed",
        "* trailing spaces  ",
        "* h3. heading text",
        "bq. quoted",
        "||Field||Type||Notes||",
        "|id|string|the settlement's own id|",
        "| amount | decimal |",
        "|a|b|c|d|",
        "|*bold* cell|x|",
        "|a||b|",
        "||a|b||",
        "  |indented|row|",
        "|no end",
        "*open bold",
        "close bold*",
        "[a link|https://x.example/a]",
        "{quote}q{quote}",
        "{quote}",
        "{color:red}r{color}",
        "{panel:title=AC}",
        "{{mono}} and {{more|pipes}}",
        "h3. *bold* heading",
        "----",
        "!img.png!",
        "[~jsmith] said",
        "??cite?? -strike- +under+ x-y",
        "* the on-call rota for BEN-3",
        "|on-call|BEN-3|",
        "a -b- c and x-y-z",
        "a -b-c- d",
        "well-known a--b and a -- b",
        "h3. On-call",
        "*Do not* break {{/v1/x}}: see [the runbook|https://wiki.example.com/BEN-18].",
        "h3. *Bold* heading and [a|https://x.example]",
        "* a row with *bold* and [a link|https://x.example/r]",
        "a*b* c *d *e* *f**g* (*h*) x_*y*",
        "*[a|https://x.example]* [*a*|https://x.example] [a|www.x.example]",
        "[a|ftp://f.example/x] [a|#anchor] [https://x.example] [a|mailto:a@b.example]",
        "*a* *b* **c** *d*-e",
        "see https://x.example/*y* z https://x.example/[a|https://y.example] (https://x.example) *y*",
        "|booked_at|snake_case a_b_c|",
        "_it_ x_y _z a_-b a-_b",
        "",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LIST_BLOCK_LINES, min_size=1, max_size=10))
def test_plain_lists_and_tables_convert_as_the_whole_grammar(lines: list[str]) -> None:
    # A block's plain tables and the plain list it ends in are converted without the
    # grammar (the text around them through it, or the fast path): the Markdown is the
    # grammar's, the same as with every block whole through jira2markdown.
    from unittest import mock

    def whole(block: str, *, grammar: bool) -> str:
        return str(_markup._grammar().transform_string(block)).strip("\n")

    text = "\n".join(lines)
    fast = _markup.jira_to_markdown.__wrapped__(text)
    with mock.patch.object(_markup, "_convert_block", whole):
        assert fast == _markup.jira_to_markdown.__wrapped__(text)


@pytest.mark.parametrize(
    "text",
    [
        "[\n*two words*\n|on-call|a|\n[link|https://x.io/a]",
        "see [the runbook\n|a|b|\n* one\n* two",
        "a ] stray\n* one\n* two",
    ],
)
def test_an_unmatched_bracket_sends_the_block_to_the_grammar(text: str) -> None:
    # Review (session 8): an unclosed `[` before a table or a list changes how the
    # grammar reads the rest of the block; the fast path converted the table anyway.
    whole = str(_markup._grammar().transform_string(text)).strip("\n")
    assert _markup.jira_to_markdown.__wrapped__(text) == whole


def test_a_list_of_plain_rows_takes_the_fast_path() -> None:
    text = "h3. Acceptance criteria\n* one\n* two\n** two and a half\nh3. Steps\n# first\n# second"
    assert _markup.quick_jira_to_markdown(text) == (
        "### Acceptance criteria\n- one\n- two\n  - two and a half\n\n### Steps\n"
        "1. first\n1. second"
    )
    assert _markup._trailing_list("x\n* a *bold* row") == ("x\n* a *bold* row", None)
    assert _markup._trailing_list("* a\n*** b")[1] is None  # a jump of two levels
    assert _markup._trailing_list("* a\n# b")[1] is None  # two kinds


def test_a_plain_table_takes_the_fast_path() -> None:
    text = "h3. Contract\n||Field||Type||\n|id|string|\n|amount|decimal|\nh3. Steps\n# one"
    assert _markup.quick_jira_to_markdown(text) == (
        "### Contract\n\n|Field|Type|\n|---|---|\n|id|string|\n|amount|decimal|\n\n"
        "### Steps\n1. one"
    )
    assert _markup._table_runs(["x", "|a|", "|*b*|"]) == []  # a cell with markup: grammar
    assert _markup._table_cells("|a||b|") is None  # an empty cell


def test_bold_words_and_links_with_their_words_take_the_fast_path() -> None:
    line = "*Do not* break {{/v1/x}}: see [the runbook|https://wiki.example.com/BEN-18]."
    assert _markup.quick_jira_to_markdown(f"h3. *Careful*\n{line}") == (
        "### **Careful**\n**Do not** break `/v1/x`: see "
        "[the runbook](https://wiki.example.com/BEN-18)."
    )
    assert _markup._inline("a*b* c") is None  # not bold to jira2markdown: the grammar's
    assert _markup._inline("*[a|https://x.example]*") is None  # a link in bold
    assert _markup._inline("booked_at on-call") == "booked_at on-call"
    assert _markup._inline("_it_") is None
    assert _markup._inline("https://x.example/*y*") is None  # the address is kept whole
