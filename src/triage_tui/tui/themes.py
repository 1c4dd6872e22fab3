"""Themes: bundled and user TOML files loaded as Textual Themes carrying the app's own colours.

A theme file holds the fields of ``textual.theme.Theme`` and a ``[variables]``
table::

    name = "my-theme"            # required: letters, digits, - or _
    description = "..."          # optional, for people reading the file
    dark = true
    primary = "#FFD400"          # required; the rest are optional
    secondary = "#00D7FF"        # also: accent, foreground, background, surface,
                                 # panel, boost, warning, error, success
    [variables]
    hiring = "#FF66FF"           # the app's colours: see APP_VARIABLE_DEFAULTS
    text-muted = "#E6E6E6"       # and any of Textual's own theme variables

Bundled themes live in ``themes/`` (shipped in the wheel); a user's own go in
``<config dir>/themes/`` and override a bundled theme of the same name. A
broken file is skipped with one message naming the file and what is wrong.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import Theme

from triage_tui.config import find_key_line, read_toml
from triage_tui.core.errors import InputError
from triage_tui.store.paths import config_dir, data_dir

if TYPE_CHECKING:
    from textual.app import App

    from triage_tui.tui.host import ThemeHost

FALLBACK_THEME = "textual-dark"
"""The built-in theme used when the wanted one is missing or broken."""

APP_VARIABLE_DEFAULTS: dict[str, str] = {
    # Mid-luminance colours that read on Textual's dark and light built-in themes
    # alike; the bundled themes tune them. Use in TCSS as $hiring, $not-ready...
    "hiring": "#A371F7",
    "project": "#2F81F7",
    "parked": "#DB6D28",
    "undecided": "#8B949E",
    "ready": "#3FB950",
    "needs-work": "#D29922",
    "not-ready": "#F85149",
}
"""The app's own theme variables and their defaults (``App.get_theme_variable_defaults``)."""

APP_VARIABLES: tuple[str, ...] = tuple(APP_VARIABLE_DEFAULTS)

_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_BOOL_FIELDS = ("dark", "ansi")
_FLOAT_FIELDS = ("luminosity_spread", "text_alpha")
_METADATA_FIELDS = ("description", "author", "homepage")
_KNOWN_KEYS = ("name", *_COLOUR_FIELDS, *_BOOL_FIELDS, *_FLOAT_FIELDS, *_METADATA_FIELDS)
# Textual adds the class "-theme-<name>" to the App, so a name must be a CSS identifier.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PERCENT = re.compile(r"\d+(\.\d+)?%")
# Keywords Textual's own variables use where a colour goes ("auto 87%", "initial").
_COLOUR_KEYWORDS = ("auto", "initial", "transparent")


def bundled_themes_dir() -> Path:
    """The themes shipped with triage-tui (``themes/`` in a checkout, ``_data/themes`` in a wheel)."""
    return data_dir() / "themes"


def user_themes_dir() -> Path:
    """The user's own themes folder (it need not exist)."""
    return config_dir() / "themes"


@cache
def _textual_variables() -> frozenset[str]:
    """Names of Textual's own theme variables, as this Textual version generates them."""
    return frozenset(Theme(name="probe", primary="#000000").to_color_system().generate())


def _colour_problem(value: object) -> str | None:
    """Why ``value`` is not a colour Textual can parse, or None when it is one."""
    if not isinstance(value, str):
        return f"must be a colour in quotes, not {value!r}"
    try:
        Color.parse(value)
    except ColorParseError as error:
        return str(error)
    return None


