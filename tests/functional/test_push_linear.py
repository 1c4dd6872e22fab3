"""`triage-tui push --to linear --apply` against a local fake of Linear's GraphQL API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.trackers import FakeLinear
from tests.push_plans import linear_sample_plan
from triage_tui.cli import main
from triage_tui.core.readiness import Level
from triage_tui.push import prepare

KEY = "lin_api_SECRET_9d2e7a"
VOTES = {"BE-301": {"hiring": 4, "project": 1, "parked": 0, "reasons": ["pager"]}}
IDS = [f"BE-{n}" for n in range(299, 329)]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return linear_sample_plan(tmp_path, VOTES)


@pytest.fixture
def linear(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with FakeLinear(IDS, key=KEY) as fake:
        monkeypatch.setenv("LINEAR_API_URL", fake.url)
        monkeypatch.setenv("LINEAR_API_KEY", KEY)
        yield fake


def operations(fake: FakeLinear) -> list[tuple[str, object]]:
    return [(r.body["operationName"], r.body["variables"]) for r in fake.requests]


def test_exact_requests_for_every_kind_of_item(plan: Path, linear: FakeLinear) -> None:
    kinds = ["BE-301", "BE-310", "BE-314", "BE-311", "BE-316"]
    items = {item.item_id: item for item in prepare(plan, "linear").selection.items}
    assert [items[k].category.value for k in kinds] == [
        "hiring", "project", "project", "project", "parked"
    ]  # fmt: skip
    assert [items[k].level for k in kinds[1:4]] == [Level.READY, Level.NEEDS_WORK, Level.NOT_READY]
    assert main(["push", str(plan), "--to", "linear", *kinds, "--apply"]) == 0
    ops = operations(linear)
    # BE-301: read, look its label up (none yet), create it in the team, update, comment.
    assert ops[:5] == [
        ("PushIssue", {"id": "BE-301", "after": None}),
        ("PushLabels", {"names": ["triage:hiring"]}),
        ("PushLabelCreate", {"input": {"name": "triage:hiring", "teamId": "team-1", "color": "#5e6ad2"}}),
        ("PushIssueUpdate", {"id": "uuid-BE-301", "input": {"addedLabelIds": ["lbl-1"], "removedLabelIds": []}}),
        ("PushCommentCreate", {"input": {"issueId": "uuid-BE-301", "body": items["BE-301"].markdown_shown()}}),
    ]  # fmt: skip
    assert all(r.auth == KEY for r in linear.requests)
    for key in kinds:
        assert linear.label_names(key) == list(items[key].labels)
        assert len(linear.issues[key].comments) == 1
    comment = linear.issues["BE-301"].comments[0]["body"]
    assert "**The room voted:** hiring 4, project 1, parked 0." in comment
    assert comment.rstrip().endswith(f"`{items['BE-301'].marker}`")
    # Each label is created once, then reused by id.
    created = [v for name, v in ops if name == "PushLabelCreate"]
    assert len(created) == len({c["input"]["name"] for c in created}) == 6  # type: ignore[index]


def test_second_run_sends_no_change_and_the_old_label_goes(plan: Path, linear: FakeLinear) -> None:
    assert main(["push", str(plan), "--to", "linear", "--apply"]) == 0
    mutations = len(linear.changing)
    assert main(["push", str(plan), "--to", "linear", "--apply"]) == 0
    assert len(linear.changing) == mutations
    # Someone labelled BE-301 "triage:parked" by hand; the room says hiring: it goes.
    parked = next(i for i, (n, _) in linear.labels.items() if n == "triage:parked")
    linear.issues["BE-301"].labels.append(parked)
    linear.requests.clear()
    assert main(["push", str(plan), "--to", "linear", "BE-301", "--apply"]) == 0
    assert operations(linear)[1] == (
        "PushIssueUpdate",
        {"id": "uuid-BE-301", "input": {"addedLabelIds": [], "removedLabelIds": [parked]}},
    )
    assert linear.label_names("BE-301") == ["triage:hiring"]


def test_rate_limit_and_401(
    plan: Path,
    linear: FakeLinear,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    linear.rate_limit = 1
    assert main(["push", str(plan), "--to", "linear", "BE-310", "--apply"]) == 0
    assert operations(linear)[0] == operations(linear)[1]  # the 429'd request, again
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_WRONG")
    capsys.readouterr()
    assert main(["push", str(plan), "--to", "linear", "--apply"]) == 1
    out, err = capsys.readouterr()
    assert err == (
        "BE-301: Linear said 401 Unauthorized: check LINEAR_API_KEY "
        "(Settings > Security & access > Personal API keys)\n"
    )
    assert KEY not in out + err and "lin_api_WRONG" not in out + err


def test_missing_key(
    plan: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINEAR_API_KEY", raising=False)
    assert main(["push", str(plan), "--to", "linear", "--apply"]) == 1
    assert capsys.readouterr().err.startswith("LINEAR_API_KEY not set: Linear needs")


def test_no_key_in_the_dry_run_or_script(
    plan: Path, linear: FakeLinear, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "linear.graphql"
    assert main(["push", str(plan), "--to", "linear", "--script", str(script)]) == 0
    assert main(["push", str(plan), "--to", "linear", "--apply"]) == 0
    out, err = capsys.readouterr()
    for text in (out, err, script.read_text(), plan.read_text()):
        assert KEY not in text
    assert 'issueUpdate(id: "BE-310"' in script.read_text()
