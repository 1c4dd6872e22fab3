"""A UTF-8 export that needs no cleaning but its line endings is parsed from its bytes,
line by line (issue 24: no cleaned copy of a 100,000-row export's text): the same
backlog, scan and refusals as cleaning the whole text first."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage_tui.core.errors import InputError
from triage_tui.core.sanitize import clean_source
from triage_tui.formats.loaders import csv_loader, load_bytes, scan_bytes, text
from triage_tui.formats.loaders.text import Decoded, decode, only_newlines_to_clean

TRICKY = [*"ab é,;\"'\t\r\n", "\x0b", "\x0c", "\x1a", "\x1c", "\x85", "\x9b", "\u2028"]
TRICKY += ["\u202e", "\u2066", "\ufeff", "\x00", "\x1b", "\x7f", "“", "🙂"]


@settings(max_examples=400, deadline=None)
@given(body=st.text(alphabet=st.sampled_from(TRICKY), max_size=60), bom=st.booleans())
def test_the_fast_test_says_yes_only_when_cleaning_changes_line_endings_alone(
    body: str, bom: bool
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")
    decoded = Decoded(data.decode("utf-8-sig").rstrip("\x1a"), "utf-8")
    if only_newlines_to_clean(decoded, data):
        read = data.decode("utf-8-sig")  # what the streamed decoder reads
        assert decoded.text == read
        assert clean_source(read) == read.replace("\r\n", "\n").replace("\r", "\n")


def _both_ways(data: bytes, path: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """load and scan of `data`, streamed and then cleaned whole (or the refusal)."""
    results: list[object] = []
    for streamed in (True, False):
        if not streamed:
            monkeypatch.setattr(text, "ascii_export", lambda *args: False)
            monkeypatch.setattr(text, "only_newlines_to_clean", lambda *args: False)
        for read in (load_bytes, scan_bytes):
            try:
                results.append(read(data, path))
            except InputError as error:
                results.append(str(error))
    monkeypatch.undo()
    return results


CELL = st.text(alphabet=st.sampled_from([*'ab é,"\r\n\t;', "\u202e", "\x1b"]), max_size=12)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    quoted=st.booleans(),
)
def test_a_streamed_export_loads_as_the_cleaned_text_does(
    cells: list[list[str]], ending: str, quoted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if quoted else value

    rows = ["id,title,description"] + [",".join(cell(c) for c in row) for row in cells]
    data = ending.join(rows).encode("utf-8")
    path = Path("stream.csv")
    results = _both_ways(data, path, monkeypatch)
    assert results[:2] == results[2:]


def test_sample_and_bench_shaped_exports_take_the_streamed_path_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.suggest_golden import generated_files, source_files

    streamed: list[str] = []
    real = csv_loader.Utf8Export.lines

    def spy(self: csv_loader.Utf8Export) -> object:
        streamed.append("yes")
        return real(self)

    monkeypatch.setattr(csv_loader.Utf8Export, "lines", spy)
    files = [p for p in source_files() if p.suffix != ".toml"] + generated_files(tmp_path)
    for path in files:
        data = path.read_bytes()
        streamed.clear()
        results = _both_ways(data, path, monkeypatch)
        monkeypatch.setattr(csv_loader.Utf8Export, "lines", spy)
        assert results[:2] == results[2:], path
        if path.parent == tmp_path:  # the bench's exports: ASCII, CRLF
            assert streamed, path


def test_a_quote_left_open_is_refused_at_the_same_line_when_streamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = b'id,title\r\nA-1,"one\r\nA-2,two\r\nA-3,three\r\n'
    results = _both_ways(data, Path("open.csv"), monkeypatch)
    assert results[0] == results[2] == results[1] == results[3]
    assert isinstance(results[0], str) and results[0].startswith("open.csv:2:")
    assert only_newlines_to_clean(decode(data, Path("open.csv")), data)


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"", "blank.csv: the file is empty"),
        (b"\xef\xbb\xbf \r\n\t\r\n", "blank.csv: the file is empty"),
        (
            b"id,title\r\n<<<<<<< ours\r\nA-1,one\r\n=======\r\nA-1,uno\r\n>>>>>>> theirs\r\n",
            "blank.csv:2: unresolved merge conflict",
        ),
    ],
)
def test_an_ascii_export_is_refused_as_before(
    data: bytes, refusal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ASCII export skips decoding (loaders.text.ascii_export): a blank file and a
    merge conflict are still refused, with the same line."""
    results = _both_ways(data, Path("blank.csv"), monkeypatch)
    assert results[:2] == results[2:]
    assert all(isinstance(found, str) and found.startswith(refusal) for found in results)


def test_an_ascii_export_is_not_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[int] = []
    real = text.decode

    def spy(data: bytes, path: Path) -> Decoded:
        decoded.append(len(data))
        return real(data, path)

    monkeypatch.setattr(text, "decode", spy)
    data = b'\xef\xbb\xbfid,title,description\r\nA-1,One,"two\r\nlines"\r\n'
    backlog = load_bytes(data, Path("plain.csv"))
    assert decoded == []
    assert backlog.items[0].description == "two\nlines"
    assert (
        load_bytes("id,title\r\nA-1,Één\r\n".encode(), Path("accents.csv")).items[0].title == "Één"
    )
    assert len(decoded) == 1
