"""Load a backlog (TOML, CSV/TSV tracker export, or an exported plan) into a Backlog."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from triage_tui.errors import InputError
from triage_tui.model import Backlog

__all__ = ["CSV_SUFFIXES", "TOML_SUFFIXES", "Progress", "load", "load_bytes"]

#: Progress callback: `progress(stage, count)` with stage "read" (count: the records
#: parsed from the file, before items are built) then "built" (count: the items).
#: It runs on the loading thread: a UI forwards it (e.g. `app.call_from_thread`).
Progress = Callable[[str, int], None]

TOML_SUFFIXES = frozenset({".toml"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt"})


def load(
    path: Path, mapping: Mapping[str, str] | None = None, progress: Progress | None = None
) -> Backlog:
    """Read a backlog file once and parse it by extension and content.

    A TOML file whose `schema` starts with "triage-tui/plan/" is an exported plan: its
    backlog (format "plan") is returned.

    Args:
        path: the file.
        mapping: CSV field -> column overrides (`--map title=Headline`); ignored, with a
            warning, for TOML.
        progress: called with ("read", records) once the file is parsed (CSV: data rows
            below the header; TOML and plans: item tables), then ("built", items)
            just before returning; "built" never comes when loading fails.

    Returns:
        The backlog, items in file order.

    Raises:
        InputError: the only exception bad input raises (unreadable, empty, binary, or
            content we cannot trust), rendered as `FILE:LINE: message`.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a backlog file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    return load_bytes(data, path, mapping, progress)


def load_bytes(
    data: bytes,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Backlog:
    """Parse a backlog from bytes already read (`path` names it and picks the parser).

    Args:
        data: the file's bytes.
        path: where they came from (its suffix helps detect the format).
        mapping: CSV field -> column overrides.
        progress: see `load`.

    Returns:
        The backlog.

    Raises:
        InputError: as for `load`.
    """
    backlog = _parse(data, path, mapping, progress)
    if progress is not None:
        progress("built", len(backlog.items))
    return backlog


def _parse(
    data: bytes, path: Path, mapping: Mapping[str, str] | None, progress: Progress | None
) -> Backlog:
    from triage_tui.loaders.text import decode

    sha256 = hashlib.sha256(data).hexdigest()
    decoded = decode(data, path)
    warnings = list(decoded.warnings)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _csv(decoded.text, path, mapping, warnings, sha256, progress)
    from triage_tui.loaders import toml_loader

    if suffix in TOML_SUFFIXES:
        document = toml_loader.parse_toml(decoded.text, path)
    else:
        # Unknown extension: TOML if it parses as a backlog or plan, else CSV.
        try:
            document = toml_loader.parse_toml(decoded.text, path)
        except InputError:
            return _csv(decoded.text, path, mapping, warnings, sha256, progress)
        if "items" not in document and not toml_loader.is_plan(document):
            return _csv(decoded.text, path, mapping, warnings, sha256, progress)
    if toml_loader.is_plan(document):
        backlog = _plan(decoded.text, path)
        if progress is not None:
            progress("read", len(backlog.items))
        return backlog
    if progress is not None:
        raw_items = document.get("items")
        progress("read", len(raw_items) if isinstance(raw_items, list) else 0)
    if mapping:
        warnings.append("--map applies to CSV files: ignored for this TOML backlog")
    return toml_loader.load_toml(document, decoded.text, path, warnings=warnings, sha256=sha256)


def _csv(
    text: str,
    path: Path,
    mapping: Mapping[str, str] | None,
    warnings: list[str],
    sha256: str,
    progress: Progress | None,
) -> Backlog:
    from triage_tui.loaders.csv_loader import load_csv

    return load_csv(
        text, path, mapping=mapping, warnings=warnings, sha256=sha256, progress=progress
    )


def _plan(text: str, path: Path) -> Backlog:
    """An exported plan's backlog, from the text already read (not the disk again)."""
    from triage_tui.plan import loads_plan

    backlog: Backlog = loads_plan(text, path).backlog
    return backlog
