"""The app's notifications pass the text boundary (markup off, control characters cleaned)
and replace each other: one toast at a time, an error kept until its timeout."""

from __future__ import annotations

from textual.app import App
from textual.notifications import Notify, SeverityLevel

from triage_tui.tui import _textual_internals as internals


class CleanNotifyApp(App[int]):
    """An App whose `notify` never lets backlog text or a file name drive the terminal."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, with markup off by default and control characters cleaned:
        messages quote backlog text and file names, and "[link=...]" or an ESC there
        must stay text."""
        from triage_tui.core.sanitize import clean_text

        super().notify(
            clean_text(message),
            title=clean_text(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def on_notify(self, event: Notify) -> None:
        """After Textual added the toast: the older ones go (errors stay)."""
        internals.keep_only_toast(self, event.notification)
