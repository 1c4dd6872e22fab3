"""The palette's "Jump to": every item reachable by its id or the words of its title, a
search bounded however many items there are."""

from __future__ import annotations

from itertools import islice

from triage_tui.core.model import Item
from triage_tui.tui.commands import (
    JUMP_WIDTH,
    MAX_JUMP_HITS,
    JumpIndex,
    jump_display,
    jump_line,
)


def items(count: int) -> list[Item]:
    return [
        Item(f"OPS-{number}", f"Migrate service {number} to the queue") for number in range(count)
    ]


def test_every_item_is_found_by_its_id_first() -> None:
    index = JumpIndex(items(5000))
    for number in (0, 1999, 2000, 4999):  # past the old 2,000-item cut too
        found = list(index.find(f"ops-{number}"))
        assert found[0] == number  # the item whose id it is, first
        assert all(f"ops-{number}" in f"OPS-{hit}".lower() for hit in found)


def test_every_typed_word_must_be_there_in_any_order_and_case() -> None:
    index = JumpIndex(
        [
            Item("PAY-1", "Stripe webhook ingestion"),
            Item("PAY-2", "Webhooks: replay from the DLQ"),
            Item("API-3", "Rate limit the public API"),
        ]
    )
    assert list(index.find("WEBHOOK")) == [0, 1]
    assert list(index.find("replay webhook")) == [1]
    assert list(index.find("pay stripe")) == [0]
    assert list(index.find("api")) == [2]
    assert list(index.find("nothing like it")) == []
    assert list(index.find("   ")) == []


def test_a_title_that_lowercases_longer_keeps_the_lines_apart() -> None:
    index = JumpIndex([Item("A-1", "İstanbul office"), Item("A-2", "Lisbon office")])
    assert list(index.find("lisbon")) == [1]
    assert list(index.find("office")) == [0, 1]


class CountingText(str):
    """The index's text, counting the searches made in it."""

    calls = 0

    def find(self, *args: object) -> int:  # type: ignore[override]
        CountingText.calls += 1
        return super().find(*args)  # type: ignore[arg-type]


def test_a_search_is_bounded_and_yields_each_hit_as_found() -> None:
    index = JumpIndex(items(100_000))
    index.text = CountingText(index.text)
    CountingText.calls = 0
    assert next(index.find("queue")) == 0  # the first hit, before the rest is searched
    assert CountingText.calls == 1
    CountingText.calls = 0
    hits = list(index.find("queue"))  # every one of the 100,000 holds it
    assert hits == list(range(MAX_JUMP_HITS))
    assert CountingText.calls == MAX_JUMP_HITS  # one search a hit, not one an item
    assert list(islice(index.find("ops-99999"), 5)) == [99_999]


def test_the_line_shown_is_text_with_the_typed_words_marked() -> None:
    item = Item("X-1", "[link=https://evil]click[/link] me")
    content = jump_display(item, "click")
    assert content.plain == jump_line(item) == "Jump to X-1: [link=https://evil]click[/link] me"
    marked = {content.plain[span.start : span.end].lower() for span in content.spans}
    assert marked == {"click"}


def test_a_long_line_says_it_was_cut() -> None:
    item = Item("X-2", "A title long enough to run past the palette's width " * 3)
    line = jump_line(item)
    assert len(line) == JUMP_WIDTH and line.endswith("…")
    assert f"Jump to X-2: {item.title}".startswith(line.removesuffix("…"))
