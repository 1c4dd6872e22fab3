"""Whatever bytes arrive, the loaders either return a Backlog or raise InputError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog
from triage_tui.formats.loaders import load_bytes, scan_bytes

NAMES = st.sampled_from(["b.csv", "b.tsv", "b.toml", "b.txt", "backlog"])
# Fragments that stress the CSV and TOML parsers more than uniform noise does.
FRAGMENTS = st.sampled_from(
    [
        "title", "Summary", "Issue key", "Labels", "id", ",", ";", "\t", '"', '""', "\n",
        "\r\n", "\r", "'=", "\ufeff", "[[items]]", "title = ", '"x"', "=", "[", "]", "{",
        "é", "\x00", "\x1a", " ", "3", "2.5", "1e999", "#",
    ]
)  # fmt: skip
SETTINGS = settings(
    max_examples=70,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI is never flaky
)


def check(data: bytes, name: str) -> None:
    try:
        backlog = load_bytes(data, Path(name))
    except InputError as error:
        text = str(error)
        assert text.startswith(name)
        assert "\n" not in text and "\r" not in text  # one line on stderr
        # `check` refuses the same file with the same line.
        with pytest.raises(InputError) as refused:
            scan_bytes(data, Path(name))
        assert str(refused.value) == text
        return
    assert isinstance(backlog, Backlog)
    assert backlog.items
    ids = [item.id for item in backlog.items]
    assert len(ids) == len(set(ids))
    assert all(item.title.strip() for item in backlog.items)
    # `check`'s records come from the same rules as the items, without building them.
    found = scan_bytes(data, Path(name))
    assert found.records == [
        (item.id, item.title, item.labels, item.estimate) for item in backlog.items
    ]
    facts = (backlog.format, backlog.title, backlog.columns, backlog.warnings, backlog.sha256)
    assert (found.format, found.title, found.columns, found.warnings, found.sha256) == facts


@SETTINGS
@given(data=st.binary(max_size=2048), name=NAMES)
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    check(data, name)


@SETTINGS
@given(text=st.text(max_size=1024), name=NAMES)
def test_arbitrary_text(text: str, name: str) -> None:
    check(text.encode("utf-8", "surrogatepass"), name)


@SETTINGS
@given(parts=st.lists(FRAGMENTS, max_size=60), name=NAMES, cp1252=st.booleans())
def test_parser_shaped_text(parts: list[str], name: str, cp1252: bool) -> None:
    text = "".join(parts)
    check(text.encode("cp1252", "replace") if cp1252 else text.encode("utf-8"), name)
