"""`triage-tui push`: the rules (labels, comment, refusals, the change against the
tracker), the dry run and the script. No network here (see tests/functional/test_push_*)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from tests.push_plans import jira_sample_plan, suggested_session, write_plan
from triage_tui.cli import main
from triage_tui.core.readiness import Level, Mark
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.formats.plan import read_plan
from triage_tui.formats.push import (
    Block,
    Current,
    PushItem,
    PushRefused,
    Ref,
    change_for,
    find_marker,
    label_names,
    ref_for,
    render_script,
    votes_from_table,
)
from triage_tui.push import prepare

VOTES = {
    "ACME-212": {
        "hiring": 3,
        "project": 2,
        "parked": 0,
        "reasons": ["pager ownership"],
        "against_majority": False,
    },
    "ACME-220": {
        "hiring": 0,
        "project": 4,
        "parked": 1,
        "reasons": [
            {"vote": "project", "text": "clear API contract"},
            {"vote": "parked", "text": "who reviews?", "name": "Sam"},
        ],
        "against_majority": False,
        "readiness": {"acceptance_criteria": {"met": 4, "partial": 1, "missing": 0}},
    },
}


@pytest.fixture
def jira_plan(tmp_path: Path) -> Path:
    return jira_sample_plan(tmp_path, VOTES)


def by_id(plan: Path, tracker: str = "jira", **options: Any) -> dict[str, PushItem]:
    prepared = prepare(plan, tracker, **options)
    return {item.item_id: item for item in prepared.selection.items}


# -- the plan knows its tracker -------------------------------------------------------
def test_plan_records_the_backlog_format_and_keeps_it_when_reopened(jira_plan: Path) -> None:
    meta = tomllib.loads(jira_plan.read_text())["meta"]
    assert meta["backlog_format"] == "jira-csv"
    again = read_plan(jira_plan)
    resaved = write_plan(again, jira_plan.with_name("again.plan.toml"))
    assert tomllib.loads(resaved.read_text())["meta"]["backlog_format"] == "jira-csv"


# -- labels and comments --------------------------------------------------------------
def test_labels_per_decision(jira_plan: Path) -> None:
    items = by_id(jira_plan)
    assert items["ACME-212"].labels == ("triage:hiring",)
    assert items["ACME-220"].labels == ("triage:project", "triage:ready")
    assert items["ACME-221"].labels == ("triage:project", "triage:needs-work")
    assert items["ACME-198"].labels == ("triage:project", "triage:not-ready")
    assert items["ACME-226"].labels == ("triage:parked",)
    # Undecided: no label, no comment; every managed label comes off where present.
    assert items["ACME-237"].labels == ()
    assert not items["ACME-237"].writes_comment
    assert items["ACME-237"].unwanted == label_names("triage:")
    assert items["ACME-226"].unwanted == (
        "triage:hiring",
        "triage:project",
        "triage:ready",
        "triage:needs-work",
        "triage:not-ready",
    )


def test_prefix_is_configurable(jira_plan: Path) -> None:
    items = by_id(jira_plan, prefix="room/")
    assert items["ACME-220"].labels == ("room/project", "room/ready")
    with pytest.raises(PushRefused, match="no space or comma"):
        prepare(jira_plan, "jira", prefix="has space:")


def test_comment_holds_reason_question_gaps_votes_and_handoff(jira_plan: Path) -> None:
    items = by_id(jira_plan)
    hiring = items["ACME-212"].comment_text()
    assert "decided: a hiring problem" in hiring
    assert "Why: 'own', 'on-call'" in hiring
    assert "The room voted: hiring 3, project 2, parked 0." in hiring
    assert "• pager ownership" in hiring
    ready = items["ACME-220"].comment_text()
    assert "project delivery, ready (100/100)" in ready
    assert "Handoff: jira-export.handoffs/ACME-220.md" in ready
    assert "Acceptance criteria: met 4, partial 1, missing 0" in ready
    assert "  • project: clear API contract\n  • Sam (parked): who reviews?\n" in ready
    needs = items["ACME-221"].comment_text()
    assert "needs work (50/100)" in needs and "Gaps to close" in needs
    assert "Handoff" not in needs  # no handoff is written for an item that is not ready
    parked = items["ACME-226"].comment_text()
    assert "Open question: Open question from the room: Look into flaky CI tests?" in parked
    for item in (item for item in items.values() if item.writes_comment):
        text = item.comment_text()
        assert text.rstrip().endswith(item.marker)
        assert find_marker(text, item.ref) == item.sha


def test_backlog_text_passes_the_sanitiser(tmp_path: Path) -> None:
    session = suggested_session(SAMPLES / "jira-export.csv")
    session.decide("ACME-212", Category.HIRING)
    session.set_note("ACME-212", "<img src=x onerror=alert(1)> ![pixel](http://t/x.png) \x1b[2J")
    plan = write_plan(session, tmp_path / "p.plan.toml")
    item = by_id(plan)["ACME-212"]
    markdown = item.markdown()
    assert "<img" not in markdown and "&lt;img" in markdown
    assert "![pixel]" not in markdown  # an image would be fetched when the comment is read
    assert "\x1b" not in markdown and "\x1b" not in item.comment_text()
    assert "\x1b" not in str(item.adf())


def test_votes_table_is_read_leniently() -> None:
    assert votes_from_table(None) is None
    assert votes_from_table({"hiring": 0, "project": 0, "parked": 0}) is None
    votes = votes_from_table(
        {
            "hiring": 2,
            "project": "x",
            "parked": True,
            "reasons": ["a\x1b", 3, {"vote": "nope", "text": "b"}, {"text": ""}],
            "against_majority": True,
        }
    )
    assert votes is not None
    assert dict(votes.counts) == {"hiring": 2, "project": 0, "parked": 0}
    assert votes.reasons == ("a␛", "b") and votes.against_majority


# -- against what the tracker has -----------------------------------------------------
def test_change_adds_what_is_missing_and_removes_the_old_decision(jira_plan: Path) -> None:
    item = by_id(jira_plan)["ACME-220"]
    fresh = change_for(item, Current())
    assert (fresh.add, fresh.remove, fresh.comment) == (
        ("triage:project", "triage:ready"),
        (),
        "create",
    )
    # Last push said hiring; the room changed its mind: the old label goes.
    moved = change_for(item, Current(("bug", "triage:hiring", "triage:project"), "7", "0" * 12))
    assert (moved.add, moved.remove, moved.comment, moved.comment_id) == (
        ("triage:ready",),
        ("triage:hiring",),
        "update",
        "7",
    )
    done = change_for(item, Current(("triage:project", "triage:ready", "bug"), "7", item.sha))
    assert done.empty


# -- only that tracker's ids ----------------------------------------------------------
def test_plan_from_another_tracker_is_refused_in_one_line(tmp_path: Path) -> None:
    plan = write_plan(suggested_session(SAMPLES / "linear-export.csv"), tmp_path / "l.plan.toml")
    with pytest.raises(PushRefused) as refused:
        prepare(plan, "jira")
    message = str(refused.value)
    assert "\n" not in message
    assert message == (
        "l.plan.toml: its items came from a Linear export, not from Jira: only ids from "
        "Jira are pushed there (use --to linear)"
    )
    toml = write_plan(suggested_session(SAMPLES / "acme.toml"), tmp_path / "a.plan.toml")
    with pytest.raises(PushRefused, match="came from a TOML backlog, not from GitHub"):
        prepare(toml, "github")


def test_generated_ids_are_refused(tmp_path: Path) -> None:
    plan = write_plan(suggested_session(SAMPLES / "github-project.tsv"), tmp_path / "g.plan.toml")
    prepared = prepare(plan, "github")
    assert any(
        line.startswith("ITEM-3: refused: triage-tui generated this id")
        for line in prepared.selection.refused
    )
    with pytest.raises(PushRefused, match=r"^ITEM-3: refused"):
        prepare(plan, "github", ids=["ITEM-3"])
    refs = {str(item.ref) for item in prepared.selection.items}
    assert "acme-ledger/api#412" in refs


def test_ids_per_tracker() -> None:
    assert ref_for("jira", "ACME-12", {}) == Ref("jira", "ACME-12")
    assert ref_for("jira", "ITEM-3", {}) is None
    assert ref_for("jira", "acme-12", {}) is None
    assert ref_for("linear", "ENG-12", {}) == Ref("linear", "ENG-12")
    assert ref_for("github", "o/r#5", {}) == Ref("github", "5", "o/r")
    assert ref_for("github", "#5", {"URL": "https://github.com/o/r/issues/5"}) == Ref(
        "github", "5", "o/r"
    )
    assert ref_for("github", "5", {}, repo="o/r") == Ref("github", "5", "o/r")
    assert ref_for("github", "#5", {}) is None  # no repository known


def test_named_id_not_in_plan(jira_plan: Path) -> None:
    with pytest.raises(PushRefused, match=r"^NOPE-1: no such item in jira-export\.plan\.toml$"):
        prepare(jira_plan, "jira", ids=["NOPE-1"])


# -- the dry run and the script -------------------------------------------------------
def test_dry_run_prints_each_item_and_the_script(
    jira_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", str(jira_plan), "--to", "jira", "ACME-220", "ACME-212"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run: nothing is sent.")
    assert (
        "ACME-220  Stripe webhook ingestion service\n  decision: project delivery, ready (100/100)"
        in out
    )
    assert "  labels:   + triage:project  + triage:ready\n" in out
    assert "    | The triage workshop decided: project delivery, ready (100/100)." in out
    assert "jira PUT /rest/api/3/issue/ACME-220 <<'TRIAGE_TUI_EOF'" in out
    assert "ACME-221" not in out  # only the named items
    assert "2 items to push (1 hiring, 1 project)." in out


def test_script_to_a_file_and_never_the_plan(
    jira_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "push.sh"
    assert main(["push", str(jira_plan), "--to", "jira", "--script", str(script)]) == 0
    text = script.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert '-u "$JIRA_EMAIL:$JIRA_API_TOKEN"' in text  # the variables, never their values
    before = jira_plan.read_bytes()
    assert main(["push", str(jira_plan), "--to", "jira", "--script", str(jira_plan)]) == 1
    assert jira_plan.read_bytes() == before


def test_heredoc_delimiter_never_ends_early(tmp_path: Path) -> None:
    session = suggested_session(SAMPLES / "jira-export.csv")
    session.set_note("ACME-212", "first\nTRIAGE_TUI_EOF\nrm -rf /")
    plan = write_plan(session, tmp_path / "p.plan.toml")
    prepared = prepare(plan, "jira", ids=["ACME-212"])
    script = render_script(prepared.selection, "jira", "p.plan.toml")
    # JSON keeps the note on one line; a GitHub heredoc gets a delimiter of its own.
    assert "\nTRIAGE_TUI_EOF\nrm -rf" not in script
    gh = write_plan(suggested_session(SAMPLES / "github-project.tsv"), tmp_path / "g.plan.toml")
    session = read_plan(gh)
    session.set_note("acme-ledger/api#412", "touch /tmp/pwned\nTRIAGE_TUI_EOF")
    session.decide("acme-ledger/api#412", Category.HIRING)
    write_plan(session, gh)
    script = prepare(gh, "github", ids=["acme-ledger/api#412"]).script()
    assert "\nTRIAGE_TUI_EOF\n" in script  # the note's own line, inside the body
    assert "<<'TRIAGE_TUI_EOF_2'" in script and script.rstrip().endswith("TRIAGE_TUI_EOF_2")


def test_unknown_tracker_is_a_usage_error(
    jira_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", str(jira_plan), "--to", "trello"]) == 2
    assert "invalid choice: 'trello'" in capsys.readouterr().err


def test_plan_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write_plan(suggested_session(SAMPLES / "linear-export.csv"), tmp_path / "l.plan.toml")
    assert main(["push", str(plan), "--to", "jira"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not from Jira" in err


def test_missing_variable_is_one_line(
    jira_plan: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JIRA_BASE_URL", "https://acme.atlassian.net")
    assert main(["push", str(jira_plan), "--to", "jira", "--apply"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("JIRA_EMAIL, JIRA_API_TOKEN not set: Jira needs")
    assert err.count("\n") == 1


def test_levels_cover_every_project_kind(jira_plan: Path) -> None:
    levels = {item.level for item in by_id(jira_plan).values()}
    assert {Level.READY, Level.NEEDS_WORK, Level.NOT_READY, None} <= levels
    assert isinstance(read_plan(jira_plan), Session)


def test_prefix_from_the_config_file(
    jira_plan: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    folder = Path(os.environ["TRIAGE_TUI_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text('[push]\nlabel_prefix = "room:"\n')
    assert main(["push", str(jira_plan), "--to", "jira", "ACME-220"]) == 0
    assert "  labels:   + room:project  + room:ready\n" in capsys.readouterr().out
    # The flag wins over the file.
    assert main(["push", str(jira_plan), "--to", "jira", "ACME-220", "--label-prefix", "t/"]) == 0
    assert "  labels:   + t/project  + t/ready\n" in capsys.readouterr().out


def test_bad_prefix_in_the_config_falls_back_with_a_message(tmp_path: Path) -> None:
    from triage_tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[push]\nlabel_prefix = "two words"\n')
    config, message = load_config(path)
    assert config.label_prefix == "triage:"
    assert message is not None and ":2: label_prefix must be text" in message


# -- applied once, whatever the tracker had -------------------------------------------
_MANAGED = label_names("triage:")
_KINDS = [
    (Category.HIRING, None, ("triage:hiring",)),
    (Category.PARKED, None, ("triage:parked",)),
    (Category.PROJECT, Level.READY, ("triage:project", "triage:ready")),
    (Category.PROJECT, Level.NEEDS_WORK, ("triage:project", "triage:needs-work")),
    (Category.PROJECT, Level.NOT_READY, ("triage:project", "triage:not-ready")),
]


@given(
    kind=st.sampled_from(_KINDS),
    have=st.lists(st.sampled_from([*_MANAGED, "bug", "Triage:Hiring", "p1"]), unique=True),
    comment=st.sampled_from(["none", "same", "stale"]),
)
def test_one_change_brings_any_issue_to_the_plan_and_the_next_finds_nothing(
    kind: tuple[Category, Level | None, tuple[str, ...]], have: list[str], comment: str
) -> None:
    category, level, labels = kind
    item = PushItem(
        "ACME-1", "t", Ref("jira", "ACME-1"), category, level, 90, labels, _MANAGED,
        (Block(text="x"),), "a" * 12,
    )  # fmt: skip
    sha = {"none": "", "same": "a" * 12, "stale": "b" * 12}[comment]
    current = Current(tuple(have), "9" if sha else "", sha)
    change = change_for(item, current)
    # What a tracker does with it (labels compared without case, as GitHub does).
    after = [label for label in have if label not in change.remove] + list(change.add)
    assert {label.casefold() for label in labels} <= {label.casefold() for label in after}
    unwanted = {label.casefold() for label in _MANAGED} - {label.casefold() for label in labels}
    assert not unwanted & {label.casefold() for label in after}
    assert "bug" not in change.remove and "p1" not in change.remove  # not ours
    assert change.comment == {"none": "create", "same": "", "stale": "update"}[comment]
    assert change_for(item, Current(tuple(after), "9", item.sha)).empty


def test_handoff_path_is_relative_to_the_git_work_tree(tmp_path: Path) -> None:
    from triage_tui.push import handoff_paths

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "plans").mkdir()
    plan = jira_sample_plan(repo / "plans")
    session = read_plan(plan)
    assert handoff_paths(plan, session)["ACME-220"] == "plans/jira-export.handoffs/ACME-220.md"
    shared = repo / "docs" / "handoffs"
    assert handoff_paths(plan, session, shared)["ACME-220"] == "docs/handoffs/ACME-220.md"
    item = by_id(plan, handoffs=shared)["ACME-220"]
    assert "Handoff: docs/handoffs/ACME-220.md" in item.comment_text()


def test_backlog_text_stays_one_paragraph_in_markdown(tmp_path: Path) -> None:
    session = suggested_session(SAMPLES / "jira-export.csv")
    session.decide("ACME-212", Category.HIRING)
    session.set_note("ACME-212", "first\n# Heading\n> quote\n- list\n1. one\n---\n```\ncode")
    plan = write_plan(session, tmp_path / "p.plan.toml")
    markdown = by_id(plan)["ACME-212"].markdown()
    assert (
        "**Why:** first  \n\\# Heading  \n\\> quote  \n\\- list  \n1\\. one  \n\\---  \n"
        "\\```  \ncode\n" in markdown
    )


def test_votes_the_room_cast_reach_the_comment(tmp_path: Path) -> None:
    # Through the room's own API and the app's plan writer: [items.votes] as written.
    from triage_tui.core import votes
    from triage_tui.core.session import Mark

    session = suggested_session(SAMPLES / "jira-export.csv")
    for seat, choice, reason in (
        ("s1", "hiring", "someone carries the pager for years"),
        ("s2", "hiring", ""),
        ("s3", "project", "runbooks are a project"),
    ):
        votes.cast_vote(
            session, "ACME-212", seat, choice, reason, name="Sam" if seat == "s3" else ""
        )
    votes.cast_readiness_vote(session, "ACME-221", "s1", 4, Mark.MET)
    votes.cast_readiness_vote(session, "ACME-221", "s2", 4, Mark.PARTIAL)
    plan = write_plan(session, tmp_path / "p.plan.toml")
    assert "[items.votes]" in plan.read_text()
    items = by_id(plan)
    hiring = items["ACME-212"].comment_text()
    assert "The room voted: hiring 2, project 1, parked 0." in hiring
    assert "  • hiring: someone carries the pager for years\n" in hiring
    assert "runbooks are a project" in hiring
    assert "Acceptance criteria: met 1, partial 1, missing 0" in items["ACME-221"].comment_text()


@pytest.mark.parametrize("base", ["https://x.atlassian.net:abc", "https://x:99999", "https://[bad"])
def test_a_malformed_jira_base_url_is_one_line(
    base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review: a bad port or bracket in JIRA_BASE_URL raised ValueError (a traceback)."""
    from triage_tui.push.http import host_of

    assert host_of(base) == ""
    plan = jira_sample_plan(tmp_path)
    monkeypatch.setenv("JIRA_BASE_URL", base)
    monkeypatch.setenv("JIRA_EMAIL", "a@b.example")
    monkeypatch.setenv("JIRA_API_TOKEN", "tok-secret")
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 1
    err = capsys.readouterr().err
    assert "JIRA_BASE_URL" in err and "Traceback" not in err and "tok-secret" not in err


