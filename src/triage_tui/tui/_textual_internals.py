"""The only module that touches Textual's private internals, each for a measured gain.

Every use has a test in tests/functional/test_textual_internals.py that fails when
Textual's behaviour under it changes (re-check them on a Textual upgrade). What each
saves was measured with bench/ (bench/README.md, "What was learned in session 4").
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.notifications import Notification
from textual.screen import Screen


def adopt_app_css(screen: Screen[Any], app: App[Any]) -> None:
    """Mark `screen` as styled with the app's current stylesheet.

    Textual reparses every stylesheet in the app when a mode's screen is first shown
    (a new screen's private CSS counter starts at -1): ~20 ms before the first paint and
    again on each phase's first visit. Our phase screens bring no CSS of their own
    (app.tcss and the widgets' DEFAULT_CSS are parsed as they are added), so the app's
    stylesheet is already current for them.
    """
    screen._css_update_count = app._css_update_count


def style_app_now(app: App[Any]) -> None:
    """Apply the stylesheet to the app itself before the first screen is composed.

    Textual styles the app only after composing the first screen; that screen's widgets
    would work out their "auto" text colours against no background and cache them.
    """
    app.stylesheet.apply(app)


def skip_restyle_until_away(screen: Screen[Any], message: Message) -> Message:
    """The message to post instead of `message`: resumes that restyle nothing new are made
    plain resumes, until the screen has been away (suspended) since it was styled.

    Textual restyles a screen on every resume, including the first (a new mode's screen
    is resumed twice): ~8 ms of first paint and as much on each phase's first visit.
    The screen's "away" state is kept on the screen as `_triage_away`.
    """
    if isinstance(message, events.ScreenSuspend):
        screen._triage_away = True  # type: ignore[attr-defined]
    elif isinstance(message, events.ScreenResume):
        away = getattr(screen, "_triage_away", False)
        screen._triage_away = False  # type: ignore[attr-defined]
        if message.refresh_styles and not away:
            return events.ScreenResume(refresh_styles=False)
    return message


def drawing_dropped(screen: Screen[Any]) -> bool:
    """True while the app batches its start (compose, resize, mount) and has not laid out
    any screen yet: a layout or a frame made now is dropped (`App._display` shows nothing
    in a batch) and done again once the batch is over.

    A screen of `App.MODES` made the default mode is composed, mounted and resumed inside
    that batch: Textual laid it out twice and rendered it once there (~10-15 ms of first
    paint), then laid it out and rendered it again for the first frame shown.
    """
    app = screen.app
    return bool(app._batch_count) and not app._dom_ready and not app.is_inline


def lay_out_after_start(screen: Screen[Any]) -> None:
    """`screen` skipped a layout while `drawing_dropped`: make sure it is laid out and
    drawn once the batch is over. The app's first resize does it (Textual posts it to the
    screen when the batch ends); this callback, queued on the app and run after the
    batch, does it only if that resize has not (`_triage_layout_owed` still set)."""

    def after_batch() -> None:
        if getattr(screen, "_triage_layout_owed", False) and screen.is_current:
            screen._refresh_layout(screen.app.size)

    if not getattr(screen, "_triage_layout_owed", False):
        screen._triage_layout_owed = True  # type: ignore[attr-defined]
        screen.app.call_later(after_batch)


def laid_out(screen: Screen[Any]) -> None:
    """`screen` is being laid out for real: nothing is owed any more."""
    screen._triage_layout_owed = False  # type: ignore[attr-defined]


def keep_only_toast(app: App[Any], newest: Notification) -> None:
    """Take every toast down but `newest` and the errors still shown (one toast at a time).

    Textual stacks every notification (six quick parks: six toasts over the note, the
    decision line and the park prompt) and has no public way to remove one. An error
    stays until its own timeout: a passing message must not hide it.
    """
    dropped = [
        shown
        for shown in list(app._notifications)
        if shown is not newest and (shown.severity != "error" or shown.message == newest.message)
    ]
    for shown in dropped:
        app._unnotify(shown, refresh=False)
    if dropped:
        app._refresh_notifications()


def drop_toasts(app: App[Any], message: str) -> None:
    """Take down the toasts saying `message` (a screen's own news, as it is left: Textual
    moves every toast onto the next screen, and has no public way to remove one)."""
    dropped = [shown for shown in list(app._notifications) if shown.message == message]
    for shown in dropped:
        app._unnotify(shown, refresh=False)
    if dropped:
        app._refresh_notifications()
