"""Settings reach the running app: a remapped key drives it, a broken config or theme falls back."""

from __future__ import annotations

import os
from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category
from triage_tui.tui.app import LaunchOptions, TriageApp, binding_ids
from triage_tui.tui.launch import create_app


def config_dir() -> Path:
    folder = Path(os.environ["TRIAGE_TUI_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_keymap_from_config_remaps_hiring(acme: Path) -> None:
    (config_dir() / "config.toml").write_text(
        '[keymap]\n"triage.decide-hiring" = "x"\n', encoding="utf-8"
    )
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        first = app.workshop.in_scope[0]
        await pilot.press("enter", "h")
        assert app.workshop.session.decisions[first.id].category is Category.UNDECIDED
        await pilot.press("x")
        assert app.workshop.session.decisions[first.id].category is Category.HIRING
        assert app.settings_messages == []


async def test_broken_config_and_theme_fall_back_with_one_message(acme: Path) -> None:
    folder = config_dir()
    (folder / "config.toml").write_text('theme = "projector"\nminutes = "lots"\n', encoding="utf-8")
    (folder / "themes").mkdir()
    (folder / "themes" / "mine.toml").write_text('name = "mine"\nprimary = "notacolour"\n')
    app = create_app(LaunchOptions(file=acme, theme="mine"), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        text = "\n".join(app.settings_messages)
        assert "config.toml:2" in text and "minutes" in text
        assert "mine.toml" in text
        assert app.theme == "textual-dark"  # the broken theme was asked for: fallback
        assert app.config.minutes == 60
        assert app.workshop is not None and app.workshop.session.minutes == 60


async def test_unknown_keymap_id_is_reported() -> None:
    (config_dir() / "config.toml").write_text('[keymap]\n"triage.nope" = "z"\n', encoding="utf-8")
    app = create_app(LaunchOptions(), now=FrozenClock())
    async with app.run_test(size=(120, 36)):
        assert any("triage.nope" in message for message in app.settings_messages)
    assert "triage.decide-hiring" in binding_ids(TriageApp)


async def test_minutes_from_config_set_the_agenda(acme: Path) -> None:
    (config_dir() / "config.toml").write_text("minutes = 45\n", encoding="utf-8")
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None and app.workshop.session.minutes == 45
    explicit = create_app(LaunchOptions(file=acme, minutes=30), now=FrozenClock())
    async with explicit.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, explicit)
        assert explicit.workshop is not None and explicit.workshop.session.minutes == 30
