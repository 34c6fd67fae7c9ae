"""Keys (issue 12, items 6-8): one meaning per key on every screen, a footer that shows what
applies here and now, and the user's keymap from ``[console.keys]``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from streamconsole.tui.bindings import CLOSE_ID
from streamconsole.tui.dialogs import UnsavedChangesScreen
from streamconsole.tui.help import HelpScreen
from streamconsole.tui.key_footer import KeyFooter
from streamconsole.tui.keymap import SCREENS, keys_of
from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.rotate import RotateKeyScreen
from streamconsole.tui.token_preview import TokenPreviewScreen

from .conftest import AppFactory, Notes, console, current, detail_text, text_of, wait_loaded


def footer_actions(pilot: Pilot[None]) -> set[str]:
    """The actions the footer of the screen on top offers now."""
    screen = pilot.app.screen
    assert screen.query("Footer, KeyFooter"), "this screen has no footer"
    return {
        active.binding.action
        for active in screen.active_bindings.values()
        if active.binding.show and active.enabled
    }


async def open_screen(pilot: Pilot[None], keys: tuple[str, ...]) -> None:
    await wait_loaded(pilot)
    await pilot.press(*keys)
    await pilot.pause()


# The key, from the main screen, to each pushed screen; and a key of its own the help lists.
PUSHED = {
    "token preview": (("t",), TokenPreviewScreen, "Direction"),
    "rotate dialog": (("r",), RotateKeyScreen, "Generate"),
    "unsaved question": (("l", "q"), UnsavedChangesScreen, "Discard"),
}


# --- item 6: one meaning per key --------------------------------------------------------------


def test_a_key_bound_on_several_screens_means_one_thing() -> None:
    # q and escape close the screen they are pressed on: on the main screen, closing is
    # quitting (q), and escape backs out of the detail, the filter, the marks; down in the
    # filter goes on to the list.
    same_meaning = (
        {"quit", CLOSE_ID},
        {"clear", "filter-clear", CLOSE_ID},
        {"cursor-down", "filter-leave"},
    )
    meanings: dict[str, set[str]] = {}
    for chain in SCREENS.values():
        for group in chain:
            for binding in group:
                assert not isinstance(binding, tuple)
                assert binding.id, f"{binding.action} has no id: it cannot be remapped"
                for key in keys_of(binding, {}):
                    meanings.setdefault(key, set()).add(binding.id)
    mixed = {
        key: ids
        for key, ids in meanings.items()
        if len(ids) > 1 and not any(ids <= same for same in same_meaning)
    }
    assert mixed == {}


async def test_q_closes_the_token_preview_not_the_console(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_screen(pilot, ("down", "t"))
        assert isinstance(app.screen, TokenPreviewScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.is_running


@pytest.mark.parametrize("where", sorted(PUSHED))
async def test_question_mark_opens_the_help_of_every_screen(
    make_app: AppFactory, where: str
) -> None:
    keys, screen_type, own_key = PUSHED[where]
    async with make_app().run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, ("down", *keys))
        assert isinstance(pilot.app.screen, screen_type)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        listing = text_of(help_screen.query_one("#help-bindings"))
        assert own_key in listing
        assert "esc q" in listing  # closing, as on every pushed screen
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, screen_type)  # back where help was asked


async def test_v_reveals_in_the_rotate_dialog_and_ctrl_r_does_not(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await open_screen(pilot, ("r", "ctrl+g"))
        dialog = pilot.app.screen
        assert isinstance(dialog, RotateKeyScreen)
        shown = dialog.query_one("#rotate-secret-row")
        await pilot.press("ctrl+r")  # reload, on the main screen: never a reveal
        assert not shown.display
        await pilot.press("v")
        assert shown.display
        await pilot.press("v")
        assert not shown.display


async def test_escape_leaves_the_secret_field_before_it_closes_the_dialog(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test() as pilot:
        await open_screen(pilot, ("r",))
        dialog = pilot.app.screen
        assert isinstance(dialog, RotateKeyScreen)
        dialog.query_one("#rotate-secret").focus()
        await pilot.press("escape")
        assert pilot.app.screen is dialog
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)


async def test_the_token_preview_keys_leave_the_main_screen_keys_alone(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test() as pilot:
        await open_screen(pilot, ("down", "t"))
        preview = pilot.app.screen
        assert isinstance(preview, TokenPreviewScreen)
        before = preview.direction
        await pilot.press("d", "p", "r")  # main-screen keys: nothing happens here
        assert preview.direction is before
        assert pilot.app.screen is preview
        await pilot.press("n")
        assert preview.direction is not before


# --- item 7: the footer shows what applies ---------------------------------------------------


async def test_p_is_not_offered_on_a_theolive_row(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert "toggle_publish" in footer_actions(pilot)
        await pilot.press("slash", *"evening", "enter", "down")
        assert current(pilot) == "news/evening"
        assert "toggle_publish" not in footer_actions(pilot)
        assert "toggle_play" in footer_actions(pilot)
        await pilot.press("escape", "home")  # back on LiveApp
        assert "toggle_publish" in footer_actions(pilot)


def footer_keys(pilot: Pilot[None]) -> set[str]:
    """The actions of the keys the footer of the screen on top shows."""
    return {key.action for key in pilot.app.screen.query_one(KeyFooter).shown_keys}


async def test_the_footer_is_redrawn_only_when_its_keys_change(make_app: AppFactory) -> None:
    # A load, a selection and a focus each ask for the keys again; rebuilt for each ask,
    # the footer restyled all its keys several times in the first frame with the list.
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        footer = pilot.app.screen.query_one(KeyFooter)
        assert "toggle_publish" in footer_keys(pilot)
        drawn = footer.render_line(0)
        for _ in range(3):
            pilot.app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer.render_line(0) is drawn  # the same keys: the line on screen stays
        await pilot.press("slash", *"evening", "enter", "down")  # a THEOlive row: no p
        assert current(pilot) == "news/evening"
        assert "toggle_publish" not in footer_keys(pilot)
        assert "toggle_play" in footer_keys(pilot)
        assert "Publish" not in footer.render_line(0).text  # drawn again, without p


async def test_read_only_leaves_the_write_keys_out_of_the_footer(make_app: AppFactory) -> None:
    async with make_app(read_only=True).run_test() as pilot:
        await wait_loaded(pilot)
        offered = footer_actions(pilot)
        assert not offered & {"toggle_publish", "toggle_play", "rotate_key", "save"}
        assert {"token_preview", "focus_filter", "help", "quit"} <= offered


async def test_the_unsaved_question_focuses_cancel_and_shows_its_keys(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test() as pilot:
        await open_screen(pilot, ("l", "q"))
        dialog = pilot.app.screen
        assert isinstance(dialog, UnsavedChangesScreen)
        focused = dialog.focused
        assert isinstance(focused, Button) and focused.id == "unsaved-cancel"
        assert {"choose('save')", "choose('discard')", "choose('cancel')"} <= footer_actions(pilot)
        await pilot.press("enter")  # a late enter cancels: nothing is lost
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)
        session = console(pilot).session
        assert session is not None and len(session.pending) == 1


async def test_the_help_lists_the_hidden_keys_at_80_columns(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, ("question_mark",))
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = text_of(help_screen.query_one("#help-bindings")).splitlines()
        for key, description in (("x", "Mark"), ("v", "Reveal"), ("d", "Detail"), ("^r", "Reload")):
            assert any(row.split()[:2] == [key, description] for row in rows), key


# --- item 8: the user's keymap -----------------------------------------------------------------


def with_keymap(config_path: Path, keymap: str) -> None:
    text = config_path.read_text("utf-8")
    config_path.write_text(text.replace("[console]", f"[console.keys]\n{keymap}\n\n[console]"))


async def test_the_config_keymap_moves_a_key(make_app: AppFactory, config_path: Path) -> None:
    with_keymap(config_path, 'reveal = "w"\nrotate-key = "ctrl+k,R"')
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("v")
        assert "••••••••" in detail_text(pilot)  # v is free now
        await pilot.press("w")
        assert "••••••••" not in detail_text(pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)
        await pilot.press("escape", "question_mark")  # the help shows the keys in use
        await pilot.pause()
        listing = text_of(pilot.app.screen.query_one("#help-bindings"))
        assert "^k R" in listing and "w " in listing


@pytest.mark.parametrize(
    ("keymap", "said"),
    [
        ('revael = "w"', "console.keys.revael: error: no binding has the id 'revael'; did you"),
        ('reveal = "p"', "'p' is already the key of 'toggle-publish' on the main screen"),
    ],
)
async def test_a_bad_keymap_fails_the_load_naming_the_id_and_key(
    make_app: AppFactory, config_path: Path, keymap: str, said: str
) -> None:
    with_keymap(config_path, keymap)
    async with make_app().run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        problems = text_of(pilot.app.screen.query_one("#problems-text"))
        assert said in problems
        assert console(pilot).session is None


# --- the user's own keys, in their settings file -----------------------------------------------


async def test_the_users_own_keys_win_over_the_configs(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    with_keymap(config_path, 'reveal = "w"\nrotate-key = "ctrl+k,R"')
    user_settings.write_text('[keys]\nreveal = "z"\n', encoding="utf-8")
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("w")
        assert "••••••••" in detail_text(pilot)  # the config's key for it is not the user's
        await pilot.press("z")
        assert "••••••••" not in detail_text(pilot)
        await pilot.press("R")  # the config's keys the user left alone stay
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)


async def test_a_users_key_left_out_is_a_warning_naming_its_line_once(
    make_app: AppFactory, config_path: Path, user_settings: Path, notes: Notes
) -> None:
    with_keymap(config_path, 'reveal = "w"')
    user_settings.write_text(
        '# mine\n[keys]\nrevael = "z"\nmark = "w"\nrotate-key = "R"\n', encoding="utf-8"
    )
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert console(pilot).session is not None  # the user's file never fails a load
        await pilot.press("ctrl+r")  # a reload checks again, and says nothing new
        await wait_loaded(pilot)
        await pilot.press("w")
        assert "••••••••" not in detail_text(pilot)  # w still reveals; mark keeps x
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)  # the user's good key is used
    assert [text for text in notes.messages if str(user_settings) in text] == [
        f"{user_settings}:3: keys.revael: warning: no binding has the id 'revael'; did you "
        "mean 'reveal'?",
        f"{user_settings}:4: keys.mark: warning: 'w' is already the key of 'reveal' on the "
        "main screen",
    ]


async def test_messages_name_the_keys_the_user_moved(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    """Every message that names a key names the one it is on now: the user's keys apply
    even while the config cannot be loaded (it is what they press to reload it)."""
    user_settings.write_text(
        '[keys]\nreload = "f5"\nmark = "z"\nclose = "w"\nfull-detail = "ctrl+k"\n',
        encoding="utf-8",
    )
    good = config_path.read_text("utf-8")
    config_path.write_text(good.replace("[console]", "[console]\nsave = 3"), "utf-8")
    async with make_app().run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        problems = text_of(pilot.app.screen.query_one("#problems-text"))
        assert "Fix the file, then reload (f5)." in problems
        config_path.write_text(good, "utf-8")
        await pilot.press("f5")
        await wait_loaded(pilot)
        assert console(pilot).session is not None
        await pilot.press("ctrl+k")
        await pilot.pause()
        hint = str(console(pilot).main_screen.detail.border_title)
        assert hint.endswith("ctrl+k or escape: back to the list")
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        assert "(z, which moves down)" in text_of(help_screen.query_one("#help-notes"))
        assert text_of(help_screen.query_one("#help-hint")) == "w closes"
