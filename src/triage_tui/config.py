"""The user's config file (default theme, workshop minutes, keymap): read leniently, never fatal.

The file is ``config.toml`` in the platformdirs config folder (``config_path()``;
``TRIAGE_TUI_CONFIG_DIR`` overrides the folder). Every setting is optional::

    # triage-tui config
    theme = "projector"      # any theme in the palette: bundled, your own, or Textual's
    minutes = 60             # the workshop's length, 5 to 600 (--minutes overrides it)
    room_host = "127.0.0.1"  # where R's vote server listens (--room-host overrides it)
    room_port = 0            # its port, 0 for any free one (--room-port overrides it)

    [team]                   # what every handoff of a new backlog says about the team
    repository = "github.com/acme/api"
    stack = "Python 3.12, FastAPI, Postgres 16"
    reviewer_hours = "Priya, Lisbon, 09:00-17:00 WET, reviews within a working day"
    access = "ask in #platform-access; AWS roles through the SSO portal"

    [keymap]                 # binding id = key, or several keys separated by commas
    "triage.decide-hiring" = "j"
    "triage.decide-project" = "k, ctrl+k"

    [push]                   # triage-tui push
    label_prefix = "triage:" # the labels' prefix (--label-prefix overrides it)

Binding ids are listed in the app's help screen (``?``); quote them, or the
dots are read as nested tables (both work). Keys use Textual's names
(``ctrl+s``, ``f2``, ``question_mark``, ``comma``, a single character). Several
keys may also be given as a list: ``"app.quit" = ["ctrl+q", "f10"]``.

A broken file never stops the app: a TOML syntax error means every default is
used; a setting of the wrong type or range falls back to its own default while
the others are kept. Either way ``load_config`` returns one message, naming the
file and the line, for the app to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage_tui.core.errors import InputError
from triage_tui.store.paths import config_dir

DEFAULT_THEME = "textual-dark"
DEFAULT_MINUTES = 60
MIN_MINUTES = 5
MAX_MINUTES = 600
SETTINGS = ("theme", "minutes", "keymap", "team", "push", "room_host", "room_port")
#: The [team] table's keys: what every handoff of a new backlog says about the team.
TEAM_KEYS = ("repository", "stack", "reviewer_hours", "access")
DEFAULT_LABEL_PREFIX = "triage:"


@dataclass(frozen=True)
class Config:
    """The user's settings, defaults filled in.

    Attributes:
        theme: the theme to start with (a name the app registered).
        minutes: the workshop's total length.
        keymap: binding id -> key string, as Textual's ``App.set_keymap`` takes it.
        team: TEAM_KEYS -> text, the handoffs' team section for a new backlog.
        label_prefix: the prefix of the labels `triage-tui push` writes.
        room_host, room_port: where the room's vote server listens ("" and 0: loopback,
            any free port).
    """

    theme: str = DEFAULT_THEME
    minutes: int = DEFAULT_MINUTES
    keymap: dict[str, str] = field(default_factory=dict)
    team: dict[str, str] = field(default_factory=dict)
    label_prefix: str = DEFAULT_LABEL_PREFIX
    room_host: str = ""
    room_port: int = 0


def config_path() -> Path:
    """Where the config file lives (it need not exist)."""
    return config_dir() / "config.toml"


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file the user wrote.

    Args:
        path: the file.

    Returns:
        The parsed table and the file's text (kept so callers can find lines).

    Raises:
        InputError: unreadable, not UTF-8, or not valid TOML (with the line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    from triage_tui.formats.loaders.toml_loader import parse_toml

    return parse_toml(text, path), text


def find_key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The 1-based line where ``key = ...`` is set, for pointing a user at it.

    A plain line scan, not a TOML parser: good enough to aim an error message
    at ``key = ...`` in the top level (``table=None``) or under ``[table]``.

    Args:
        text: the file's text.
        key: the key as written (bare or quoted).
        table: the ``[table]`` header the key sits under, or None for the top level.

    Returns:
        The line number, or None when the key is not found on a line of its own.
    """
    pattern = re.compile(
        r"\s*(?:" + re.escape(key) + r'|"' + re.escape(key) + r"\"|'" + re.escape(key) + r"')\s*="
    )
    header = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found is not None:
            current = found.group(1).strip("\"'")
            continue
        if current == table and pattern.match(line):
            return number
    return None


