"""A backlog too big to load before the first paint: progress shows, enter is not lost."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.tui.app import SMALL_FILE_BYTES, LaunchOptions
from triage_tui.tui.launch import create_app


def big_csv(path: Path, rows: int = 4000) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Issue key", "Summary", "Description", "Status"])
        for number in range(1, rows + 1):
            status = "Done" if number % 3 == 0 else "To Do"
            body = f"Migrate service {number} to the new queue. " * 8
            writer.writerow([f"BIG-{number}", f"Migrate service {number}", body, status])
    assert path.stat().st_size > SMALL_FILE_BYTES
    return path


async def test_enter_while_loading_begins_once_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui import services

    path = big_csv(tmp_path / "big.csv")
    release = threading.Event()
    real = services.open_workshop

    def slow_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)  # the load is still running when the room presses enter
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "open_workshop", slow_build)
    clock = FrozenClock()
    app = create_app(LaunchOptions(file=path), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.workshop is None and app.load_status.startswith("Loading")
        # A long load (a 50,000-item plan parses for seconds) shows it is still going.
        loaded = app.screen.query_one("#loaded", Static)
        assert str(loaded.render()).strip().endswith("…")
        clock.advance(7)
        app.screen.tick()  # what the screen's once-a-second timer calls
        await pilot.pause()
        assert str(loaded.render()).strip().endswith("…  7 s")
        await pilot.press("enter")
        assert app.begin_when_loaded
        release.set()
        await wait_loaded(pilot, app)
        await pilot.pause()
        assert app.workshop is not None and len(app.workshop.in_scope) == 4000
        assert app.current_mode == "categorize"
        await pilot.press("p")
        assert app.workshop.decided_count() == 1
