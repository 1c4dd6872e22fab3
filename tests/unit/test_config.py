"""The config file: read leniently; a broken one gives one message and the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.config import (
    DEFAULT_MINUTES,
    DEFAULT_THEME,
    Config,
    config_path,
    find_key_line,
    load_config,
)
from triage_tui.store.paths import config_dir


def _write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_lives_in_the_config_dir() -> None:
    assert config_path() == config_dir() / "config.toml"


def test_missing_file_means_defaults_and_no_message() -> None:
    assert not config_path().exists()
    config, message = load_config()
    assert config == Config()
    assert (config.theme, config.minutes, config.keymap) == (DEFAULT_THEME, DEFAULT_MINUTES, {})
    assert message is None


def test_a_good_file_sets_theme_minutes_and_keymap() -> None:
    _write(
        'theme = "projector"\nminutes = 45\n\n[keymap]\n'
        '"triage.decide-hiring" = "j"\n'
        '"triage.decide-project" = "k, ctrl+k"\n'
        '"app.quit" = ["ctrl+q", "f10"]\n'
    )
    config, message = load_config()
    assert message is None
    assert config.theme == "projector"
    assert config.minutes == 45
    assert config.keymap == {
        "triage.decide-hiring": "j",
        "triage.decide-project": "k,ctrl+k",
        "app.quit": "ctrl+q,f10",
    }


def test_unquoted_dotted_binding_ids_still_work() -> None:
    _write("[keymap]\ntriage.decide-hiring = 'j'\n")
    config, message = load_config()
    assert message is None
    assert config.keymap == {"triage.decide-hiring": "j"}


def test_an_explicit_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text("minutes = 90\n", encoding="utf-8")
    assert load_config(path) == (Config(minutes=90), None)


def test_bad_toml_gives_defaults_and_one_message_with_file_and_line() -> None:
    path = _write('theme = "projector"\nminutes = \n')
    config, message = load_config()
    assert config == Config()
    assert message is not None
    assert message.startswith(f"{path}:2: invalid TOML")
    assert "using the default settings" in message


def test_pathologically_nested_toml_gives_defaults_and_a_message() -> None:
    path = _write("minutes = " + "[" * 5000 + "]" * 5000 + "\n")
    config, message = load_config()
    assert config == Config()
    # The line, in words: no "RecursionError" (issue 21).
    assert message is not None and message.startswith(f"{path}:1: invalid TOML: ")
    assert "nested too deeply" in message


def test_not_utf8_gives_defaults_and_a_message() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'theme = "\xff\xfe"\n')
    config, message = load_config()
    assert config == Config()
    assert message == f"{path}: not UTF-8 text; using the default settings"


@pytest.mark.parametrize(
    ("text", "expected", "line"),
    [
        ("minutes = '45'\n", "minutes must be a whole number", 1),
        ("\nminutes = 2\n", "minutes must be between 5 and 600, not 2", 2),
        ("minutes = true\n", "minutes must be a whole number", 1),
        ("theme = 3\n", "theme must be a theme name", 1),
        ("keymap = 'j'\n", "keymap must be a [keymap] table", 1),
        ('[keymap]\n"triage.decide-hiring" = 7\n', "keymap 'triage.decide-hiring'", 2),
        ('[keymap]\n"triage.decide-hiring" = ""\n', "keymap 'triage.decide-hiring'", 2),
        ('[keymap]\n"triage.decide-hiring" = "ctrl j"\n', "keymap 'triage.decide-hiring'", 2),
        ("thme = 'projector'\n", "unknown setting 'thme'", 1),
    ],
)
def test_a_wrong_setting_names_the_key_and_the_line(text: str, expected: str, line: int) -> None:
    path = _write(text)
    config, message = load_config()
    assert message is not None
    assert message.startswith(f"{path}:{line}: ")
    assert expected in message
    assert config == Config()


def test_wrong_settings_fall_back_one_by_one_and_all_are_in_one_message() -> None:
    path = _write(
        'theme = "daylight"\nminutes = "an hour"\n[keymap]\n'
        '"triage.decide-hiring" = "j"\n"triage.decide-project" = 5\n'
    )
    config, message = load_config()
    assert config.theme == "daylight"
    assert config.minutes == DEFAULT_MINUTES
    assert config.keymap == {"triage.decide-hiring": "j"}
    assert message is not None
    assert message.startswith(f"{path}: ")
    assert "line 2: minutes" in message
    assert "line 5: keymap 'triage.decide-project'" in message
    assert "\n" not in message


def test_find_key_line_respects_tables() -> None:
    text = 'theme = "x"\n[keymap]\ntheme = "q"\n"a.b" = "j"\n'
    assert find_key_line(text, "theme") == 1
    assert find_key_line(text, "theme", table="keymap") == 3
    assert find_key_line(text, "a.b", table="keymap") == 4
    assert find_key_line(text, "missing") is None


async def test_the_keymap_is_what_textual_set_keymap_takes() -> None:
    """A remapped binding fires on its new keys (every one of them) and not on the old one."""
    from typing import ClassVar

    from textual.app import App
    from textual.binding import Binding, BindingType

    _write('[keymap]\n"probe.decide" = "j, ctrl+k"\n')
    config, message = load_config()
    assert message is None

    class Probe(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [
            Binding("h", "decide", "Hiring", id="probe.decide")
        ]

        def __init__(self) -> None:
            super().__init__()
            self.decided = 0

        def action_decide(self) -> None:
            self.decided += 1

    app = Probe()
    async with app.run_test() as pilot:
        app.set_keymap(config.keymap)
        await pilot.press("h")
        assert app.decided == 0
        await pilot.press("j", "ctrl+k")
        assert app.decided == 2
