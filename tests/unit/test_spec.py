"""core.spec: a description's own sections, in each tracker's markup."""

from __future__ import annotations

import pytest

from triage_tui.core.spec import Spec, find_spec, looks_like_jira, section_kind

JIRA = """\
h3. Context
Invoices are rendered in the request cycle with WeasyPrint; 300+ line invoices time out.
Adjacent: the {{invoice.render}} queue, S3 bucket {{acme-invoices}}.

h3. API contract
{code:json}
{"invoice_id": "inv_123", "locale": "de-DE"}
{code}

h2. Acceptance criteria
# A 500-line invoice renders within 30 s
# The PDF is uploaded to S3 and {{invoice.rendered}} is emitted
## with the S3 key in the payload
# A failed render is retried twice, then alerts

h3. Out of scope
* New templates
* Email delivery

*Definition of done:* deployed behind {{async_pdf}}, runbook updated.
Reviewer: [~mchen]
"""

GITHUB = """\
Our outgoing webhooks are fire-and-forget.

### Acceptance criteria
- [ ] Non-2xx responses are retried at 1m, 5m, 30m, 2h
- [x] Attempts are visible in the dashboard
- [ ] After 24h the delivery is marked failed

**Definition of done:** behind a per-org flag, on for all orgs after a week.

**Non-goals:**
- Customer-configurable schedules

Reviewed by @priya
"""

LINEAR = """\
## Context
Finance reports from a read replica with ad-hoc SQL.

## Contract
Nightly export of `invoices`, `payments` to BigQuery dataset `acme_ledger`.

```sql
SELECT * FROM invoices WHERE updated_at >= @since
```

## Acceptance criteria
* Given the nightly job ran, when finance opens Looker, then yesterday's rows are there
* Given a failed run, when it retries, then no duplicate rows exist

## Definition of done
* Runs for 7 nights without a failure
* Replica access revoked
"""

PLAIN = """\
Accountants ask for all invoices of a period as CSV.

GET /v1/invoices/export?from=2024-01-01&to=2024-03-31

Given 10,000 invoices in range
When exported
Then the response starts streaming within 1 s

Done when the endpoint is documented in the API reference and announced.
"""


def test_jira_wiki_sections() -> None:
    spec = find_spec(JIRA)
    assert looks_like_jira(JIRA)
    assert spec.context.startswith("Invoices are rendered in the request cycle")
    assert "{{invoice.render}}" in spec.context  # as written: the formats convert it
    assert spec.contract == '{code:json}\n{"invoice_id": "inv_123", "locale": "de-DE"}\n{code}'
    assert spec.acceptance == (
        "A 500-line invoice renders within 30 s",
        # a nested item belongs to its criterion
        "The PDF is uploaded to S3 and {{invoice.rendered}} is emitted with the S3 key in "
        "the payload",
        "A failed render is retried twice, then alerts",
    )
    assert spec.out_of_scope == ("New templates", "Email delivery")
    assert spec.done == ("deployed behind {{async_pdf}}, runbook updated.",)
    assert spec.reviewer == "@mchen"
    assert spec.found["acceptance"] == "h2. Acceptance criteria"


def test_github_task_lists_bold_labels_and_reviewed_by() -> None:
    spec = find_spec(GITHUB)
    assert not looks_like_jira(GITHUB)
    assert spec.acceptance == (
        "Non-2xx responses are retried at 1m, 5m, 30m, 2h",
        "Attempts are visible in the dashboard",
        "After 24h the delivery is marked failed",
    )
    assert spec.done == ("behind a per-org flag, on for all orgs after a week.",)
    assert spec.out_of_scope == ("Customer-configurable schedules",)
    assert spec.reviewer == "@priya"
    assert spec.context == "Our outgoing webhooks are fire-and-forget."


def test_linear_markdown_with_given_when_then_and_a_code_block() -> None:
    spec = find_spec(LINEAR)
    assert spec.context == "Finance reports from a read replica with ad-hoc SQL."
    assert spec.contract.startswith("Nightly export of `invoices`")
    assert "```sql\nSELECT * FROM invoices" in spec.contract
    assert spec.acceptance == (
        "Given the nightly job ran, when finance opens Looker, then yesterday's rows are there",
        "Given a failed run, when it retries, then no duplicate rows exist",
    )
    assert spec.done == ("Runs for 7 nights without a failure", "Replica access revoked")
    assert spec.reviewer == ""


def test_plain_text_endpoint_gwt_and_done_when() -> None:
    spec = find_spec(PLAIN)
    assert spec.contract == "GET /v1/invoices/export?from=2024-01-01&to=2024-03-31"
    assert spec.acceptance == (
        "Given 10,000 invoices in range When exported Then the response starts streaming "
        "within 1 s",
    )
    assert spec.found["acceptance"] == "Given 10,000 invoices in range"
    assert spec.done == (
        "Done when the endpoint is documented in the API reference and announced.",
    )
    assert spec.context == "Accountants ask for all invoices of a period as CSV."


