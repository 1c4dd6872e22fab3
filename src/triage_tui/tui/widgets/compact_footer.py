"""The phase screens' Footer: one widget that draws every key hint itself (issue 24).

Textual's `Footer(compact=True)` is a container with a `FooterKey` widget per key: ten to
twelve widgets on each phase screen, each styled, laid out and drawn before the first frame,
and each woken again on every key press. This draws the same line from one widget: the keys
Textual's Footer shows, in its order (the screen's active bindings with `show`, one per
action), each as its key (bold, the key colour), a space and its description, a blank cell
between keys, the keys cut at the palette key docked on the right (`▏^p palette`). A press
of the mouse on a hint presses its key, as a `FooterKey` does; the hint under the mouse is
drawn as `FooterKey:hover` is. The line is computed again only when the screen's bindings
change (the screen's `bindings_updated_signal`), and drawn again only when it differs.

Binding groups (`Binding.Group`) are shown as separate keys: the app defines none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Region
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.css.styles import StylesBase
    from textual.screen import Screen


@dataclass(frozen=True)
class Hint:
    """One key the Footer shows."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        """Its cells: the key, and a space and the description if it has one."""
        if self.description:
            return cell_len(self.key_display) + 1 + cell_len(self.description)
        return cell_len(self.key_display)


#: Blank cells after each hint (the compact Footer's `FooterKey { margin-right: 1 }`).
GAP = 1


class CompactFooter(Widget, can_focus=False):
    """The key hints of the screen's active bindings, and the palette key, on one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer--item",
        "footer--item-hover",
        "footer--disabled",
        "footer--key",
        "footer--description",
        "footer--palette-border",
    }
    # The compact Footer's and FooterKey's rules, as components of this one widget.
    DEFAULT_CSS = """
    CompactFooter {
        dock: bottom;
        width: 1fr;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .footer--item {
            background: $footer-item-background;
        }
        .footer--item-hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer--disabled {
            text-style: dim;
        }
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--palette-border {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__()
        self.show_command_palette = show_command_palette
        self.hints: tuple[Hint, ...] = ()
        self.palette: Hint | None = None
        self._hover: Hint | None = None

    # -- which keys (textual/widgets/_footer.py, Footer.compose) -------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.update_hints)

    def update_hints(self) -> None:
        """Read the screen's active bindings; draw again if the keys shown changed."""
        if not self.is_attached:
            return
        hints, palette = self._read_hints()
        if (hints, palette) != (self.hints, self.palette):
            self.hints, self.palette = hints, palette
            self._hover = None
            self.refresh()

    def _read_hints(self) -> tuple[tuple[Hint, ...], Hint | None]:
        app = self.app
        active_bindings = self.screen.active_bindings
        by_action: defaultdict[str, list[Hint]] = defaultdict(list)
        for _node, binding, enabled, tooltip in active_bindings.values():
            if binding.show:
                by_action[binding.action].append(
                    Hint(
                        binding.key,
                        app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        enabled,
                        tooltip,
                    )
                )
        hints = tuple(same[0] for same in by_action.values())
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = Hint(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip or binding.description,
                )
        return hints, palette

    # -- where -----------------------------------------------------------------------------

    def _palette_cells(self) -> int:
        """The palette key's cells: its left border, the hint and its gap."""
        return 0 if self.palette is None else 1 + self.palette.width + GAP

    def _spans(self) -> list[tuple[int, int, Hint]]:
        """Each hint's start and end column (the end may lie past the keys' room)."""
        spans = []
        x = 0
        for hint in self.hints:
            spans.append((x, x + hint.width, hint))
            x += hint.width + GAP
        if self.palette is not None:
            start = self.size.width - self._palette_cells() + 1
            spans.append((start, start + self.palette.width, self.palette))
        return spans

    def hint_at(self, x: int) -> Hint | None:
        """The hint drawn at column `x` of the footer, if any."""
        room = self.size.width - self._palette_cells()
        on_palette = self.palette is not None and room <= x < self.size.width - GAP
        for start, end, hint in self._spans():
            if hint is self.palette:
                if on_palette:  # its border too, as a FooterKey's
                    return hint
            elif start <= x < end <= room and not on_palette:
                return hint
        return None

    def hint_regions(self) -> list[tuple[Hint, Region]]:
        """Each hint (the palette key last) and the screen region it would take whole."""
        left, top = self.content_region.offset
        regions = []
        for start, end, hint in self._spans():
            border = int(hint is self.palette)  # the palette key's region holds its border
            regions.append((hint, Region(left + start - border, top, end - start + border, 1)))
        return regions

    # -- drawing (FooterKey.render, its styles composed as DOMNode.rich_style does) -------

    def _style(self, *names: str) -> Style:
        chain: list[StylesBase] = [node.styles for node in reversed(self.ancestors_with_self)]
        chain += [self.get_component_styles(name) for name in names]
        background = Color(0, 0, 0, 0)
        color = Color(255, 255, 255, 0)
        style = Style()
        opacity = 1.0
        for styles in chain:
            has_rule = styles.has_rule
            opacity *= styles.opacity
            if has_rule("background"):
                text_background = background + styles.background.tint(styles.background_tint)
                background += styles.background.tint(styles.background_tint).multiply_alpha(opacity)
            else:
                text_background = background
            if has_rule("color"):
                color = styles.color
            style += styles.text_style
            if has_rule("auto_color") and styles.auto_color:
                color = text_background.get_contrast_text(color.a)
        return style + Style.from_color(
            (background + color).rich_color if (background.a or color.a) else None,
            background.rich_color if background.a else None,
        )

    def _hint_text(self, hint: Hint) -> Text:
        item = "footer--item-hover" if hint is self._hover else "footer--item"
        state = (item,) if hint.enabled else (item, "footer--disabled")
        if not hint.description:
            return Text(hint.key_display, self._style(*state, "footer--key"))
        return Text.assemble(
            (hint.key_display, self._style(*state, "footer--key")),
            (" " + hint.description, self._style(*state, "footer--description")),
        )

    def render(self) -> Text:
        # Only whole hints: one that does not fit before the palette key is left out
        # (help and the palette list every key), never cut to "R Room ^" or shown in the
        # palette key's margin as Textual's docked FooterKeys were.
        width = self.size.width
        room = max(0, width - self._palette_cells())
        line = Text(no_wrap=True, overflow="crop", end="")
        gap = " " * GAP
        for _start, end, hint in self._spans():
            if hint is self.palette or end > room:
                break
            line.append_text(self._hint_text(hint))
            line.append(gap)
        line.truncate(room, overflow="crop", pad=True)
        if self.palette is None:
            return line
        border = Style.from_color(
            (
                self._background() + self.get_component_styles("footer--palette-border").color
            ).rich_color,
            self._style("footer--item").bgcolor,
        )
        line.append("▏", border)
        line.append_text(self._hint_text(self.palette))
        line.append(gap)
        line.truncate(width, overflow="crop")
        return line

    def _background(self) -> Color:
        """The footer's own background, as its ancestors compose it."""
        return self.background_colors[1]

    # -- the mouse (FooterKey.on_mouse_down, its :hover and tooltip) ------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        hint = self.hint_at(event.x)
        if hint is None:
            return
        if hint.enabled:
            self.app.simulate_key(hint.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self.hint_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, hint: Hint | None) -> None:
        if hint is not self._hover:
            self._hover = hint
            self.tooltip = (hint.tooltip or None) if hint is not None else None
            self.refresh()
