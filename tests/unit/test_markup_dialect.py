"""The markup dialect comes from the source (issue 20), not from each description's looks.

A Jira export's text is Jira wiki markup however it looks (a `Label:` line and `#` items
is a numbered list to Jira, a heading to Markdown); GitHub, Linear and Asana text is
Markdown; a TOML backlog says `markup = "jira"` or is judged per description as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.cli import main
from triage_tui.core.errors import InputError
from triage_tui.core.handoff import default_handoff
from triage_tui.core.model import Backlog, Item
from triage_tui.core.readiness import detect_evidence
from triage_tui.core.session import Category, Session
from triage_tui.core.spec import find_spec
from triage_tui.formats.brief import render_brief
from triage_tui.formats.handoff_doc import render_handoff
from triage_tui.formats.loaders import load
from triage_tui.formats.markup import display_markdown, jira_to_markdown, to_markdown
from triage_tui.formats.plan import read_plan as load_plan
from triage_tui.formats.plan import write_plan

EXPORT = Path(__file__).parents[1] / "fixtures" / "exports" / "jira-spec-markup.csv"

# The shape: nothing in it looks like Jira to a guess (no h3., no {code}, and
# "{{...}}" beside nothing else), yet it is Jira: a label line, then `#` items.
LABEL_THEN_HASH = """\
Tenants share one pool today.

