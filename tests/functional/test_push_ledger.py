"""The push ledger: decide, push, undo, push takes the stale `triage:` label off, with
nothing in the plan or the export saying the item was ever pushed (no name on the
command line, no `--from`), against the fake Jira, GitHub (`gh`) and Linear; a push killed
between the tracker's answer and the ledger's confirmation loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.trackers import FakeJira, FakeLinear
from tests.functional.test_push_github import FAKE, FakeGh
from tests.push_plans import SAMPLES, suggested_session, write_plan
from triage_tui.cli import main
from triage_tui.core.session import Category, Session
from triage_tui.push import prepare
from triage_tui.push.ledger import Ledger, LedgerError, ledger_path

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "ana@acme.example"
TOKEN = "tok-SECRET-ledger"
LINEAR_KEY = "lin_api_SECRET_ledger"
JIRA_KEYS = [
    "ACME-212", "ACME-213", "ACME-220", "ACME-221", "ACME-198", "ACME-224", "ACME-225",
    "ACME-226", "ACME-227", "ACME-230", "ACME-231", "ACME-232", "ACME-233", "ACME-234",
    "ACME-235", "ACME-236", "ACME-237", "ACME-238", "ACME-239", "ACME-240", "ACME-241",
    "ACME-242", "ACME-243", "ACME-244",
]  # fmt: skip


def decided_then(session: Session, item_id: str, category: Category) -> Session:
    """`item_id` undecided, then decided `category` by the room (the step ctrl+z takes back)."""
    session.change("undecide", (item_id, "category", Category.UNDECIDED))
    session.decide(item_id, category)
    return session


def site(fake: FakeJira) -> str:
    """How the ledger names the fake's site: JIRA_BASE_URL's host (and port)."""
    return fake.url.split("//", 1)[1]


def rows() -> list[tuple[str, str, str, list[str], str]]:
    db = sqlite3.connect(ledger_path())
    try:
        found = db.execute("SELECT tracker, site, ref, labels, state FROM labelled ORDER BY ref")
        return [(t, s, r, json.loads(labels), state) for t, s, r, labels, state in found]
    finally:
        db.close()


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    with FakeJira(JIRA_KEYS, email=EMAIL, token=TOKEN) as fake:
        monkeypatch.setenv("JIRA_BASE_URL", fake.url)
        monkeypatch.setenv("JIRA_EMAIL", EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
        yield fake


def test_jira_decide_push_undo_push_takes_the_label_off(
    tmp_path: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    # ACME-237 is one the room reached late: hiring. The export carries no triage label.
    session = decided_then(
        suggested_session(SAMPLES / "jira-export.csv"), "ACME-237", Category.HIRING
    )
    plan = write_plan(session, tmp_path / "jira-export.plan.toml")
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert jira.issues["ACME-237"].labels == ["triage:hiring"]
    jira.issues["ACME-237"].labels.insert(0, "payments")  # the team's own label
    comment = list(jira.issues["ACME-237"].comments)
    assert ("jira", site(jira), "ACME-237", ["triage:hiring"], "done") in rows()
    # ctrl+z in the same session, the plan written again; no id named, no --from.
    assert session.undo() is not None
    assert session.decision("ACME-237").category is Category.UNDECIDED
    write_plan(session, plan)
    capsys.readouterr()
    assert main(["push", str(plan), "--to", "jira"]) == 0  # the dry run says so
    out = capsys.readouterr().out
    assert "Undecided (no decision to write; an earlier push's labels come off" in out
    line = next(line for line in out.splitlines() if line.startswith("  ACME-237  "))
    assert line.endswith(")") and "  (an earlier push labelled it triage:hiring (20" in line
    assert "ACME-241" not in out  # undecided, never pushed: no read, not listed
    jira.requests.clear()
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert jira.issues["ACME-237"].labels == ["payments"]
    assert jira.issues["ACME-237"].comments == comment  # left as it was
    assert [(r.method, r.path, r.body) for r in jira.changing] == [
        (
            "PUT",
            "/rest/api/3/issue/ACME-237",
            {"update": {"labels": [{"remove": "triage:hiring"}]}},
        )
    ]
    assert not any(r.path.startswith("/rest/api/3/issue/ACME-241") for r in jira.requests)
    assert "1 undecided, triage labels taken off 1." in capsys.readouterr().err
    assert "ACME-237" not in [ref for _, _, ref, _, _ in rows()]  # confirmed off: forgotten
    # Forgotten, the next push does not read it again.
    jira.requests.clear()
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert not any(r.path.startswith("/rest/api/3/issue/ACME-237") for r in jira.requests)


def test_killed_between_the_trackers_answer_and_the_ledger_loses_nothing(
    tmp_path: Path, jira: FakeJira
) -> None:
    session = decided_then(
        suggested_session(SAMPLES / "jira-export.csv"), "ACME-237", Category.PARKED
    )
    plan = write_plan(session, tmp_path / "jira-export.plan.toml")
    # The label PUT is stored; the comment's POST is held and the process SIGKILLed: the
    # tracker has the label, the ledger never heard the answer.
    jira.hold_after = 1
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "push", str(plan), "--to", "jira", "ACME-237",
         "--apply"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert jira.held.wait(60), "the push never reached its second change"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert jira.issues["ACME-237"].labels == ["triage:parked"]
    # Recorded before the call, never confirmed.
    assert rows() == [("jira", site(jira), "ACME-237", ["triage:parked"], "intent")]
    jira.hold_after = None
    session.undo()
    write_plan(session, plan)
    prepared = prepare(plan, "jira")
    (undecided,) = [item for item in prepared.selection.items if item.item_id == "ACME-237"]
    assert undecided.pushed is not None and not undecided.pushed.confirmed
    assert "an earlier push was labelling it triage:parked" in prepared.dry_run()
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert jira.issues["ACME-237"].labels == []
    assert "ACME-237" not in [ref for _, _, ref, _, _ in rows()]


def test_an_unwritable_ledger_stops_the_push_before_any_change(
    tmp_path: Path,
    jira: FakeJira,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = write_plan(
        suggested_session(SAMPLES / "jira-export.csv"), tmp_path / "jira-export.plan.toml"
    )
    blocked = tmp_path / "state-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", str(blocked))
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cannot record what push labels in ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert jira.changing == []
    assert main(["push", str(plan), "--to", "jira"]) == 0  # a dry run still works


def test_a_failed_confirmation_keeps_the_intent(
    tmp_path: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger's confirmation fails after the tracker answered: the row still says the
    item may be labelled, so the label still comes off after an undo."""
    session = decided_then(
        suggested_session(SAMPLES / "jira-export.csv"), "ACME-241", Category.HIRING
    )
    plan = write_plan(session, tmp_path / "jira-export.plan.toml")

    def broken(self: Ledger, *args: object) -> None:
        raise LedgerError("cannot record what push labels in push.sqlite3: disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(Ledger, "settle", broken)
        assert main(["push", str(plan), "--to", "jira", "ACME-241", "--apply"]) == 0
    assert rows() == [("jira", site(jira), "ACME-241", ["triage:hiring"], "intent")]
    session.undo()
    write_plan(session, plan)
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert jira.issues["ACME-241"].labels == []


def test_the_ledger_is_per_site(
    tmp_path: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A push to another Jira site does not read an issue of the same key it never touched."""
    session = decided_then(
        suggested_session(SAMPLES / "jira-export.csv"), "ACME-237", Category.HIRING
    )
    plan = write_plan(session, tmp_path / "jira-export.plan.toml")
    assert main(["push", str(plan), "--to", "jira", "ACME-237", "--apply"]) == 0
    session.undo()
    write_plan(session, plan)
    monkeypatch.setenv("JIRA_BASE_URL", jira.url.replace("127.0.0.1", "localhost"))
    assert "ACME-237" not in [i.item_id for i in prepare(plan, "jira").selection.items]
    monkeypatch.delenv("JIRA_BASE_URL")  # a dry run with no site set: every site's rows
    assert "ACME-237" in [i.item_id for i in prepare(plan, "jira").selection.items]


# -- GitHub and Linear -------------------------------------------------------------------
@pytest.fixture
def gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGh:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    target = bin_dir / "gh"
    target.write_text(f"#!{sys.executable}\n" + FAKE.read_text())
    target.chmod(target.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    fake = FakeGh(tmp_path)
    monkeypatch.setenv("FAKE_GH_LOG", str(fake.log))
    monkeypatch.setenv("FAKE_GH_STATE", str(fake.state_path))
    return fake


def test_github_decide_push_undo_push_takes_the_label_off(tmp_path: Path, gh: FakeGh) -> None:
    issue = "acme-ledger/api#421"
    session = decided_then(
        suggested_session(SAMPLES / "github-project.tsv"), issue, Category.HIRING
    )
    plan = write_plan(session, tmp_path / "github-project.plan.toml")
    assert main(["push", str(plan), "--to", "github", "--apply"]) == 0
    assert gh.state["issues"][issue]["labels"] == ["bug", "triage:hiring"]
    session.undo()
    write_plan(session, plan)
    assert main(["push", str(plan), "--to", "github", "--apply"]) == 0
    assert gh.state["issues"][issue]["labels"] == ["bug"]
    edits = [args for args in gh.changes() if args[:3] == ["issue", "edit", "421"]]
    assert edits[-1][-2:] == ["--remove-label", "triage:hiring"]
    assert issue not in [ref for _, _, ref, _, _ in rows()]


def test_linear_decide_push_undo_push_takes_the_label_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLinear([f"BE-{n}" for n in range(299, 329)], key=LINEAR_KEY) as linear:
        monkeypatch.setenv("LINEAR_API_URL", linear.url)
        monkeypatch.setenv("LINEAR_API_KEY", LINEAR_KEY)
        session = decided_then(
            suggested_session(SAMPLES / "linear-export.csv"), "BE-316", Category.HIRING
        )
        plan = write_plan(session, tmp_path / "linear-export.plan.toml")
        assert main(["push", str(plan), "--to", "linear", "--apply"]) == 0
        assert linear.label_names("BE-316") == ["triage:hiring"]
        session.undo()
        write_plan(session, plan)
        linear.requests.clear()
        assert main(["push", str(plan), "--to", "linear", "--apply"]) == 0
        assert linear.label_names("BE-316") == []
        updates = [
            r.body["variables"] for r in linear.requests
            if r.body["operationName"] == "PushIssueUpdate"
        ]  # fmt: skip
        assert updates == [
            {"id": "uuid-BE-316", "input": {"addedLabelIds": [], "removedLabelIds": ["lbl-1"]}}
        ]
        # BE-322 and BE-325, undecided and never pushed, were not even read.
        read = {r.body["variables"].get("id") for r in linear.requests}
        assert not read & {"BE-322", "BE-325"}
    assert ("linear", "", "BE-316") not in [row[:3] for row in rows()]
    for _, _, _, _, state in rows():
        assert state == "done"
    assert LINEAR_KEY not in ledger_path().read_bytes().decode("latin-1")


def test_github_with_an_unwritable_ledger_creates_no_label(
    tmp_path: Path, gh: FakeGh, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Review (session 8): GitHub's `prepare` made the repository's labels before the
    # ledger was written, so a push that stopped on the ledger had changed the tracker.
    issue = "acme-ledger/api#421"
    session = decided_then(
        suggested_session(SAMPLES / "github-project.tsv"), issue, Category.HIRING
    )
    plan = write_plan(session, tmp_path / "github-project.plan.toml")
    blocked = tmp_path / "state-is-a-file"
    blocked.write_text("")
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", str(blocked))
    assert main(["push", str(plan), "--to", "github", "--apply"]) == 1
    assert [args for args in gh.changes() if args[:2] == ["label", "create"]] == []
