"""The team section every handoff uses, asked once: repository, stack, where and when
the reviewer works, how access is requested (the plan's [meta.team])."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from triage_tui.core.session import TEAM_FIELDS

#: Each part's label and an example of what to write.
TEAM_LABELS = {
    "repository": ("Repository", "github.com/acme/api"),
    "stack": ("Stack", "Python 3.12, Django 5, Postgres 16"),
    "reviewer_hours": (
        "Where the reviewer works, and their hours",
        "Priya, Lisbon (WET), reviews 09:00-13:00",
    ),
    "access": ("How access is requested", "ask in #platform-access; AWS via the SSO portal"),
}


class TeamEditor(ModalScreen[dict[str, str] | None]):
    """Edit the team section (enter moves on, f10 or enter on the last part saves,
    escape cancels)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f10", "save", "Save", priority=True),
        # A priority binding, not Input.Submitted: the focus moves before the next key is
        # read, so text typed (or pasted) right after enter lands in the next part.
        Binding("enter", "next_part", "Next", priority=True, show=False),
    ]

    def __init__(self, team: Mapping[str, str]) -> None:
        super().__init__()
        self.team = dict(team)

    def compose(self) -> ComposeResult:
        with Vertical(id="team-editor", classes="panel"):
            yield Label("The team, in every handoff", classes="panel-title")
            for name in TEAM_FIELDS:
                label, example = TEAM_LABELS[name]
                yield Label(label)
                yield Input(
                    self.team.get(name, ""),
                    id=f"team-{name}",
                    compact=True,
                    placeholder=f"e.g. {example}",
                    select_on_focus=False,
                )
            yield Label("enter moves on · f10 saves · escape cancels", classes="hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        focused = self.focused
        if focused is not None:
            # Queued behind the keys the input has not handled yet: its whole text saved.
            focused.call_later(self._save)
        else:
            self._save()

    def _save(self) -> None:
        if self.is_attached and self.app.screen is self:
            self.dismiss(
                {name: self.query_one(f"#team-{name}", Input).value for name in TEAM_FIELDS}
            )

    def action_next_part(self) -> None:
        focused = self.focused
        if focused is not None and focused.id == f"team-{TEAM_FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()