def _textual_variable_problem(name: str, value: object) -> str | None:
    """Why ``value`` cannot go into Textual's variable ``name``, or None when it can."""
    if not isinstance(value, str) or not value.strip():
        return f"must be a value in quotes, not {value!r}"
    tokens = value.split()
    if name.endswith("-style"):
        bad = [token for token in tokens if token not in VALID_STYLE_FLAGS]
        if bad:
            return f"{' '.join(bad)!r} is not a text style (use e.g. 'bold', 'underline', 'none')"
        return None
    head, *rest = tokens
    if len(rest) > 1 or (rest and not _PERCENT.fullmatch(rest[0])):
        return f"{value!r} must be a colour, optionally followed by a percentage"
    if head in _COLOUR_KEYWORDS:
        return None
    return _colour_problem(head)


def _check(data: dict[str, Any], text: str) -> list[tuple[int | None, str]]:
    """Everything wrong with a parsed theme file, each with its line where it can be found."""
    problems: list[tuple[int | None, str]] = []

    def problem(key: str, message: str, table: str | None = None) -> None:
        problems.append((find_key_line(text, key, table), message))

    name = data.get("name")
    if name is None:
        problems.append((None, 'missing name (e.g. name = "my-theme")'))
    elif not isinstance(name, str) or not _NAME.fullmatch(name):
        problem("name", f"name {name!r} must be letters, digits, - or _ (it becomes a CSS class)")
    if "primary" not in data:
        problems.append((None, 'missing primary colour (e.g. primary = "#0178D4")'))
    for key in _COLOUR_FIELDS:
        if key in data and (why := _colour_problem(data[key])) is not None:
            problem(key, f"bad colour for {key}: {why}")
    for key in _BOOL_FIELDS:
        if key in data and not isinstance(data[key], bool):
            problem(key, f"{key} must be true or false, not {data[key]!r}")
    for key in _FLOAT_FIELDS:
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, int | float)):
            problem(key, f"{key} must be a number, not {value!r}")
    for key in _METADATA_FIELDS:
        if key in data and not isinstance(data[key], str):
            problem(key, f"{key} must be text in quotes")
    for key in data:
        if key not in _KNOWN_KEYS and key != "variables":
            problem(key, f"unknown key {key!r} (a typo? known: {', '.join(_KNOWN_KEYS)})")

    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        problem("variables", "variables must be a [variables] table")
        return problems
    textual_variables = _textual_variables()
    for key, value in variables.items():
        if key in APP_VARIABLE_DEFAULTS:
            why = _colour_problem(value)
        elif key in textual_variables:
            why = _textual_variable_problem(key, value)
        else:
            why = (
                f"unknown variable (a typo? the app's are {', '.join(APP_VARIABLES)}; "
                "Textual's are in its theme documentation)"
            )
        if why is not None:
            problem(key, f"variables.{key}: {why}", table="variables")
    return problems


def load_theme_file(path: Path) -> Theme:
    """Load one theme file.

    Args:
        path: a ``.toml`` theme file (format in this module's docstring).

    Returns:
        The Theme, ready for ``App.register_theme``.

    Raises:
        InputError: naming the file, the line where known, and every problem found
            (TOML syntax, missing name or primary, bad colour, unknown key or variable).
    """
    data, text = read_toml(path)
    problems = _check(data, text)
    if len(problems) == 1:
        line, message = problems[0]
        raise InputError(path, message, line)
    if problems:
        raise InputError(
            path,
            "; ".join(f"line {line}: {msg}" if line is not None else msg for line, msg in problems),
        )
    fields = {key: data[key] for key in data if key not in _METADATA_FIELDS and key != "variables"}
    theme = Theme(
        **fields, variables={key: str(value) for key, value in data.get("variables", {}).items()}
    )
    try:
        # The checks above mirror what Textual accepts; this catches anything they miss
        # (a future Textual with stricter rules) here rather than when the app restyles.
        theme.to_color_system().generate()
    except Exception as error:  # any failure at all means "this file is broken"
        raise InputError(path, f"Textual rejects this theme: {error}") from None
    return theme