def load_config(path: Path | None = None) -> tuple[Config, str | None]:
    """Read the config file; never raises for a bad one.

    Args:
        path: the file; default ``config_path()``.

    Returns:
        The settings (defaults wherever the file is missing, broken or wrong)
        and one message for the user, or None when all is well. A missing file
        is not an error.
    """
    path = config_path() if path is None else path
    if not path.exists():
        return Config(), None
    try:
        data, text = read_toml(path)
    except InputError as error:
        return Config(), f"{error}; using the default settings"

    problems: list[tuple[int | None, str]] = []

    def problem(key: str, message: str, table: str | None = None) -> None:
        problems.append((find_key_line(text, key, table), message))

    theme = DEFAULT_THEME
    if "theme" in data:
        value = data["theme"]
        if isinstance(value, str) and value.strip():
            theme = value.strip()
        else:
            problem("theme", f"theme must be a theme name in quotes; using {DEFAULT_THEME!r}")

    minutes = DEFAULT_MINUTES
    if "minutes" in data:
        value = data["minutes"]
        # bool is an int subclass in Python; `minutes = true` is still a mistake.
        if isinstance(value, int) and not isinstance(value, bool):
            if MIN_MINUTES <= value <= MAX_MINUTES:
                minutes = value
            else:
                problem(
                    "minutes",
                    f"minutes must be between {MIN_MINUTES} and {MAX_MINUTES}, not {value}; "
                    f"using {DEFAULT_MINUTES}",
                )
        else:
            problem(
                "minutes",
                f"minutes must be a whole number, not {value!r}; using {DEFAULT_MINUTES}",
            )

    keymap: dict[str, str] = {}
    if "keymap" in data:
        table = data["keymap"]
        if isinstance(table, dict):
            for binding_id, keys in _flatten(table).items():
                parsed = _parse_keys(keys)
                if parsed is None:
                    problem(
                        binding_id,
                        f'keymap {binding_id!r} must be a key like "j" or "ctrl+j, f2", '
                        f"not {keys!r}; keeping its default key",
                        table="keymap",
                    )
                else:
                    keymap[binding_id] = parsed
        else:
            problem("keymap", "keymap must be a [keymap] table of binding id = key; ignored")

    team: dict[str, str] = {}
    if "team" in data:
        table = data["team"]
        if isinstance(table, dict):
            for key, value in table.items():
                if key not in TEAM_KEYS:
                    problem(
                        key,
                        f"unknown [team] setting {key!r} (known: {', '.join(TEAM_KEYS)}); ignored",
                        table="team",
                    )
                elif isinstance(value, str):
                    if value.strip():
                        team[key] = " ".join(value.split())
                else:
                    problem(key, f"team {key} must be text in quotes; ignored", table="team")
        else:
            problem("team", "team must be a [team] table (repository, stack, ...); ignored")
    room_host = ""
    if "room_host" in data:
        value = data["room_host"]
        if isinstance(value, str) and value.strip() and " " not in value.strip():
            room_host = value.strip()
        else:
            problem(
                "room_host",
                f"room_host must be an address in quotes, not {value!r}; using 127.0.0.1",
            )
    room_port = 0
    if "room_port" in data:
        value = data["room_port"]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 65535:
            room_port = value
        else:
            problem(
                "room_port",
                f"room_port must be a port, 0 to 65535, not {value!r}; using any free port",
            )
    label_prefix = DEFAULT_LABEL_PREFIX
    if "push" in data:
        push = data["push"]
        if not isinstance(push, dict):
            problem("push", "push must be a [push] table (label_prefix = ...); ignored")
        else:
            value = push.get("label_prefix", DEFAULT_LABEL_PREFIX)
            if isinstance(value, str) and re.fullmatch(r"[^\s,]{0,40}", value):
                label_prefix = value
            else:
                problem(
                    "label_prefix",
                    "label_prefix must be text of up to 40 characters without a space or a "
                    f"comma; using {DEFAULT_LABEL_PREFIX!r}",
                    table="push",
                )
            for key in push:
                if key != "label_prefix":
                    problem(
                        key,
                        f"unknown [push] setting {key!r} (known: label_prefix); ignored",
                        table="push",
                    )

    for key in data:
        if key not in SETTINGS:
            problem(key, f"unknown setting {key!r} (known: {', '.join(SETTINGS)}); ignored")

    config = Config(
        theme=theme,
        minutes=minutes,
        keymap=keymap,
        team=team,
        label_prefix=label_prefix,
        room_host=room_host,
        room_port=room_port,
    )
    if not problems:
        return config, None
    if len(problems) == 1:
        line, message = problems[0]
        return config, str(InputError(path, message, line))
    details = "; ".join(
        f"line {line}: {message}" if line is not None else message for line, message in problems
    )
    return config, str(InputError(path, details))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Undo TOML's dotted keys: an unquoted ``triage.decide-hiring = "j"`` is a nested table."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _parse_keys(value: object) -> str | None:
    """A keymap value as Textual's comma-separated key string, or None when unusable."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts = list(value)
    else:
        return None
    keys = [part.strip() for part in parts]
    # A space inside a key ("ctrl j") is never a Textual key name; an empty one binds nothing.
    if not keys or any(not key or " " in key for key in keys):
        return None
    return ",".join(keys)
