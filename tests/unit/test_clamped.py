"""ClampedText's clamping: wrapped to the box, "…" where cut, and its no-measure shortcut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from triage_tui.tui.widgets.clamped import _surely_fits, clamp_text

CONSOLE = Console(width=200)
FACTS = "status: To Do · type: Story · estimate: 8 · labels: payments, webhooks, stripe"


def test_text_that_fits_is_unchanged() -> None:
    assert clamp_text(Text("short title"), CONSOLE, 30, 2).plain == "short title"


def test_cut_text_ends_in_an_ellipsis_within_the_width() -> None:
    one = clamp_text(Text(FACTS), CONSOLE, 30, 1).plain
    assert one == "status: To Do · type: Story…"
    two = clamp_text(Text(FACTS), CONSOLE, 30, 2).plain.split("\n")
    assert len(two) == 2 and two[1].endswith("…")
    assert all(len(line) <= 30 for line in two)


def test_a_word_longer_than_the_box_is_folded_then_cut() -> None:
    lines = clamp_text(Text("x" * 100), CONSOLE, 10, 2).plain.split("\n")
    assert lines == ["x" * 10, "x" * 9 + "…"]


def test_styles_survive_the_cut() -> None:
    text = Text("ACME-1  ", style="dim")
    text.append("A long title that will not fit in the box at all", style="bold")
    clamped = clamp_text(text, CONSOLE, 20, 1)
    assert clamped.plain.endswith("…")
    assert any(span.style == "bold" for span in clamped.spans)


words = st.lists(st.text("abcdefghij", min_size=1, max_size=14), min_size=0, max_size=20)


@given(words, st.integers(5, 60), st.integers(1, 4))
def test_the_shortcut_only_skips_text_that_really_fits(
    parts: list[str], width: int, height: int
) -> None:
    plain = " ".join(parts)
    if _surely_fits(plain, width, height):
        assert len(Text(plain).wrap(CONSOLE, width, overflow="fold")) <= height
