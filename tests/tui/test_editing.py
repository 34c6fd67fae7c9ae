"""Toggling enforcement, keys, unsaved markers and saving, through the keys an operator uses."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.tui.rotate import RotateKeyScreen

from .conftest import (
    KEYS,
    AppFactory,
    Notes,
    console,
    current,
    detail_text,
    row_text,
    text_of,
    wait_loaded,
)


def on_disk(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def unsaved(pilot: Pilot[None]) -> int:
    session = console(pilot).session
    assert session is not None
    return len(session.pending)


def hs256_key() -> Any:
    return shared_key(Algorithm.HS256, (KEYS / "hs256.secret").read_text("utf-8").strip())


async def go_to(pilot: Pilot[None], ref: str) -> None:
    """Put the cursor on ``ref`` with the filter, as an operator would, then clear it."""
    await pilot.press("slash", *ref.split("/")[-1], "enter")
    widget = console(pilot).main_screen.scope_list
    assert widget.index is not None
    while current(pilot) != ref:
        before = widget.cursor
        await pilot.press("down")
        assert widget.cursor != before, f"{ref} not found"
    await pilot.press("escape")
    assert current(pilot) == ref


async def test_p_toggles_publish_on_an_application_and_ctrl_s_saves_it(
    make_app: AppFactory, config_path: Path
) -> None:
    before = config_path.read_bytes()
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert "P●" in row_text(pilot, "LiveApp")
        await pilot.press("p")
        assert "P○" in row_text(pilot, "LiveApp")
        assert row_text(pilot, "LiveApp").rstrip().endswith("*")
        assert "○ off" in detail_text(pilot).split("Play JWT")[0]
        assert "1 unsaved" in str(pilot.app.screen.query_one("#unsaved-badge").render())
        assert config_path.read_bytes() == before  # nothing written before ctrl+s
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
        assert on_disk(config_path)["applications"]["LiveApp"]["publish"] is False
        assert unsaved(pilot) == 0
        assert not row_text(pilot, "LiveApp").rstrip().endswith("*")


async def test_l_toggles_play_on_a_theolive_alias_only(
    make_app: AppFactory, config_path: Path
) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await go_to(pilot, "news/evening")
        await pilot.press("l")
        assert "▶○" in row_text(pilot, "news/evening")
        # Off is what the channel sets: the alias's own `play = true` goes, no copy is made.
        assert "inherited from application news" in detail_text(pilot)
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
    news = on_disk(config_path)["applications"]["news"]
    assert "play" not in news["aliases"]["evening"]
    assert news["aliases"]["evening"]["label"] == "Evening bulletin"
    assert news["play"] is False  # the channel default is untouched


async def test_an_ant_media_alias_toggle_changes_the_application_and_says_so(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("down")
        assert current(pilot) == "LiveApp/stream1"
        await pilot.press("l")
        assert notes.any("Ant Media enforces JWT per application")
        for ref in ("LiveApp", "LiveApp/stream1", "LiveApp/camera-2"):
            assert "▶●" in row_text(pilot, ref)
        session = console(pilot).session
        assert session is not None
        assert [str(change.scope) for change in session.pending] == ["LiveApp"]
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
    live = on_disk(config_path)["applications"]["LiveApp"]
    assert live["play"] is True
    assert live["aliases"]["stream1"] == {}


async def test_publish_on_theolive_is_refused(make_app: AppFactory, notes: Notes) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await go_to(pilot, "news/evening")
        await pilot.press("p")
        assert notes.any("THEOlive has no publish JWT control")
        assert unsaved(pilot) == 0
        assert "P–" in row_text(pilot, "news/evening")


async def test_toggling_twice_leaves_nothing_unsaved(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        assert unsaved(pilot) == 1
        await pilot.press("l")
        assert unsaved(pilot) == 0
        assert not row_text(pilot, "LiveApp").rstrip().endswith("*")


async def test_enforcing_without_a_key_asks_for_one_first(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await go_to(pilot, "bare")
        await pilot.press("p")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, RotateKeyScreen)
        assert unsaved(pilot) == 0  # nothing changes before a key is chosen
        key = hs256_key()
        await dialog.dismiss(key)
        await pilot.pause()
        assert "P●" in row_text(pilot, "bare")
        assert key.fingerprint in detail_text(pilot)
        assert unsaved(pilot) == 2  # the key, then the switch
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
    bare = on_disk(config_path)["applications"]["bare"]
    assert bare["publish"] is True
    assert bare["key"]["algorithm"] == "HS256"
    assert (config_path.parent / bare["key"]["key_file"]).is_file()


async def test_cancelling_the_key_dialog_changes_nothing(
    make_app: AppFactory, notes: Notes
) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await go_to(pilot, "news/morning")
        await pilot.press("l")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, RotateKeyScreen)
        await dialog.dismiss(None)
        await pilot.pause()
        assert unsaved(pilot) == 0
        assert "▶○" in row_text(pilot, "news/morning")
        assert notes.any("No key chosen")


async def test_r_rotates_the_key_of_the_selection(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        old = detail_text(pilot)
        await pilot.press("down", "r")  # an Ant Media stream: the key is the application's
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, RotateKeyScreen)
        key = shared_key(Algorithm.HS256, "a-brand-new-secret-for-liveapp-0123456789")
        await dialog.dismiss(key)
        await pilot.pause()
        text = detail_text(pilot)
        assert key.fingerprint in text and key.fingerprint not in old
        assert "new in this session" in text
        assert row_text(pilot, "LiveApp").rstrip().endswith("*")


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


async def test_marks_toggle_several_scopes_at_once_then_clear(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")  # LiveApp (the cursor moves on)
        assert current(pilot) == "LiveApp/stream1"
        assert "✓ 1 marked" in status(pilot)
        await go_to(pilot, "news/evening")
        await pilot.press("x")
        assert "✓" in row_text(pilot, "LiveApp") and "✓" in row_text(pilot, "news/evening")
        assert "✓ 2 marked" in status(pilot)
        await pilot.press("l")  # LiveApp is off: both turn on, not the cursor's row
        assert "▶●" in row_text(pilot, "LiveApp")
        assert "▶●" in row_text(pilot, "news/evening")
        assert current(pilot) == "news/morning" and "▶○" in row_text(pilot, "news/morning")
        # Used: the marks are gone, and the next toggle is the cursor's row's again.
        assert "✓" not in row_text(pilot, "LiveApp") + row_text(pilot, "news/evening")
        assert "marked" not in status(pilot)
        await pilot.press("up", "l")
        assert "▶○" in row_text(pilot, "news/evening")
        assert "▶●" in row_text(pilot, "LiveApp")
        assert unsaved(pilot) == 2  # LiveApp on; evening (on before) off


async def test_escape_clears_the_marks_and_a_refused_toggle_keeps_them(
    make_app: AppFactory,
) -> None:
    async with make_app(read_only=True).run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("x", "x", "l")  # refused (read-only): nothing was used
        assert "✓ 2 marked" in status(pilot)
        await pilot.press("escape")
        assert "marked" not in status(pilot)
        assert "✓" not in row_text(pilot, "LiveApp")


async def test_immediate_save_writes_each_edit_at_once(
    make_app: AppFactory, config_path: Path
) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace('save = "manual"', 'save = "immediate"'))
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        await wait_loaded(pilot)
        assert on_disk(config_path)["applications"]["LiveApp"]["play"] is True
        assert unsaved(pilot) == 0


async def test_a_file_changed_elsewhere_is_not_overwritten(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        config_path.write_text(config_path.read_text("utf-8") + "\n# edited by someone else\n")
        edited = config_path.read_bytes()
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
        assert notes.any("the config changed elsewhere")
        assert notes.any("changed on disk")
        assert config_path.read_bytes() == edited
        assert unsaved(pilot) == 1  # the edit is kept


async def test_ctrl_s_with_nothing_to_save_says_so(make_app: AppFactory, notes: Notes) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+s")
        assert notes.any("Nothing to save")
