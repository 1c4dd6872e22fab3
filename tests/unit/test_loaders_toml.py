"""TOML backlogs: fields, generated ids, extra keys, and errors naming item, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.core.errors import InputError
from triage_tui.formats.loaders import load


def write(tmp_path: Path, text: str, name: str = "b.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load(write(tmp_path, text))
    return caught.value


def test_fields_extra_and_generated_ids(tmp_path: Path) -> None:
    text = """title = "Q1"
[[items]]
title = "  Build   the thing "
labels = "api, infra, api"
estimate = 3
owner = "Ana"
links = ["https://x.example"]

[[items]]
id = 42
title = "Second"
description = \"\"\"
Line one.
\"\"\"
estimate = "2w"
status = "Todo"
type = "Story"

[[items]]
id = "ITEM-3"
title = "Third"
labels = ["a", " b ", "", "A"]
estimate = 2.5
"""
    backlog = load(write(tmp_path, text))
    assert backlog.title == "Q1"
    assert [(i.id, i.title, i.labels, i.estimate, i.line) for i in backlog.items] == [
        ("ITEM-1", "Build the thing", ("api", "infra"), 3, 2),
        ("42", "Second", (), "2w", 9),
        ("ITEM-3", "Third", ("a", "b"), 2.5, 19),
    ]
    assert backlog.items[0].extra == {"owner": "Ana", "links": ["https://x.example"]}
    assert backlog.items[1].description == "Line one."
    assert (backlog.items[1].status, backlog.items[1].type) == ("Todo", "Story")


def test_generated_id_avoids_a_given_one(tmp_path: Path) -> None:
    text = '[[items]]\ntitle = "a"\n[[items]]\nid = "ITEM-1"\ntitle = "b"\n'
    assert [item.id for item in load(write(tmp_path, text)).items] == ["ITEM-1-2", "ITEM-1"]


def test_title_defaults_to_file_name(tmp_path: Path) -> None:
    assert load(write(tmp_path, '[[items]]\ntitle = "a"\n')).title == "b.toml"


def test_inline_items_array(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, 'items = [{title = "a"}, {title = "b", id = "X"}]\n'))
    assert [item.id for item in backlog.items] == ["ITEM-1", "X"]


def test_map_is_ignored_for_toml_with_a_warning(tmp_path: Path) -> None:
    backlog = load(write(tmp_path, '[[items]]\ntitle = "a"\n'), {"title": "Headline"})
    assert backlog.warnings == ("--map applies to CSV files: ignored for this TOML backlog",)


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = refusal(tmp_path, '[[items]]\ntitle = "a"\n\n[[items]]\ntitle = "b\n')
    assert error.line == 5
    assert error.message.startswith("invalid TOML:")


def test_items_not_an_array(tmp_path: Path) -> None:
    error = refusal(tmp_path, 'title = "x"\nitems = "x"\n')
    assert (error.line, error.message) == (
        2,
        "items must be an array of tables ([[items]]), not a string",
    )


def test_title_that_is_a_number_names_item_and_field(tmp_path: Path) -> None:
    error = refusal(tmp_path, '[[items]]\ntitle = "ok"\n\n[[items]]\nid = "API-2"\ntitle = 7\n')
    assert (error.line, error.message) == (
        4,
        "item 'API-2': title must be a string, not an integer",
    )


def test_missing_title_names_the_position(tmp_path: Path) -> None:
    error = refusal(tmp_path, '[[items]]\ntitle = "ok"\n[[items]]\nlabels = ["x"]\n')
    assert error.line == 3
    assert error.message == 'item 2: title is missing (add title = "...")'


def test_empty_title_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, '[[items]]\ntitle = "   "\n')
    assert (error.line, error.message) == (1, "item 1: title is empty")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("labels = [1, 2]", "item 1: labels must be a list of strings, not an array"),
        ("estimate = true", "item 1: estimate must be text or a number, not a boolean"),
        (
            "estimate = nan",
            "item 1: estimate must be text or a number, not a non-finite number (nan)",
        ),
        ("description = 3", "item 1: description must be a string, not an integer"),
        ("status = []", "item 1: status must be a string, not an array"),
        ("id = 1.5", "item 1: id must be a string, not a number"),
    ],
)
def test_wrong_types(tmp_path: Path, body: str, message: str) -> None:
    error = refusal(tmp_path, f'# comment\n[[items]]\ntitle = "t"\n{body}\n')
    assert (error.line, error.message) == (2, message)


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    error = refusal(
        tmp_path, '[[items]]\nid = "A"\ntitle = "x"\n[[items]]\nid = "A"\ntitle = "y"\n'
    )
    assert error.line == 4
    assert error.message == "duplicate id 'A': items 1 and 2 (lines 1 and 4)"


def test_no_items(tmp_path: Path) -> None:
    assert "no items" in refusal(tmp_path, 'title = "only a title"\n').message
    assert refusal(tmp_path, "items = []\n").line == 1


def test_top_level_title_type(tmp_path: Path) -> None:
    error = refusal(tmp_path, 'title = 3\n[[items]]\ntitle = "a"\n')
    assert (error.line, error.message) == (1, "title must be a string, not an integer")
