"""The push ledger on its own: rows, states, sites, a damaged or newer file, its mode."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from triage_tui.core.session import Category
from triage_tui.formats.push import Pushed, PushItem, Ref
from triage_tui.push.ledger import Ledger, LedgerError, ledger_path, site_of


def item(key: str, category: Category = Category.HIRING) -> PushItem:
    labels = ("triage:hiring",) if category is not Category.UNDECIDED else ()
    return PushItem(key, "t", Ref("jira", key), category, None, None, labels, (), (), "")


def test_intent_then_done_then_cleared(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state" / "push.sqlite3")
    assert ledger.labelled("jira", "acme") == {}  # no file: nothing, and nothing created
    assert not ledger.path.exists()
    ledger.intend("jira", "acme", [item("A-1"), item("A-2"), item("A-3", Category.UNDECIDED)], "p")
    found = ledger.labelled("jira", "acme")
    assert set(found) == {"A-1", "A-2"}  # an undecided item is never "about to be labelled"
    assert found["A-1"].labels == ("triage:hiring",) and not found["A-1"].confirmed
    ledger.settle("jira", "acme", [item("A-1")], [])
    assert ledger.labelled("jira", "acme")["A-1"].confirmed
    assert not ledger.labelled("jira", "acme")["A-2"].confirmed
    ledger.settle("jira", "acme", [], [item("A-1", Category.UNDECIDED)])
    assert set(ledger.labelled("jira", "acme")) == {"A-2"}
    assert ledger.labelled("linear", "") == {}  # another tracker's rows are apart
    ledger.close()
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger.path.parent.stat().st_mode) == 0o700


def test_sites(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "push.sqlite3")
    ledger.intend("jira", "acme.atlassian.net", [item("A-1")], "p")
    ledger.intend("jira", "other.atlassian.net", [item("B-1")], "p")
    assert set(ledger.labelled("jira", "acme.atlassian.net")) == {"A-1"}
    assert set(ledger.labelled("jira", "")) == {"A-1", "B-1"}  # unknown site: every row
    assert site_of("jira", {"JIRA_BASE_URL": "https://Acme.atlassian.net/"}) == "acme.atlassian.net"
    assert site_of("jira", {}) == ""
    assert site_of("github", {}) == "github.com"
    assert site_of("linear", {"LINEAR_API_KEY": "x"}) == ""


@pytest.mark.parametrize("content", [b"not a database at all" * 100, None])
def test_a_damaged_or_newer_ledger_reads_as_empty_and_refuses_writes(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "push.sqlite3"
    if content is None:  # a newer triage-tui's
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.close()
    else:
        path.write_bytes(content)
    ledger = Ledger(path)
    assert ledger.labelled("jira", "") == {}
    with pytest.raises(LedgerError, match=r"cannot record what push labels in .*push\.sqlite3"):
        ledger.intend("jira", "", [item("A-1")], "p")


def test_the_dry_run_words() -> None:
    assert Pushed(("triage:project", "triage:ready"), "2026-12-07T10:00:00Z").words() == (
        "an earlier push labelled it triage:project, triage:ready (2026-12-07)"
    )
    assert Pushed(("x\x1b[31m",), "", confirmed=False).words() == (
        "an earlier push was labelling it x␛[31m"
    )


def test_the_default_path_is_in_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", str(tmp_path))
    assert ledger_path() == tmp_path / "push.sqlite3"
    assert Ledger().path == tmp_path / "push.sqlite3"


def test_a_confirmation_writes_back_a_row_another_push_removed(tmp_path: Path) -> None:
    # Review (session 8): `settle` only updated, so a row another push deleted meanwhile
    # lost the knowledge that the tracker carries the labels now.
    ledger = Ledger(tmp_path / "push.sqlite3")
    ledger.intend("jira", "acme", [item("A-1")], "p")
    ledger.settle("jira", "acme", [], [item("A-1", Category.UNDECIDED)])  # the other push
    assert ledger.labelled("jira", "acme") == {}
    ledger.settle("jira", "acme", [item("A-1")], [])  # this push's answer, late
    found = ledger.labelled("jira", "acme")
    assert found["A-1"].confirmed and found["A-1"].labels == ("triage:hiring",)
    ledger.close()
