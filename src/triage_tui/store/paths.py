"""Where triage-tui keeps its files: platformdirs config and state dirs (env overrides for tests)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "triage-tui"


def config_dir() -> Path:
    """The user's config folder (config.toml, themes/); TRIAGE_TUI_CONFIG_DIR overrides."""
    override = os.environ.get("TRIAGE_TUI_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def state_dir() -> Path:
    """The autosave folder (sessions, locks); TRIAGE_TUI_STATE_DIR overrides."""
    override = os.environ.get("TRIAGE_TUI_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def backups_dir() -> Path:
    """Where a plan's previous version is kept (``state_dir()/backups``): beside the
    autosave, never in the team's folder (a ``.bak`` there ends up in ``git add .``)."""
    return state_dir() / "backups"


def backup_path(target: Path) -> Path:
    """The backup of `target` (an absolute path): ``<name>.<hash of its folder>.bak`` in
    `backups_dir`, so two plans of the same name in two folders keep a backup each."""
    import hashlib

    folder = os.path.realpath(target.parent)
    digest = hashlib.sha256(folder.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return backups_dir() / f"{target.name}.{digest}.bak"


def data_dir() -> Path:
    """Bundled data (themes/, sample_backlogs/): in the wheel, or the source checkout."""
    packaged = Path(__file__).resolve().parents[1] / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3]


def sample_backlog() -> Path:
    """The bundled demo backlog."""
    return data_dir() / "sample_backlogs" / "acme.toml"


def user_path(text: str) -> Path:
    """A path the user typed, with ``~`` expanded; ``~nosuchuser`` stays as typed.

    Path.expanduser raises RuntimeError for an unknown user: kept literal, the path then
    fails the way any missing file or folder does, with its one clear line.
    """
    path = Path(text.strip())
    try:
        return path.expanduser()
    except RuntimeError:
        return path
