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


def test_an_id_matches_whatever_its_case_and_punctuation() -> None:
    index = JumpIndex(
        [
            Item("API-3", "Rate limit the public API"),
            Item("PAY-114", "Stripe webhook ingestion"),
            Item("PAY-115", "Refund export"),
            Item("ops_7", "Pager rota"),
        ]
    )
    for query in ("pay114", "PAY114", "pay 114", "Pay_114", "pay.114", "PAY-114"):
        assert next(index.find(query)) == 1, query  # the item whose id it is, first
    assert list(index.find("pay114")) == [1]
    assert list(index.find("pay11")) == [1, 2]  # part of an id: every id holding it
    assert list(index.find("OPS7")) == [3]
    assert list(index.find("ops-7")) == [3]
    # Words still match as before (and an id word before any id-only hit).
    assert list(index.find("refund")) == [2]
    assert list(index.find("pay stripe")) == [1]
    assert list(index.find("zzz114")) == []
    assert list(index.find("--")) == []  # only punctuation: no id key, no hit


def test_an_id_key_query_is_bounded_too() -> None:
    index = JumpIndex(items(100_000))
    hits = list(index.find("ops9999"))
    assert hits[0] == 9999  # OPS-9999 itself, then the ids holding "ops9999"
    assert hits == [9999, *range(99_990, 100_000)]
    assert len(list(index.find("ops1"))) == MAX_JUMP_HITS


def test_an_id_found_by_its_key_is_marked_in_the_line() -> None:
    item = Item("PAY-114", "Stripe webhook ingestion")
    content = jump_display(item, "pay11")
    marked = [content.plain[span.start : span.end] for span in content.spans]
    assert marked == ["PAY-11"]
    assert content.plain == "Jump to PAY-114: Stripe webhook ingestion"
