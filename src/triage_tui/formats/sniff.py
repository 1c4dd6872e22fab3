"""What a file is, from its first bytes: light enough for the first paint (no TOML, no
readiness rules), shared by the plan format and the use cases that open a file."""

from __future__ import annotations

from pathlib import Path

#: Every plan's schema starts so ("triage-tui/plan/2").
SCHEMA_PREFIX = "triage-tui/plan/"
#: How much of a file the peek reads: a plan's schema line is its first.
HEAD_BYTES = 4096


def plan_head(path: Path) -> str | None:
    """The first `HEAD_BYTES` of the plan at `path` as text, or None when it is not one
    (no schema line there) or cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return None
    if f'schema = "{SCHEMA_PREFIX}'.encode() not in head:
        return None
    return head.decode("utf-8", "replace")


def looks_like_plan(path: Path) -> bool:
    """Whether `path` starts like a plan (its schema line in the first 4 KB): peeking
    spares a big plan a second parse."""
    return plan_head(path) is not None
