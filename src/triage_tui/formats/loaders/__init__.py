"""Load a backlog (TOML, CSV/TSV tracker export, or an exported plan) into a Backlog."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Scan
from triage_tui.core.sanitize import clean_source

if TYPE_CHECKING:
    from triage_tui.formats.loaders.csv_loader import Utf8Export

__all__ = [
    "CSV_SUFFIXES",
    "TOML_SUFFIXES",
    "Progress",
    "Scan",
    "Source",
    "load",
    "load_bytes",
    "scan",
    "scan_bytes",
    "scan_source",
    "source_of",
]

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
    return load_bytes(_read(path), path, mapping, progress)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a backlog file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None


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
    source = Source(data, path)
    del data  # decoded: the bytes of a big export need not stay beside its text
    backlog = _with_lookalikes(_parse(source, path, mapping, progress))
    if progress is not None:
        progress("built", len(backlog.items))
    return backlog


def _with_lookalikes(backlog: Backlog) -> Backlog:
    """The backlog, warned about ids that read the same (common.lookalike_warnings)."""
    from dataclasses import replace

    from triage_tui.formats.loaders.common import lookalike_warnings

    found = lookalike_warnings(backlog.items)
    return replace(backlog, warnings=(*backlog.warnings, *found)) if found else backlog


def _parse(
    source: Source, path: Path, mapping: Mapping[str, str] | None, progress: Progress | None
) -> Backlog:
    if source.document is None:
        # Handed over, not shared: the text can go before the items are built.
        holder = [source.take_csv()]
        return _csv(holder, path, mapping, source.warnings, source.sha256, progress)
    from triage_tui.formats.loaders import toml_loader

    document = source.document
    if toml_loader.is_plan(document):
        backlog = _plan(source.text, path, document)
        if progress is not None:
            progress("read", len(backlog.items))
        return backlog
    if progress is not None:
        raw_items = document.get("items")
        progress("read", len(raw_items) if isinstance(raw_items, list) else 0)
    warnings = list(source.warnings)
    if mapping:
        warnings.append("--map applies to CSV files: ignored for this TOML backlog")
    return toml_loader.load_toml(
        document, source.text, path, warnings=warnings, sha256=source.sha256
    )


class Source:
    """A file's bytes decoded, and which parser they go to (`document` None: CSV)."""

    def __init__(self, data: bytes, path: Path) -> None:
        digest = _sha256_beside(data)
        self.document: dict[str, Any] | None = None
        self.export: Utf8Export | None = None
        self.text = ""
        self.warnings: list[str] = []
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            self._csv(data, path)
        else:
            self._other(data, path, suffix)
        self.sha256 = digest()

    def _csv(self, data: bytes, path: Path) -> None:
        from triage_tui.formats.loaders.csv_loader import SNIFFED, Utf8Export
        from triage_tui.formats.loaders.text import (
            ascii_export,
            decode,
            only_newlines_to_clean,
            refuse_conflict,
        )

        if b"<<<<<<<" not in data and ascii_export(data, path):
            # Printable ASCII, tab and line ends alone: decoding and cleaning would only
            # turn CR/CRLF into LF, which the parse's decoder does (its start is sniffed).
            self.export = Utf8Export(data, data[: 2 * SNIFFED + 4].decode("utf-8-sig"))
            return
        decoded = decode(data, path)
        refuse_conflict(decoded.text, path)  # in every format, before any parser sees it
        self.warnings = list(decoded.warnings)
        if only_newlines_to_clean(decoded, data):
            # Parsed from the bytes as they decode: no cleaned copy of the text.
            self.export = Utf8Export(data, decoded.text)
        else:
            self.text = decoded.text

    def _other(self, data: bytes, path: Path, suffix: str) -> None:
        from triage_tui.formats.loaders.text import decode, refuse_conflict

        decoded = decode(data, path)
        self.text = decoded.text
        refuse_conflict(self.text, path)  # in every format, before any parser sees it
        self.warnings = list(decoded.warnings)
        from triage_tui.formats.loaders import toml_loader

        if suffix in TOML_SUFFIXES:
            self.document = toml_loader.parse_toml(self.text, path)
            return
        # Unknown extension: TOML if it parses as a backlog or plan, else CSV.
        try:
            document = toml_loader.parse_toml(self.text, path)
        except InputError:
            return
        if "items" in document or toml_loader.is_plan(document):
            self.document = document

    def take_csv(self) -> str | Utf8Export:
        """The CSV for the parser, handed over (this source keeps no reference): the
        text cleaned (clean_source), or the bytes of an export that needs no cleaning
        but its line endings."""
        export, self.export = self.export, None
        if export is not None:
            return export
        text, self.text = self.text, ""
        return clean_source(text)


