"""Helpers for driving the real app with Pilot: a frozen clock, waiting for loads and writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES


class FrozenClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    """A private copy of the demo backlog (plans are written beside it)."""
    target = tmp_path / "acme.toml"
    shutil.copy(SAMPLES / "acme.toml", target)
    return target


async def wait_loaded(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """Wait for the load worker to finish and the start screen to show it."""
    for _ in range(200):
        await pilot.pause(0.02)
        if app.workshop is not None or app.load_error is not None:
            break
    await app.workers.wait_for_complete()
    await pilot.pause()
