"""The suggestion engine gives today's suggestion, word for word, for every record of
every sample and fixture and of the bench's generated exports (issue 24: a cheaper
engine judged against the saved outputs; tests/unit/suggest_golden.py saves them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.suggest_golden import (
    GOLDEN,
    digest,
    generated_files,
    golden_name,
    source_files,
    suggestions_of,
)


@pytest.mark.parametrize("path", source_files(), ids=lambda path: path.name)
def test_every_record_gets_the_saved_suggestion(path: Path) -> None:
    golden = GOLDEN / golden_name(path)
    assert golden.exists(), (
        f"no saved suggestions for {path.name}: a new fixture? "
        "`python -m tests.unit.suggest_golden --missing` saves them"
    )
    saved = json.loads(golden.read_text(encoding="utf-8"))
    assert suggestions_of(path) == saved


def test_every_generated_record_gets_the_saved_suggestion(tmp_path: Path) -> None:
    saved = json.loads((GOLDEN / "generated.json").read_text(encoding="utf-8"))
    files = generated_files(tmp_path)
    assert {path.name: digest(suggestions_of(path)) for path in files} == saved


def test_the_golden_outputs_cover_every_kind_of_suggestion() -> None:
    categories = set()
    for path in source_files():
        saved = json.loads((GOLDEN / golden_name(path)).read_text(encoding="utf-8"))
        categories.update(category for _, category, _ in saved)
    assert categories == {"hiring", "project", "parked", "undecided"}
