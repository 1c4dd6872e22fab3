"""core.scope.facet_counts counts with C-speed Counters (issue 24, the start screen at
100,000 items): the same result as counting item by item, spellings and order included."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from triage_tui.core.model import Item
from triage_tui.core.scope import facet_counts


def _item_by_item(items: list[Item], field: str) -> list[tuple[str, int]]:
    """The definition: every value casefolded as met, the first spelling kept."""
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for item in items:
        values = item.labels if field == "labels" else (getattr(item, field),)
        for value in values:
            if value:
                key = value.casefold()
                if key not in counts:
                    spelling[key] = value
                    counts[key] = 0
                counts[key] += 1
    return sorted(
        ((spelling[key], count) for key, count in counts.items()),
        key=lambda pair: (-pair[1], pair[0].casefold()),
    )


WORDS = st.sampled_from(["", "api", "API", "Api", "db", "DB", "ß", "SS", "ss", "Done", "done"])


@given(
    st.lists(
        st.tuples(WORDS, WORDS, st.lists(WORDS, max_size=4, unique=True).map(tuple)),
        max_size=40,
    )
)
def test_the_same_counts_as_item_by_item(rows: list[tuple[str, str, tuple[str, ...]]]) -> None:
    items = [
        Item(f"X-{number}", "t", status=status, type=kind, labels=labels)
        for number, (status, kind, labels) in enumerate(rows)
    ]
    for field in ("status", "type", "labels"):
        assert facet_counts(items, field) == _item_by_item(items, field)
        assert facet_counts(iter(items), field) == _item_by_item(items, field)