@pytest.mark.parametrize(
    ("description", "field", "expected"),
    [
        (
            "Acceptance criteria:\n- stored once\n- 400 on bad signature",
            "acceptance",
            ("stored once", "400 on bad signature"),
        ),
        (
            "Acceptance: a deleted customer's data is gone\nfrom the search index.",
            "acceptance",
            ("a deleted customer's data is gone from the search index.",),
        ),
        ("**Acceptance criteria**\n1. one\n2. two", "acceptance", ("one", "two")),
        (
            "- Retry\n- Definition of done: behind a flag, on after a week",
            "done",
            ("behind a flag, on after a week",),
        ),
        ("*DoD:* prod on 16, old cluster deleted.", "done", ("prod on 16, old cluster deleted.",)),
        (
            "Export nightly. *Done when* finance reads BigQuery.",
            "done",
            ("Done when finance reads BigQuery.",),
        ),
        ("## Non-goals\nRefunds.\n\n## Acceptance criteria\n- x", "out_of_scope", ("Refunds.",)),
        ("Reviewer: Dana Lee", "reviewer", "Dana Lee"),
        ("Code reviewed by the team, merged.", "reviewer", ""),
        ("Reviewed by Priya, merged, deployed.", "reviewer", "Priya"),
        ("[~accountid:5f8e1c] reviews it", "reviewer", ""),
        ("@dana to review", "reviewer", "@dana"),
    ],
)
def test_forms(description: str, field: str, expected: object) -> None:
    assert getattr(find_spec(description), field) == expected


def test_the_section_ends_at_the_next_one_and_a_design_link_is_not_done() -> None:
    spec = find_spec(
        "## Definition of done\nReviewed by @priya, on staging.\n\n"
        "Design: https://docs.example/design\n\n## Acceptance criteria\n- [ ] once"
    )
    assert spec.done == ("Reviewed by @priya, on staging.",)
    assert spec.acceptance == ("once",)


def test_list_labels_that_are_not_sections_stay_in_their_section() -> None:
    spec = find_spec(
        "## API\n`GET /v1/x`\n- Auth: Bearer\n- Response: `text/csv`\n- `422` when too large"
    )
    assert spec.contract.splitlines() == [
        "`GET /v1/x`",
        "- Auth: Bearer",
        "- Response: `text/csv`",
        "- `422` when too large",
    ]


def test_nothing_written_finds_nothing() -> None:
    assert find_spec("") == Spec()
    spec = find_spec("Customers keep asking. Talk to Marta.")
    assert spec.acceptance == () and spec.done == () and spec.reviewer == ""
    assert spec.contract == ""


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Acceptance Criteria", "acceptance"),
        ("**DoD**", "done"),
        ("API contract", "contract"),
        ("Non-goals", "out_of_scope"),
        ("Background", "context"),
        ("Options", ""),
    ],
)
def test_section_kinds(name: str, kind: str) -> None:
    assert section_kind(name) == kind


def test_what_counts_as_jira_markup() -> None:
    assert looks_like_jira("Support the {{Idempotency-Key}} header.")  # Jira monospace alone
    assert not looks_like_jira("## Email\nHello {{name}}, your `invoice` is ready.")
    assert looks_like_jira("h3. Scope\nx")
    assert looks_like_jira("See [the doc|https://x.example/y].")
    assert not looks_like_jira("# Plan\n- [ ] one\n- [x] two")


def test_a_reviewer_named_in_brackets_in_the_definition_of_done_is_found() -> None:
    # acme PAY-114's own words: the handoff named nobody and asked the room for one.
    from triage_tui.core.spec import _reviewer

    line = "- Code reviewed and merged by the payments reviewer (Priya)"
    assert _reviewer(line) == ("Priya", line)
    assert _reviewer("review (See the doc)") == ("", "")


