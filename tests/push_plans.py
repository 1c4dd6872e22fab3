"""Plans for the push tests: the Jira sample decided as its suggestions say (a headless
room), with the room's votes on some items, written as the app writes them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from triage_tui.core.categorize import suggest
from triage_tui.core.readiness import detect_evidence
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats.loaders import load
from triage_tui.formats.plan import dumps_plan

SAMPLES = Path(__file__).resolve().parents[1] / "sample_backlogs"
AT = "2026-12-07T10:00:00Z"


def suggested_session(backlog_path: Path) -> Session:
    """Every item decided as suggested; each project item's criteria as the evidence says."""
    session = Session(load(backlog_path), facilitator="Ana", team="Payments")
    for item in session.backlog.items:
        suggestion = suggest(item)
        category = Category(suggestion.category)
        if category is Category.UNDECIDED:
            continue
        session.decide(item.id, category, at=AT)
        if category is Category.PARKED:
            question = f"Open question from the room: {item.title}?"
            session.change("ask", (item.id, "rationale", question))  # S's open question
        elif category is Category.HIRING:
            session.set_note(item.id, suggestion.reason)
        else:
            for number, found in detect_evidence(item).items():
                session.set_mark(item.id, number, Mark(found.mark))
    return session


def write_plan(
    session: Session, path: Path, votes: dict[str, dict[str, Any]] | None = None
) -> Path:
    """The plan at `path`, with [items.votes] tables added as the room writes them."""
    text = dumps_plan(session, plan_path=path, created=AT)
    if votes:
        document = tomllib.loads(text)
        for item in document["items"]:
            if item["id"] in votes:
                item["votes"] = votes[item["id"]]
        text = tomli_w.dumps(document, multiline_strings=True)
    path.write_text(text, encoding="utf-8")
    return path


def jira_sample_plan(folder: Path, votes: dict[str, dict[str, Any]] | None = None) -> Path:
    """The Jira sample's plan, decided as suggested, in `folder`."""
    session = suggested_session(SAMPLES / "jira-export.csv")
    # The room read ACME-220's spec through: every criterion met, a reviewer named.
    for number in range(1, 8):
        session.set_mark("ACME-220", number, Mark.MET)
    session.set_handoff("ACME-220", "reviewer", "Priya Raman")
    return write_plan(session, folder / "jira-export.plan.toml", votes)


def every_kind(session: Session, ready: str, hiring: str, parked: str, needs_work: str) -> Session:
    """Make sure the plan has each kind of item: ready, needs work (and the suggested
    not-ready ones), hiring with its reason, parked with its question."""
    for number in range(1, 8):
        session.set_mark(ready, number, Mark.MET)
    session.decide(ready, Category.PROJECT, at=AT)
    session.set_handoff(ready, "reviewer", "Priya Raman")
    session.set_handoff(ready, "acceptance_criteria", ["A signed event is stored once"])
    session.set_handoff(ready, "definition_of_done", "Merged, deployed to staging")
    session.decide(hiring, Category.HIRING, at=AT)
    session.set_note(hiring, "Ownership for years: hire for it.")
    session.decide(parked, Category.PARKED, at=AT)
    session.change("ask", (parked, "rationale", "Which team owns it?"))
    session.decide(needs_work, Category.PROJECT, at=AT)
    for number in (1, 2, 4, 5):
        session.set_mark(needs_work, number, Mark.MET)
    session.set_mark(needs_work, 3, Mark.PARTIAL)
    return session


def linear_sample_plan(folder: Path, votes: dict[str, dict[str, Any]] | None = None) -> Path:
    session = every_kind(
        suggested_session(SAMPLES / "linear-export.csv"), "BE-310", "BE-301", "BE-316", "BE-314"
    )
    return write_plan(session, folder / "linear-export.plan.toml", votes)


def github_sample_plan(folder: Path, votes: dict[str, dict[str, Any]] | None = None) -> Path:
    session = every_kind(
        suggested_session(SAMPLES / "github-project.tsv"),
        "acme-ledger/api#412",
        "acme-ledger/infra#88",
        "acme-ledger/api#415",
        "acme-ledger/api#418",
    )
    return write_plan(session, folder / "github-project.plan.toml", votes)
