"""A big load shows its count before it builds the items (tui/loading.py, issue 24)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from triage_tui import services
from triage_tui.services import LaunchOptions
from triage_tui.tui import loading


class FakeHost:
    """What `loading._load` uses of the app; `call_from_thread` runs on the caller."""

    def __init__(self) -> None:
        self.options = LaunchOptions()
        self.load_status = ""
        self.after_refresh: list[Callable[[], None]] = []
        self.events: list[str] = []

    def now(self) -> float:
        return 0.0

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any:
        return callback(*args)

    def refresh_screen(self) -> None:
        self.events.append(f"drawn: {self.load_status}")

    def call_after_refresh(self, callback: Callable[[], None]) -> None:
        self.after_refresh.append(callback)


def _run_load(monkeypatch: pytest.MonkeyPatch, host: FakeHost) -> threading.Thread:
    def open_workshop(path: Path, options: object, now: object, progress: Any) -> object:
        progress("read", 5)
        host.events.append("building the items")
        progress("built", 5)
        raise services.InputError(path, "stop here")  # (the test ends at the build)

    monkeypatch.setattr(services, "open_workshop", open_workshop)
    monkeypatch.setattr(loading, "failed", lambda app, error: None)
    worker = threading.Thread(target=loading._load, args=(host, Path("big.csv"), None, False))
    worker.start()
    return worker


def test_the_build_waits_until_the_count_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "COUNT_DRAWN_WAIT", 30.0)  # only the frame releases it
    host = FakeHost()
    worker = _run_load(monkeypatch, host)
    for _ in range(1000):  # the count was put on screen; its frame is pending
        if host.after_refresh or not worker.is_alive():
            break
        worker.join(0.01)
    assert host.events == ["drawn: big.csv: 5 items read; preparing the workshop …"]
    host.events.append("frame")
    host.after_refresh.pop()()  # the frame with the count is drawn
    worker.join(10)
    assert not worker.is_alive()
    assert host.events[1:3] == ["frame", "building the items"]
    assert host.after_refresh == []  # ("built": nothing to wait for)


def test_a_frame_that_never_comes_holds_the_load_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loading, "COUNT_DRAWN_WAIT", 0.01)
    host = FakeHost()
    worker = _run_load(monkeypatch, host)
    worker.join(10)
    assert not worker.is_alive() and "building the items" in host.events
