"""Moving around the list: every navigation key, expand/collapse, and the filter."""

from __future__ import annotations

import pytest

from streamconsole.tui.filter_input import FilterInput
from streamconsole.tui.main_screen import MainScreen

from .conftest import AppFactory, burst, console, current, detail_text, scope_list, wait_loaded

ORDER = [
    "LiveApp", "LiveApp/stream1", "LiveApp/camera-2",
    "news", "news/evening", "news/morning",
    "bare", "bare/s1",
]  # fmt: skip


async def test_the_list_shows_every_application_and_alias(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        widget = scope_list(pilot)
        assert widget.has_focus
        assert widget.index is not None
        assert [str(widget.index.ref(widget.index.row(y))) for y in range(len(widget.index))] == (
            ORDER
        )
        assert current(pilot) == "LiveApp"


@pytest.mark.parametrize(("keys", "expected"), [
    (["down"], "LiveApp/stream1"),
    (["j", "j"], "LiveApp/camera-2"),
    (["down", "down", "up"], "LiveApp/stream1"),
    (["j", "j", "k"], "LiveApp/stream1"),
    (["end"], "bare/s1"),
    (["G"], "bare/s1"),
    (["end", "home"], "LiveApp"),
    (["G", "g"], "LiveApp"),
    (["up"], "LiveApp"),
    (["end", "down"], "bare/s1"),
    (["pagedown"], "bare/s1"),
    (["end", "pageup"], "LiveApp"),
])  # fmt: skip
async def test_cursor_keys(make_app: AppFactory, keys: list[str], expected: str) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press(*keys)
        assert current(pilot) == expected


async def test_page_keys_move_by_a_page(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(80, 16)) as pilot:
        await wait_loaded(pilot)
        page = scope_list(pilot).scrollable_content_region.height
        assert 1 < page < len(ORDER)
        await pilot.press("pagedown")
        assert current(pilot) == ORDER[page - 1]
        await pilot.press("pageup")
        assert current(pilot) == "LiveApp"


@pytest.mark.parametrize("key", ["enter", "space"])
async def test_enter_and_space_collapse_and_expand(make_app: AppFactory, key: str) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press(key, "down")
        assert current(pilot) == "news"
        await pilot.press("up", key, "down")
        assert current(pilot) == "LiveApp/stream1"


async def test_enter_on_an_alias_collapses_its_application(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "down", "enter")
        assert current(pilot) == "LiveApp"
        await pilot.press("down")
        assert current(pilot) == "news"


async def test_left_and_right(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "down", "left")  # from an alias: up to its application
        assert current(pilot) == "LiveApp"
        await pilot.press("left", "down")  # collapse
        assert current(pilot) == "news"
        await pilot.press("up", "right")  # expand
        assert current(pilot) == "LiveApp"
        await pilot.press("right")  # already open: into the first alias
        assert current(pilot) == "LiveApp/stream1"


async def test_the_detail_follows_the_cursor(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert "Main live app" in detail_text(pilot)
        await pilot.press("down", "down")
        text = detail_text(pilot)
        assert "LiveApp › camera-2" in text
        assert "Lobby camera" in text


async def test_slash_filters_as_you_type_and_escape_clears(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash")
        assert pilot.app.focused is not None and pilot.app.focused.id == "filter"
        await pilot.press("E", "v", "E")
        widget = scope_list(pilot)
        assert widget.index is not None
        assert len(widget.index) == 2  # news, news/evening
        assert current(pilot) == "news"
        status = pilot.app.screen.query_one("#status-text")
        assert "1 alias matches" in str(status.render())
        await pilot.press("escape")
        assert widget.has_focus
        assert len(widget.index) == len(ORDER)
        assert current(pilot) == "news"  # the cursor stays on what was selected


async def test_enter_keeps_the_filter_and_returns_to_the_list(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", "s", "1", "enter")
        widget = scope_list(pilot)
        assert widget.has_focus
        assert widget.index is not None and widget.index.query == "s1"
        await pilot.press("down")
        assert current(pilot) == "bare/s1"
        await pilot.press("escape")  # in the list: clears the filter
        assert widget.index.query == ""


async def test_a_filter_without_matches_says_so(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", "z", "z", "z")
        assert scope_list(pilot).current_ref is None
        assert "Nothing matches" in detail_text(pilot)
        await pilot.press("escape")
        assert current(pilot) == "LiveApp"


@pytest.mark.parametrize("typed", ["/mxr", "/spo", "/lpt", "/evening"])
async def test_every_key_typed_in_one_burst_after_the_slash_goes_to_the_filter(
    make_app: AppFactory, typed: str
) -> None:
    # Over SSH a fast "/mxr" arrives at once: r must not open the rotate dialog, nor x mark,
    # nor p or l toggle a policy; every letter is part of the filter.
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await burst(pilot, typed)
        app = console(pilot)
        assert isinstance(app.screen, MainScreen)
        filter_input = app.main_screen.query_one("#filter", FilterInput)
        assert filter_input.has_focus
        assert filter_input.value == typed[1:]
        assert app.session is not None and not app.session.pending
        assert scope_list(pilot).marked_refs == []


async def test_a_slash_typed_in_the_filter_is_part_of_the_name(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", "a", "slash", "b")
        assert console(pilot).main_screen.query_one("#filter", FilterInput).value == "a/b"
