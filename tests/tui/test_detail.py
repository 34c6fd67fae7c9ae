"""The detail at 80×24: reachable full screen (``d``) and by scrolling once focused, the
revealed secret brought into view, and warnings marked in the list and counted in the
status line (the detail is too small there to be the only place that shows them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import Alias, Application, ScopeRef, ScopeSettings, ServerKind
from streamconsole.tui.scope_warnings import ScopeWarnings
from tests.core.support import fixture_shared
from tests.tui.screen_host import screen_text

from .conftest import SECRETS, AppFactory, console, row_text, scope_list, text_of, wait_loaded

NARROW = (80, 24)


async def select(pilot: Pilot[None], ref: str) -> None:
    assert scope_list(pilot).select(ScopeRef.parse(ref))
    await pilot.pause()


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


async def test_d_shows_all_of_the_detail_at_80x24_and_escape_goes_back(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        screen = console(pilot).main_screen
        await select(pilot, "news/evening")
        below_the_fold = ("Fingerprint", "Age", "Stored in", "days old; consider rotating")
        assert not any(text in screen_text(pilot.app) for text in below_the_fold)

        await pilot.press("d")
        shown = screen_text(pilot.app)
        assert all(text in shown for text in below_the_fold)
        assert screen.detail.has_focus
        assert not scope_list(pilot).display

        await pilot.press("escape")
        assert scope_list(pilot).has_focus
        assert "Fingerprint" not in screen_text(pilot.app)
        await pilot.press("d", "d")  # d goes back too
        assert scope_list(pilot).has_focus
        assert str(scope_list(pilot).current_ref) == "news/evening"


async def test_the_detail_takes_the_focus_and_scrolls_with_the_keys(make_app: AppFactory) -> None:
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        detail = console(pilot).main_screen.detail
        await select(pilot, "news/evening")
        await pilot.press("tab")
        assert detail.has_focus
        await pilot.press("end")
        assert detail.scroll_y > 0
        assert "days old; consider rotating" in screen_text(pilot.app)
        await pilot.press("shift+tab", "down")  # back in the list; the detail starts at the top
        assert detail.scroll_y == 0


async def test_v_at_80x24_brings_the_secret_into_view(make_app: AppFactory) -> None:
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        assert SECRETS[0] not in screen_text(pilot.app)
        await pilot.press("v")
        assert SECRETS[0] in screen_text(pilot.app)
        await pilot.press("v")
        assert SECRETS[0] not in screen_text(pilot.app)


async def test_v_shows_a_hidden_detail_panel(make_app: AppFactory) -> None:
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        main = console(pilot).main_screen
        main.action_toggle_detail()  # hidden from the palette: a full-height list
        await pilot.pause()
        assert not main.detail.display
        await pilot.press("v")
        assert main.detail.display
        assert SECRETS[0] in screen_text(pilot.app)


async def test_rows_with_warnings_are_marked_and_the_status_line_counts_them(
    make_app: AppFactory, config_dir: Path
) -> None:
    (config_dir / "keys" / "hs256.secret").chmod(0o644)  # a source problem about LiveApp
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        assert row_text(pilot, "news/evening").rstrip().endswith("⚠")  # its key: 623 days old
        assert not row_text(pilot, "news/morning").rstrip().endswith("⚠")
        for ref in ("LiveApp", "LiveApp/stream1"):  # the file is the application's key
            assert row_text(pilot, ref).rstrip().endswith("⚠")
        assert "⚠ 2 warnings" in status(pilot)


async def test_no_warnings_no_count(make_app: AppFactory, config_path: Path) -> None:
    text = config_path.read_text("utf-8").replace("2025-01-15T12:00:00Z", "2026-06-01T12:00:00Z")
    config_path.write_text(text, encoding="utf-8")
    async with make_app().run_test(size=NARROW) as pilot:
        await wait_loaded(pilot)
        assert "⚠" not in status(pilot)
        assert "⚠" not in row_text(pilot, "news/evening")


# --- counting -------------------------------------------------------------------------------

NOW = datetime(2026, 10, 1, tzinfo=UTC)
OLD = datetime(2024, 1, 1, tzinfo=UTC)


def test_an_inherited_warning_is_counted_once_but_marks_every_row() -> None:
    inline = KeyEntry(fixture_shared(Algorithm.HS256, "hs256.secret"), KeyOrigin.INLINE)
    aliases = {name: Alias(name) for name in ("a", "b", "c")}
    app = Application(
        "LiveApp", ServerKind.ANTMEDIA, ScopeSettings(publish=True, key=inline), aliases=aliases
    )
    warnings = ScopeWarnings((), NOW)
    assert warnings.count_in(app) == 1  # "written inline", said once for the application
    assert warnings.marked(app, None)
    assert all(warnings.marked(app, alias) for alias in aliases.values())


def test_aliases_switching_alike_share_their_warnings_and_no_others() -> None:
    """Warnings are worked out once per application and switches: an alias enforcing play
    with no key warns, one setting nothing or turning play off does not, whatever order the
    rows are counted or drawn in."""
    aliases = {
        "on": Alias("on", settings=ScopeSettings(play=True)),
        "nothing": Alias("nothing"),
        "off": Alias("off", settings=ScopeSettings(play=False)),
        "on-too": Alias("on-too", settings=ScopeSettings(play=True)),
        "empty": Alias("empty", settings=ScopeSettings()),
    }
    app = Application("news", ServerKind.THEOLIVE, aliases=aliases)
    warnings = ScopeWarnings((), NOW)
    assert warnings.count_in(app) == 2
    marked = {name for name, alias in aliases.items() if warnings.marked(app, alias)}
    assert marked == {"on", "on-too"}
    assert warnings.policy(app, aliases["on-too"]) == [
        "play JWT is enforced but no key is set: every play is refused"
    ]


def test_an_alias_warning_of_its_own_is_counted() -> None:
    old = KeyEntry(fixture_shared(Algorithm.HS512, "hs512.secret"), KeyOrigin.FILE, created=OLD)
    evening = Alias("evening", settings=ScopeSettings(play=True, key=old))
    aliases = {"evening": evening, "morning": Alias("morning")}
    app = Application("news", ServerKind.THEOLIVE, aliases=aliases)
    warnings = ScopeWarnings((), NOW)
    assert warnings.count_in(app) == 1
    assert warnings.marked(app, evening)
    assert not warnings.marked(app, aliases["morning"])
    assert not warnings.marked(app, None)
