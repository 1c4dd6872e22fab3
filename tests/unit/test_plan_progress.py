"""The plan written in chunks, with progress (the Export screen's bar at 100,000 items):
byte for byte the text one `tomli_w.dumps` call writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_linear_growth import _session
from tests.unit.test_plan import acme_backlog, decided
from triage_tui.formats import plan as plan_format
from triage_tui.formats.plan import build_plan, dumps_plan, dumps_toml


def _whole(plan: dict[str, object]) -> str:
    return tomli_w.dumps(plan, multiline_strings=True)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1000])
def test_chunks_write_the_same_text(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(plan_format, "PROGRESS_CHUNK", chunk)
    for session in (decided(acme_backlog()), _session(23)):
        plan = build_plan(session, created="2026-01-01T00:00:00Z")
        seen: list[float] = []
        assert dumps_toml(plan, seen.append) == _whole(plan)
        assert seen and seen[-1] == 1.0 and seen == sorted(seen)
        if chunk < len(plan["items"]):  # type: ignore[arg-type]
            assert len(seen) > 1  # it moved while writing


def test_dumps_plan_reports_the_build_then_the_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_format, "PROGRESS_CHUNK", 5)
    session = _session(40)
    seen: list[float] = []
    text = dumps_plan(session, created="2026-01-01T00:00:00Z", progress=seen.append)
    assert text == dumps_plan(session, created="2026-01-01T00:00:00Z")
    assert 0 < seen[0] < seen[1] and seen[-1] == 1.0 and seen == sorted(seen)
    assert len(seen) == 1 + 40 // 5


SHORT = st.fixed_dictionaries({"id": st.text(max_size=3), "n": st.integers(0, 9)})
LONG = st.fixed_dictionaries(
    {
        "id": st.text(max_size=5),
        "description": st.text(max_size=120),
        "labels": st.lists(st.text(max_size=4), max_size=3),
        "extra": st.dictionaries(st.sampled_from(["a", "b c"]), st.text(max_size=5)),
    }
)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.one_of(SHORT, LONG), min_size=1, max_size=12), chunk=st.integers(1, 4))
def test_any_array_of_tables_is_written_the_same(
    items: list[dict[str, object]], chunk: int
) -> None:
    """Short entries tomli-w would write inline (all of them, or only a chunk's) and
    multi-line text: the chunked text is still the one-call text."""
    plan = {"schema": "s", "meta": {"a": 1}, "items": items}
    original = plan_format.PROGRESS_CHUNK
    plan_format.PROGRESS_CHUNK = chunk
    try:
        assert dumps_toml(plan, lambda done: None) == _whole(plan)
    finally:
        plan_format.PROGRESS_CHUNK = original


def test_the_exports_progress_moves_while_the_plan_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Export screen's bar (services.Room.export's `progress`) moves inside the
    plan's share, not only between the four files."""
    from triage_tui.core.workshop import Workshop
    from triage_tui.services import Room

    monkeypatch.setattr(plan_format, "PROGRESS_CHUNK", 4)
    session = _session(30)
    room = Room(Workshop(session, plan_path=tmp_path / "plan.toml"), out=tmp_path)
    seen: list[tuple[float, str]] = []
    result = room.export(
        plan=tmp_path / "plan.toml",
        brief=tmp_path / "brief.md",
        csv=tmp_path / "summary.csv",
        handoffs=tmp_path / "handoffs",
        progress=lambda fraction, what: seen.append((fraction, what)),
    )
    assert result.ok, result.messages
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    brief_starts = next(fraction for fraction, what in seen if what == "brief.md")
    during_plan = {fraction for fraction, what in seen if what == "plan.toml"}
    assert len(during_plan - {0.0, brief_starts}) >= 30 // 4  # each chunk moved it
    assert max(during_plan) <= brief_starts


def test_an_export_assesses_each_project_item_once_and_writes_the_same_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The plan, the brief, the CSV and the handoffs of one export share the project
    items' assessments; each file is the one its renderer writes on its own."""
    from triage_tui.core import handoff as core_handoff
    from triage_tui.core.session import Category
    from triage_tui.core.workshop import Workshop
    from triage_tui.formats import brief as brief_format
    from triage_tui.formats import handoff_doc
    from triage_tui.formats.brief import render_brief, render_csv_summary
    from triage_tui.formats.handoff_doc import handoff_documents
    from triage_tui.services import Room

    session = _session(60)
    alone = {
        "plan.toml": dumps_plan(session),
        "brief.md": render_brief(session, handoff_dir="handoffs"),
        "summary.csv": render_csv_summary(session, handoff_dir="handoffs", bom=True),
    }
    handoffs = {doc.filename: doc.text for doc in handoff_documents(session, every_ready=True)}
    calls: list[str] = []
    real = core_handoff.assess_item

    def counting(item: object, decision: object) -> object:
        calls.append(item.id)  # type: ignore[attr-defined]
        return real(item, decision)  # type: ignore[arg-type]

    for module in (plan_format, brief_format, handoff_doc):
        monkeypatch.setattr(module, "assess_item", counting)
    room = Room(Workshop(session, plan_path=tmp_path / "plan.toml"), out=tmp_path)
    result = room.export(
        plan=tmp_path / "plan.toml",
        brief=tmp_path / "brief.md",
        csv=tmp_path / "summary.csv",
        handoffs=tmp_path / "handoffs",
    )
    assert result.ok, result.messages
    projects = [
        i.id for i in session.backlog.items if session.decision(i.id).category is Category.PROJECT
    ]
    assert sorted(calls) == sorted(projects)  # once each, for the four files
    written = {name: (tmp_path / name).read_text(encoding="utf-8") for name in alone}
    # (The plan on disk records its own `created`; the rest of it is the same.)
    assert written["brief.md"] == alone["brief.md"]
    assert written["summary.csv"] == alone["summary.csv"]

    def strip(text: str) -> list[str]:
        ignored = ("created", "updated", "backlog = ")
        return [line for line in text.splitlines() if not line.startswith(ignored)]

    assert strip(written["plan.toml"]) == strip(alone["plan.toml"])
    assert {
        p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "handoffs").iterdir()
    } == handoffs


def test_the_csv_summary_guards_each_repeated_value_once_and_writes_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from triage_tui.core import sanitize
    from triage_tui.formats import brief as brief_format
    from triage_tui.formats.brief import render_csv_summary

    session = _session(50)
    calls: list[object] = []
    real = sanitize.csv_cell

    def counting(value: object, *, leading: bool = False) -> str:
        calls.append(value)
        return real(value, leading=leading)

    monkeypatch.setattr(brief_format, "csv_cell", counting)
    memo = render_csv_summary(session, bom=True)
    guarded = len(calls)
    monkeypatch.setattr(brief_format, "_REPEATING", frozenset())
    calls.clear()
    assert render_csv_summary(session, bom=True) == memo
    assert guarded < len(calls) / 2
