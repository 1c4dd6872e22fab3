"""Load a backlog (TOML, CSV/TSV tracker export, or an exported plan) into a Backlog."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from triage_tui.errors import InputError
from triage_tui.model import Backlog

__all__ = ["CSV_SUFFIXES", "TOML_SUFFIXES", "load", "load_bytes"]

TOML_SUFFIXES = frozenset({".toml"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt"})


def load(path: Path, mapping: Mapping[str, str] | None = None) -> Backlog:
    """Read a backlog file once and parse it by extension and content.

    A TOML file whose `schema` starts with "triage-tui/plan/" is an exported plan: its
    backlog (format "plan") is returned.

    Args:
        path: the file.
        mapping: CSV field -> column overrides (`--map title=Headline`); ignored, with a
            warning, for TOML.

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
    return load_bytes(data, path, mapping)


def load_bytes(data: bytes, path: Path, mapping: Mapping[str, str] | None = None) -> Backlog:
    """Parse a backlog from bytes already read (`path` names it and picks the parser).

    Args:
        data: the file's bytes.
        path: where they came from (its suffix helps detect the format).
        mapping: CSV field -> column overrides.

    Returns:
        The backlog.

    Raises:
        InputError: as for `load`.
    """
    from triage_tui.loaders.text import decode

    sha256 = hashlib.sha256(data).hexdigest()
    decoded = decode(data, path)
    warnings = list(decoded.warnings)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _csv(decoded.text, path, mapping, warnings, sha256)
    from triage_tui.loaders import toml_loader

    if suffix in TOML_SUFFIXES:
        document = toml_loader.parse_toml(decoded.text, path)
    else:
        # Unknown extension: TOML if it parses as a backlog or plan, else CSV.
        try:
            document = toml_loader.parse_toml(decoded.text, path)
        except InputError:
            return _csv(decoded.text, path, mapping, warnings, sha256)
        if "items" not in document and not toml_loader.is_plan(document):
            return _csv(decoded.text, path, mapping, warnings, sha256)
    if toml_loader.is_plan(document):
        return _plan(path)
    if mapping:
        warnings.append("--map applies to CSV files: ignored for this TOML backlog")
    return toml_loader.load_toml(document, decoded.text, path, warnings=warnings, sha256=sha256)


def _csv(
    text: str,
    path: Path,
    mapping: Mapping[str, str] | None,
    warnings: list[str],
    sha256: str,
) -> Backlog:
    from triage_tui.loaders.csv_loader import load_csv

    return load_csv(text, path, mapping=mapping, warnings=warnings, sha256=sha256)


def _plan(path: Path) -> Backlog:
    try:
        from triage_tui.plan import read_plan
    except ModuleNotFoundError as error:
        if error.name != "triage_tui.plan":
            raise
        raise InputError(
            path, "this is a triage-tui plan, and plan reading is not available"
        ) from None
    backlog: Backlog = read_plan(path).backlog
    return backlog