def test_a_project_item_never_scored_says_so_not_zero(tmp_path: Path) -> None:
    # A project item the room decided but never scored counts as not ready (its label),
    # but its comment and the dry run must not claim the room found all seven criteria
    # missing ("not ready (0/100)" and seven gaps).
    session = Session(load(SAMPLES / "jira-export.csv"))
    session.decide("ACME-221", Category.PROJECT)
    plan = write_plan(session, tmp_path / "p.plan.toml")
    item = by_id(plan)["ACME-221"]
    assert item.labels == ("triage:project", "triage:not-ready")
    text = item.comment_text()
    assert "project delivery, not scored yet (counts as not ready)." in text
    assert "not scored in the workshop yet" in text
    assert "0/100" not in text and "Gaps to close" not in text
    session.set_mark("ACME-221", 1, Mark.MET)
    plan = write_plan(session, tmp_path / "p.plan.toml")
    scored = by_id(plan)["ACME-221"].comment_text()
    assert "not scored" not in scored and "/100)" in scored and "Gaps to close" in scored


def test_scripts_take_an_undecided_items_labels_off_and_write_no_comment() -> None:
    from triage_tui.formats.push import Selection

    managed = label_names("triage:")

    def undecided(ref: Ref) -> PushItem:
        return PushItem("X", "Taken back", ref, Category.UNDECIDED, None, None, (), managed, (), "")

    gh = render_script(
        Selection((undecided(Ref("github", "7", "acme/api")),), (), ("X",)), "github", "p.toml"
    )
    assert (
        "gh issue edit 7 --repo acme/api --remove-label "
        "triage:hiring,triage:project,triage:parked,triage:ready,triage:needs-work,"
        "triage:not-ready\n" in gh
    )
    assert "--add-label" not in gh and "gh issue comment" not in gh
    jira = render_script(Selection((undecided(Ref("jira", "ACME-9")),), (), ("X",)), "jira", "p")
    assert '{"update": {"labels": [{"remove": "triage:hiring"}' in jira
    assert "/comment" not in jira.split("# ACME-9")[1]
    linear = render_script(
        Selection((undecided(Ref("linear", "ENG-9")),), (), ("X",)), "linear", "p"
    )
    assert "addedLabelIds: []" in linear and 'id of "triage:not-ready"' in linear
    assert "commentCreate" not in linear


def test_the_comment_has_a_parked_items_question_and_the_rooms_note_apart() -> None:
    from triage_tui.formats.push import comment_blocks, render_markdown

    parked = render_markdown(
        comment_blocks(Category.PARKED, "Which team owns it?", None, None, "", "p.toml", True, "x")
    )
    assert "**Open question:** Which team owns it?" in parked
    assert "**The room's note:** x" in parked
    hiring = render_markdown(
        comment_blocks(Category.HIRING, "", None, None, "", "p.toml", True, "Own it for years.")
    )
    assert "**Why:** Own it for years." in hiring and "Open question" not in hiring
    # A question left from when it was parked is not the reason for a later decision.
    later = render_markdown(
        comment_blocks(Category.HIRING, "Who?", None, None, "", "p.toml", True, "")
    )
    assert "Who?" not in later
