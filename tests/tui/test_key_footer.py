"""The footer (issue 15): every key drawn by one widget, as Textual's ``Footer`` draws its
key widgets, and the mouse on it as on those: a click runs the key, hovering highlights it
and shows its tooltip, a disabled key is dimmed and does nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.theme import Theme
from textual.widgets import Footer, Static

from streamconsole.tui.help import HelpScreen
from streamconsole.tui.key_footer import KeyFooter
from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.token_preview import TokenPreviewScreen

from .conftest import AppFactory, text_of, wait_loaded
from .test_keys import with_keymap


def bottom_row(pilot: Pilot[Any]) -> list[Segment]:
    """The bottom row of the screen, as the terminal gets it."""
    return list(pilot.app.screen._compositor.render_strips()[-1])


def row_text(pilot: Pilot[Any]) -> str:
    return "".join(segment.text for segment in bottom_row(pilot))


def style_at(pilot: Pilot[Any], column: int) -> Style:
    x = 0
    for segment in bottom_row(pilot):
        x += len(segment.text)
        if column < x:
            return segment.style or Style()
    raise IndexError(column)


async def click_on(pilot: Pilot[Any], text: str, *, after: int = 0) -> None:
    """A click on the bottom row, on the first cell of ``text`` (or ``after`` cells on)."""
    column = row_text(pilot).index(text) + after
    await pilot.click(offset=(column, pilot.app.size.height - 1))
    await pilot.pause()


# --- on the console ------------------------------------------------------------------------


async def test_the_footer_is_one_widget(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        footer = pilot.app.screen.query_one(KeyFooter)
        assert not footer.children
        assert row_text(pilot).startswith("/ Filter p Publish l Play r Key t Token ^s Save")


@pytest.mark.parametrize(
    ("text", "opened"),
    [("t Token", TokenPreviewScreen), ("Help", HelpScreen), ("^p palette", CommandPalette)],
)
async def test_a_click_on_a_key_runs_it(
    make_app: AppFactory, text: str, opened: type[object]
) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await click_on(pilot, "Quit", after=4)  # its margin, then the free space: nothing
        await click_on(pilot, "Quit", after=6)
        assert isinstance(pilot.app.screen, MainScreen)
        await click_on(pilot, text)
        assert isinstance(pilot.app.screen, opened)


async def test_hovering_highlights_the_key_and_shows_its_tooltip(make_app: AppFactory) -> None:
    async with make_app().run_test(tooltips=True) as pilot:
        pilot.app.TOOLTIP_DELAY = 0.01  # type: ignore[misc]  # shown at once, not in 0.5 s
        await wait_loaded(pilot)
        token, save = row_text(pilot).index("t Token"), row_text(pilot).index("^s Save")
        plain = style_at(pilot, token).bgcolor
        assert style_at(pilot, save).bgcolor == plain
        await pilot.hover(offset=(token + 3, pilot.app.size.height - 1))
        await pilot.pause()
        await pilot.pause()
        hovered = style_at(pilot, token).bgcolor
        assert hovered != plain
        assert {style_at(pilot, x).bgcolor for x in range(token, token + 7)} == {hovered}
        assert style_at(pilot, token + 7).bgcolor == plain  # its margin is the footer's
        assert style_at(pilot, save).bgcolor == plain
        tooltip = pilot.app.screen.query_one("#textual-tooltip", Static)
        assert tooltip.display
        assert text_of(tooltip) == "Issue and explain a preview token, or paste one to explain"
        await pilot.hover(offset=(0, 1))  # off the footer
        await pilot.pause()
        assert style_at(pilot, token).bgcolor == plain
        assert not tooltip.display


async def test_a_remapped_key_is_shown_and_pressed_as_remapped(
    make_app: AppFactory, config_path: Path
) -> None:
    with_keymap(config_path, 'token-preview = "ctrl+t"')
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert "^t Token" in row_text(pilot)
        await click_on(pilot, "^t Token")
        assert isinstance(pilot.app.screen, TokenPreviewScreen)


async def test_what_does_not_fit_is_cut_and_the_palette_key_stays(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert row_text(pilot).rstrip().endswith("q Quit       ▏^p palette")
        await pilot.resize_terminal(63, 24)
        await pilot.pause()
        await pilot.pause()
        assert row_text(pilot) == "/ Filter p Publish l Play r Key t Token ^s Save ? H▏^p palette "
        await click_on(pilot, "^p palette")
        assert isinstance(pilot.app.screen, CommandPalette)


# --- against Textual's own Footer ----------------------------------------------------------

GROUP = Binding.Group("Move")


class Keys(App[None]):
    BINDINGS: list[BindingType] = [  # noqa: RUF012
        Binding("a", "press('alpha')", "Alpha", tooltip="The first"),
        Binding("ctrl+b", "press('bravo')", "Bravo"),
        Binding("x", "press('off')", "Off"),  # disabled: dimmed
        Binding("h", "press('hidden')", "Hidden", show=False),
        Binding("left", "press('left')", "Left", group=GROUP),
        Binding("right", "press('right')", "Right", group=GROUP),
        Binding("k", "press('kilo')", "Kilo"),
    ]

    def __init__(self, footer: type[Footer | KeyFooter], *, compact: bool) -> None:
        super().__init__()
        self.footer, self.compact = footer, compact
        self.pressed: list[str] = []
        self.bells = 0
        self.register_theme(
            Theme(
                "boxes",  # every box of a key coloured: each must show through as Textual's
                primary="#336699",
                variables={
                    "footer-item-background": "#ff000040",
                    "footer-key-background": "#00ff0030",
                    "footer-description-background": "#0000ff20",
                    "block-hover-background": "#ffffff30",
                },
            )
        )

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield self.footer(compact=self.compact)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if parameters == ("off",) else True

    def action_press(self, name: str) -> None:
        self.pressed.append(name)

    def bell(self) -> None:
        self.bells += 1


async def drawn(
    footer: type[Footer | KeyFooter], *, compact: bool, theme: str
) -> list[list[tuple[str, str]]]:
    """The bottom row, plain and with the mouse over each column in turn."""
    app = Keys(footer, compact=compact)
    rows: list[list[Segment]] = []
    async with app.run_test(size=(80, 6)) as pilot:
        app.theme = theme
        await pilot.pause()
        rows.append(bottom_row(pilot))
        for x in range(0, 80, 3):
            await pilot.hover(offset=(x, 5))
            await pilot.pause()
            rows.append(bottom_row(pilot))
    return [[(segment.text, str(segment.style)) for segment in row] for row in rows]


@pytest.mark.parametrize(
    ("compact", "theme"), [(True, "textual-dark"), (False, "ansi-dark"), (True, "boxes")]
)
async def test_it_draws_as_textuals_footer(compact: bool, theme: str) -> None:
    ours = await drawn(KeyFooter, compact=compact, theme=theme)
    assert ours == await drawn(Footer, compact=compact, theme=theme)


async def test_a_disabled_key_is_dimmed_and_a_click_on_it_rings_the_bell() -> None:
    app = Keys(KeyFooter, compact=True)
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        text = row_text(pilot)
        alpha, off = text.index("a Alpha"), text.index("x Off")
        assert style_at(pilot, off).color != style_at(pilot, alpha).color  # dimmed
        assert style_at(pilot, off + 2).color != style_at(pilot, alpha + 2).color
        await click_on(pilot, "x Off")
        await click_on(pilot, "Alpha")
        await click_on(pilot, "→")
        assert app.pressed == ["alpha", "right"]
        assert app.bells == 1


@pytest.mark.parametrize("footer", [KeyFooter, Footer])
async def test_the_wheel_scrolls_keys_that_do_not_fit_into_view(
    footer: type[Footer | KeyFooter],
) -> None:
    app = Keys(footer, compact=True)
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        assert row_text(pilot) == "a Alpha ^b Bravo x Off  ← → ▏^p palette "
        for _ in range(3):  # as far as it goes, as Textual's Footer scrolls
            await pilot._post_mouse_events([events.MouseScrollDown], offset=(5, 5))
        await pilot.pause()
        assert row_text(pilot) == "Bravo x Off  ← → Movek Kilo ▏^p palette "
        await click_on(pilot, "Kilo")
        assert app.pressed == ["kilo"]
        await pilot._post_mouse_events([events.MouseScrollUp], offset=(5, 5))
        await pilot.pause()
        assert row_text(pilot) == " ^b Bravo x Off  ← → Movek K▏^p palette "
