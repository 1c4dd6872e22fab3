"""Today's suggestion for every record of every sample and fixture, saved to compare a
faster engine against (issue 24: the same suggestion for every record).

``python -m tests.unit.suggest_golden --update`` rewrites
tests/fixtures/suggestions/golden/*.json from the engine as it is; do that only when the
suggestions are meant to change (a lexicon edit), and say so in the commit.
``python -m tests.unit.suggest_golden --missing`` writes the outputs of sample and fixture
files that have none yet (a fixture just added), leaving every saved one as it is.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "suggestions" / "golden"
#: Every backlog file the golden outputs cover.
SOURCES = (
    "sample_backlogs",
    "tests/fixtures/exports",
    "tests/fixtures/suggestions/labelled",
    "tests/fixtures/suggestions/heldout",
    "tests/fixtures/plans",
)
#: Generated exports from bench/helpers.py (deterministic): many more varied records.
GENERATED = {"jira": 1500, "linear": 1500, "github": 1500}


def source_files() -> list[Path]:
    """The sample and fixture backlogs (every .csv/.tsv/.txt/.toml but label files)."""
    files = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).iterdir()):
            if path.suffix in (".csv", ".tsv", ".txt", ".toml") and path.name != "labels.csv":
                files.append(path)
    return files


def suggestions_of(path: Path) -> list[list[str]]:
    """[id, category, reason] for every item the file loads as."""
    from triage_tui.core.categorize import suggest
    from triage_tui.formats.loaders import load

    backlog = load(path, {})
    out = []
    for item in backlog.items:
        found = suggest(item)
        out.append([item.id, found.category.value, found.reason])
    return out


def generated_files(folder: Path) -> list[Path]:
    """The bench's generated exports (written into `folder`)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from helpers import write_export
    finally:
        sys.path.pop(0)
    return [write_export(shape, count, folder) for shape, count in GENERATED.items()]


def digest(records: list[list[str]]) -> str:
    """A short fingerprint of a file's suggestions (for the big generated files)."""
    return hashlib.sha256(json.dumps(records, ensure_ascii=False).encode()).hexdigest()


def golden_name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix().replace("/", "__") + ".json"


def update(scratch: Path, *, missing_only: bool = False) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in source_files():
        if missing_only and (GOLDEN / golden_name(path)).exists():
            continue
        records = suggestions_of(path)
        (GOLDEN / golden_name(path)).write_text(
            json.dumps(records, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
    if missing_only:
        return
    digests = {path.name: digest(suggestions_of(path)) for path in generated_files(scratch)}
    (GOLDEN / "generated.json").write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] not in (["--update"], ["--missing"]):
        sys.exit(__doc__)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        update(Path(folder), missing_only=sys.argv[1] == "--missing")