# -- issue 20: every label and list form, in the source's dialect ------------------------
@pytest.mark.parametrize(
    ("markup", "description"),
    [
        # a Jira panel titled with the section's name, the panel's end ends it
        (
            "jira",
            "Intro.\n\n{panel:title=Acceptance criteria|borderStyle=solid}\n# one\n# two\n{panel}\nAfter.",
        ),
        # a Markdown setext heading, either underline
        ("markdown", "Intro.\n\nAcceptance criteria\n-------------------\n- one\n- two\n"),
        ("markdown", "Intro.\n\nAcceptance criteria\n===\n1. one\n2. two\n"),
        # a label written as a list item, holding its own list
        ("markdown", "Intro.\n\n- **Acceptance criteria:**\n  - one\n  - two\n- Rollout: soon"),
        ("jira", "Intro.\n\n* *Acceptance criteria:*\n** one\n** two\n"),
        ("markdown", "## Details\n- Acceptance criteria:\n  - one\n  - two\n"),
        # the section's name alone, right above its list
        ("jira", "Acceptance criteria\n# one\n# two\n"),
        # Jira's mixed markers, Markdown's "1)" and task lists
        ("jira", "Acceptance criteria:\n#* one\n#* two\n"),
        ("markdown", "#### AC\n1) one\n2) two\n"),
        ("markdown", "Acceptance criteria:\n\n* [x] one\n* [ ] two\n"),
        # a table: a criterion a row (the header and a numbering column left out)
        ("jira", "h3. Acceptance criteria\n||#||Criterion||\n|1|one|\n|2|two|\n"),
        (
            "markdown",
            "### Acceptance criteria\n| # | Criterion |\n|---|---|\n| 1 | one |\n| 2 | two |\n",
        ),
    ],
)
def test_every_label_and_list_form(markup: str, description: str) -> None:
    assert find_spec(description, markup).acceptance == ("one", "two")


def test_a_table_row_keeps_its_cells_and_the_code_in_them() -> None:
    spec = find_spec(
        "h3. Acceptance criteria\n||Given||Then||\n|upload {{a|b}}|rejected with {{413}}|\n",
        "jira",
    )
    assert spec.acceptance == ("upload {{a|b}}; rejected with {{413}}",)
    spec = find_spec("AC:\n\n| Scenario | Expected |\n| :-- | --: |\n| `a` \\| b | ok |\n")
    assert spec.acceptance == ("`a` | b; ok",)


def test_a_rule_is_not_a_heading_and_ends_nothing() -> None:
    spec = find_spec("Intro.\n\n---\n\n## Acceptance criteria\n- one\n\n----\n", "markdown")
    assert spec.acceptance == ("one",) and spec.context == "Intro."
    spec = find_spec("Acceptance criteria:\n# one\n----\nh3. Notes\nx", "jira")
    assert spec.acceptance == ("one",)


def test_a_labels_sentence_stops_at_a_line_of_its_own() -> None:
    spec = find_spec("*Done when* merged and deployed to staging.\nReviewed by @mchen", "jira")
    assert spec.done == ("Done when merged and deployed to staging.",)
    assert spec.reviewer == "@mchen"
    spec = find_spec("DoD: merged and deployed\nto staging: with docs.\nDesign: https://x")
    assert spec.done == ("merged and deployed to staging: with docs.",)


def test_a_section_left_unfilled_says_nothing() -> None:
    # GitHub issue forms write "_No response_" under a heading nobody filled in.
    spec = find_spec(
        "### Context\n\nRetries duplicate charges.\n\n### Acceptance criteria\n\nTBD\n\n"
        "### Definition of done\n\n_No response_\n\n### API\n\nN/A\n\n### Out of scope\n\n- None\n",
        "markdown",
    )
    assert spec.acceptance == () and spec.done == () and spec.out_of_scope == ()
    assert spec.contract == "" and spec.context == "Retries duplicate charges."


def test_a_table_criterion_that_is_a_number_is_kept() -> None:
    """Found by test_spec_forms_property: '|1|24|' under a Jira Definition of done table
    lost its '24' with the numbering column, so the handoff said none was written."""
    from triage_tui.core.spec import find_spec

    description = (
        "Retry retry retry.\n\nh2. Acceptance criteria\n||#||Criterion||\n|1|retry|\n\n"
        "h2. Definition of done\n||#||Criterion||\n|1|24|\n"
    )
    spec = find_spec(description, "jira")
    assert spec.acceptance == ("retry",)
    assert spec.done == ("24",)


# -- a paragraph after the definition of done ends it ------------------------------------
_RUNBOOK_MD = "See [runbook](https://wiki.example/runbook) for deploys."
_RUNBOOK_JIRA = "See [runbook|https://wiki.example/runbook] for deploys."


