"""Theme files: every bundled theme loads with the app's colours; broken user themes are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color
from textual.theme import Theme

from triage_tui.core.errors import InputError
from triage_tui.store.paths import config_dir
from triage_tui.tui.themes import (
    APP_VARIABLE_DEFAULTS,
    APP_VARIABLES,
    FALLBACK_THEME,
    bundled_themes_dir,
    choose_theme,
    format_theme_errors,
    load_theme_file,
    load_themes,
    register_all,
    register_for_start,
    register_later,
    user_themes_dir,
)

ROOT = Path(__file__).resolve().parents[2]
THEME_FILES = sorted((ROOT / "themes").glob("*.toml"))
GOOD = """\
name = "mine"
primary = "#336699"
dark = true
[variables]
hiring = "#ff00ff"
"""


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def _contrast(a: Color, b: Color) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_bundled_folder_is_the_checkout_themes_folder() -> None:
    assert bundled_themes_dir().resolve() == (ROOT / "themes").resolve()
    assert {path.stem for path in THEME_FILES} >= {"projector", "daylight", "colorblind"}


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda path: path.stem)
def test_every_bundled_theme_loads_with_every_app_colour(path: Path) -> None:
    theme = load_theme_file(path)
    assert isinstance(theme, Theme)
    assert theme.name == path.stem
    assert set(APP_VARIABLES) <= set(theme.variables)
    for name in APP_VARIABLES:
        Color.parse(theme.variables[name])
    # The full colour system generates: Textual accepts every value.
    generated = theme.to_color_system().generate()
    assert generated["primary"]


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda path: path.stem)
def test_state_colours_read_on_the_theme_background(path: Path) -> None:
    """WCAG AA for text (4.5:1); the projector theme aims at AAA (7:1) for a washed-out wall."""
    theme = load_theme_file(path)
    background = Color.parse(theme.to_color_system().generate()["background"])
    needed = 7.0 if theme.name == "projector" else 4.5
    for name in APP_VARIABLES:
        ratio = _contrast(Color.parse(theme.variables[name]), background)
        assert ratio >= needed, f"{theme.name}: ${name} is {ratio:.1f}:1 on the background"


def test_light_and_dark_flags_match_the_purpose() -> None:
    by_name = {theme.name: theme for theme in load_themes([ROOT / "themes"])[0]}
    assert by_name["daylight"].dark is False
    assert by_name["projector"].dark is True
    assert by_name["colorblind"].dark is True


def test_app_defaults_are_colours_for_every_app_variable() -> None:
    assert set(APP_VARIABLE_DEFAULTS) == {
        "hiring",
        "project",
        "parked",
        "undecided",
        "ready",
        "needs-work",
        "not-ready",
    }
    for value in APP_VARIABLE_DEFAULTS.values():
        Color.parse(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\nprimary = "#fff"\n[variables\n', "invalid TOML"),
        ('primary = "#336699"\n', "missing name"),
        ('name = "x"\n', "missing primary colour"),
        ('name = "x"\nprimary = "#336699"\nsecondary = "blu"\n', "bad colour for secondary"),
        ('name = "two words"\nprimary = "#336699"\n', "must be letters, digits"),
        ('name = "x"\nprimary = "#336699"\ndark = "yes"\n', "dark must be true or false"),
        ('name = "x"\nprimary = "#336699"\nprimry = "#fff"\n', "unknown key 'primry'"),
        ('name = "x"\nprimary = "#336699"\n[variables]\nhiring = "nope"\n', "variables.hiring"),
        ('name = "x"\nprimary = "#336699"\n[variables]\nhirring = "#fff"\n', "unknown variable"),
        (
            'name = "x"\nprimary = "#336699"\n[variables]\nhiring = "$primary"\n',
            "variables.hiring",
        ),
        (
            'name = "x"\nprimary = "#336699"\n[variables]\nlink-style = "shiny"\n',
            "not a text style",
        ),
        ('name = "x"\nprimary = 3\n', "bad colour for primary"),
    ],
)
def test_broken_theme_file_names_the_file_and_the_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_theme_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message


def test_errors_point_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('name = "x"\nprimary = "#336699"\n\nsecondary = "blu"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_theme_file(path)
    assert caught.value.line == 4
    assert "did you mean 'blue'" in str(caught.value)

    path.write_text('name = "x"\nprimary = "#336699"\nsecondary = \n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_theme_file(path)
    assert caught.value.line == 3


def test_textual_variables_accept_what_textual_accepts(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        GOOD
        + 'text-muted = "auto 60%"\nlink-background = "initial"\n'
        + 'block-cursor-text-style = "bold not underline"\nborder = "ansi_red"\n'
        + 'footer-key-foreground = "#FFA62B 50%"\n',
        encoding="utf-8",
    )
    theme = load_theme_file(path)
    assert theme.variables["text-muted"] == "auto 60%"


def _user_themes(files: dict[str, str]) -> Path:
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_broken_user_themes_are_reported_and_the_rest_still_load() -> None:
    folder = _user_themes(
        {
            "good.toml": GOOD,
            "syntax.toml": 'name = "s"\nprimary = \n',
            "colour.toml": 'name = "c"\nprimary = "#12345z"\n',
            "noname.toml": 'primary = "#123456"\n',
            "notes.txt": "not a theme, ignored",
        }
    )
    assert folder.parent == config_dir()

    themes, errors = load_themes([bundled_themes_dir(), folder])

    names = {theme.name for theme in themes}
    assert {"projector", "daylight", "colorblind", "mine"} <= names
    assert names.isdisjoint({"s", "c"})
    assert len(errors) == 3
    assert any(e.startswith(f"{folder / 'syntax.toml'}:2: invalid TOML") for e in errors)
    assert any(e.startswith(f"{folder / 'colour.toml'}:2: bad colour for primary") for e in errors)
    assert any(e.startswith(f"{folder / 'noname.toml'}: missing name") for e in errors)


def test_a_user_theme_replaces_a_bundled_one_of_the_same_name() -> None:
    folder = _user_themes({"p.toml": 'name = "projector"\nprimary = "#00ff00"\n'})
    themes, errors = load_themes([bundled_themes_dir(), folder])
    assert errors == []
    projector = [theme for theme in themes if theme.name == "projector"]
    assert len(projector) == 1
    assert projector[0].primary == "#00ff00"


def test_missing_folders_are_not_errors(tmp_path: Path) -> None:
    assert load_themes([tmp_path / "nope"]) == ([], [])


def test_register_all_puts_themes_in_the_app_and_falls_back_for_a_broken_one() -> None:
    _user_themes({"good.toml": GOOD, "bad.toml": 'name = "bad"\nprimary = "nope"\n'})
    app: App[None] = App()
    errors = register_all(app)

    assert {"projector", "daylight", "colorblind", "mine"} <= set(app.available_themes)
    assert FALLBACK_THEME in app.available_themes
    assert len(errors) == 1
    assert "bad.toml:2: bad colour for primary" in errors[0]

    notification = format_theme_errors(errors)
    assert notification.startswith("Skipped 1 broken theme file")
    assert "bad.toml" in notification

    assert choose_theme(app, "projector") == ("projector", None)
    name, message = choose_theme(app, "bad")
    assert name == FALLBACK_THEME
    assert message is not None and "'bad'" in message
    assert choose_theme(app, None) == (FALLBACK_THEME, None)


async def test_every_bundled_theme_styles_a_running_app_with_its_state_colours() -> None:
    """The app declares defaults; a bundled theme overrides them and the CSS resolves."""
    from textual.app import ComposeResult
    from textual.widgets import Static

    class Probe(App[None]):
        CSS = "Static { color: $hiring; background: $not-ready; }"

        def get_theme_variable_defaults(self) -> dict[str, str]:
            return APP_VARIABLE_DEFAULTS

        def compose(self) -> ComposeResult:
            yield Static("hiring")

    app = Probe()
    assert register_all(app) == []
    async with app.run_test() as pilot:
        for path in THEME_FILES:
            app.theme = path.stem
            await pilot.pause()
            static = app.query_one(Static)
            theme = app.available_themes[path.stem]
            assert static.styles.color == Color.parse(theme.variables["hiring"])
            assert static.styles.background == Color.parse(theme.variables["not-ready"])


# -- first paint: theme files not in use are registered after the first frame ------------
def test_a_textual_theme_to_start_with_leaves_the_files_for_after_the_first_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _user_themes({"good.toml": GOOD, "bad.toml": 'name = "bad"\nprimary = "nope"\n'})
    app: App[None] = App()
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(message))
    assert register_for_start(app, None) == []
    assert "projector" not in app.available_themes  # nothing checked or registered yet
    register_later(app)
    assert {"projector", "daylight", "colorblind", "mine"} <= set(app.available_themes)
    assert len(notes) == 1 and "bad.toml" in notes[0]  # the broken file, said then
    register_later(app)  # once only
    assert len(notes) == 1


@pytest.mark.parametrize("wanted", ["projector", "mine", "textual-dark"])
def test_a_theme_from_a_file_is_registered_before_the_first_frame(wanted: str) -> None:
    # "textual-dark" too when a user's file gives that name (it replaces Textual's).
    _user_themes({"good.toml": GOOD, "dark.toml": GOOD.replace('"mine"', '"textual-dark"')})
    app: App[None] = App()
    assert register_for_start(app, wanted if wanted != "textual-dark" else None) == []
    assert {"projector", "mine"} <= set(app.available_themes)
    assert app.available_themes["textual-dark"].primary == "#336699"  # GOOD's
    register_later(app)  # nothing left to do