#: Bytes from which a file's digest is computed on a thread of its own.
_HASHED_BESIDE = 1 << 20


def _sha256_beside(data: bytes) -> Callable[[], str]:
    """The sha256 of `data`, as a call that returns it. A big file is hashed on another
    thread while this one decodes and parses (hashlib lets go of the GIL as it hashes:
    the machine's second core does it, ~30 ms of a 100,000-row export)."""
    hasher = hashlib.sha256()
    if len(data) < _HASHED_BESIDE:
        hasher.update(data)
        return hasher.hexdigest
    import threading

    thread = threading.Thread(target=hasher.update, args=(data,), daemon=True)
    thread.start()

    def result() -> str:
        thread.join()
        return hasher.hexdigest()

    return result


def scan(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    texts: list[tuple[str, str]] | None = None,
) -> Scan:
    """What `triage-tui check` reports, without building the items a workshop needs.

    A CSV export's records come from the same rules as `load`'s items (ids, titles,
    labels, estimates, skipped rows, duplicates) but skip descriptions and extra
    columns, the bulk of a 50,000-row export. TOML backlogs and plans are loaded.

    Args:
        path: the file.
        mapping: CSV field -> column overrides.
        texts: filled, when given, with each record's (description, type), as `load`
            gives its item's: what a suggestion reads beside the record.

    Returns:
        The scan.

    Raises:
        InputError: as for `load`.
    """
    path = Path(path)
    return scan_bytes(_read(path), path, mapping, texts)


def scan_bytes(
    data: bytes,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    texts: list[tuple[str, str]] | None = None,
) -> Scan:
    """`scan` of bytes already read (`path` names them and picks the parser); `texts`,
    when given, gets each record's (description, type) as `load` gives its item's."""
    source = Source(data, path)
    del data
    return scan_source(source, path, mapping, texts)


def source_of(path: Path) -> Source:
    """The file at `path` read, hashed and decoded, not yet parsed (`check` looks at an
    export's bytes before it scans them: `scan_source`).

    Raises:
        InputError: as for `load`.
    """
    path = Path(path)
    return Source(_read(path), path)


def scan_source(
    source: Source,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    texts: list[tuple[str, str]] | None = None,
) -> Scan:
    """`scan_bytes` of a file already read (`source_of`); it takes the source's text."""
    if source.document is None:
        from triage_tui.formats.loaders.csv_loader import scan_csv

        return scan_csv(
            source.take_csv(),
            path,
            mapping=mapping,
            warnings=source.warnings,
            sha256=source.sha256,
            texts=texts,
        )
    backlog = _with_lookalikes(_parse(source, path, mapping, None))  # TOML: parsed once, above
    if texts is not None:
        texts.extend((item.description, item.type) for item in backlog.items)
    return Scan(
        format=backlog.format,
        title=backlog.title,
        columns=backlog.columns,
        warnings=backlog.warnings,
        sha256=backlog.sha256,
        records=[(item.id, item.title, item.labels, item.estimate) for item in backlog.items],
    )


def _csv(
    holder: list[str | Utf8Export],
    path: Path,
    mapping: Mapping[str, str] | None,
    warnings: list[str],
    sha256: str,
    progress: Progress | None,
) -> Backlog:
    from triage_tui.formats.loaders.csv_loader import load_csv_taking

    return load_csv_taking(
        holder,
        path,
        mapping=mapping,
        warnings=warnings,
        sha256=sha256,
        progress=progress,
    )


def _plan(text: str, path: Path, document: dict[str, Any]) -> Backlog:
    """An exported plan's backlog, from the text already read and parsed."""
    from triage_tui.formats.plan import loads_plan

    backlog: Backlog = loads_plan(text, path, document=document).backlog
    return backlog
