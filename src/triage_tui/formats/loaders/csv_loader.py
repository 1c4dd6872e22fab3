"""CSV/TSV backlogs: real tracker exports (Jira, Linear, GitHub, Asana) and plain sheets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from triage_tui.core.errors import InputError
from triage_tui.core.model import (
    FORMAT_MARKUP,
    MAPPABLE_FIELDS,
    Attachment,
    Backlog,
    Comment,
    Estimate,
    Item,
    Link,
    Record,
    Scan,
)
from triage_tui.core.sanitize import clean_line, clean_source
from triage_tui.formats.loaders import formats
from triage_tui.formats.loaders.bookkeeping import (
    authored_columns,
    bookkeeping_columns,
    scrub_account_ids,
)
from triage_tui.formats.loaders.common import (
    dedupe,
    fill_ids,
    lookalike_warnings,
    parse_estimate,
    split_labels,
)

# The csv module refuses cells over 128 KiB by default; a pasted log or spec can be MBs.
_FIELD_LIMIT = 2**31 - 1
_DELIMITERS = (",", ";", "\t")
#: Characters of the text's start the delimiter is sniffed from.
SNIFFED = 65536
# How many leading rows may precede the real header (Asana's sheet export adds a few).
_HEADER_SEARCH = 10
#: An item's tracker context when the export has no such columns (Item's own defaults).
_NO_CONTEXT: tuple[str, tuple[Comment, ...], tuple[Attachment, ...], tuple[Link, ...]] = (
    "",
    (),
    (),
    (),
)
_LINEAR_ESCAPED = frozenset("=+-@")
_GITHUB_URL = re.compile(r"github\.com/([^/\s]+/[^/\s]+)/(?:issues|pull)/(\d+)")
_UNTERMINATED = (
    "unterminated quoted cell: the quote opened here is never closed, "
    "so the rest of the file would be read as one cell"
)


class _Rows(NamedTuple):
    """Parsed rows as two parallel lists: no object per row (50,000-row exports)."""

    lines: list[int]  # where each row starts (multi-line cells: not the row count)
    cells: list[list[str]]


def load_csv(
    text: str,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
    sha256: str = "",
    progress: Callable[[str, int], None] | None = None,
) -> Backlog:
    """Parse CSV/TSV text into a Backlog.

    Args:
        text: the decoded file (BOM already stripped).
        path: the file, for messages and the backlog's source.
        mapping: field -> column overrides (`--map title=Headline`).
        warnings: warnings gathered so far (encoding fallback).
        sha256: digest of the file's bytes.
        progress: called with ("read", data rows below the header) once the rows are
            parsed, before the items are built (see `triage_tui.formats.loaders.load`).

    Returns:
        The backlog, items in file order.

    Raises:
        InputError: anything that stops us from trusting the file.
    """
    return load_csv_taking(
        [text], path, mapping=mapping, warnings=warnings, sha256=sha256, progress=progress
    )


def load_csv_taking(
    holder: list[str | Utf8Export],
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
    sha256: str = "",
    progress: Callable[[str, int], None] | None = None,
) -> Backlog:
    """`load_csv` of the one text in `holder`, which it takes out: when the caller keeps no
    other reference, the text is freed once its rows are parsed, before the items are
    built (a 100,000-row export's text is 50-200 MB; issue 24: under 300 MB in all).
    """
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    return _load(holder, path, mapping, warnings, sha256, progress)


def scan_csv(
    text: str | Utf8Export,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
    sha256: str = "",
    texts: list[tuple[str, str]] | None = None,
) -> Scan:
    """`load_csv` for `triage-tui check`: the same records, without building items.

    Ids, titles, labels, estimates, skipped rows and duplicate ids follow exactly the
    rules `load_csv` applies (one shared row reader); statuses, extra columns and the
    tracker context, most of a big export's cells, are not read at all, and
    descriptions and types only when `texts` is given.

    Args:
        texts: filled, when given, with each record's (description, type) as `load_csv`
            gives its item's (what a suggestion reads beside the record; issue 24).

    Raises:
        InputError: as `load_csv` does.
    """
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    table = _table(text, path, mapping)
    reader = _RowReader(table, path)
    read_text = _text_reader(table) if texts is not None else None
    rows = []
    for row in reader.rows():
        rows.append(row)
        if read_text is not None and texts is not None:
            texts.append(read_text(row[1]))
    all_warnings = list(warnings)
    reader.finish(len(rows), all_warnings)
    records: list[Record] = [
        (item_id, title, labels, estimate)
        for _line, _cells, item_id, title, labels, estimate in rows
    ]
    ids = [record[0] for record in records]
    lines = [row[0] for row in rows]
    final = reader.final_ids(ids, lines)
    del rows  # the cells: most of the memory
    if final != ids:
        records = [
            record if record[0] == new else (new, *record[1:])
            for record, new in zip(records, final, strict=True)
        ]
    if not all(map(str.isascii, final)):
        # Ids that read the same, warned as `load` warns (loaders._with_lookalikes).
        all_warnings.extend(
            lookalike_warnings(
                [Item(item_id, "-", line=line) for item_id, line in zip(final, lines, strict=True)]
            )
        )
    return Scan(
        format=table.shape.name,
        title=clean_line(path.name),
        columns=table.chosen(),
        warnings=tuple(all_warnings),
        sha256=sha256,
        records=records,
    )


class Split(NamedTuple):
    """An export cut in two (`split_export`): its table as its start reads (header,
    shape, columns, no rows), the header's position among the rows, and the byte
    offset where its second half starts."""

    table: _Table
    header_at: int
    middle: int


#: Bytes the search for the middle's row boundary may walk before giving up.
_SPLIT_WALK = 1 << 20


def split_export(export: Utf8Export, path: Path, mapping: Mapping[str, str] | None) -> Split | None:
    """Where `export` can be cut in two for `check`, with its header read from its start;
    None when it cannot be (its header not among the first complete rows of its start,
    a shape whose ids come from elsewhere, no row boundary found near the middle).

    The middle is just after a line feed with an even number of quote characters before
    it: in a file the strict parse reads, a row boundary. A cut inside a quoted cell
    makes the first half end inside that cell, which the strict parse refuses
    (`scan_half` gives None): the caller then scans the file whole, as `scan_csv`.
    """
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    delimiter = sniff_delimiter(export.head, path.suffix.lower())
    head = _strict_rows(_split_lines(export.head), delimiter, _HEADER_SEARCH + 1)
    if not isinstance(head, _Rows) or len(head.cells) <= _HEADER_SEARCH:
        return None
    try:
        table = _table_of(head, path, mapping, delimiter)
    except InputError:
        return None  # the whole scan says so, as ever
    if table.shape is formats.GITHUB_TSV:
        return None  # ids from each row's issue URL, named against every other row
    header_at = head.lines.index(table.header_line)
    data = export.data
    middle = len(data) // 2
    if middle < len(export.head.encode()):
        return None  # the header's rows must lie in the first half
    quotes = data.count(b'"', 0, middle)
    end = min(len(data), middle + _SPLIT_WALK)
    at = data.find(b"\n", middle, end)
    while at != -1:
        quotes += data.count(b'"', middle, at)
        if quotes % 2 == 0:
            return Split(table, header_at, at + 1)
        middle = at
        at = data.find(b"\n", at + 1, end)
    return None


class Half:
    """A byte range of a UTF-8 export read for `check` on its own (issue 24: the two
    halves of a big export are parsed, read and suggested on the machine's two cores).

    `rows()` gives (line, cells, id, title, labels, estimate) for each row with a title,
    by the rules `scan_csv` applies, as the rows are parsed (none kept; `text(cells)` is
    the row's description and type); the lines are counted from the range's first line.
    Iterating raises InputError (a row rule refuses a row) or csv.Error (the strict
    parse stops): the caller then scans the whole file, for the error as it reads.
    Afterwards `skipped` holds the lines of the rows skipped for an empty title, and
    `line_count()` the lines the range holds.
    """

    def __init__(self, export: Utf8Export, path: Path, split: Split, first: bool) -> None:
        self.export, self.path, self.split, self.first = export, path, split, first
        self.skipped: list[int] = []
        self.text = _text_reader(split.table)
        self._parser: Any = None

    def rows(self) -> Iterator[tuple[int, list[str], str, str, tuple[str, ...], Estimate]]:
        if csv.field_size_limit() < _FIELD_LIMIT:
            csv.field_size_limit(_FIELD_LIMIT)
        split = self.split
        data = self.export.data
        data = data[: split.middle] if self.first else data[split.middle :]
        lines = io.TextIOWrapper(
            io.BytesIO(data), encoding="utf-8-sig" if self.first else "utf-8", newline=None
        )
        parser = self._parser = csv.reader(lines, delimiter=split.table.delimiter, strict=True)

        def parsed() -> Iterator[tuple[int, list[str]]]:
            # `_strict_rows`, yielding: a row of empty cells is as blank as an empty line.
            start = 1
            for cells in parser:
                if any(cells):
                    yield start, cells
                start = parser.line_num + 1

        stream = parsed()
        if self.first:
            # The half starts with the rows the header was found among (the same rows).
            for _ in range(split.header_at + 1):
                next(stream, None)
        reader = _RowReader(split.table, self.path)
        self.skipped = reader.skipped
        return reader.rows(stream)

    def line_count(self) -> int:
        return int(self._parser.line_num) if self._parser is not None else 0


def join_halves(
    split: Split,
    path: Path,
    halves: Sequence[tuple[list[str], list[int], list[int], int]],
    warnings: Sequence[str],
    sha256: str,
) -> Scan | None:
    """What `check` reports of the whole export, from its two halves (`Half`), each as
    (its records' ids, their lines, the skipped rows' lines, its line count); the
    records themselves stay with the caller (`records` is empty). None when the halves
    cannot be joined as they are: an id in both, a row without an id (ids are
    generated from positions in the whole file), no row with a title. The caller then
    scans the whole file, as `scan_csv`.
    """
    (ids, lines, skipped, offset), (second_ids, second_lines, second_skipped, _) = halves
    if not ids or not second_ids or not all(ids) or not all(second_ids):
        return None
    if not set(ids).isdisjoint(second_ids):
        return None  # the error names both lines: the whole scan says it
    reader = _RowReader(split.table, path)
    reader.skipped = skipped + [line + offset for line in second_skipped]
    all_warnings = list(warnings)
    reader.finish(len(ids) + len(second_ids), all_warnings)
    every = ids + second_ids
    if not all(map(str.isascii, every)):
        every_line = lines + [line + offset for line in second_lines]
        all_warnings.extend(
            lookalike_warnings(
                [
                    Item(item_id, "-", line=line)
                    for item_id, line in zip(every, every_line, strict=True)
                ]
            )
        )
    return Scan(
        format=split.table.shape.name,
        title=clean_line(path.name),
        columns=split.table.chosen(),
        warnings=tuple(all_warnings),
        sha256=sha256,
        records=(),
    )


def _text_reader(table: _Table) -> Callable[[list[str]], tuple[str, str]]:
    """cells -> (description, type) exactly as `_build_items` makes its item's."""
    columns = table.columns
    desc_cols, desc_at = _field(columns, "description")
    type_cols, type_at = _field(columns, "type")

    def read(cells: list[str]) -> tuple[str, str]:
        if desc_at is not None:
            description = cells[desc_at]
            if description.isspace():
                description = ""
        else:
            description = _first(cells, desc_cols)
        if "\r" in description:
            description = description.replace("\r\n", "\n").replace("\r", "\n")
        kind = cells[type_at] if type_at is not None else _first(cells, type_cols)
        return description.strip("\n"), kind.strip()

    return read


class _Table(NamedTuple):
    """A CSV file parsed: its header, what kind of export it is, and the rows below."""

    header: list[str]
    header_line: int
    shape: formats.Shape
    columns: dict[str, list[int]]
    body: _Rows
    delimiter: str
    mapping: Mapping[str, str] | None

    def chosen(self) -> dict[str, str]:
        """Field -> the source column(s) read for it, as `check` reports them."""
        header = self.header
        chosen = {
            name: ", ".join(dict.fromkeys(header[i] for i in indices))
            for name, indices in self.columns.items()
            if indices
        }
        if self.shape is formats.GITHUB_TSV and "id" not in chosen and "url" in _index(header):
            chosen["id"] = header[_index(header)["url"][0]]
        return {name: chosen[name] for name in MAPPABLE_FIELDS if name in chosen}


class Utf8Export:
    """A UTF-8 export that `clean_source` would change only at its line endings
    (loaders.text.only_newlines_to_clean): parsed from its bytes through a decoder that
    turns CR and CRLF into LF as it reads, line by line, which is what cleaning the whole
    text and splitting it gives, without the cleaned copy (issue 24: the parse of a
    100,000-row export; the start screen shows its count after it).
    """

    __slots__ = ("data", "head")

    def __init__(self, data: bytes, text: str) -> None:
        """`text`: `data` decoded; only its start is kept (the delimiter is sniffed there)."""
        self.data = data
        # The cleaned text's first 64K characters come from at most twice as many.
        self.head = clean_source(text[: 2 * SNIFFED + 1])[:SNIFFED]

    def lines(self) -> Iterator[str]:
        """The cleaned text's lines (each with its LF), decoded as they are read."""
        return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline=None)

    def text(self) -> str:
        """The whole cleaned text (for the rare paths that need every line at hand)."""
        return clean_source(self.data.decode("utf-8-sig"))


def _table(text: str | Utf8Export, path: Path, mapping: Mapping[str, str] | None) -> _Table:
    if isinstance(text, Utf8Export):
        delimiter = sniff_delimiter(text.head, path.suffix.lower())
        rows = _read_rows_streamed(text, path, delimiter)
    else:
        delimiter = sniff_delimiter(text, path.suffix.lower())
        rows = _read_rows(text, path, delimiter)
    return _table_of(rows, path, mapping, delimiter)


def _table_of(rows: _Rows, path: Path, mapping: Mapping[str, str] | None, delimiter: str) -> _Table:
    header_at = _find_header(rows, path, mapping)
    header_line = rows.lines[header_at]
    header = [cell.strip() for cell in rows.cells[header_at]]
    shape = formats.detect(header)
    columns = _resolve_columns(header, shape, mapping, path, header_line)
    body = _Rows(rows.lines[header_at + 1 :], rows.cells[header_at + 1 :])
    return _Table(header, header_line, shape, columns, body, delimiter, mapping)


def _load(
    holder: list[str | Utf8Export],
    path: Path,
    mapping: Mapping[str, str] | None,
    warnings: Sequence[str],
    sha256: str,
    progress: Callable[[str, int], None] | None,
) -> Backlog:
    table = _table(holder.pop(), path, mapping)  # the text goes with _table's frame
    if progress is not None:
        progress("read", len(table.body.cells))
    all_warnings = list(warnings)
    left_out: list[str] = []
    items = _build_items(table, path, all_warnings, left_out)
    return Backlog(
        items=tuple(items),
        source=path,
        format=table.shape.name,
        title=clean_line(path.name),
        columns=table.chosen(),
        warnings=tuple(all_warnings),
        sha256=sha256,
        columns_left_out=tuple(left_out),
    )


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """Pick the delimiter: tab for .tsv, else the one the header row uses most.

    The header is the most reliable sample (names rarely hold delimiters, cells often
    do); ties go to csv.Sniffer over the first lines, then comma.

    Args:
        text: the decoded file.
        suffix: the file's lower-case extension.

    Returns:
        One of comma, semicolon or tab.
    """
    if suffix in (".tsv", ".tab"):
        return "\t"
    head = text[:SNIFFED]
    first = next((line for line in head.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(first, d) for d in _DELIMITERS}
    best = max(counts.values())
    if best == 0:
        # One column: a delimiter that appears nowhere keeps each row whole.
        return "\t" if "\t" not in head else ","
    tied = [d for d in _DELIMITERS if counts[d] == best]
    if len(tied) == 1:
        return tied[0]
    sample = "\n".join(head.splitlines()[:20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(tied)).delimiter
    except csv.Error:
        return tied[0]
    return sniffed if sniffed in tied else tied[0]


def _count_outside_quotes(line: str, delimiter: str) -> int:
    if '"' not in line:
        return line.count(delimiter)
    # Quoted segments are the odd-numbered pieces between quote characters.
    return sum(piece.count(delimiter) for piece in line.split('"')[::2])


def _split_lines(text: str) -> list[str]:
    """Physical lines with their endings, as `io.StringIO(text, newline="")` reads them.

    str.splitlines is twice as fast but also breaks at a lone carriage return, vertical
    tab, form feed, the file/group/record separators, NEL and U+2028/9. Its result is
    used only when it broke at line feeds alone (or also after the very last character,
    which ends the last line either way); then both read the same lines.
    """
    lines = text.splitlines(keepends=True)
    if len(lines) == text.count("\n") + (0 if not text or text.endswith("\n") else 1):
        return lines
    return io.StringIO(text, newline="").readlines()


#: Characters per piece `_iter_lines` splits at once.
_CHUNK = 1 << 20


def _iter_lines(text: str) -> Iterator[str]:
    """`_split_lines(text)`, one piece of about a megabyte at a time.

    The lines of a 100,000-row export as one list are ~100 MB beside the text and the
    cells (issue 24: memory under 300 MB). Pieces end just after a line feed, which
    ends a line for both splitters, so the lines are the same; the list of each piece
    is iterated in C (chain).
    """
    if len(text) <= _CHUNK:
        return iter(_split_lines(text))

    def pieces() -> Iterator[list[str]]:
        start, size = 0, len(text)
        while start < size:
            end = text.find("\n", start + _CHUNK)
            end = size if end == -1 else end + 1
            yield _split_lines(text[start:end])
            start = end

    return chain.from_iterable(pieces())


def _read_rows_streamed(export: Utf8Export, path: Path, delimiter: str) -> _Rows:
    """`_read_rows` of the export's cleaned text, read line by line from its bytes."""
    parsed = _strict_rows(export.lines(), delimiter)
    if isinstance(parsed, _Rows):
        return parsed
    return _read_rows(export.text(), path, delimiter)  # refused or read leniently there


def _strict_rows(
    lines: Iterable[str], delimiter: str, limit: int | None = None
) -> _Rows | tuple[int, int, str]:
    """Every row with the line it starts on (the first `limit` rows only, with a limit),
    or where the strict parse stopped: (the line its row starts on, the line it failed
    on, the csv module's message)."""
    starts: list[int] = []
    rows: list[list[str]] = []
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            if any(cells):  # a row of empty cells (",,,") is as blank as an empty line
                starts.append(start)
                rows.append(cells)
                if limit is not None and len(rows) >= limit:
                    break
            start = reader.line_num + 1
    except csv.Error as error:
        return start, reader.line_num, str(error)
    return _Rows(starts, rows)


def _read_rows(text: str, path: Path, delimiter: str) -> _Rows:
    """Parse every row with the line it starts on; refuse quoting that would eat rows.

    The strict parse is tried first (same speed): it stops at a quote that is closed and
    then followed by text. Inside a one-line row that is sloppy but harmless quoting,
    read leniently the way spreadsheets do; when the row spans lines, an earlier quote
    was probably never closed and the rows in between would silently become one cell.
    """
    parsed = _strict_rows(_iter_lines(text), delimiter)
    if isinstance(parsed, _Rows):
        return parsed
    start, failed_at, message = parsed
    lines = _split_lines(text)  # the rare paths below: every line at hand
    if "unexpected end of data" in message:
        tail = "".join(lines[start - 1 :])
        raise InputError(path, _UNTERMINATED, _scan_open_quote(tail, start, delimiter) or start)
    if failed_at > start:
        raise InputError(
            path,
            f"broken quoting: a quoted cell in the row starting here only closes on line "
            f"{failed_at}, followed by more text; lines {start}-{failed_at} would be read "
            "as one cell (is a closing quote missing?)",
            start,
        )
    starts = []
    rows = []
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            if any(cells):
                starts.append(start)
                rows.append(cells)
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputError(path, f"cannot parse CSV: {error}", reader.line_num or None) from None
    if rows:
        opened = _unterminated_quote(lines, starts[-1], delimiter)
        if opened is not None:
            raise InputError(path, _UNTERMINATED, opened)
    return _Rows(starts, rows)


def _unterminated_quote(lines: list[str], start_line: int, delimiter: str) -> int | None:
    """The line where an unclosed quote opens in the last record, or None.

    The csv module (non-strict) silently swallows everything after an unclosed quote
    into one cell, so the last record is where such a quote must be.
    """
    tail = "".join(lines[start_line - 1 :])
    if '"' not in tail:
        return None
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        # Strict mode also trips on harmless stray quotes: the scan decides.
        return _scan_open_quote(tail, start_line, delimiter)
    return None


def _scan_open_quote(tail: str, start_line: int, delimiter: str) -> int | None:
    # Mirrors the csv module's non-strict state machine (doublequote, no escapechar).
    start_field, in_field, in_quoted, quote_in_quoted = range(4)
    state = start_field
    line = start_line
    opened = start_line
    previous = ""
    for char in tail:
        if char == "\n" and previous == "\r":
            previous = char
            continue
        newline = char in "\r\n"
        if state == in_quoted:
            if char == '"':
                state = quote_in_quoted
        elif state == quote_in_quoted:
            if char == '"':
                state = in_quoted
            elif char == delimiter or newline:
                state = start_field
            else:
                state = in_field
        elif char == '"' and state == start_field:
            state = in_quoted
            opened = line
        elif char == delimiter or newline:
            state = start_field
        else:
            state = in_field
        if newline:
            line += 1
        previous = char
    return opened if state == in_quoted else None


def _find_header(rows: _Rows, path: Path, mapping: Mapping[str, str] | None) -> int:
    if not rows.cells:
        raise InputError(path, "the file holds no rows, only blank lines")
    if mapping and "title" in mapping:
        return 0
    for index, cells in enumerate(rows.cells[:_HEADER_SEARCH]):
        if formats.has_title_column(cells):
            return index
    raise InputError(
        path,
        f"no title column: expected one named like Title, Summary or Name; "
        f"the columns are {_list_columns(rows.cells[0])} (use --map title=COLUMN)",
        rows.lines[0],
    )


def _list_columns(names: Sequence[str], limit: int = 40) -> str:
    shown = [" ".join(name.split()) or "(blank)" for name in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(repr(name) for name in shown) + more


def _index(header: Sequence[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        index.setdefault(formats.key(name), []).append(position)
    return index


def _resolve_columns(
    header: list[str],
    shape: formats.Shape,
    mapping: Mapping[str, str] | None,
    path: Path,
    line: int,
) -> dict[str, list[int]]:
    """Field -> column positions; repeated headers (Jira's Labels) give several."""
    index = _index(header)
    exact = {name: [i for i, h in enumerate(header) if h == name] for name in set(header)}
    columns: dict[str, list[int]] = {}
    for name in MAPPABLE_FIELDS:
        if mapping and name in mapping:
            wanted = mapping[name].strip()
            positions = exact.get(wanted) or index.get(formats.key(wanted))
            if not positions:
                raise InputError(
                    path,
                    f"--map {name}={mapping[name]}: no such column; "
                    f"the columns are {_list_columns(header)}",
                    line,
                )
            columns[name] = positions
            continue
        candidates = tuple(shape.columns.get(name, ())) + formats.GENERIC[name]
        if name in formats.UNION_FIELDS or name in shape.multi:
            # Every present candidate of the shape's own list (or the first generic one).
            own = [c for c in shape.columns.get(name, ()) if c in index]
            if not own:
                own = [c for c in formats.GENERIC[name] if c in index][:1]
            columns[name] = [i for c in own for i in index[c]]
            continue
        found = next((c for c in candidates if c in index), None)
        columns[name] = index[found] if found is not None else []
    if shape is formats.GITHUB_TSV and not (mapping and "id" in mapping):
        # GitHub Projects has no id column: ids come from the issue URL.
        columns["id"] = []
    return columns


#: What a row of `_Rows.cells` becomes once `_RowReader.rows` has read it.
_READ: list[str] = []


class _RowReader:
    """The per-row rules every item and every `check` record follow.

    `rows()` yields each row that has a title, with its id, title, labels and estimate;
    afterwards `finish` reports the rows skipped for an empty title and `final_ids` fills
    in the ids the source did not give (GitHub Projects: from the issue URL; otherwise
    generated from the position).
    """

    def __init__(self, table: _Table, path: Path) -> None:
        self.table = table
        self.path = path
        header, shape, columns = table.header, table.shape, table.columns
        index = _index(header)
        self.index = index
        self.url_at = index.get("url", [None])[0] if shape is formats.GITHUB_TSV else None
        self.skipped: list[int] = []
        self.url_ids: list[tuple[str, str] | None] = []
        self.given: dict[str, int] = {}
        label_cols = columns["labels"]
        space_split = {
            i for c in shape.split_labels_on_space for i in index.get(c, []) if i in label_cols
        }
        # Labels read as two joined strings, split once: far cheaper than per cell.
        self.spaced_labels = _getter([i for i in label_cols if i in space_split])
        self.comma_labels = _getter([i for i in label_cols if i not in space_split])

    def rows(
        self, stream: Iterable[tuple[int, list[str]]] | None = None
    ) -> Iterator[tuple[int, list[str], str, str, tuple[str, ...], Estimate]]:
        """(line, cells, id, title, labels, estimate) for each row with a title.

        Iterate it once, to the end, before `finish` and `final_ids`: it records the
        rows skipped and the ids seen as it goes, and lets each row of the table go
        (`_READ`) once read. With `stream`, the rows are (line, cells) as it parses
        them, none kept: the table's body is not read.
        """
        table = self.table
        path = self.path
        width = len(table.header)
        columns = table.columns
        id_cols, id_at = _field(columns, "id")
        title_cols, title_at = _field(columns, "title")
        estimate_cols, estimate_at = _field(columns, "estimate")
        linear = table.shape is formats.LINEAR
        # GitHub issue numbers read as "#12", the way people say them.
        github_numbers = (
            table.shape is formats.GITHUB_CSV
            and bool(id_cols)
            and formats.key(table.header[id_cols[0]]) == "number"
        )
        decimal_comma = table.delimiter == ";"
        url_at = self.url_at
        url_ids = self.url_ids
        given = self.given
        skipped = self.skipped
        spaced_labels = self.spaced_labels
        comma_labels = self.comma_labels
        body = table.body.cells
        free = stream is None
        pairs = zip(table.body.lines, body, strict=True) if stream is None else stream
        for index, (line, cells) in enumerate(pairs):
            # Each row is read once: let it go as its item takes the cells it keeps, so
            # the rows do not all stay beside the items (issue 24: a 100,000-row export
            # under 300 MB).
            if free:
                body[index] = _READ
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            # One C-speed join finds the rare rows holding an escaped cell.
            if linear and "\x1f'" in "\x1f" + "\x1f".join(cells):
                cells = [_unescape_linear(c) for c in cells]
            # A blank cell splits to nothing, as _first's "" would: the same title.
            title = " ".join(
                (cells[title_at] if title_at is not None else _first(cells, title_cols)).split()
            )
            if not title:
                skipped.append(line)
                continue
            item_id = (cells[id_at] if id_at is not None else _first(cells, id_cols)).strip()
            if github_numbers and item_id.isdigit():
                item_id = f"#{item_id}"
            if item_id:
                first_line = given.setdefault(item_id, line)
                if first_line != line:
                    raise InputError(
                        path,
                        f"duplicate id {item_id!r}: on lines {first_line} and {line}",
                        line,
                    )
            if url_at is not None:
                match = _GITHUB_URL.search(cells[url_at])
                url_ids.append((match.group(1), match.group(2)) if match else None)
            # str.split() breaks on exactly the whitespace a regex \s matches, and drops
            # the empty ends re.split(r"[,\s]+") keeps (dedupe drops those anyway).
            labels = " ".join(spaced_labels(cells)).replace(",", " ").split()
            if any(comma := comma_labels(cells)):
                labels.extend(split_labels(",".join(comma)))
            estimate = (
                cells[estimate_at] if estimate_at is not None else _first(cells, estimate_cols)
            )
            yield (
                line,
                cells,
                item_id,
                title,
                dedupe(labels) if labels else (),
                parse_estimate(estimate, decimal_comma=decimal_comma) if estimate else None,
            )

    def finish(self, kept: int, warnings: list[str]) -> None:
        """Warn about rows skipped for an empty title; refuse a file where all were."""
        skipped = self.skipped
        if not kept and not skipped:
            raise InputError(
                self.path,
                "no items: the file has a header but no rows below it",
                self.table.header_line,
            )
        if not skipped:
            return
        if not kept:
            title_cols = self.table.columns["title"]
            raise InputError(
                self.path,
                f"no items: every row has an empty title (column "
                f"{self.table.header[title_cols[0]]!r})"
                if title_cols
                else "no items: no row has a title",
                skipped[0],
            )
        shown = ", ".join(str(line) for line in skipped[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        warnings.append(f"skipped {len(skipped)} row(s) with an empty title: line(s) {shown}{more}")

    def final_ids(self, ids: list[str], lines: list[int]) -> list[str]:
        """The ids as the app uses them, the rows' given ids first."""
        if self.url_at is not None:
            ids = _ids_from_urls(ids, lines, self.url_ids, self.given, self.path)
        return fill_ids(ids)


def _build_items(
    table: _Table, path: Path, warnings: list[str], left_out: list[str] | None = None
) -> list[Item]:
    """The rows as items; `left_out` gets the columns not carried into `extra` (tracker
    bookkeeping, then the columns empty in every row), each named once, in file order."""
    reader = _RowReader(table, path)
    header, shape, columns = table.header, table.shape, table.columns
    width = len(header)
    index = reader.index
    consumed = {i for positions in columns.values() for i in positions}
    completed_at = index.get("completed at", [None])[0] if shape is formats.ASANA else None
    markup = FORMAT_MARKUP.get(shape.name, "")  # the source says the dialect, not the text
    if reader.url_at is not None:
        consumed.discard(reader.url_at)  # the link is worth keeping in the plan
    # Due date, comments, attachments, links: fields of their own, not `extra`.
    # Imported here: `check`'s scan reads no tracker context.
    from triage_tui.formats.loaders.context import ContextColumns, numeric_id_map, resolve_links

    context = ContextColumns(header, github=shape in (formats.GITHUB_CSV, formats.GITHUB_TSV))
    consumed |= context.positions - {reader.url_at}
    # Extra columns: once per distinct header name, repeated names merged.
    extra_single: list[tuple[int, str]] = []
    extra_multi: list[tuple[str, Callable[[list[str]], tuple[str, ...]]]] = []
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        if position not in consumed:
            seen.setdefault(name or f"column {position + 1}", []).append(position)
    bookkeeping = bookkeeping_columns(seen)
    for name in bookkeeping:
        del seen[name]
    for name, positions in seen.items():
        if len(positions) == 1:
            extra_single.append((positions[0], name))
        else:
            extra_multi.append((name, _getter(positions)))
    read_text = _text_reader(table)  # the description and type, as check's scan reads them
    status_cols, status_at = _field(columns, "status")
    extra_names = tuple(name for _, name in extra_single)
    extra_values = _getter([i for i, _ in extra_single])
    authored = authored_columns(seen)  # account ids in their cells are bookkeeping too

    numeric: dict[str, str] = {}
    if context.links:  # before reader.rows(), which lets each row go once read
        id_cols = columns["id"]
        numeric = numeric_id_map(header, table.body.cells, id_cols[0] if id_cols else None)
    items: list[Item] = []
    for line, cells, item_id, title, labels, estimate in reader.rows():
        description, kind = read_text(cells)
        # The hot loop for a 60-column Jira export: a comprehension over zip is ~40%
        # cheaper than dict(filter(itemgetter(1), zip(...))), which calls per cell.
        extra: dict[str, Any] = {
            name: value
            for name, value in zip(extra_names, extra_values(cells), strict=True)
            if value
        }
        for name, values in extra_multi:
            if any(found := values(cells)):
                extra[name] = ", ".join(filter(None, found))
        for name in authored:
            if name in extra:
                extra[name] = scrub_account_ids(extra[name])
        if len(cells) > width:
            for i in range(width, len(cells)):
                if cells[i].strip():
                    extra[f"column {i + 1}"] = cells[i]
        status = (cells[status_at] if status_at is not None else _first(cells, status_cols)).strip()
        if completed_at is not None and cells[completed_at].strip():
            # Asana marks completion with a date, whatever column the task sits in.
            if status and status_cols:
                extra[header[status_cols[0]]] = status
            status = "Done"
        due, comments, attachments, links = (
            context.read(cells, description) if context else _NO_CONTEXT
        )
        items.append(
            Item(
                item_id,
                title,
                description,
                labels,
                estimate,
                status,
                kind,
                extra,
                line,
                due,
                comments,
                attachments,
                links,
                markup=markup,
            )
        )
    reader.finish(len(items), warnings)
    if left_out is not None:
        used: set[str] = set()
        for item in items:
            used.update(item.extra)
        left_out.extend(bookkeeping)
        left_out.extend(name for name in seen if name not in used)
    ids = [item.id for item in items]
    final = reader.final_ids(ids, [item.line for item in items])
    if final != ids:
        items = [
            item if item.id == new else replace(item, id=new)
            for item, new in zip(items, final, strict=True)
        ]
    if context.links:
        items = resolve_links(items, numeric_ids=numeric)
    elif context:
        items = resolve_links(items)
    return items


def _getter(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A C-speed function returning the cells at `positions` as a tuple."""
    if not positions:
        return lambda cells: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda cells: (cells[only],)
    return itemgetter(*positions)


def _field(columns: Mapping[str, list[int]], name: str) -> tuple[list[int], int | None]:
    """A field's columns, and its one column when it has exactly one, else None.

    A field read from one column (the usual case) is one list lookup per row; only
    fields with several candidate columns loop in `_first`.
    """
    positions = columns[name]
    return positions, positions[0] if len(positions) == 1 else None


def _first(cells: list[str], positions: list[int]) -> str:
    for i in positions:
        value = cells[i]
        if value and not value.isspace():
            return value
    return ""


def _unescape_linear(cell: str) -> str:
    # Linear prefixes cells that a spreadsheet would run as a formula with an apostrophe.
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _LINEAR_ESCAPED:
        return cell[1:]
    return cell


def _ids_from_urls(
    ids: list[str],
    lines: list[int],
    url_ids: list[tuple[str, str] | None],
    given: dict[str, int],
    path: Path,
) -> list[str]:
    """GitHub Projects rows without an id take one from their issue URL ("#12")."""
    repos = {found[0] for found in url_ids if found}
    short = len(repos) <= 1
    result: list[str] = []
    taken: dict[str, int] = dict(given)
    for item_id, line, found in zip(ids, lines, url_ids, strict=True):
        if item_id or found is None:
            result.append(item_id)
            continue
        repo, number = found
        item_id = f"#{number}" if short else f"{repo}#{number}"
        if item_id in taken:
            raise InputError(
                path,
                f"duplicate id {item_id!r}: on lines {taken[item_id]} and {line}",
                line,
            )
        taken[item_id] = line
        result.append(item_id)
    return result
