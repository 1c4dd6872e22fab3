"""Help: every key in force (from the bindings themselves, so remapped keys show) and what each phase is for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

PHASE_HELP = {
    "start": "**Start** — check what was loaded, narrow the scope (`d` leaves out done and cancelled items, `/` filters by words, `status:`, `type:`, `label:`), set the minutes and names. `enter` begins.",
    "categorize": "**Categorize** — one item at a time. Is it a *hiring problem* (architecture that compounds for years, knowledge built by being deep in one codebase, day-to-day production accountability) or a *project-delivery problem* (a beginning, middle and end; a service, an integration, a migration or a blocking component; nobody needed on payroll in three years)? `h` hiring, `p` project, `s` park: one key each, then the next undecided item. `S` parks and asks for the open question in one line (`enter` saves it and moves on, `escape` parks without one); `n` edits the room's note on the item (any item; a parked item keeps its open question apart: `S` on it again edits the question). `1`–`6` tick the questions (`q` shows them below 110 columns). `down`/`up` (or `j`/`k`) move through the items, in presenter view (`v`) too. The pace line shows the time left over the items left: each item's timebox.",
    "readiness": "**Readiness** — can someone who has never seen the codebase, in another timezone, build it without a kickoff call? `1`–`7` cycle each criterion missing → partial → met → missing; an unanswered criterion counts as missing whatever is suggested (its first press gives partial); `a` accepts the suggestions found in the description. `down`/`up` move to the next or previous project item; below 110 columns `v` shows the item's spec in the criteria's place, and back. Missing acceptance criteria or definition of done means *not ready*, whatever the score.",
    "plan": "**Plan** — the board at a glance, the roadmap impact (when work starts hiring for everything or contracting the projects; `a` changes the assumptions), the recommended first engagement (smaller than the need it prepares for: it tests the spec and the review workflow at low risk; `f` picks another), and the handoff of each item whose readiness is met (`e` edits it, carried from the spec: deliverable, context, contract, acceptance criteria, definition of done, out of scope, timeline, reviewer, channel, cadence, what to arrange before day one). It is ready once it has acceptance criteria, a definition of done and a named reviewer.",
    "export": "**Export** — the plan as TOML for git, the team's Markdown brief, the CSV summary, and a folder with one standalone handoff per ready item for the contractor. `x` writes all four; `ctrl+s` writes the plan from anywhere. `t` writes the plan and shows what `triage-tui push` would put back into the tracker (labels, one comment per item); `a` there applies it after you confirm.",
}


def _key_rows(bindings: list[tuple[str, Binding]]) -> list[str]:
    rows = []
    seen: set[str] = set()
    for key, binding in bindings:
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        remap = f"`{binding.id}`" if binding.id else ""
        rows.append(f"| `{key}` | {binding.description} | {remap} |")
    return rows


class HelpScreen(ModalScreen[None]):
    """`?`: the keys of the screen underneath, the app-wide keys, and the phases."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close help")]

    def __init__(self, phase: str, underneath: Screen[Any] | None = None) -> None:
        super().__init__()
        self.phase = phase
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="panel"):
            yield Markdown(self._text(), id="help-text")

    def _text(self) -> str:
        from triage_tui.config import config_path
        from triage_tui.store.paths import state_dir

        active = self.underneath.active_bindings if self.underneath is not None else {}
        pairs = [
            (self.app.get_key_display(active_binding.binding), active_binding.binding)
            for active_binding in active.values()
        ]
        # The keys the Footer shows come first; scrolling and focus keys last.
        pairs.sort(key=lambda pair: (not pair[1].show, pair[1].id is None))
        lines = [
            "# triage-tui help",
            "",
            PHASE_HELP.get(self.phase, ""),
            "",
            "## Keys in force here",
            "",
            "| key | action | id (for `[keymap]`) |",
            "| --- | --- | --- |",
        ]
        lines += _key_rows(pairs)
        lines += [
            "| `ctrl+p` | command palette: jump to an item, go to a phase, export, theme | |",
            "| `f2`–`f6` | go to Start, Categorize, Readiness, Plan, Export | `triage.go-*` |",
            "",
            "## The hour",
            "",
            *(PHASE_HELP[phase] + "\n" for phase in PHASE_HELP),
            "## Your data",
            "",
            self._autosave_sentence(state_dir()),
            f"Keys and the default theme can be changed in `{config_path()}` "
            "(`[keymap]` maps a binding id such as `triage.decide-hiring` to a key).",
        ]
        return "\n".join(lines)

    def _autosave_sentence(self, folder: Path) -> str:
        """Where this session's changes are autosaved: its own file, when one is open."""
        room = getattr(self.app, "room", None)
        autosave = getattr(room, "autosave", None)
        if room is None:
            return (
                f"Every change is autosaved under `{folder}`; opening the same backlog resumes it."
            )
        if autosave is None or not getattr(room, "autosaving", False):
            return (
                "This session is **not** autosaved (read-only, or the autosave failed): "
                "`ctrl+s` writes the plan."
            )
        return (
            f"Every change to this session is autosaved in `{autosave.path}`; opening the "
            "same backlog resumes it."
        )

    def action_close(self) -> None:
        self.dismiss(None)
