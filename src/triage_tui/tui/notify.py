"""The app's notifications pass the text boundary: markup off, control characters cleaned."""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel


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
