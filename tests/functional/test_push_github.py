"""`triage-tui push --to github --apply` with a fake `gh` on PATH recording its arguments."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.push_plans import github_sample_plan
from triage_tui.cli import main
from triage_tui.push import prepare

FAKE = Path(__file__).resolve().parents[1] / "fakes" / "gh.py"
ISSUES = [
    "acme-ledger/api#412", "acme-ledger/infra#88", "acme-ledger/api#415",
    "acme-ledger/api#418", "acme-ledger/api#421", "acme-ledger/admin-legacy#12",
]  # fmt: skip


class FakeGh:
    def __init__(self, folder: Path) -> None:
        self.log = folder / "gh.log"
        self.state_path = folder / "gh.json"
        self.log.write_text("")
        self.save(
            {
                "issues": {key: {"labels": ["bug"], "comments": []} for key in ISSUES},
                "labels": {"acme-ledger/api": ["bug", "triage:hiring"]},
            }
        )

    def save(self, state: dict[str, Any]) -> None:
        self.state_path.write_text(json.dumps(state))

    @property
    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text())  # type: ignore[no-any-return]

    @property
    def calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def changes(self) -> list[list[str]]:
        return [c["args"] for c in self.calls if c["args"][0] != "api" or "--method" in c["args"]]

    def set(self, **values: Any) -> None:
        state = self.state
        state.update(values)
        self.save(state)


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
    monkeypatch.setenv("GH_TOKEN", "ghp_SECRET_31415")  # gh's own; never ours to show
    return fake


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return github_sample_plan(tmp_path)


def test_exact_gh_calls_for_every_kind_of_item(plan: Path, gh: FakeGh) -> None:
    kinds = [
        "acme-ledger/infra#88",
        "acme-ledger/api#412",
        "acme-ledger/api#418",
        "acme-ledger/api#421",
        "acme-ledger/api#415",
    ]
    items = {str(i.ref): i for i in prepare(plan, "github").selection.items}
    assert main(["push", str(plan), "--to", "github", *kinds, "--apply"]) == 0
    calls = [(c["args"], c["stdin"]) for c in gh.calls]
    # Labels the repositories lack are created first (an issue takes only existing ones).
    assert calls[0] == (["api", "repos/acme-ledger/api/labels?per_page=100&page=1"], "")
    created_api = [
        a[2] for a, _ in calls if a[:2] == ["label", "create"] and "acme-ledger/api" in a
    ]
    assert created_api == [
        "triage:project",
        "triage:parked",
        "triage:ready",
        "triage:needs-work",
        "triage:not-ready",
    ]
    infra = [
        (a, s) for a, s in calls if "acme-ledger/infra" in " ".join(a) or "infra/" in " ".join(a)
    ]
    assert infra[-4:] == [
        (["api", "repos/acme-ledger/infra/issues/88"], ""),
        (["api", "repos/acme-ledger/infra/issues/88/comments?per_page=100&page=1"], ""),
        (["issue", "edit", "88", "--repo", "acme-ledger/infra", "--add-label", "triage:hiring"], ""),
        (["issue", "comment", "88", "--repo", "acme-ledger/infra", "--body-file", "-"], items["acme-ledger/infra#88"].markdown()),
    ]  # fmt: skip
    state = gh.state["issues"]
    assert state["acme-ledger/api#412"]["labels"] == ["bug", "triage:project", "triage:ready"]
    assert state["acme-ledger/api#418"]["labels"] == ["bug", "triage:project", "triage:needs-work"]
    assert state["acme-ledger/api#421"]["labels"] == ["bug", "triage:project", "triage:not-ready"]
    assert state["acme-ledger/api#415"]["labels"] == ["bug", "triage:parked"]
    body = state["acme-ledger/api#412"]["comments"][0]["body"]
    assert body.startswith(f"<!-- {items['acme-ledger/api#412'].marker} -->\n")
    assert "**Handoff:** `github-project.handoffs/acme-ledger-api-412.md`" in body


def test_second_run_and_changed_decision(plan: Path, gh: FakeGh) -> None:
    assert main(["push", str(plan), "--to", "github", "--apply"]) == 0
    before = len(gh.changes())
    assert main(["push", str(plan), "--to", "github", "--apply"]) == 0
    assert len(gh.changes()) == before
    # The room moved #88 from hiring to parked: the old label goes, the comment is edited.
    from tests.push_plans import write_plan
    from triage_tui.core.session import Category
    from triage_tui.formats.plan import read_plan

    session = read_plan(plan)
    session.decide("acme-ledger/infra#88", Category.PARKED)
    write_plan(session, plan)
    assert main(["push", str(plan), "--to", "github", "acme-ledger/infra#88", "--apply"]) == 0
    new = gh.changes()[before:]
    comment_id = gh.state["issues"]["acme-ledger/infra#88"]["comments"][0]["id"]
    assert new == [
        ["issue", "edit", "88", "--repo", "acme-ledger/infra", "--add-label", "triage:parked", "--remove-label", "triage:hiring"],
        ["api", "--method", "PATCH", f"repos/acme-ledger/infra/issues/comments/{comment_id}", "--input", "-"],
    ]  # fmt: skip
    assert len(gh.state["issues"]["acme-ledger/infra#88"]["comments"]) == 1


def test_refusals_are_one_line(plan: Path, gh: FakeGh, capsys: pytest.CaptureFixture[str]) -> None:
    gh.set(fail={"status": 401})
    assert main(["push", str(plan), "--to", "github", "acme-ledger/api#412", "--apply"]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == "acme-ledger/api: GitHub said 401 Unauthorized: gh is not logged in to GitHub: run gh auth login\n"
    )
    assert err.count("\n") == 1 and "ghp_SECRET" not in err
    gh.set(fail={"status": 404})
    assert main(["push", str(plan), "--to", "github", "acme-ledger/api#412", "--apply"]) == 1
    assert "GitHub said 404 Not Found: no such issue" in capsys.readouterr().err


def test_rate_limit_is_waited_out_bounded(plan: Path, gh: FakeGh) -> None:
    from triage_tui.push import apply
    from triage_tui.push.github import GhClient

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    gh.set(rate_limit=2)
    prepared = prepare(plan, "github", ids=["acme-ledger/api#412"])
    summary = asyncio.run(apply(prepared, GhClient(sleep=sleep, backoff=(0.01, 0.02, 0.03))))
    assert waits == [0.01, 0.02] and summary.changed == 1
    gh.set(rate_limit=9)
    from triage_tui.push.http import TrackerError

    with pytest.raises(TrackerError, match="rate limiting this push; run the same command again"):
        asyncio.run(apply(prepared, GhClient(sleep=sleep, backoff=(0.01,))))


def test_repo_for_bare_numbers_and_gh_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT
    from tests.push_plans import suggested_session, write_plan

    csv = tmp_path / "issues.csv"
    shutil.copy(ROOT / "tests" / "fixtures" / "handoffs" / "github-issues.csv", csv)
    plan = write_plan(suggested_session(csv), tmp_path / "issues.plan.toml")
    assert main(["push", str(plan), "--to", "github"]) == 0
    assert "gh issue edit 201 --repo acme/api" in capsys.readouterr().out  # from the url column
    bare = tmp_path / "bare.csv"
    bare.write_text("number,title,body,labels,state\n201,Retry outgoing webhooks,,api,open\n")
    plan = write_plan(suggested_session(bare), tmp_path / "bare.plan.toml")
    assert main(["push", str(plan), "--to", "github"]) == 0
    assert (
        "201: no repository for this issue number: give --repo OWNER/NAME"
        in capsys.readouterr().out
    )
    assert main(["push", str(plan), "--to", "github", "--repo", "acme/api"]) == 0
    assert "gh issue edit 201 --repo acme/api" in capsys.readouterr().out
    assert main(["push", str(plan), "--to", "github", "--repo", "not a repo"]) == 2
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert main(["push", str(plan), "--to", "github", "--repo", "acme/api", "--apply"]) == 1
    assert capsys.readouterr().err.endswith(
        "gh not found: install the GitHub CLI (https://cli.github.com) and run gh auth login\n"
    )
