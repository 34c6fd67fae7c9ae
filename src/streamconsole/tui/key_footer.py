"""The footer: the keys that apply, drawn by one widget on one line.

Textual's ``Footer`` composes a ``FooterKey`` widget for each key (nine on the main screen),
styles each with its two parts, and composes them all again for every change of the keys:
most of the footer's cost in the first frame. This footer lays the same keys out as Textual's
does (its CSS, in ``textual/widgets/_footer.py``: compact or not, groups, the command palette's
key docked right), in the same colours (the same theme variables, as component classes), and
draws them as one strip. The mouse finds the key by column: a click runs it as a click on a
``FooterKey`` does, hovering highlights it and shows its tooltip, and the wheel scrolls keys
that do not fit. A burst of key changes is drawn once, and not at all when the keys stay
the same.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual._border import get_box
from textual.binding import Binding
from textual.color import Color
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from streamconsole.tui.footer_layout import (
    Piece,
    Placed,
    ShownGroup,
    ShownKey,
    key_pieces,
    lay_out,
    placed_from,
)

if TYPE_CHECKING:
    from textual.css.styles import StylesBase
    from textual.screen import Screen


class KeyFooter(Widget):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--item",
        "footer-key--hover",
        "footer-key--disabled",
        "footer-key--key",
        "footer-key--description",
        "footer-key--command-palette",
    }
    # Textual's Footer and FooterKey rules, one component class for each box they style.
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--item { background: $footer-item-background; }
        .footer-key--hover { color: $footer-key-foreground; background: $block-hover-background; }
        .footer-key--disabled { text-style: dim; }
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--command-palette { border-left: vkey $foreground 20%; }
    }
    """

    compact = reactive(False)
    show_command_palette = reactive(True)
    combine_groups = reactive(True)  # consecutive keys of a group under its description

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__()
        self.set_reactive(KeyFooter.compact, compact)
        self.set_reactive(KeyFooter.show_command_palette, show_command_palette)
        self._update_pending = False  # an update is queued: later changes wait for it
        self._keys: tuple[ShownKey | ShownGroup, ...] = ()
        self._palette: ShownKey | None = None
        self._hovered: ShownKey | None = None
        self._scrolled = 0  # columns of keys scrolled off at the left (the mouse wheel)
        self._overflow = 0  # columns of keys that do not fit: how far they can scroll
        self._styles_by_part: dict[tuple[str, bool, bool], RichStyle] = {}
        self._line: tuple[int, list[Placed], Strip] | None = None  # at a width: pieces, line

    @property
    def shown_keys(self) -> tuple[ShownKey, ...]:
        """Every key drawn (or cut off at the right), left to right, the palette's last."""
        keys = [k for e in self._keys for k in (e.keys if isinstance(e, ShownGroup) else (e,))]
        return (*keys, *((self._palette,) if self._palette else ()))

    # --- which keys ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # As Footer: only while the app has the focus, for this footer's own screen, after
        # the refresh (the changes until then are covered: the keys are read then).
        if self._update_pending or not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._update_pending = True
            self.call_after_refresh(self._read_keys)

    def _read_keys(self) -> None:
        self._update_pending = False  # a change from now on needs another update
        keys, palette = self._active_keys()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            if self._hovered not in self.shown_keys:
                self._hover(None)  # gone: as a FooterKey removed, with its tooltip
            self._redraw()

    def _active_keys(self) -> tuple[tuple[ShownKey | ShownGroup, ...], ShownKey | None]:
        """What Footer.compose shows: the first binding of each action shown, in order,
        consecutive ones of a group together; and the command palette's key."""
        app = self.app
        active = self.screen.active_bindings
        first_of_action: dict[str, tuple[Binding, bool, str]] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        entries: list[ShownKey | ShownGroup] = []
        for group, run in groupby(first_of_action.values(), lambda shown: shown[0].group):
            bindings = list(run)
            if group is not None and len(bindings) > 1 and self.combine_groups:
                keys = tuple(
                    ShownKey(b.key, app.get_key_display(b), "", b.action, on, tip or b.description)
                    for b, on, tip in bindings
                )
                entries.append(ShownGroup(group.description, group.compact, keys))
            else:
                entries += (
                    ShownKey(b.key, app.get_key_display(b), b.description, b.action, on, tip)
                    for b, on, tip in bindings
                )
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, b, on, _ = found
                tip = b.tooltip or b.description
                palette = ShownKey(b.key, app.get_key_display(b), b.description, b.action, on, tip)
        return tuple(entries), palette

    def _watch_compact(self) -> None:
        self._redraw()

    def _watch_show_command_palette(self) -> None:
        if self.is_mounted:
            self._read_keys()

    def _watch_combine_groups(self) -> None:
        if self.is_mounted:
            self._read_keys()

    def _redraw(self) -> None:
        self._line = None
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_by_part.clear()  # a new theme, or new CSS
        self._line = None

    # --- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        return self._drawn()[1] if y == 0 else Strip.blank(self.size.width)

    def _drawn(self) -> tuple[list[Placed], Strip]:
        """The line at this width, and where each piece shows (first cell, past its last)."""
        width = self.size.width
        if self._line is not None and self._line[0] == width:
            return self._line[1], self._line[2]
        compact = self.compact
        docked: list[Piece] = []  # the palette's key, at the right
        if self._palette is not None:
            border = self._border_segment(hovered=False).text
            last = Piece(" ", "blank") if compact else Piece(" ", "padding", self._palette)
            docked = [
                Piece(border, "border", self._palette),
                *key_pieces(self._palette, compact=True),  # not bound to the footer's
                last,  # a compact key's margin, or the palette key's padding
            ]
        docked_width = sum(cell_len(piece.text) for piece in docked)
        room = max(0, width - docked_width)  # for the other keys: what does not fit is cut
        pieces, margin = lay_out(self._keys, compact=compact)
        keys = Strip([self._segment(piece) for piece in pieces])
        self._overflow = max(0, keys.cell_length + margin - room)
        self._scrolled = shift = min(self._scrolled, self._overflow)
        keys = keys.crop(shift, shift + room)
        if keys.cell_length < room:  # the last key's margin and the free space: one blank
            blank = Segment(" " * (room - keys.cell_length), self._style("blank"))
            keys = Strip([*keys, blank])
        line = Strip.join([keys, Strip([self._segment(piece) for piece in docked])])
        placed = [
            *placed_from(pieces, -shift, room),
            *placed_from(docked, width - docked_width, width),
        ]
        line = line.crop(line.cell_length - width, line.cell_length)  # a palette too wide
        self._line = (width, placed, line)
        return placed, line

    def _segment(self, piece: Piece) -> Segment:
        hovered = piece.key is not None and piece.key == self._hovered
        if piece.part == "border":
            return self._border_segment(hovered=hovered)
        disabled = piece.key is not None and not piece.key.enabled
        return Segment(piece.text, self._style(piece.part, hovered=hovered, disabled=disabled))

    def _style(self, part: str, *, hovered: bool = False, disabled: bool = False) -> RichStyle:
        """The style of a part of a key as Textual's FooterKey draws it (the key's box,
        then the part in it), of a group's label, or of the footer's blank."""
        found = self._styles_by_part.get((part, hovered, disabled))
        if found is None:
            box: tuple[str, ...] = ("footer-key--hover" if hovered else "footer-key--item",)
            box += ("footer-key--disabled",) if disabled else ()
            if part in ("key", "description"):
                found = self._layered(*box, f"footer-key--{part}")[0]
            elif part == "label":
                found = self._layered("footer-key--description")[0]
            elif part == "padding":  # the box's background only
                found = RichStyle(bgcolor=self._layered(*box)[1].rich_color)
            else:  # the footer's background only
                found = RichStyle(bgcolor=self._layered()[1].rich_color)
            self._styles_by_part[part, hovered, disabled] = found
        return found

    def _border_segment(self, *, hovered: bool) -> Segment:
        """The palette key's left border, as Textual draws a widget's border."""
        footer = self._layered()[1]
        box = self._layered("footer-key--hover" if hovered else "footer-key--item")[1]
        edge, color = self.get_component_styles("footer-key--command-palette").border.left
        inner, outer = Style(background=box), Style(background=footer)
        foreground = Style(foreground=footer + color.multiply_alpha(self.opacity))
        return get_box(edge, inner, outer, foreground)[1][0]

    def _layered(self, *layers: str) -> tuple[RichStyle, Color]:
        """The style of text in boxes nested in this footer, each styled by one of the
        component classes ``layers``, and their background: what ``DOMNode.rich_style``
        gives a widget that deep (Textual's loop, over this footer's ancestors, then the
        layers)."""
        background = Color(0, 0, 0, 0)
        color = Color(255, 255, 255, 0)
        style = RichStyle()
        opacity = 1.0
        chain: list[StylesBase] = [node.styles for node in reversed(self.ancestors_with_self)]
        for styles in (*chain, *(self.get_component_styles(name) for name in layers)):
            opacity *= styles.opacity
            text_background = background
            if styles.has_rule("background"):
                tinted = styles.background.tint(styles.background_tint)
                text_background = background + tinted
                background += tinted.multiply_alpha(opacity)
            if styles.has_rule("color"):
                color = styles.color
            style += styles.text_style
            if styles.has_rule("auto_color") and styles.auto_color:
                color = text_background.get_contrast_text(color.a)
        style += RichStyle.from_color(
            (background + color).rich_color if (background.a or color.a) else None,
            background.rich_color if background.a else None,
        )
        return style, background

    # --- the mouse ------------------------------------------------------------------------

    def _key_at(self, x: int) -> ShownKey | None:
        placed, _ = self._drawn()
        return next((piece.key for start, end, piece in placed if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._key_at(event.x))

    def on_leave(self) -> None:
        self._hover(None)

    def _hover(self, key: ShownKey | None) -> None:
        if key == self._hovered:
            return
        self._hovered = key
        self.tooltip = key.tooltip if key is not None and key.tooltip else None
        self.styles.pointer = "default" if key is None else "pointer"
        self._redraw()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(event, self.app.scroll_sensitivity_x)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(event, -self.app.scroll_sensitivity_x)

    def _scroll(self, event: events.MouseEvent, columns: float) -> None:
        # As Footer: the wheel scrolls keys that do not fit sideways, if there are any.
        self._drawn()  # the overflow at this width
        scrolled = min(max(0, self._scrolled + round(columns)), self._overflow)
        if scrolled != self._scrolled:
            self._scrolled = scrolled
            self._redraw()
            event.stop()
            event.prevent_default()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        # As a click on a FooterKey: the key is pressed, or the bell rings if it is disabled.
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
