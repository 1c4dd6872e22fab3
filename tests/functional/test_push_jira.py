"""`triage-tui push --to jira --apply` against a local fake of Jira Cloud's REST v3."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.trackers import FakeJira
from tests.push_plans import jira_sample_plan
from tests.unit.test_push import VOTES
from triage_tui.cli import main
from triage_tui.formats.push import jira_label_update
from triage_tui.push import prepare

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "ana@acme.example"
TOKEN = "tok-SECRET-4f1c9e"  # must never be seen outside the Authorization header
EVERY_KIND = ["ACME-212", "ACME-220", "ACME-221", "ACME-198", "ACME-226", "ACME-237"]
KEYS = [
    "ACME-212", "ACME-213", "ACME-220", "ACME-221", "ACME-198", "ACME-224", "ACME-225",
    "ACME-226", "ACME-227", "ACME-230", "ACME-231", "ACME-232", "ACME-233", "ACME-234",
    "ACME-235", "ACME-236", "ACME-237", "ACME-238", "ACME-239", "ACME-240", "ACME-241",
    "ACME-242", "ACME-243", "ACME-244",
]  # fmt: skip


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return jira_sample_plan(tmp_path, VOTES)


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with FakeJira(KEYS, email=EMAIL, token=TOKEN) as fake:
        monkeypatch.setenv("JIRA_BASE_URL", fake.url)
        monkeypatch.setenv("JIRA_EMAIL", EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
        yield fake


def test_exact_requests_for_every_kind_of_item(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", str(plan), "--to", "jira", *EVERY_KIND, "--apply"]) == 0
    items = {item.item_id: item for item in prepare(plan, "jira").selection.items}
    expected = []
    for key in EVERY_KIND[:-1]:  # ACME-237 is undecided: its labels are read, no more
        item = items[key]
        expected += [
            ("GET", f"/rest/api/3/issue/{key}", {"fields": "labels"}, None),
            (
                "GET",
                f"/rest/api/3/issue/{key}/comment",
                {"startAt": "0", "maxResults": "100"},
                None,
            ),
            ("PUT", f"/rest/api/3/issue/{key}", {}, jira_label_update(item.labels, ())),
            ("POST", f"/rest/api/3/issue/{key}/comment", {}, {"body": item.adf()}),
        ]
    expected.append(("GET", "/rest/api/3/issue/ACME-237", {"fields": "labels"}, None))
    seen = [(r.method, r.path, r.query, r.body) for r in jira.requests]
    assert seen == expected
    assert jira.issues["ACME-220"].labels == ["triage:project", "triage:ready"]
    assert jira.issues["ACME-198"].labels == ["triage:project", "triage:not-ready"]
    assert jira.issues["ACME-237"].labels == [] and jira.issues["ACME-237"].comments == []
    err = capsys.readouterr().err
    assert "ACME-220: added triage:project, triage:ready; comment written\n" in err
    assert err.endswith(
        "Pushed 5 of 5 items to Jira: 5 changed, 0 already up to date, "
        "1 undecided, no triage label on them.\n"
    )


def test_second_run_sends_no_change_and_a_changed_decision_moves_labels(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    first = len(jira.changing)
    assert first == 22 * 2
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert len(jira.changing) == first  # reads only
    assert "0 changed, 22 already up to date" in capsys.readouterr().err
    # The room changes its mind on ACME-212: hiring -> parked.
    text = plan.read_text().replace('id = "ACME-212"', 'id = "ACME-212"', 1)
    from tests.push_plans import write_plan
    from triage_tui.core.session import Category
    from triage_tui.formats.plan import read_plan

    session = read_plan(plan)
    session.decide("ACME-212", Category.PARKED)
    session.set_note("ACME-212", "Who carries the pager until we hire?")
    write_plan(session, plan)
    assert text  # (the plan was rewritten through the app's own writer)
    jira.requests.clear()
    assert main(["push", str(plan), "--to", "jira", "ACME-212", "--apply"]) == 0
    changes = [(r.method, r.path, r.body) for r in jira.changing]
    comment_id = jira.issues["ACME-212"].comments[0]["id"]
    assert changes[0] == (
        "PUT",
        "/rest/api/3/issue/ACME-212",
        {"update": {"labels": [{"add": "triage:parked"}, {"remove": "triage:hiring"}]}},
    )
    assert changes[1][:2] == ("PUT", f"/rest/api/3/issue/ACME-212/comment/{comment_id}")
    assert len(changes) == 2
    assert jira.issues["ACME-212"].labels == ["triage:parked"]
    assert len(jira.issues["ACME-212"].comments) == 1
    assert "Who carries the pager" in str(jira.issues["ACME-212"].comments[0]["body"])


def test_rate_limit_is_waited_out(plan: Path, jira: FakeJira) -> None:
    jira.rate_limit = 2
    jira.retry_after = "1"
    assert main(["push", str(plan), "--to", "jira", "ACME-220", "--apply"]) == 0
    assert [r.method for r in jira.requests[:3]] == ["GET", "GET", "GET"]  # twice 429, then ok
    assert jira.issues["ACME-220"].labels == ["triage:project", "triage:ready"]
    assert len(jira.issues["ACME-220"].comments) == 1


def test_rate_limit_too_long_stops_with_one_line(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    jira.rate_limit = 1
    jira.retry_after = "3600"
    assert main(["push", str(plan), "--to", "jira", "ACME-220", "--apply"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ACME-220: Jira is rate limiting this push (asked to wait 3600 s)")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "ACME-212: Jira said 401 Unauthorized: check JIRA_EMAIL and JIRA_API_TOKEN"),
        (403, "ACME-212: Jira said 403 Forbidden: this account may not edit the issue"),
        (404, "ACME-212: Jira said 404 Not Found: no such issue at JIRA_BASE_URL"),
    ],
)
def test_refusals_give_one_line_and_exit_1(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str], status: int, words: str
) -> None:
    jira.status = status
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(words)
    assert err.count("\n") == 1 and out == ""


def test_wrong_token_is_a_401_line(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "tok-WRONG-77")
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 1
    err = capsys.readouterr().err
    assert "401" in err and "tok-WRONG-77" not in err


def test_no_token_reaches_stdout_stderr_the_plan_or_the_script(
    plan: Path, jira: FakeJira, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "push.sh"
    assert main(["push", str(plan), "--to", "jira", "--script", str(script)]) == 0
    assert main(["push", str(plan), "--to", "jira"]) == 0
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    jira.status = 401
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 1
    out, err = capfd.readouterr()
    written = [script.read_text(), plan.read_text(), out, err]
    written += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    state = Path(os.environ["TRIAGE_TUI_STATE_DIR"])
    if state.exists():
        written += [p.read_text(errors="replace") for p in state.rglob("*") if p.is_file()]
    for text in written:
        assert TOKEN not in text
        assert "dG9r" not in text  # nor its base64 (the Basic header's pair)
    assert all(r.auth.startswith("Basic ") for r in jira.requests)  # it went where it belongs


def test_killed_halfway_then_rerun_leaves_each_label_and_comment_once(
    plan: Path, jira: FakeJira
) -> None:
    # The fake makes 5 changes, then holds the 6th request (a comment it has stored?
    # no: it holds before storing) while the push is killed, like ctrl+c or a dead laptop.
    jira.hold_after = 5
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "push", str(plan), "--to", "jira", "--apply"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert jira.held.wait(60), "the push never reached its sixth change"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert jira.changes == 5
    jira.hold_after = None
    time.sleep(0.1)
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    for key, issue in jira.issues.items():
        assert len(issue.labels) == len(set(issue.labels)), key
        markers = [c for c in issue.comments if f"triage-tui:{key} sha:" in str(c["body"])]
        assert len(issue.comments) == len(markers) <= 1, key
    decided = {item.item_id: item for item in prepare(plan, "jira").selection.items}
    for key, item in decided.items():
        assert jira.issues[key].labels == list(item.labels), key
        assert len(jira.issues[key].comments) == int(item.writes_comment), key
    before = len(jira.changing)
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert len(jira.changing) == before


def test_killed_after_the_tracker_stored_a_comment_does_not_repeat_it(
    plan: Path, jira: FakeJira
) -> None:
    # The comment was stored but its answer never came back (the process died).
    items = {item.item_id: item for item in prepare(plan, "jira").selection.items}
    item = items["ACME-212"]
    jira.issues["ACME-212"].comments.append({"id": "1", "body": item.adf()})
    jira.issues["ACME-212"].labels.append("triage:hiring")
    assert main(["push", str(plan), "--to", "jira", "ACME-212", "--apply"]) == 0
    assert jira.changing == []
    assert len(jira.issues["ACME-212"].comments) == 1


def test_ctrl_c_stops_with_a_line_and_the_rerun_finishes(plan: Path, jira: FakeJira) -> None:
    jira.hold_after = 3
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "push", str(plan), "--to", "jira", "--apply"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert jira.held.wait(60), "the push never reached its fourth change"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert err.splitlines()[-1] == (
        "stopped: 1 of 24 items done; run the same command again to resume."
    )
    assert "Traceback" not in err and TOKEN not in err
    jira.hold_after = None
    assert main(["push", str(plan), "--to", "jira", "--apply"]) == 0
    assert all(len(issue.comments) <= 1 for issue in jira.issues.values())


def test_an_item_set_back_to_undecided_loses_its_triage_labels(
    plan: Path, jira: FakeJira, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.push_plans import write_plan
    from triage_tui.formats.plan import read_plan

    assert main(["push", str(plan), "--to", "jira", "ACME-220", "ACME-212", "--apply"]) == 0
    assert jira.issues["ACME-220"].labels == ["triage:project", "triage:ready"]
    jira.issues["ACME-220"].labels.append("payments")  # the team's own label stays
    comment = jira.issues["ACME-220"].comments[0]
    # The room takes its decision on ACME-220 back (undo), and the plan is written again.
    session = read_plan(plan)
    session.change("undecide", ("ACME-220", "category", "undecided"))
    write_plan(session, plan)
    capsys.readouterr()
    # The dry run says what comes off, and that no comment is written.
    assert main(["push", str(plan), "--to", "jira", "ACME-220"]) == 0
    out = capsys.readouterr().out
    assert "Undecided (no decision to write; an earlier push's labels come off" in out
    assert "  labels:   - triage:hiring  - triage:project  - triage:parked" in out
    assert "  ACME-220  " in out and "decision: project" not in out
    assert "1 undecided items: their triage labels are removed where present." in out
    jira.requests.clear()
    assert main(["push", str(plan), "--to", "jira", "ACME-220", "--apply"]) == 0
    assert [(r.method, r.path, r.body) for r in jira.changing] == [
        (
            "PUT",
            "/rest/api/3/issue/ACME-220",
            {"update": {"labels": [{"remove": "triage:project"}, {"remove": "triage:ready"}]}},
        )
    ]
    assert jira.issues["ACME-220"].labels == ["payments"]
    assert jira.issues["ACME-220"].comments == [comment]  # left as it was
    assert "1 undecided, triage labels taken off 1." in capsys.readouterr().err
    # A rerun changes nothing.
    before = len(jira.changing)
    assert main(["push", str(plan), "--to", "jira", "ACME-220", "--apply"]) == 0
    assert len(jira.changing) == before
    assert "1 undecided, no triage label on them." in capsys.readouterr().err
