"""The app's own command palette entries: go to a phase, jump to an item, export, theme.

"Jump to" reaches every in-scope item, however many: `ItemJumps` searches them for what
was typed (one `str.find` over an index of every "id title" line, in C), and yields the
hits as found, at most `MAX_JUMP_HITS` a query. An id matches whatever its case and
punctuation: "pay114", "PAY 114" and "pay_114" all find PAY-114 (`id_key`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from triage_tui.core.workshop import PHASES
from triage_tui.tui.widgets.phase_bar import PHASE_TITLES

if TYPE_CHECKING:
    from triage_tui.core.model import Item
    from triage_tui.core.workshop import Workshop
    from triage_tui.tui.host import CommandsHost

#: Hits one query yields at most (type more of the id or the title to narrow them).
MAX_JUMP_HITS = 100
#: Characters of a "Jump to" line shown.
JUMP_WIDTH = 90

#: What an id's key leaves out: punctuation, spaces and underscores ("PAY-114" -> "pay114").
_NOT_ID_KEY = re.compile(r"[\W_]+")
_NOT_ID_KEY_LINES = re.compile(r"[^\w\n]+|_+")
_ASCII_NOT_ID_KEY = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if chr(c) != "\n" and not chr(c).isalnum())
)


def id_key(text: str) -> str:
    """An id (or a query) as it is compared with ids: lowercased, letters and digits only,
    so "pay114", "Pay 114" and "PAY_114" are the key of PAY-114."""
    return _NOT_ID_KEY.sub("", text.lower())


def workshop_commands(app: CommandsHost) -> Iterator[SystemCommand]:
    """Commands for the palette (ctrl+p); the items are `ItemJumps`'."""
    for phase in PHASES:
        yield SystemCommand(
            f"Go to {PHASE_TITLES[phase]}",
            f"Switch to the {phase} phase",
            partial(app.action_phase, phase),
        )
    yield SystemCommand("Save plan", "Write the plan TOML now (ctrl+s)", app.action_save_plan)
    yield SystemCommand(
        "Export",
        "Write the plan, the brief and the CSV summary",
        partial(app.action_phase, "export"),
    )
    yield SystemCommand("Undo", "Undo the last decision or toggle (ctrl+z)", app.action_undo)
    yield SystemCommand("Help", "Every key, and what each phase is for (?)", app.action_help)
    workshop = app.workshop
    if workshop is None:
        return
    from triage_tui.tui.vote_room import room_of

    if app.current_mode in ("categorize", "readiness", "plan"):
        is_open = room_of(app) is not None
        yield SystemCommand(
            "Close the room" if is_open else "Open the room",
            "The room votes from its phones: the join link and its QR code (R)",
            partial(_room_toggle, app),
        )
    named = workshop.session.votes_named
    yield SystemCommand(
        "Room: keep votes anonymous in the plan" if named else "Room: name the voters in the plan",
        "Whether the plan and the room's tally name who voted what",
        partial(_room_names, app, not named),
    )
    if workshop.scope.ids:
        yield SystemCommand(
            "Scope: every item",
            "Not only the new and changed items --from left to decide (ctrl+z narrows again)",
            partial(_widen_scope, app),
        )


class JumpIndex:
    """Every item's "id title" line, lowercased, in one text (a line an item, in order):
    a search is `str.find` over it, so a query costs about the same at 100 items or
    100,000, and what is not a hit is never looked at in Python.

    Args:
        items: the items, in the order hits are offered.
    """

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        # Lowercased line by line: one that lowercases longer ("İ") stays its own line.
        lines = [f"{item.id} {item.title}".lower().replace("\n", " ") for item in items]
        self.text = "\n".join(lines) + "\n"
        #: Where each line starts in `text` (and, last, where the text ends).
        self.starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
        self._by_id: dict[str, int] = {}
        for position, item in enumerate(items):
            self._by_id.setdefault(item.id.lower(), position)
        #: The ids' keys (`id_key`), a line each, and the first item of each key: made on
        #: the first query the words alone do not settle (`_keys`).
        self._key_text = ""
        self._key_starts: list[int] = []
        self._by_key: dict[str, int] | None = None

    def _keys(self) -> dict[str, int]:
        if self._by_key is None:
            # One pass in C over every id, a line each ("\n" kept: ids hold none).
            ids = "\n".join(item.id.lower().replace("\n", " ") for item in self.items)
            if ids.isascii():  # the usual ids: a table deletion, cheaper than the regex
                text = ids.translate(_ASCII_NOT_ID_KEY)
            else:
                text = _NOT_ID_KEY_LINES.sub("", ids)
            self._key_text = text + "\n"
            keys = text.split("\n")
            self._key_starts = list(accumulate((len(key) + 1 for key in keys), initial=0))
            # The first item of each key: assigned last to first, so the first one stays.
            count = len(keys)
            self._by_key = dict(zip(reversed(keys), range(count - 1, -1, -1), strict=True))
        return self._by_key

    def find(self, query: str, limit: int = MAX_JUMP_HITS) -> Iterator[int]:
        """The positions of the items whose id and title hold every word of `query`
        (any case), the item whose id it is first, then the others in order; when none
        does, those whose id holds it ignoring case and punctuation ("pay114" finds
        PAY-114, "pay11" PAY-114 and PAY-115), the one whose id it is so first; at most
        `limit`, each as soon as it is found."""
        words = query.lower().split()
        if not words or limit <= 0:
            return
        exact = self._by_id.get(" ".join(words))
        if exact is not None:
            yield exact
            limit -= 1
            if not limit:
                return
        found = 0
        for position in self._word_hits(words, exact):
            yield position
            found += 1
            if found == limit:
                return
        key = id_key(query)
        if found or exact is not None or not key:
            return
        # Nothing holds the words as typed: an id typed otherwise ("pay114", "Pay_114")?
        # The ids' keys are indexed on the first such query (not before: most never ask).
        by_key = self._keys()
        first = by_key.get(key)
        if first is not None:
            yield first
            found += 1
        text, starts = self._key_text, self._key_starts
        at = text.find(key)
        while at >= 0 and found < limit:
            position = bisect_right(starts, at) - 1
            if position != first:
                yield position
                found += 1
            at = text.find(key, starts[position + 1])

    def _word_hits(self, words: list[str], exact: int | None) -> Iterator[int]:
        """The positions of the lines holding every one of `words`, but `exact`."""
        text, starts = self.text, self.starts
        # The rarest word goes through the text (counted in C): every line the others
        # are looked for in is then a line it is on.
        scan = words[0] if len(words) == 1 else min(words, key=text.count)
        others = [word for word in words if word is not scan]
        at = text.find(scan)
        while at >= 0:
            position = bisect_right(starts, at) - 1
            end = starts[position + 1]
            if position != exact and all(word in text[starts[position] : end] for word in others):
                yield position
            at = text.find(scan, end)


