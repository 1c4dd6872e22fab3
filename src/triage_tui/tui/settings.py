"""The app's settings before the first paint: config file, themes and keymap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.command import Provider

    from triage_tui.config import Config
    from triage_tui.tui.host import SettingsHost


def apply_settings(app: SettingsHost) -> tuple[Config, list[str]]:
    """Load the config, register the themes, pick one and apply the keymap.

    Done before the first paint, so nothing is restyled after it.

    Returns:
        The config, and the warnings to show once the app is up.
    """
    from triage_tui.config import config_path, load_config
    from triage_tui.tui.themes import choose_theme, format_theme_errors, register_for_start

    messages: list[str] = []
    config, config_message = load_config()
    app.options.default_minutes = config.minutes
    app.options.default_team = dict(config.team)
    if config_message:
        messages.append(config_message)
    errors = register_for_start(app, app.options.theme or config.theme)  # or after 1st frame
    if errors:
        messages.append(format_theme_errors(errors))
    theme, theme_message = choose_theme(app, app.options.theme or config.theme)
    app.theme = theme
    if theme_message:
        messages.append(theme_message)
    if config.keymap:
        unknown = sorted(set(config.keymap) - binding_ids(type(app)))
        if unknown:
            messages.append(
                f"{config_path()}: unknown key binding id(s) {', '.join(unknown)}; "
                "see ? help for the ids."
            )
        app.set_keymap(config.keymap)
    return config, messages


def binding_ids(app_class: type[object]) -> set[str]:
    """Every binding id the app (`app_class`) and its screens declare (what a config
    keymap may remap)."""
    from triage_tui.tui.screens import SCREENS, screen_class

    ids: set[str] = set()
    for owner in (app_class, *(screen_class(mode) for mode in SCREENS)):
        for binding in getattr(owner, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def item_jumps() -> type[Provider]:
    """The palette's "Jump to" any item (tui/commands.py), for the app's COMMANDS: loaded
    when the palette first opens, not before the first paint."""
    from triage_tui.tui.commands import ItemJumps

    return ItemJumps
