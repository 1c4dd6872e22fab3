"""Reading the JSONL journals triage-tui wrote before the SQLite store, to import them once.

The parser is the one those versions used, trimmed to reading: a header line, then one
``{"seq": N, "step": {...}, "crc": C}`` line per step, where ``crc`` is the CRC-32 of the
record's canonical JSON without it. Reading stops at the first torn or damaged record,
exactly where those versions resumed. store.autosave imports what this returns and
renames the journal ``.jsonl.imported``.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from triage_tui.core.errors import InputError
from triage_tui.core.session import Step

_SCHEMA_PREFIX = "triage-tui/session/"
_VERSION = 1


def read_journal(path: Path) -> tuple[dict[str, Any] | None, list[Step]]:
    """The header and the complete, checksum-valid steps of the journal at `path`.

    Returns:
        (None, []) for an empty journal or one torn while its header was written.

    Raises:
        InputError: not a journal, one from a newer triage-tui, or a damaged header.
        OSError: the file cannot be read.
    """
    data = path.read_bytes()
    end = data.find(b"\n")
    if end < 0:
        return None, []
    header = _parse_header(path, data[:end])
    steps: list[Step] = []
    pos = end + 1
    while (end := data.find(b"\n", pos)) >= 0:
        step = _parse_record(data[pos:end], len(steps) + 1)
        if step is None:
            break
        steps.append(step)
        pos = end + 1
    return header, steps


def _parse_header(path: Path, line: bytes) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    journal = header.get("journal") if isinstance(header, dict) else None
    if not isinstance(header, dict) or not isinstance(journal, str):
        raise InputError(path, "not a triage-tui autosave (unreadable header)", 1)
    version_text = journal.removeprefix(_SCHEMA_PREFIX)
    if not journal.startswith(_SCHEMA_PREFIX) or not version_text.isdigit():
        raise InputError(path, f"not a triage-tui autosave (format {journal!r})", 1)
    if int(version_text) > _VERSION:
        raise InputError(
            path,
            f"this autosave was written by a newer triage-tui (session format "
            f"{version_text}; this version reads format {_VERSION}): upgrade triage-tui "
            "to resume it, or start afresh (--fresh) to set it aside",
            1,
        )
    if int(version_text) < _VERSION or not _crc_ok(header):
        raise InputError(
            path, "the autosave's header is damaged; start afresh (--fresh) to set it aside", 1
        )
    return header


def _parse_record(line: bytes, seq: int) -> Step | None:
    try:
        record = json.loads(line)
        if not isinstance(record, dict) or record.get("seq") != seq or not _crc_ok(record):
            return None
        return Step.from_json(record["step"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _crc_ok(record: dict[str, Any]) -> bool:
    crc = record.pop("crc", None)
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return isinstance(crc, int) and zlib.crc32(body.encode()) == crc