def jump_line(item: Item) -> str:
    """The palette's line for an item: "Jump to ID: title", cut to `JUMP_WIDTH` with "…"."""
    from triage_tui.core.sanitize import clip

    return clip(f"Jump to {item.id}: {item.title}".replace("\n", " "), JUMP_WIDTH)


def jump_display(item: Item, query: str, style: Style | None = None) -> Content:
    """The line as plain text, never read as markup (a title is the backlog's data),
    with each word of `query` marked where it stands (and, when the id holds the query
    ignoring case and punctuation, that part of the id: "pay11" marks "PAY-11")."""
    line = jump_line(item)
    content = Content(line)
    style = style or Style(reverse=True)
    for word in query.split():
        for match in re.finditer(re.escape(word), line, re.IGNORECASE):
            content = content.stylize(style, match.start(), match.end())
    key = id_key(query)
    if key and key in id_key(item.id):
        # The key's characters with any punctuation between them, inside the id only.
        start = len("Jump to ")
        pattern = r"[\W_]*".join(re.escape(char) for char in key)
        found = re.compile(pattern, re.IGNORECASE).search(line, start, start + len(item.id))
        if found is not None:
            content = content.stylize(style, found.start(), found.end())
    return content


#: The index of each workshop's in-scope items, made on the first search and again when
#: the scope changes (the in-scope list is a new list then).
_INDEXES: dict[int, tuple[list[Item], JumpIndex]] = {}


def jump_index(workshop: Workshop) -> JumpIndex:
    """The workshop's index of its in-scope items (kept while the scope is the same)."""
    items = workshop.in_scope
    kept = _INDEXES.get(id(workshop))
    if kept is not None and kept[0] is items:
        return kept[1]
    _INDEXES.clear()  # one workshop is open at a time
    index = JumpIndex(items)
    _INDEXES[id(workshop)] = (items, index)
    return index


class ItemJumps(Provider):
    """The palette's "Jump to": every in-scope item, by its id or words of its title.

    Nothing before a word is typed: the palette opens on the app's commands (discovery
    hits from two providers would come in whatever order their tasks ran).
    """

    @property
    def _host(self) -> CommandsHost:
        return cast("CommandsHost", self.app)

    async def search(self, query: str) -> Hits:
        """The items holding every typed word, the one whose id it is first."""
        app = self._host
        workshop = app.workshop
        if workshop is None:
            return
        index = jump_index(workshop)
        for rank, position in enumerate(index.find(query)):
            item = index.items[position]
            yield Hit(
                # Above the phase and room commands a word also matches, best first.
                1.0 - rank / (2 * MAX_JUMP_HITS),
                jump_display(item, query, self.match_style),
                partial(jump_to, app, item.id),
                text=jump_line(item),
                help="Open this item in Categorize",
            )


async def _room_toggle(app: CommandsHost) -> None:
    action = getattr(app.screen, "action_room_toggle", None)
    if action is not None:
        await action()


def _room_names(app: CommandsHost, shown: bool) -> None:
    from triage_tui.core.votes import set_names_shown
    from triage_tui.tui.vote_room import room_of

    workshop = app.workshop
    if workshop is not None:
        set_names_shown(workshop.session, shown)
        room = room_of(app)
        if room is not None:
            room.changed()
        app.notify("The plan names the voters." if shown else "Votes stay anonymous.", timeout=3)


def _widen_scope(app: CommandsHost) -> None:
    workshop = app.workshop
    if workshop is not None and workshop.widen_scope() is not None:  # redrawn from the step
        app.notify(f"Scope: every item ({len(workshop.in_scope)})", timeout=3)


def jump_to(app: CommandsHost, item_id: str) -> None:
    """Open one item in Categorize (the palette's "Jump to")."""
    workshop = app.require_workshop()
    ids = [item.id for item in workshop.in_scope] if workshop is not None else []
    if item_id in ids:
        app.action_phase("categorize")
        from triage_tui.tui.widgets.item_list import ItemList

        index = ids.index(item_id)
        app.call_after_refresh(lambda: app.screen.query_one(ItemList).set_cursor(index))
