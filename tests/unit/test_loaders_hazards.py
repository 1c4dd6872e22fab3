"""CSV and TOML hazards that must load (the refusals are in test_check_cli.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.core.errors import InputError
from triage_tui.formats.loaders import load
from triage_tui.formats.loaders.common import parse_estimate
from triage_tui.formats.loaders.csv_loader import sniff_delimiter


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", b"\xef\xbb\xbfTitle,Description\nShip it,now\n")
    backlog = load(path)
    assert backlog.columns["title"] == "Title"
    assert backlog.items[0].title == "Ship it"


def test_crlf_and_multiline_quoted_cells_keep_line_numbers(tmp_path: Path) -> None:
    text = 'title,description\r\nOne,"first\r\nsecond\r\nthird"\r\nTwo,plain\r\n'
    backlog = load(write(tmp_path, "m.csv", text))
    assert [item.title for item in backlog.items] == ["One", "Two"]
    assert backlog.items[0].description == "first\nsecond\nthird"
    assert [item.line for item in backlog.items] == [2, 5]


def test_old_mac_line_endings(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, "r.csv", "title\rOne\rTwo\r"))
    assert [item.title for item in backlog.items] == ["One", "Two"]


def test_rows_shorter_than_the_header_are_padded(tmp_path: Path) -> None:
    text = "id,title,description,labels,estimate\nA-1,Only a title\nA-2,Full,desc,x,3\n"
    backlog = load(write(tmp_path, "short.csv", text))
    assert [(i.id, i.title, i.labels, i.estimate) for i in backlog.items] == [
        ("A-1", "Only a title", (), None),
        ("A-2", "Full", ("x",), 3),
    ]


def test_rows_longer_than_the_header_keep_the_extra_cells(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, "long.csv", "title,notes\nOne,a,surplus\n"))
    assert backlog.items[0].extra == {"column 3": "surplus"}


def test_trailing_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    text = "title,estimate\nOne,1\n,\n\nTwo,2\n,,\n\n\n"
    backlog = load(write(tmp_path, "t.csv", text))
    assert [item.title for item in backlog.items] == ["One", "Two"]
    assert backlog.warnings == ()


def test_rows_with_an_empty_title_are_skipped_with_a_warning(tmp_path: Path) -> None:
    text = "title,description\nOne,x\n  ,orphan description\nTwo,y\n,another\n"
    backlog = load(write(tmp_path, "e.csv", text))
    assert [item.title for item in backlog.items] == ["One", "Two"]
    assert backlog.warnings == ("skipped 2 row(s) with an empty title: line(s) 3, 5",)


def test_a_five_megabyte_cell_loads(tmp_path: Path) -> None:
    big = "x" * (5 * 1024 * 1024)
    backlog = load(write(tmp_path, "big.csv", f'title,description\nHuge,"{big}"\nNext,small\n'))
    assert len(backlog.items[0].description) == len(big)
    assert backlog.items[1].line == 3


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("title,description\na,b\n", ".csv", ","),
        ("Title;Description\na;b, with comma\n", ".csv", ";"),
        ("Title\tURL\tStatus\n", ".csv", "\t"),
        ("title,description\n", ".tsv", "\t"),
        ('"Custom field (a, b)";Title\n', ".csv", ";"),
        ("title\nFix login, again\n", ".csv", "\t"),
    ],
)
def test_delimiter_sniffing(text: str, suffix: str, expected: str) -> None:
    assert sniff_delimiter(text, suffix) == expected


def test_a_one_column_sheet_keeps_commas_in_titles(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, "one.csv", "Title\nFix login, again\nShip, then rest\n"))
    assert [item.title for item in backlog.items] == ["Fix login, again", "Ship, then rest"]


def test_header_in_any_case_and_synonyms(tmp_path: Path) -> None:
    text = 'NAME,Body,TAGS,Story Points,Key\nRefactor auth,text,"a, b, a",2.0,K-1\n'
    backlog = load(write(tmp_path, "s.csv", text))
    assert dict(backlog.columns) == {
        "id": "Key",
        "title": "NAME",
        "description": "Body",
        "labels": "TAGS",
        "estimate": "Story Points",
    }
    item = backlog.items[0]
    assert (item.id, item.labels, item.estimate) == ("K-1", ("a", "b"), 2)


def test_header_below_spacer_rows_is_found(tmp_path: Path) -> None:
    text = ",,\n,,https://app.asana.com/-/csv\n,,\nTask ID,Name,Notes\n1,Do it,now\n"
    backlog = load(write(tmp_path, "asana.csv", text))
    assert backlog.format == "asana-csv"
    assert [(item.id, item.line) for item in backlog.items] == [("1", 5)]


def test_column_map_overrides_detection(tmp_path: Path) -> None:
    text = "Headline,Title,Points\nReal title,not this one,3\n"
    path = write(tmp_path, "map.csv", text)
    backlog = load(path, {"title": "Headline", "estimate": "points"})
    assert backlog.items[0].title == "Real title"
    assert backlog.items[0].estimate == 3
    assert backlog.columns["title"] == "Headline"
    assert backlog.items[0].extra == {"Title": "not this one"}


def test_column_map_to_a_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "map.csv", "Title,Body\nA,b\n")
    with pytest.raises(InputError) as caught:
        load(path, {"description": "Details"})
    assert caught.value.line == 1
    assert "'Title', 'Body'" in caught.value.message
    assert "--map description=Details" in caught.value.message


def test_generated_ids_never_collide_with_given_ones(tmp_path: Path) -> None:
    text = "id,title\n,first\nITEM-1,second\n,third\nITEM-3,fourth\n"
    backlog = load(write(tmp_path, "ids.csv", text))
    assert [item.id for item in backlog.items] == ["ITEM-1-2", "ITEM-1", "ITEM-3-2", "ITEM-3"]


def test_linear_escape_removed_only_in_linear_exports(tmp_path: Path) -> None:
    plain = load(write(tmp_path, "p.csv", "title,notes\n'=not linear,'+1\n"))
    assert plain.items[0].title == "'=not linear"
    linear = load(
        write(
            tmp_path,
            "l.csv",
            "ID,Team,Title,Labels\nBE-1,Core,'=SUM(A1),\"'-x, y\"\nBE-2,Core,'Quoted',\n",
        )
    )
    assert [item.title for item in linear.items] == ["=SUM(A1)", "'Quoted'"]
    assert linear.items[0].labels == ("-x", "y")


def test_github_ids_short_when_one_repository(tmp_path: Path) -> None:
    text = (
        "Title\tURL\tStatus\n"
        "One\thttps://github.com/o/r/issues/12\tTodo\n"
        "Two\thttps://github.com/o/r/pull/13\tDone\n"
        "Draft\t\tTodo\n"
    )
    backlog = load(write(tmp_path, "p.tsv", text))
    assert [item.id for item in backlog.items] == ["#12", "#13", "ITEM-3"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", None),
        ("  ", None),
        ("3", 3),
        ("3.0", 3),
        ("2.5", 2.5),
        ("1e3", 1000),
        ("2w", "2w"),
        ("M", "M"),
        ("nan", "nan"),
        ("1e999", "inf"),
        ("9" * 5000, "9" * 5000),
    ],
)
def test_estimate_parsing(cell: str, expected: object) -> None:
    assert parse_estimate(cell) == expected
    assert type(parse_estimate(cell)) is type(expected)


def test_decimal_comma_only_in_semicolon_sheets() -> None:
    assert parse_estimate("1,5", decimal_comma=True) == 1.5
    assert parse_estimate("1,5") == "1,5"


def test_unknown_extension_detects_toml_and_csv(tmp_path: Path) -> None:
    toml = load(write(tmp_path, "backlog", '[[items]]\ntitle = "From TOML"\n'))
    assert toml.format == "toml"
    sheet = load(write(tmp_path, "sheet", "title\nFrom CSV\n"))
    assert sheet.format == "csv"


def test_stray_quotes_inside_unquoted_cells_are_text(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, "q.csv", 'title,notes\n27" monitor arm,5" stand\nNext,x\n'))
    assert [item.title for item in backlog.items] == ['27" monitor arm', "Next"]


def test_plan_files_are_delegated_to_the_plan_reader(tmp_path: Path) -> None:
    from triage_tui.core.session import Session
    from triage_tui.formats import plan

    backlog = load(Path(__file__).resolve().parents[2] / "sample_backlogs" / "acme.toml")
    written = plan.write_plan(Session(backlog), tmp_path / "acme.plan.toml")
    reopened = load(written)
    assert reopened.format == "plan"
    assert [item.id for item in reopened.items] == [item.id for item in backlog.items]
    assert reopened.items[2].labels == backlog.items[2].labels
    # The bytes given are the plan read: not the disk again (here, no such file).
    from triage_tui.formats.loaders import load_bytes

    elsewhere = load_bytes(written.read_bytes(), tmp_path / "not-on-disk.toml")
    assert [item.id for item in elsewhere.items] == [item.id for item in backlog.items]


def test_a_plan_is_parsed_once_by_load_and_by_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telling a plan from a backlog parses the TOML; the plan reader reuses that parse
    # (a 10,000-item plan takes tomllib seconds).
    import tomllib

    from triage_tui.core.session import Session
    from triage_tui.formats import plan
    from triage_tui.formats.loaders import scan

    backlog = load(Path(__file__).resolve().parents[2] / "sample_backlogs" / "acme.toml")
    written = plan.write_plan(Session(backlog), tmp_path / "acme.plan.toml")
    parses: list[int] = []
    real_loads = tomllib.loads

    def counting_loads(text: str, **kwargs: object) -> dict[str, object]:
        parses.append(len(text))
        return real_loads(text)

    monkeypatch.setattr(tomllib, "loads", counting_loads)
    assert len(load(written).items) == 25
    assert len(parses) == 1
    found = scan(written)
    assert (found.format, len(found.records), len(parses)) == ("plan", 25, 2)


def test_sloppy_quotes_within_one_row_are_read_like_a_spreadsheet(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, "s.csv", 'title,notes\n"Say "hi" now",x\nNext,y\n'))
    assert [item.title for item in backlog.items] == ['Say hi" now"', "Next"]


# -- progress ---------------------------------------------------------------------------
def test_progress_reports_rows_read_then_items_built(tmp_path: Path) -> None:
    text = "title,id\nOne,A-1\n,A-2\n\nThree,A-3\n"  # a blank row, and one without a title
    calls: list[tuple[str, int]] = []
    backlog = load(write(tmp_path, "p.csv", text), None, lambda stage, n: calls.append((stage, n)))
    assert len(backlog.items) == 2
    assert calls == [("read", 3), ("built", 2)]


def test_progress_for_toml_and_plans(tmp_path: Path) -> None:
    from triage_tui.core.session import Session
    from triage_tui.formats.plan import write_plan

    calls: list[tuple[str, int]] = []
    toml = write(tmp_path, "b.toml", '[[items]]\ntitle = "One"\n[[items]]\ntitle = "Two"\n')
    backlog = load(toml, progress=lambda stage, n: calls.append((stage, n)))
    assert calls == [("read", 2), ("built", 2)]
    calls.clear()
    plan = write_plan(Session(backlog), tmp_path / "b.plan.toml", backup=False)
    assert load(plan, progress=lambda stage, n: calls.append((stage, n))).format == "plan"
    assert calls == [("read", 2), ("built", 2)]


def test_progress_is_not_called_when_loading_fails(tmp_path: Path) -> None:
    calls: list[tuple[str, int]] = []
    with pytest.raises(InputError):
        load(write(tmp_path, "bad.csv", "title\n"), progress=lambda s, n: calls.append((s, n)))
    assert calls == [("read", 0)]  # the rows were read; no items were built
