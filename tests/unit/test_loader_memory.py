"""Loading keeps less at once (issue 24): the lines are split a piece at a time, and the
parsed rows go as their items are built. Same results as before, pinned here."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.core.model import Item
from triage_tui.formats.loaders import csv_loader, load

LINE_TEXT = st.text(alphabet=st.sampled_from(list('ab,"\r\n\x0b\x0c\x1c\u2028 ')), max_size=200)


@settings(max_examples=300, deadline=None)
@given(text=LINE_TEXT, chunk=st.integers(min_value=1, max_value=16))
def test_lines_split_in_pieces_are_the_lines_split_at_once(text: str, chunk: int) -> None:
    original = csv_loader._CHUNK
    csv_loader._CHUNK = chunk
    try:
        assert list(csv_loader._iter_lines(text)) == csv_loader._split_lines(text)
    finally:
        csv_loader._CHUNK = original


def test_a_big_export_loads_the_same_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ["Issue key,Summary,Description,Issue id"]
    rows += [f'K-{n},Title {n},"line one\r\nline two {n}",{1000 + n}' for n in range(300)]
    path = tmp_path / "big.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8", newline="")
    whole = load(path)
    monkeypatch.setattr(csv_loader, "_CHUNK", 64)
    assert load(path) == whole
    assert whole.items[5].description == "line one\nline two 5"


def test_rows_already_read_are_let_go_while_items_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By the 40th item, row 7's parsed cells are gone: only its item keeps its values."""
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,title,team\n" + "".join(f"R-{n},Row {n},Backend\n" for n in range(50)),
        encoding="utf-8",
    )
    made: list[object] = []
    alive: list[int] = []

    def counting_item(*args: object, **kwargs: object) -> object:
        made.append(None)
        if len(made) == 40:
            gc.collect()
            alive.append(
                sum(
                    1
                    for obj in gc.get_objects()
                    if isinstance(obj, list) and len(obj) == 3 and obj[:1] == ["R-7"]
                )
            )
        return Item(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_loader, "Item", counting_item)
    backlog = load(path)
    assert alive == [0]
    assert backlog.items[7].extra == {"team": "Backend"}


def test_the_text_is_let_go_before_the_items_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No caller up the stack (nor its Source) still holds the file's text or bytes once
    the rows are parsed: a 100,000-row export's text is 50-200 MB."""
    import sys

    path = tmp_path / "text.csv"
    path.write_text(
        "id,title\n" + "".join(f"T-{n},Title number {n}\n" for n in range(400)), encoding="utf-8"
    )
    size = path.stat().st_size
    held: list[str] = []
    real = csv_loader._build_items

    def spy(*args: object, **kwargs: object) -> object:
        frame = sys._getframe(1)
        while frame is not None:
            for name, value in frame.f_locals.items():
                # A streamed export (csv_loader.Utf8Export, Source.export) holds bytes.
                export = getattr(value, "export", value)
                for candidate in (
                    value,
                    getattr(value, "text", None),
                    getattr(export, "data", None),
                ):
                    if isinstance(candidate, str | bytes) and len(candidate) >= size - 10:
                        held.append(f"{frame.f_code.co_name}: {name}")
            frame = frame.f_back
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_loader, "_build_items", spy)
    backlog = load(path)
    assert held == []
    assert len(backlog.items) == 400
