"""What the tracker knows around an item (due date, comments, attachments, links) is
read from every export that has it, and carried by the plan as keys of its own."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.core.errors import InputError
from triage_tui.core.model import Attachment, Backlog, Comment, Item, Link
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.formats.loaders.context import read_attachment, read_comment, read_due
from triage_tui.formats.plan import dumps_plan, loads_plan

JIRA_HEADER = (
    "Summary,Issue key,Issue id,Issue Type,Status,Due date,Description,"
    "Outward issue link (Blocks),Inward issue link (Blocks),Outward issue link (Relates),"
    "Parent,Parent summary,Attachment,Attachment,Comment,Comment,Comment\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jira_repeated_comment_attachment_and_link_columns(tmp_path: Path) -> None:
    text = JIRA_HEADER + (
        "Epic,CORE-100,10100,Epic,To Do,,,,,,,,,,,,\n"
        'Ack webhooks,CORE-103,10103,Story,To Do,15/Mar/26,"Do it.",CORE-104,CORE-99,'
        "CORE-120,10100,Epic,"
        '"02/Feb/26 9:12 AM;712020:9a3e5d71-2c4b-4f6e-8d0a-c5b2a1e3f044;flow.png;'
        'https://acme.atlassian.net/secure/attachment/1/flow.png",,'
        '"03/Feb/26 4:40 PM;712020:9a3e5d71-2c4b-4f6e-8d0a-c5b2a1e3f044;'
        'Retries: 3; backoff: 2s; ack before or after the DB write?",'
        '"04/Feb/26 10:00 AM;dana;[~accountid:712020:9a3e5d71-2c4b-4f6e-8d0a-c5b2a1e3f044] '
        'after, please",\n'
    )
    backlog = load(write(tmp_path, "jira.csv", text))
    item = backlog.by_id()["CORE-103"]
    assert item.due == "2026-03-15"
    assert item.comments == (
        Comment(
            "2026-02-03 16:40", "", "Retries: 3; backoff: 2s; ack before or after the DB write?"
        ),
        Comment("2026-02-04 10:00", "dana", "@jira-user after, please"),
    )
    assert item.attachments == (
        Attachment(
            "flow.png",
            "https://acme.atlassian.net/secure/attachment/1/flow.png",
            "2026-02-02 09:12",
        ),
    )
    assert item.links == (
        Link("blocks", "CORE-104"),
        Link("blocked by", "CORE-99"),
        Link("relates", "CORE-120"),
        Link("parent", "CORE-100"),  # Jira's Parent holds the numeric issue id
    )
    for column in ("Comment", "Attachment", "Due date", "Parent"):
        assert column not in item.extra
    assert item.extra["Parent summary"] == "Epic"


def test_linear_asana_and_github_forms(tmp_path: Path) -> None:
    linear = load(
        write(
            tmp_path,
            "linear.csv",
            "ID,Team,Title,Description,Status,Due Date,Parent issue,Related to,Blocked by\n"
            'PLA-181,Platform,CLI login,,Todo,2026-04-30,PLA-100,PLA-190,"PLA-183, PLA-184"\n',
        )
    )
    item = linear.items[0]
    assert item.due == "2026-04-30"
    assert item.links == (
        Link("parent", "PLA-100"),
        Link("relates", "PLA-190"),
        Link("blocked by", "PLA-183"),
        Link("blocked by", "PLA-184"),
    )
    asana = load(
        write(
            tmp_path,
            "asana.csv",
            "Task ID,Name,Notes,Due Date,Parent task,Blocked By (Dependencies)\n"
            "11,Billing revamp,,,,\n"
            "12,Dunning emails,,2026-05-02,Billing revamp,13\n"
            "13,Email provider,,,,\n",
        )
    )
    dunning = asana.by_id()["12"]
    assert dunning.due == "2026-05-02"
    assert dunning.links == (Link("parent", "11"), Link("blocked by", "13"))
    github = load(
        write(
            tmp_path,
            "github.csv",
            "number,title,body,labels,state,url\n"
            '7,Rate limits,"Blocked by #8.\nPart of https://github.com/acme/api/issues/2",'
            ",open,https://github.com/acme/api/issues/7\n"
            "8,Quotas,,,open,https://github.com/acme/api/issues/8\n",
        )
    )
    assert github.by_id()["#7"].links == (Link("blocked by", "#8"), Link("parent", "acme/api#2"))


def test_cells_in_other_forms() -> None:
    assert read_comment("  ") is None
    assert read_comment("just a note; with a semicolon") == Comment(
        text="just a note; with a semicolon"
    )
    assert read_attachment("https://x.example/files/spec.pdf") == Attachment(
        "spec.pdf", "https://x.example/files/spec.pdf"
    )
    assert read_attachment("spec.pdf") == Attachment("spec.pdf")
    assert read_due("30/Apr/24") == "2024-04-30"
    assert read_due("2026-04-30T00:00:00.000Z") == "2026-04-30"
    assert read_due("end of Q2") == "end of Q2"


@settings(max_examples=80, deadline=None)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\r\n'),
        min_size=1,
        max_size=60,
    ).filter(lambda t: t.strip()),
    author=st.sampled_from(["dana", "712020:9a3e5d71-2c4b-4f6e-8d0a-c5b2a1e3f044", "Li Wei"]),
)
def test_a_comment_keeps_every_semicolon_of_its_text(text: str, author: str) -> None:
    comment = read_comment(f"03/Feb/26 4:40 PM;{author};{text}")
    assert comment is not None
    assert comment.at == "2026-02-03 16:40"
    assert comment.author == ("" if author.startswith("712020") else author)
    assert comment.text == text.strip() or "@jira-user" in comment.text


def _session() -> Session:
    items = (
        Item(
            "CORE-103",
            "Ack webhooks",
            "Do it.",
            due="2026-03-15",
            comments=(
                Comment("2026-02-03 16:40", "dana", "ack before\nor after the DB write?"),
                Comment(text="plain"),
            ),
            attachments=(Attachment("flow.png", "https://x.example/flow.png", "2026-02-02"),),
            links=(Link("blocked by", "CORE-99"), Link("parent", "CORE-100")),
        ),
        Item("CORE-104", "Plain"),
    )
    session = Session(Backlog(items, source=None, format="toml", title="T"))
    session.decide("CORE-103", Category.PROJECT, at="2026-02-05T10:00:00Z")
    session.set_note("CORE-103", "Needs AWS org access and a budget owner")
    return session


def test_the_plan_carries_context_as_keys_of_their_own_and_reopens_exactly() -> None:
    text = dumps_plan(_session(), created="2026-02-01T00:00:00Z")
    plan = tomllib.loads(text)
    entry, plain = plan["items"]
    assert entry["due"] == "2026-03-15"
    assert entry["comments"] == [
        {"at": "2026-02-03 16:40", "author": "dana", "text": "ack before\nor after the DB write?"},
        {"text": "plain"},
    ]
    assert entry["attachments"] == [
        {"name": "flow.png", "url": "https://x.example/flow.png", "at": "2026-02-02"}
    ]
    assert entry["links"] == [
        {"kind": "blocked by", "id": "CORE-99"},
        {"kind": "parent", "id": "CORE-100"},
    ]
    assert "extra" not in entry  # not bookkeeping, not extra
    assert not {"due", "comments", "attachments", "links"} & set(plain)  # none: no keys
    reopened = loads_plan(text)
    assert replace(reopened.backlog.items[0], line=0) == _session().backlog.items[0]
    assert reopened.decision("CORE-103").note == "Needs AWS org access and a budget owner"
    assert dumps_plan(reopened) == text  # byte-identical


def test_a_plan_from_before_the_note_field_reads_its_rationale_as_the_note() -> None:
    # The room's note was written as `rationale` (and no `note` key) before it had a field
    # of its own: a project item's reads as its note.
    text = dumps_plan(_session(), created="2026-02-01T00:00:00Z")
    text = text.replace('rationale = ""\n', "").replace("\nnote = ", "\nrationale = ")
    assert "\nnote = " not in text
    decision = loads_plan(text).decision("CORE-103")
    assert decision.note.startswith("Needs AWS") and decision.rationale == ""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('due = "2026-03-15"', "due = 3", "item 'CORE-103': due must be a date or text"),
        ('kind = "parent"', "kind = 3", "item 'CORE-103': each of links needs kind"),
        ('text = "plain"', "text = 1", "item 'CORE-103': comments: text must be text"),
    ],
)
def test_wrong_context_types_name_the_item(old: str, new: str, message: str) -> None:
    text = dumps_plan(_session(), created="2026-02-01T00:00:00Z")
    assert old in text
    with pytest.raises(InputError) as error:
        loads_plan(text.replace(old, new, 1), "team.plan.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("team.plan.toml:")


def test_a_toml_backlog_may_carry_context(tmp_path: Path) -> None:
    backlog = load(
        write(
            tmp_path,
            "b.toml",
            '[[items]]\nid = "A-1"\ntitle = "One"\ndue = 2026-05-01\n'
            'comments = [{at = "2026-04-01", author = "li", text = "why?"}]\n'
            'attachments = ["spec.pdf"]\nlinks = [{kind = "blocked by", id = "A-2"}]\n'
            '[[items]]\nid = "A-2"\ntitle = "Two"\nlinks = ["https://x.example"]\n',
        )
    )
    one, two = backlog.items
    assert one.due == "2026-05-01"
    assert one.comments == (Comment("2026-04-01", "li", "why?"),)
    assert one.attachments == (Attachment("spec.pdf"),)
    assert one.links == (Link("blocked by", "A-2"),)
    assert two.links == () and two.extra["links"] == ["https://x.example"]  # web links


# -- the rules the screens and the handoff share (core.tracker) ------------------------
def _linked(*others: tuple[str, Category, str], kind: str = "blocked by") -> Session:
    from triage_tui.core.session import Mark

    spec = "## Acceptance criteria\n- works\n\n## Definition of done\nshipped\n\nReviewer: @p"
    items = [Item("A", "Main", spec, links=tuple(Link(kind, oid) for oid, _, _ in others))]
    items += [Item(oid, f"Other {oid}", "") for oid, _, _ in others]
    session = Session(Backlog(tuple(items)))
    for item_id, category, note in (("A", Category.PROJECT, ""), *others):
        session.decide(item_id, category)
        if note:
            session.set_note(item_id, note)
    for criterion in range(1, 8):
        session.set_mark("A", criterion, Mark.MET)
    return session


def _warning(session: Session) -> str:
    from triage_tui.core.handoff import assess_item
    from triage_tui.core.tracker import dependency_warning

    item = session.backlog.items[0]
    return dependency_warning(
        session, item, assess=lambda other: assess_item(other, session.decision(other.id))
    )


def test_a_ready_item_says_what_it_waits_on() -> None:
    parked = _linked(("PLA-183", Category.PARKED, "CLI auth flow first"))
    assert _warning(parked) == "Ready, but it needs PLA-183, parked: 'CLI auth flow first'."
    hiring = _linked(("E-1", Category.HIRING, ""), kind="parent")
    assert _warning(hiring) == "Ready, but it is part of E-1, hiring."
    # a project item that is not ready (nothing marked) holds it up too
    not_ready = _linked(("B", Category.PROJECT, ""))
    assert _warning(not_ready) == "Ready, but it needs B, project, not ready."
    # related, blocking others, or undecided: no dependency to report
    assert _warning(_linked(("B", Category.PARKED, "x"), kind="relates")) == ""
    assert _warning(_linked(("B", Category.PARKED, "x"), kind="blocks")) == ""
    assert _warning(_linked(("B", Category.UNDECIDED, ""))) == ""
    # an item that is not ready itself: its gaps say enough
    session = _linked(("B", Category.PARKED, "x"))
    session.set_mark("A", 4, None)
    session.set_mark("A", 5, None)
    assert _warning(session) == ""


def test_comments_questions_and_the_latest() -> None:
    from triage_tui.core.tracker import latest_comments, open_questions, questions

    asked = Comment("2026-02-05", "", "Retries are 3; backoff 2s. Ack before or after the write?")
    said = Comment("2026-02-06", "", "Is it? Yes: after.")
    assert open_questions([asked, said]) == [asked]
    assert questions(asked) == ["Ack before or after the write?"]
    comments = [Comment(f"2026-02-0{n}", "", str(n)) for n in (4, 1, 3, 2)]
    assert [c.text for c in latest_comments(comments, 2)] == ["4", "3"]  # newest two, in order


def test_systems_named_and_points_are_not_days() -> None:
    from triage_tui.core.handoff import default_handoff, review_points
    from triage_tui.core.tracker import systems_named

    assert systems_named("Events go to AWS SQS; a Temporal workflow; Grafana panel") == [
        "AWS",
        "Grafana",
        "Temporal",
    ]
    assert systems_named("a temporal coupling of aws") == ["Temporal"]  # acronyms: case
    assert "day 13" not in review_points(13)
    assert "points are effort, not days" in review_points("13 points")
    assert "final review on day 10" in review_points("2w")  # a duration places days
    timeline = default_handoff(Item("A", "T", estimate=13, due="2026-03-20"))["timeline"]
    assert str(timeline).startswith("due 2026-03-20 in the tracker; 13 points (estimate)")


def test_the_config_team_table(tmp_path: Path) -> None:
    from triage_tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(
        '[team]\nrepository = "github.com/acme/api"\nstack = 3\nhours = "x"\n', encoding="utf-8"
    )
    config, message = load_config(path)
    assert config.team == {"repository": "github.com/acme/api"}
    assert message is not None and "team stack must be text" in message
    assert "unknown [team] setting 'hours'" in message


def test_next_quarter_keeps_the_team_section() -> None:
    from triage_tui.core.carry import carry_over

    old = _session()
    old.set_team_info({"repository": "github.com/acme/core", "stack": "Go"})
    new = Session(old.backlog, team_info={"access": "ask Dana"})
    carry_over(new, old, "q1.plan.toml")
    assert new.team_info == {
        "repository": "github.com/acme/core",
        "stack": "Go",
        "access": "ask Dana",
    }


def test_a_plan_with_the_older_team_name_still_opens() -> None:
    text = dumps_plan(_session(), created="2026-02-01T00:00:00Z")
    start = text.index("[meta.team]")
    end = text.index("[summary]")
    older = text[:start] + text[end:]
    older = older.replace("[meta]\n", '[meta]\nteam = "Payments"\n', 1)
    session = loads_plan(older)
    assert (session.team, session.team_info) == ("Payments", {})
    with pytest.raises(InputError, match=r"\[meta.team\]: stack must be a string"):
        loads_plan(text.replace('stack = ""', "stack = 3", 1))


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
            max_size=50,
        )
        .map(lambda t: t.replace("\x85", " "))
        .filter(lambda t: t.strip() and not t.strip().startswith(("=", "+", "-", "@"))),
        min_size=1,
        max_size=3,
    )
)
def test_comments_survive_a_jira_csv_and_the_plan(texts: list[str]) -> None:
    """Comment cells with ';', quotes and line breaks in the text: loaded whole, written
    to the plan and read back the same."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Summary", "Issue key", *["Comment"] * len(texts)])
    writer.writerow(["One", "A-1", *(f"03/Feb/26 4:40 PM;dana;{text}" for text in texts)])
    from triage_tui.formats.loaders import load_bytes

    backlog = load_bytes(buffer.getvalue().encode("utf-8"), Path("jira.csv"))
    (item,) = backlog.items
    assert [c.author for c in item.comments] == ["dana"] * len(texts)
    for comment, text in zip(item.comments, texts, strict=True):
        assert comment.text.replace("\n", " ").split() == text.replace("\n", " ").split()
    session = Session(backlog)
    text = dumps_plan(session, created="2026-02-01T00:00:00Z")
    assert loads_plan(text).backlog.items[0].comments == item.comments
