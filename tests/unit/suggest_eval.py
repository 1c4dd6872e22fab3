"""Score the suggestion engine against the labelled fixtures (tests/fixtures/suggestions)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from triage_tui.core.categorize import Suggestion, suggest
from triage_tui.core.model import Item
from triage_tui.core.session import Category
from triage_tui.formats.loaders import load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "suggestions"
LABELS = ("ownership", "project", "ambiguous")
AGREES = {
    "ownership": {Category.HIRING},
    "project": {Category.PROJECT},
    "ambiguous": {Category.PARKED, Category.UNDECIDED},
}


@dataclass(frozen=True)
class Case:
    """One labelled item and what the engine made of it."""

    file: str
    item: Item
    label: str
    why: str
    suggestion: Suggestion

    @property
    def agrees(self) -> bool:
        return self.suggestion.category in AGREES[self.label]


def read_labels(folder: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(file, id) -> (label, reason) from the folder's labels.csv (reason may hold commas)."""
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    lines = (folder / "labels.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,id,label,reason"
    for line in lines[1:]:
        file, item_id, label, why = line.split(",", 3)
        assert label in LABELS, line
        assert why.strip(), line
        labels[(file, item_id)] = (label, why)
    return labels


def evaluate(folder: Path) -> list[Case]:
    """Every labelled item of `folder`, loaded by the app's own loaders, with its suggestion."""
    labels = read_labels(folder)
    cases: list[Case] = []
    for path in sorted(folder.iterdir()):
        if path.name in ("labels.csv", "README.md"):
            continue
        for item in load(path).items:
            label, why = labels.pop((path.name, item.id))
            cases.append(Case(path.name, item, label, why, suggest(item)))
    assert not labels, f"labels for items no file has: {sorted(labels)}"
    return cases


def confusion(cases: list[Case]) -> Counter[tuple[str, Category]]:
    """(label, suggested category) -> count."""
    return Counter((case.label, case.suggestion.category) for case in cases)


def table(cases: list[Case]) -> str:
    """The confusion table and the agreement, as text."""
    counts = confusion(cases)
    categories = list(Category)
    lines = ["label \\ suggested  " + "".join(f"{c.value:>11}" for c in categories)]
    for label in LABELS:
        row = "".join(f"{counts[(label, c)]:>11}" for c in categories)
        lines.append(f"{label:<19}{row}")
    agreed = sum(case.agrees for case in cases)
    lines.append(f"agreement: {agreed}/{len(cases)} = {agreed / len(cases):.1%}")
    return "\n".join(lines)


def misses(cases: list[Case]) -> list[Case]:
    """Disagreements, worst first: ownership->project, project->hiring, then the rest."""
    rank = {
        ("ownership", Category.PROJECT): 0,
        ("project", Category.HIRING): 1,
        ("ambiguous", Category.PROJECT): 2,
        ("ambiguous", Category.HIRING): 3,
    }
    wrong = [case for case in cases if not case.agrees]
    return sorted(wrong, key=lambda case: rank.get((case.label, case.suggestion.category), 4))


def main() -> None:
    """Print both sets' tables and misses."""
    for name in ("labelled", "heldout"):
        cases = evaluate(FIXTURES / name)
        print(f"== {name} ({len(cases)} items)")
        print(table(cases))
        for case in misses(cases):
            print(
                f"  MISS {case.file}:{case.item.id} [{case.label} -> "
                f"{case.suggestion.category.value}] {case.item.title!r}: {case.suggestion.reason}"
            )


if __name__ == "__main__":
    main()
