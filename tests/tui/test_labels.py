"""Labels in the list: a file's ``label``, a THEOlive name beside its id, shown where they fit
and matched by the filter; a name from a server is made inert before it is drawn."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.model import ScopeRef
from streamconsole.core.text import inert
from streamconsole.tui.scope_row import LABEL_MIN_CELLS, row_strip
from tests.emulators import TheoLiveEmulator
from tests.emulators.theolive_state import HOSTILE_ALIAS, HOSTILE_CHANNEL, hostile_state

from .conftest import AppFactory, console, current, row_text, scope_list, text_of, wait_loaded
from .remote_support import console_on, settle, theolive_source


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


async def test_rows_show_their_labels_at_80x24(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert "▾ LiveApp (2)  Main live app " in row_text(pilot, "LiveApp")
        assert "    camera-2  Lobby camera " in row_text(pilot, "LiveApp/camera-2")
        assert "    evening  Evening bulletin " in row_text(pilot, "news/evening")
        assert row_text(pilot, "LiveApp/stream1").startswith("      stream1    ")  # none


async def test_the_filter_matches_labels_in_any_case(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"BULLETIN", "enter", "down")
        assert current(pilot) == "news/evening"
        assert "filter: 1 alias matches" in status(pilot)
        await pilot.press("escape", "slash", *"live app", "enter")  # LiveApp's own label
        index = scope_list(pilot).index
        assert index is not None
        assert [str(index.ref(index.row(y))) for y in range(len(index))] == [
            "LiveApp",
            "LiveApp/stream1",
            "LiveApp/camera-2",
        ]


async def test_theolive_names_are_shown_beside_ids_and_filtered_on(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    source = theolive_source(theolive, tmp_path)
    async with console_on(source).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sports backup", "enter", "down")
        await settle(pilot)
        assert current(pilot) == "sports/sports-backup"
        assert "sports-backup  Sports backup " in row_text(pilot, "sports/sports-backup")


async def test_a_hostile_server_name_is_drawn_inert(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    theolive.state = hostile_state()
    source = theolive_source(theolive, tmp_path)
    async with console_on(source).run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        hostile = ScopeRef(HOSTILE_CHANNEL, HOSTILE_ALIAS)
        assert scope_list(pilot).select(hostile)
        await settle(pilot)
        row = row_text(pilot, hostile)
        assert "  Alias \\x1b]52;c;aGk=" in row  # its label, escaped
        assert inert(row) == row  # nothing left that a terminal would act on


def test_a_label_is_cut_to_fit_and_left_out_where_too_little_of_it_fits() -> None:
    left = [("name", Style())]
    label = ("a long label here", Style())

    def drawn(width: int) -> str:
        return row_strip(left, [("|", Style())], width, False, Style(), label).text

    assert drawn(40) == "name  a long label here" + " " * 16 + "|"
    assert drawn(4 + 2 + 10 + 1) == "name  a long la…|"
    too_narrow = 4 + 2 + LABEL_MIN_CELLS - 1 + 1
    assert drawn(too_narrow) == "name" + " " * (too_narrow - 5) + "|"
    short = ("abc", Style())
    assert row_strip(left, [], 9, False, Style(), short).text == "name  abc"