def load_themes(dirs: Iterable[Path]) -> tuple[list[Theme], list[str]]:
    """Load every ``*.toml`` theme in each folder, skipping (and reporting) broken files.

    Args:
        dirs: folders, in order; a later theme of the same name replaces an earlier
            one. Folders that do not exist are skipped silently.

    Returns:
        The themes loaded, and one message per broken file (``FILE: what is wrong``).
    """
    themes: dict[str, Theme] = {}
    errors: list[str] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except InputError as error:
                errors.append(str(error))
                continue
            themes.pop(theme.name, None)
            themes[theme.name] = theme
    return list(themes.values()), errors


def register_all(app: ThemeHost, dirs: Iterable[Path] | None = None) -> list[str]:
    """Register the bundled and the user's themes on ``app``.

    Args:
        app: the Textual app (call before it needs the theme, e.g. in ``__init__``).
        dirs: folders to read instead of the bundled and user folders (tests).

    Returns:
        One message per broken theme file; show them together with
        ``format_theme_errors`` in a single notification.
    """
    folders = [bundled_themes_dir(), user_themes_dir()] if dirs is None else list(dirs)
    themes, errors = load_themes(folders)
    for theme in themes:
        app.register_theme(theme)
    return errors


#: Apps whose theme files are still to be registered (`register_for_start`).
_LATER: weakref.WeakSet[Any] = weakref.WeakSet()


def register_for_start(app: ThemeHost, wanted: str | None) -> list[str]:
    """Register the theme files now if the theme to start with comes from one, else
    after the first frame (`register_later`).

    Checking and registering every theme file costs ~20 ms before the first paint (the
    colour systems, generated cold); the app starts on a Textual theme unless told
    otherwise. A file naming that theme (a user's "textual-dark") is loaded now too.

    Args:
        app: the app (before it runs).
        wanted: the theme asked for (``--theme``, the config), or None.

    Returns:
        `register_all`'s messages when registered now, else [] (`register_later` shows
        them).
    """
    name = wanted or FALLBACK_THEME
    folders = [bundled_themes_dir(), user_themes_dir()]
    if name not in app.available_themes or name in _declared_names(folders):
        return register_all(app, folders)
    _LATER.add(app)
    return []


def register_later(app: App[Any]) -> None:
    """Register the theme files `register_for_start` left for after the first frame,
    and show what was broken in them (as a settings warning). Does nothing otherwise."""
    if app not in _LATER:
        return
    _LATER.discard(app)
    errors = register_all(app)
    if errors:
        app.notify(format_theme_errors(errors), title="Settings", severity="warning", timeout=12)


def _declared_names(folders: Iterable[Path]) -> set[str]:
    """The names the theme files in `folders` give (a file that cannot be read: none)."""
    names: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.glob("*.toml"):
            try:
                name = read_toml(path)[0].get("name")
            except InputError:
                continue
            if isinstance(name, str):
                names.add(name)
    return names


def format_theme_errors(errors: list[str]) -> str:
    """One notification's text for every broken theme file.

    Args:
        errors: the messages ``register_all`` returned (not empty).

    Returns:
        A short paragraph, one line per file.
    """
    noun = "theme file" if len(errors) == 1 else "theme files"
    lines = [f"Skipped {len(errors)} broken {noun}; the other themes are available:"]
    lines.extend(f"• {error}" for error in errors)
    return "\n".join(lines)


def choose_theme(app: ThemeHost, wanted: str | None) -> tuple[str, str | None]:
    """The theme to start with: ``wanted`` if the app has it, else the fallback.

    Args:
        app: the app, with themes registered.
        wanted: a theme name from ``--theme`` or the config file, or None.

    Returns:
        The theme name to set on ``app.theme`` and a message when ``wanted``
        could not be used (unknown, or its file was broken).
    """
    if not wanted or wanted in app.available_themes:
        return (wanted or FALLBACK_THEME), None
    return FALLBACK_THEME, (
        f"Theme {wanted!r} is not available (unknown name, or its file is broken); "
        f"using {FALLBACK_THEME!r}. Pick another from the command palette."
    )