@pytest.mark.parametrize(
    ("description", "markup"),
    [
        # The walk's shape, and the heading, bold and Label: forms of Markdown.
        (f"Definition of done:\n- a\n- b\n\n{_RUNBOOK_MD}", "markdown"),
        (f"## Definition of done\n- a\n- b\n\n{_RUNBOOK_MD}", "markdown"),
        (f"## Definition of done\n- a\n- b\n\n  {_RUNBOOK_MD}", "markdown"),  # indented
        (f"**Definition of done**\n1. a\n2. b\n\n   {_RUNBOOK_MD}", "markdown"),
        ("## Definition of done\n- [ ] a\n- [ ] b\n\n| Deploy | runbook |\n|---|---|", "markdown"),
        # (A table with rows after the list goes on with it: its rows are criteria, as
        # in 6117f70; test_a_table_after_a_blank_line_goes_on_with_the_criteria.)
        # Jira wiki markup: h3. headings, # and * lists, a bold label.
        (f"h3. Definition of done\n# a\n# b\n\n{_RUNBOOK_JIRA}", "jira"),
        (f"h3. Definition of done\n* a\n* b\n\n  {_RUNBOOK_JIRA}", "jira"),
        (f"*Definition of done:*\n# a\n# b\n\n  {_RUNBOOK_JIRA}", "jira"),
        (f"h3. Definition of done\n* a\n* b\n\n{_RUNBOOK_JIRA}\n\nh3. Notes\nAsk ops.", "jira"),
        # Plain text, judged by its looks.
        ("Definition of done:\n- a\n- b\n\nSee the runbook for deploys.", ""),
        ("Definition of done\n1. a\n2. b\n\n    See the runbook for deploys.", ""),
        ("Definition of done:\n* a\n* b\n\nRunbook: wiki/deploys", ""),
    ],
)
def test_a_paragraph_after_the_definition_of_done_is_not_a_line_of_it(
    description: str, markup: str
) -> None:
    assert find_spec(description, markup).done == ("a", "b")


@pytest.mark.parametrize("form", ["## Definition of done", "Definition of done:"])
def test_an_items_own_second_paragraph_keeps_the_list_going(form: str) -> None:
    """A paragraph indented under an item, with more items after it, is that item's
    (CommonMark): the list goes on; the paragraph after the last item ends it."""
    description = f"{form}\n- a\n\n  more on a\n- b\n\n{_RUNBOOK_MD}"
    assert find_spec(description, "markdown").done == ("a more on a", "b")


def test_the_handoffs_definition_of_done_leaves_the_runbook_paragraph_out() -> None:
    from triage_tui.core.model import Backlog, Item
    from triage_tui.core.session import Category, Session
    from triage_tui.formats.handoff_doc import render_handoff

    description = (
        "## Context\nInvoices export monthly.\n\n## Definition of done\n- Deployed\n"
        f"- Runbook updated\n\n  {_RUNBOOK_MD}\n"
    )
    item = Item("FIN-7", "Invoice export", description, markup="markdown")
    session = Session(Backlog((item,)))
    session.decide(item.id, Category.PROJECT)
    text = render_handoff(session, item)
    done = text.split("## Definition of done\n")[1].split("\n## ")[0].strip()
    assert done == "- Deployed\n- Runbook updated"
    assert "runbook](https://wiki.example/runbook)" in text  # still in the spec as written


@pytest.mark.parametrize(
    ("description", "markup"),
    [
        (f"Definition of done: all of\n- a\n- b\n\n{_RUNBOOK_MD}", "markdown"),
        (f"**DoD:** every one of these\n1. a\n2. b\n\n{_RUNBOOK_MD}", "markdown"),
        (f"*Definition of done:* all of\n# a\n# b\n\n{_RUNBOOK_JIRA}", "jira"),
        ("Definition of done: all of\n* a\n* b\n\nSee the runbook for deploys.", ""),
    ],
)
def test_a_labels_sentence_right_above_its_list_introduces_it(
    description: str, markup: str
) -> None:
    """ "Definition of done: all of" then a list: the list is the definition of done (the
    sentence an intro line); it used to be the sentence alone, the list lost."""
    assert find_spec(description, markup).done == ("a", "b")


def test_a_labels_sentence_alone_is_still_the_section() -> None:
    description = "Definition of done: merged and deployed.\n\n- unrelated note\n"
    assert find_spec(description, "markdown").done == ("merged and deployed.",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acceptance criteria:\n- x works\n- y works\n\n| Given | Then |\n|---|---|\n| a | b |\n",
            ("x works", "y works", "a; b"),
        ),
        ("## Acceptance criteria\n- a\n\n| Given | Then |\n|---|---|\n| x | y |\n", ("a", "x; y")),
        ("h2. Acceptance criteria\n* a\n\n||Given||Then||\n|x|y|\n", ("a", "x; y")),
        ("Acceptance criteria:\n* a\n\n||Given||Then||\n|x|y|\n", ("a", "Given; Then", "x; y")),
    ],
)
def test_a_table_after_a_blank_line_goes_on_with_the_criteria(
    text: str, expected: tuple[str, ...]
) -> None:
    # Review (session 8): "a paragraph after a list ends it" ended it at a table too,
    # dropping the criteria its rows hold (6117f70 kept them).
    assert find_spec(text).acceptance == expected