Acceptance criteria:
# Limits configurable per plan (free 60/min, pro 600/min)
# Responses carry {{X-RateLimit-Limit}}
# Over the limit: {{429 {"error": "rate_limited"}}}
"""


def test_a_jira_label_line_then_hash_items_is_a_list_of_criteria() -> None:
    spec = find_spec(LABEL_THEN_HASH, "jira")
    assert spec.acceptance == (
        "Limits configurable per plan (free 60/min, pro 600/min)",
        "Responses carry {{X-RateLimit-Limit}}",
        'Over the limit: {{429 {"error": "rate_limited"}}}',
    )
    assert spec.found["acceptance"] == "Acceptance criteria:"
    # Read as Markdown, the same lines are headings: the dialect decides, not the text.
    assert find_spec(LABEL_THEN_HASH, "markdown").acceptance == ()


def test_the_jira_export_says_jira_and_other_trackers_say_markdown(tmp_path: Path) -> None:
    backlog = load(EXPORT)
    assert {item.markup for item in backlog.items} == {"jira"}
    github = tmp_path / "issues.csv"
    github.write_text(
        "Title,URL,Labels,Body\n"
        'Fix {{x}},https://github.com/o/r/issues/1,bug,"# Steps\n{code}kept{code}"\n',
        encoding="utf-8",
    )
    loaded = load(github)
    assert loaded.format.startswith("github-")
    item = loaded.items[0]
    assert item.markup == "markdown"
    # GitHub text is Markdown: a "# Steps" heading and a literal "{code}" stay as written.
    assert display_markdown(item.description, item.markup) == item.description


def test_the_export_loaded_gives_every_criterion_to_the_handoff() -> None:
    item = load(EXPORT).by_id()["PLA-181"]
    fields = default_handoff(item)
    assert fields["acceptance_criteria"] == [
        "Limits configurable per plan (free 60/min, pro 600/min) in {{config/limits.yaml}}",
        "Every response carries {{X-RateLimit-Limit}} and {{X-RateLimit-Remaining}}",
        'Over the limit the API answers {{429 {"error": "rate_limited"}}} with {{Retry-After}} '
        "a burst of 10 requests above the limit is still refused",
    ]
    assert fields["out_of_scope"] == "Per-endpoint limits"
    evidence = detect_evidence(item)
    assert evidence[4].found == "Acceptance criteria:"


def test_jira_monospace_holding_braces_is_one_code_span() -> None:
    assert jira_to_markdown('{{422 {"error": "x"}}}') == '`422 {"error": "x"}`'
    assert jira_to_markdown("Send {{GET /v1/{id}}} now") == "Send `GET /v1/{id}` now"
    # Kept as written inside: no emphasis read, and backticks fenced by a longer run.
    assert jira_to_markdown("{{a*b*c}} and {{`x`}}") == "`a*b*c` and `` `x` ``"
    # Inside a code block nothing is touched; an unclosed one is left as text.
    assert jira_to_markdown("{code}\n{{keep}}\n{code}") == "```\n{{keep}}\n```"
    assert jira_to_markdown("{{open") == "{{open"


def test_a_jira_item_never_shows_its_markup_raw() -> None:
    item = Item("J-1", "Rate limits", LABEL_THEN_HASH, markup="jira")
    shown = display_markdown(item.description, item.markup)
    assert "{{" not in shown and "`X-RateLimit-Limit`" in shown
    assert "1. Limits configurable per plan" in shown  # a numbered list, not a heading
    assert '`429 {"error": "rate_limited"}`' in shown
    # Unknown source: the old guess (a "{{...}}" alone, no other Markdown, reads as Jira).
    assert to_markdown("Header {{X-RateLimit-Limit}}") == "Header `X-RateLimit-Limit`"
    assert to_markdown("Header {{X-RateLimit-Limit}}", "markdown") == (
        "Header {{X-RateLimit-Limit}}"
    )


def test_the_description_widget_converts_by_the_items_dialect() -> None:
    from triage_tui.tui.widgets.description import description_markdown

    jira = Item("J-1", "Rate limits", LABEL_THEN_HASH, markup="jira")
    assert "1. Limits configurable per plan" in description_markdown(jira)
    markdown = Item("G-1", "Rate limits", "# Steps\n{code}x{code}", markup="markdown")
    assert description_markdown(markdown) == "# Steps\n{code}x{code}"


def test_a_toml_backlog_says_its_markup_or_is_judged_per_description(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        'markup = "jira"\n[[items]]\ntitle = "A"\ndescription = """\nAC:\n# one\n# two\n"""\n',
        encoding="utf-8",
    )
    item = load(path).items[0]
    assert item.markup == "jira"
    assert find_spec(item.description, item.markup).acceptance == ("one", "two")
    path.write_text('[[items]]\ntitle = "A"\ndescription = "x"\n', encoding="utf-8")
    assert load(path).items[0].markup == ""
    path.write_text('title = "T"\nmarkup = "wiki"\n[[items]]\ntitle = "A"\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        load(path)
    assert error.value.line == 2 and "markup must be" in str(error.value)


def test_the_plan_keeps_the_dialect_and_an_old_plan_reads_as_before(tmp_path: Path) -> None:
    session = Session(load(EXPORT))
    session.decide("PLA-181", Category.PROJECT)
    plan = write_plan(session, tmp_path / "q.plan.toml", backup=False)
    text = plan.read_text(encoding="utf-8")
    assert '\nmarkup = "jira"\n' in text
    reopened = load_plan(plan)
    assert {item.markup for item in reopened.backlog.items} == {"jira"}
    item = reopened.backlog.by_id()["PLA-181"]
    assert len(find_spec(item.description, item.markup).acceptance) == 3
    # Saved again, the same bytes.
    again = write_plan(reopened, tmp_path / "again.plan.toml", backup=False)
    assert again.read_text(encoding="utf-8").replace("again.plan", "q.plan") == text.replace(
        "again.plan", "q.plan"
    )
    # A plan of a source that did not say has no key, and its items are judged as before.
    guessed = Session(Backlog((Item("A-1", "A", "x"),)))
    old = write_plan(guessed, tmp_path / "old.plan.toml", backup=False)
    assert "markup" not in old.read_text(encoding="utf-8")
    assert load_plan(old).backlog.items[0].markup == ""
    bad = tmp_path / "bad.plan.toml"
    bad.write_text(
        old.read_text(encoding="utf-8").replace("[meta]\n", '[meta]\nmarkup = "html"\n', 1),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="markup must be"):
        load_plan(bad)


def test_handoff_of_a_jira_label_and_hash_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session(load(EXPORT))
    session.decide("PLA-181", Category.PROJECT)
    plan = write_plan(session, tmp_path / "q.plan.toml", backup=False)
    assert main(["handoff", str(plan), "PLA-181"]) == 0
    text = capsys.readouterr().out
    checklist = text.split("## Acceptance criteria\n\n", 1)[1].split("\n\n", 1)[0]
    assert checklist.splitlines() == [
        "- [ ] Limits configurable per plan (free 60/min, pro 600/min) in `config/limits.yaml`",
        "- [ ] Every response carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`",
        '- [ ] Over the limit the API answers `429 {"error": "rate_limited"}` with '
        "`Retry-After` a burst of 10 requests above the limit is still refused",
    ]
    assert "None written yet" not in text
    assert "## Out of scope\n\nPer-endpoint limits\n" in text
    assert "{{" not in text.split("## The spec as written")[0]


def test_code_spans_keep_their_characters_in_handoffs_and_briefs() -> None:
    item = load(EXPORT).by_id()["PLA-182"]
    session = Session(Backlog((item,)))
    session.decide(item.id, Category.PROJECT)
    text = render_handoff(session, item)
    assert "`Idempotency-Key: <uuid v4>`" in text
    assert '`422 {"error": "x"}`' in text
    assert "&lt;" not in text and "&gt;" not in text
    titled = Item("P-1", "Own developer experience & internal tooling <b>", "")
    brief_session = Session(Backlog((titled,)))
    brief_session.decide(titled.id, Category.HIRING)
    brief = render_brief(brief_session)
    assert "Own developer experience & internal tooling &lt;b&gt;" in brief
    assert "&amp;" not in brief


def test_readiness_quotes_its_evidence_in_the_items_dialect() -> None:
    from triage_tui.tui.screens.readiness import evidence_snippet

    jira = Item("J-1", "Rate limits", LABEL_THEN_HASH, markup="jira")
    assert evidence_snippet("*DoD:* headers {{X-RateLimit-Limit}} sent", jira) == (
        "DoD: headers X-RateLimit-Limit sent"
    )
    assert evidence_snippet("h3. Acceptance criteria", jira) == "Acceptance criteria"
    assert evidence_snippet("# Every response carries {{X-Limit}}", jira) == (
        "Every response carries X-Limit"
    )
    markdown = Item("G-1", "Rate limits", "x", markup="markdown")
    assert evidence_snippet("**DoD:** headers {{X-RateLimit-Limit}}", markdown) == (
        "DoD: headers {{X-RateLimit-Limit}}"
    )
    assert evidence_snippet("### Acceptance criteria", markdown) == "Acceptance criteria"


def test_a_long_evidence_snippet_says_it_was_cut() -> None:
    from triage_tui.core.readiness import SNIPPET_CHARACTERS
    from triage_tui.tui.screens.readiness import evidence_snippet

    item = Item("G-1", "Rate limits", "x", markup="markdown")
    line = "Given a tenant over its plan's limit, when it calls the API, then it gets a 429"
    snippet = evidence_snippet(line, item)
    assert len(snippet) == SNIPPET_CHARACTERS and snippet.endswith("…")
    assert line.startswith(snippet.removesuffix("…"))
    assert evidence_snippet(line[:SNIPPET_CHARACTERS], item) == line[:SNIPPET_CHARACTERS]


def test_one_line_text_escapes_only_what_would_be_markup() -> None:
    from triage_tui.formats.handoff_doc import inline

    assert inline("Own developer experience & internal tooling") == (
        "Own developer experience & internal tooling"
    )
    assert inline("Rename user_id to _id") == "Rename user_id to \\_id"
    assert inline("__init__ *x*") == "\\_\\_init\\_\\_ \\*x\\*"
