"""An item's description: Markdown rendered once per item and width, drawn through the line API."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

from rich.markdown import Markdown
from rich.text import Text
from textual.strip import Strip
from textual.timer import Timer

from triage_tui.core.model import Item
from triage_tui.core.spec import is_jira
from triage_tui.formats.markup import display_markdown, quick_jira_to_markdown
from triage_tui.tui.widgets.line_view import LineView

#: Descriptions beyond this are cut on screen (the plan keeps them whole).
MAX_SHOWN_DESCRIPTION = 20_000
#: Rendered descriptions kept, so moving back and forth through a discussion re-renders nothing.
CACHED_DESCRIPTIONS = 64
#: A Jira description still converting after this long shows "converting…" meanwhile; one
#: converted sooner is drawn when it is ready, in one repaint with the caller's panels.
PLACEHOLDER_SECONDS = 0.1


#: Jira markup converted off the UI thread: jira2markdown takes ~5-200 ms a description,
#: up to more than ten frames, so a Jira item's text is converted in a thread worker and
#: drawn when it is ready (a "converting" line meanwhile); a description of headings and
#: prose only (`quick_jira_to_markdown`) and everything else are drawn at once.
_CONVERTED: OrderedDict[tuple[str, str], str] = OrderedDict()


def _converted(description: str, markup: str = "") -> str | None:
    """The Markdown for `description` (in its source's `markup`, `Item.markup`) if it
    needs no slow conversion (or has had it)."""
    text = description.strip()
    done = _CONVERTED.get((text, markup))
    if done is not None:
        return done
    if is_jira(text, markup):
        # Headings and prose convert in microseconds: at once, no thread to wait for.
        quick = quick_jira_to_markdown(text)
        if quick is not None:
            _remember(text, markup, quick)
        return quick
    return display_markdown(text, markup)


def convert(description: str, markup: str = "") -> str:
    """Convert `description` for display (any thread) and remember the result."""
    text = description.strip()
    markdown = display_markdown(text, markup)
    _remember(text, markup, markdown)
    return markdown


def _remember(text: str, markup: str, markdown: str) -> None:
    _CONVERTED[(text, markup)] = markdown
    while len(_CONVERTED) > 4 * CACHED_DESCRIPTIONS:
        _CONVERTED.popitem(last=False)


def description_markdown(item: Item) -> str:
    """The description to show: Jira markup converted, cut to a readable size."""
    markdown = _converted(item.description, item.markup)
    if markdown is None:
        markdown = convert(item.description, item.markup)
    text = markdown or "_No description: the room decides from the title._"
    if len(text) > MAX_SHOWN_DESCRIPTION:
        text = (
            text[:MAX_SHOWN_DESCRIPTION]
            + f"\n\n_… {len(item.description):,} characters; cut here._"
        )
    return text


class Description(LineView):
    """The current item's description, scrolled inside its own region.

    Rich renders the Markdown to lines once per (item, width) and the widget hands those
    lines to Textual's line API. Changing item changes only this widget's virtual size,
    so no screen layout runs (a Static whose height follows its text relayouts the whole
    screen on every cursor move: about half the CPU of a move, measured with bench/run.py).
    """

    DEFAULT_CSS = """
    Description {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        overflow-y: hidden;
    }
    """

    #: The scrollbar's column is kept, as a stable gutter (the text's width does not
    #: follow its length); LineView draws the scrollbar in it (no screen layout when an
    #: item's description is longer than the panel and the last one was not).
    KEEP_BAR_COLUMN = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._item: Item | None = None
        # Keyed by the text, not the id: a backlog reopened after an edit (or another
        # file) may reuse an id with a different description.
        self._cache: OrderedDict[tuple[str, str, int], list[Strip]] = OrderedDict()

    def show(self, item: Item | None, then: Callable[[], None] | None = None) -> None:
        """Render `item`'s description (nothing for None); no work if already shown.

        A Jira description not converted yet is converted in a thread, and the lines on
        screen stay until it is ready (or "converting…" after PLACEHOLDER_SECONDS): drawing
        a placeholder first and the text next repainted the panel twice per item. `then`
        is called when the new lines are drawn, so a caller's panels change in the same
        repaint (Categorize's suggestion).
        """
        if item is self._item:
            if self._waiting is not None:
                self._then = then or self._then  # drawn with the lines, when they come
            elif then is not None:
                then()
            return
        self._item = item
        self._stop_waiting()
        if (
            item is not None
            and self.is_mounted
            and _converted(item.description, item.markup) is None
        ):
            self._then = then
            self._convert_later(item)
            self._waiting = self.set_timer(PLACEHOLDER_SECONDS, self._draw_new)
            return
        self._then = then
        self._draw_new()

    _waiting: Timer | None = None  # the placeholder's timer while a conversion runs
    _then: Callable[[], None] | None = None

    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting.stop()
            self._waiting = None

    def _draw_new(self) -> None:
        """Draw the item now shown from its top (its text, or "converting…"), then `then`."""
        self._stop_waiting()
        then, self._then = self._then, None
        if self.scroll_offset.y:
            self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self._render_lines()
        if then is not None:
            then()

    def _render_lines(self) -> None:
        item = self._item
        width = self._text_width()
        if item is None or not self.is_mounted:
            lines: list[Strip] = []
        elif _converted(item.description, item.markup) is None:
            self._convert_later(item)
            lines = [Strip.blank(width, self.rich_style)]
            lines.append(
                Strip(
                    self.app.console.render_lines(
                        Text(" converting the Jira markup…", style="dim italic"),
                        self.app.console.options.update_width(width),
                        pad=False,
                    )[0]
                )
                .crop_extend(0, width, None)
                .apply_style(self.rich_style)
            )
        else:
            key = (item.description, item.markup, width)
            cached = self._cache.get(key)
            if cached is None:
                console = self.app.console
                options = console.options.update_width(width)
                rendered = console.render_lines(
                    # hyperlinks=False: a link shows its address, "text (url)", so a
                    # backlog cannot disguise one as an OSC 8 link under other words.
                    Markdown(description_markdown(item), hyperlinks=False),
                    options,
                    pad=False,
                )
                style = self.rich_style
                cached = [
                    Strip(line).crop_extend(0, width, None).simplify().apply_style(style)
                    for line in rendered
                ]
                self._cache[key] = cached
                if len(self._cache) > CACHED_DESCRIPTIONS:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
            lines = cached
        self._show_lines(lines)

    _converting: Item | None = None  # the item whose markup a thread is converting

    def _convert_later(self, item: Item) -> None:
        """Convert `item`'s Jira markup in a thread; draw it if it is still the item shown."""
        if item is self._converting:
            return  # already under way (a resize while it converts)
        self._converting = item

        def work() -> None:
            convert(item.description, item.markup)
            self.app.call_from_thread(self._conversion_done, item)

        self.run_worker(work, thread=True, exclusive=True, group="jira-markup")

    def convert_ahead(self, items: Sequence[Item]) -> None:
        """Convert the Jira markup of `items` (the ones around the cursor) that needs a
        thread, in one thread worker, so that the cursor resting on one draws it at once.

        A newer call cancels an older one between two descriptions; each is remembered
        by its text (`convert`), so nothing is converted twice.
        """
        pending = [item for item in items if _converted(item.description, item.markup) is None]
        if not pending or not self.is_mounted:
            return

        def work() -> None:
            from textual.worker import get_current_worker

            worker = get_current_worker()
            for item in pending:
                if worker.is_cancelled:
                    return
                convert(item.description, item.markup)

        self.run_worker(work, thread=True, exclusive=True, group="jira-ahead")

    def _conversion_done(self, item: Item) -> None:
        if item is self._converting:
            self._converting = None
        if item is not self._item:
            return
        if self._waiting is not None:
            self._draw_new()  # ready before the placeholder was due: one repaint
        else:
            self._render_lines()

    def notify_style_update(self) -> None:
        # Cached lines carry the widget's colours: a theme change must redraw them.
        super().notify_style_update()
        if self._cache:
            self._cache.clear()
            self._render_lines()
            self.refresh()  # the blank rows' colours too
