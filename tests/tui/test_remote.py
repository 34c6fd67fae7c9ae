"""The console on a remote source (Ant Media Server, THEOlive), against the emulators: the
list before the aliases, aliases by priority, failures in place, saves that reach the
server, refresh after a network drop, read-only, switching sources, leaving cleanly."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import Source
from streamconsole.cli import main
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    Direction,
    ScopeRef,
    ServerKind,
)
from streamconsole.core.tokens import build_claims, sign
from streamconsole.tui.dialogs import UnsavedChangesScreen
from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.rotate import RotateKeyScreen
from streamconsole.tui.scope_index import Row, ScopeIndex
from streamconsole.tui.sources import SourceOpener
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.emulators.antmedia_state import VENDOR_EXAMPLE_SECRET

from .conftest import Notes, console, current, detail_text, row_text, scope_list, text_of
from .remote_support import (
    PATIENT,
    ClosingAntMedia,
    antmedia_source,
    console_on,
    settle,
    theolive_source,
)

LIVE_BROADCASTS = "/LiveApp/rest/v2/broadcasts/list/*"
SETTINGS = "/rest/v2/applications/settings/"


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


def session_of(pilot: Pilot[None]):  # type: ignore[no-untyped-def]
    session = console(pilot).session
    assert session is not None
    return session


class GatedAliases(AntMediaSource):
    """Ant Media whose alias fetches wait until the test opens the gate, and are recorded
    in the order they were asked for."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.asked: list[str] = []
        self.gate = asyncio.Event()

    async def load_aliases(self, app: Application) -> None:
        self.asked.append(app.name)
        await self.gate.wait()
        await super().load_aliases(app)


# --- the index: applications before their aliases -----------------------------------------


def _unloaded(*names: str) -> Config:
    config = Config()
    for name in names:
        config.applications[name] = Application(name, ServerKind.ANTMEDIA, aliases_loaded=False)
    return config


def _rows(index: ScopeIndex) -> list[str]:
    return [
        "…" if index.row(y).is_placeholder else str(index.ref(index.row(y)))
        for y in range(len(index))
    ]


def test_unloaded_applications_start_closed_and_open_onto_a_placeholder() -> None:
    index = ScopeIndex(_unloaded("Live", "News"))
    assert _rows(index) == ["Live", "News"]
    index.set_expanded(0, True)
    assert _rows(index) == ["Live", "…", "News"]
    placeholder = index.row(1)
    assert index.ref(placeholder) == ScopeRef("Live")  # it stands for its application
    assert index.scope(placeholder) == (index.applications[0], None)
    assert index.find(placeholder) == 1


def test_aliases_that_arrive_replace_the_placeholder() -> None:
    config = _unloaded("Live", "News")
    index = ScopeIndex(config)
    index.set_expanded(0, True)
    live = config.applications["Live"]
    live.aliases = {name: Alias(name) for name in ("cam-1", "cam-2")}
    live.aliases_loaded = True
    index.refresh_aliases(0)
    assert _rows(index) == ["Live", "Live/cam-1", "Live/cam-2", "News"]
    assert index.locate(ScopeRef("Live", "cam-2")) == Row(0, 1)


def test_the_filter_works_on_what_is_loaded_and_takes_in_what_arrives() -> None:
    config = _unloaded("Live", "News")
    index = ScopeIndex(config)
    index.set_query("lobby")
    assert _rows(index) == []  # nothing loaded matches yet
    news = config.applications["News"]
    news.aliases = {"lobby": Alias("lobby"), "other": Alias("other")}
    news.aliases_loaded = True
    index.refresh_aliases(1)
    assert _rows(index) == ["News", "News/lobby"]  # a match inside opens its application
    assert index.shown_aliases == 1
    index.set_query("")
    assert _rows(index) == ["Live", "News"]  # closed again without the filter


def test_open_applications_are_kept_by_name_and_on_screen_ones_found() -> None:
    index = ScopeIndex(_unloaded("A", "B", "C", "D"))
    index.expand_names(frozenset({"B", "gone"}))
    assert index.expanded_names == frozenset({"B"})
    assert _rows(index) == ["A", "B", "…", "C", "D"]
    assert index.visible_applications(1, 3) == [1, 2]  # rows 1-3: B, its placeholder, C
    assert index.visible_applications(4, 99) == [3]


# --- the status line ----------------------------------------------------------------------


async def test_the_status_line_names_server_user_and_latency(antmedia: AntMediaEmulator) -> None:
    source = antmedia_source(antmedia)
    assert source.status == "lab · admin@example.com"  # no request made yet: no latency
    async with console_on(source).run_test() as pilot:
        await settle(pilot)
        line = status(pilot)
        assert line.startswith(" lab · admin@example.com · ")
        assert re.search(r" · \d+ ms │ 3 applications · 123 aliases", line), line
        assert "127.0.0.1" not in line


# --- loading: the list first, then the aliases --------------------------------------------


async def test_the_list_comes_first_and_aliases_follow_on_screen_first(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.seed(40, 1)
    # Ten lanes: eight for the background (two kept for the operator), fewer than the rows.
    source = antmedia_source(antmedia, cls=GatedAliases, concurrency=10)
    assert isinstance(source, GatedAliases)
    async with console_on(source).run_test(size=(80, 24)) as pilot:
        for _ in range(50):  # the list is up while every alias fetch is held at the gate
            await pilot.pause()
            if len(source.asked) >= 8:
                break
        assert current(pilot) == "App00"
        assert "App00 (…)" in row_text(pilot, "App00")
        assert "streams loading…" in detail_text(pilot)
        assert "40 loading…" in status(pilot)
        await pilot.press("enter")  # open it: a placeholder row until its aliases are in
        await pilot.pause()
        assert scope_list(pilot).index is not None
        assert "loading…" in scope_list(pilot).render_line(1).text
        # The selection first, then the rest of the screen, as many as the lanes allow.
        assert source.asked[0] == "App00"
        assert set(source.asked) == {f"App{i:02d}" for i in range(8)}
        await pilot.press("end")
        await pilot.pause()
        assert current(pilot) == "App39"
        assert "App39" in source.asked[8:]  # the new selection is fetched at once
        index = scope_list(pilot).index
        assert index is not None
        on_screen = {index.applications[i].name for i in scope_list(pilot).applications_on_screen}
        on_screen -= {"App39"}
        assert len(on_screen) >= 8 and "App20" not in on_screen
        source.gate.set()
        await settle(pilot)
        # App00 is asked again only if its selection owned the fetch: moving on cancelled it
        # (exclusive), and the background, which waited for it too, fetches it itself.
        assert source.asked.count("App00") in (1, 2)
        later = [name for name in source.asked[8:] if name not in ("App00", "App39")]
        assert set(later[: len(on_screen)]) == on_screen, later  # what is seen comes next
        assert sorted(set(source.asked)) == [f"App{i:02d}" for i in range(40)]
        assert len(source.asked) == 39 + source.asked.count("App00")  # the rest once each
        assert "loading" not in status(pilot)
        assert "App39 (1)" in row_text(pilot, "App39")


async def test_selected_and_background_fetches_never_repeat(antmedia: AntMediaEmulator) -> None:
    async with console_on(antmedia_source(antmedia)).run_test() as pilot:
        await settle(pilot)
        assert antmedia.log.count(path=LIVE_BROADCASTS) == 3  # 120 streams, 50 a page
        assert antmedia.log.count(path="/WebRTCAppEE/rest/v2/broadcasts/list/*") == 1
        assert "LiveApp (120)" in row_text(pilot, "LiveApp")
        await pilot.press("enter", "down")
        assert current(pilot) == "LiveApp/stream1"
        await pilot.press("slash", *"town", "enter")
        assert current(pilot) == "WebRTCAppEE"  # the filter works on what is loaded
        await pilot.press("down")
        assert current(pilot) == "WebRTCAppEE/town-hall"


async def test_an_application_whose_settings_fail_is_marked_in_place(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.faults.html_error(500, times=None, path=SETTINGS + "VodApp")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert notes.any("VodApp: GET /rest/v2/applications/settings/VodApp: HTTP 500")
        row = row_text(pilot, "VodApp")
        assert "P? ▶?" in row and row.rstrip().endswith("✗")
        assert "✗ 1 not read" in status(pilot)
        assert "LiveApp (120)" in row_text(pilot, "LiveApp")  # the others work
        await pilot.press("end")
        assert current(pilot) == "VodApp"
        detail = detail_text(pilot)
        assert "VodApp could not be read" in detail
        assert "HTTP 500: HTML page" in detail
        assert "Publish JWT" not in detail  # an unknown policy is not shown as "off"
        notes.clear()
        await pilot.press("p", "l", "t")
        assert notes.any("VodApp: not read from lab, so the policy is unknown")
        assert isinstance(pilot.app.screen, MainScreen)
        assert session_of(pilot).pending == ()
        await pilot.press("home", "l", "ctrl+s")  # LiveApp still saves
        await settle(pilot)
        assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is True
    assert antmedia.log.count(method="POST", path=SETTINGS + "VodApp") == 0


async def test_aliases_that_fail_to_load_are_marked_on_their_application(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.faults.fail(503, times=None, path="/WebRTCAppEE/rest/v2/broadcasts/*")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert notes.any("WebRTCAppEE: GET /WebRTCAppEE/rest/v2/broadcasts/list/0/50: HTTP 503")
        row = row_text(pilot, "WebRTCAppEE")
        assert "P● ▶●" in row and row.rstrip().endswith("✗")  # its settings were read
        await pilot.press("down", "enter")
        assert current(pilot) == "WebRTCAppEE"
        assert "Its streams could not be loaded" in detail_text(pilot)
        assert "Play JWT" in detail_text(pilot)
        assert "✗ not loaded: see the detail" in scope_list(pilot).render_line(2).text
        assert "LiveApp (120)" in row_text(pilot, "LiveApp")


async def test_a_weak_server_secret_warns_on_its_application_only(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.seed(2, 0)
    antmedia.state.update_settings("App0", jwtStreamSecretKey="Vq8tZ3mKp1Ld7Xr4Nw9Bc2Hy6Fs0JgQe5Ua")
    antmedia.state.update_settings("App1", jwtStreamSecretKey="short-secret")
    async with console_on(antmedia_source(antmedia)).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert row_text(pilot, "App1").rstrip().endswith("⚠")
        assert not row_text(pilot, "App0").rstrip().endswith("⚠")
        assert "⚠ 1 warning" in status(pilot)
        assert current(pilot) == "App0"
        assert "stream secret is weak" not in detail_text(pilot)
        await pilot.press("down")
        await pilot.pause()
        assert current(pilot) == "App1"
        assert "applications.App1: the server's stream secret is weak" in detail_text(pilot)


async def test_refused_credentials_stop_the_fetches_instead_of_logging_in_again(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.state.seed(200, 1)  # more than the background's 62 lanes
    antmedia.faults.fail(401, times=None, path="/*/rest/v2/broadcasts/*")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert "✗ 200 not read" in status(pilot)
        assert "loading" not in status(pilot)
        assert notes.any("HTTP 401")
        # One login to list, then at most one for each fetch already under way when the
        # first refusal came (a login per application would lock a real account).
        logins = antmedia.log.count(path="/rest/v2/users/authenticate")
        assert 1 < logins <= 1 + 9, logins
        assert antmedia.log.count(path="/*/rest/v2/broadcasts/*") < 200
        await pilot.press("end")
        assert "not fetched: GET /" in detail_text(pilot)
        assert "HTTP 401" in detail_text(pilot)


# --- saving to the server -----------------------------------------------------------------


async def test_toggles_saved_from_the_console_reach_the_server(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    before = antmedia.state.settings("LiveApp")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("p", "l")
        assert "2 unsaved" in text_of(pilot.app.screen.query_one("#unsaved-badge", Static))
        assert antmedia.log.count(method="POST") == 1  # only the login so far
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes.any("Saved 2 changes to lab")
        assert session_of(pilot).pending == ()
    after = antmedia.state.settings("LiveApp")
    assert (after["publishJwtControlEnabled"], after["playJwtControlEnabled"]) == (False, True)
    assert after.pop("updateTime") > before.pop("updateTime")  # the server stamps each save
    assert {k: v for k, v in after.items() if "JwtControl" not in k} == {
        k: v for k, v in before.items() if "JwtControl" not in k
    }


async def test_two_saves_in_a_row_of_one_application_both_reach_the_server(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        for key in ("l", "p"):
            await pilot.press(key, "ctrl+s")
            await settle(pilot)
            assert session_of(pilot).pending == ()
        assert notes.messages.count("Saved 1 change to lab.") == 2
        assert not notes.any("Not saved")
    after = antmedia.state.settings("LiveApp")
    assert (after["publishJwtControlEnabled"], after["playJwtControlEnabled"]) == (False, True)
    assert antmedia.log.count(method="POST", path=f"{SETTINGS}*") == 2


async def test_a_save_the_server_refuses_says_what_to_turn_off_and_keeps_the_edit(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    """WebRTCAppEE holds play JWT and one-time tokens: the server refuses every save of it
    and gives no reason; the console says which rule, and what to turn off."""
    before = antmedia.state.settings("WebRTCAppEE")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"WebRTC", "enter")
        assert current(pilot) == "WebRTCAppEE"
        await pilot.press("p", "ctrl+s")
        await settle(pilot)
        assert notes.any("Not saved")
        assert notes.any(
            "play has JWT and one-time tokens on (playJwtControlEnabled, "
            "playTokenControlEnabled): turn one-time tokens off for play in the server's web "
            "panel, or turn play JWT off, then save again; nothing was written"
        )
        assert not notes.any(before["jwtStreamSecretKey"])
        assert len(session_of(pilot).pending) == 1  # the edit is kept for later
    assert antmedia.state.settings("WebRTCAppEE") == before


async def test_a_key_rotated_in_the_console_signs_tokens_the_server_accepts(
    antmedia: AntMediaEmulator,
) -> None:
    now = int(time.time())
    claims = build_claims(ServerKind.ANTMEDIA, Direction.PUBLISH, "stream1", now=now, ttl=600)
    async with console_on(antmedia_source(antmedia)).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        session = session_of(pilot)
        old_entry = session.config.applications["LiveApp"].settings.key
        assert old_entry is not None
        old_token = sign(claims, old_entry.key)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert session.pending == ()
        entry = session.config.applications["LiveApp"].settings.key
        assert entry is not None and entry.fingerprint != old_entry.fingerprint
        new_token = sign(claims, entry.key)
    secret = antmedia.state.settings("LiveApp")["jwtStreamSecretKey"]
    assert secret != VENDOR_EXAMPLE_SECRET
    assert antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", new_token)
    assert not antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", old_token)


async def test_a_theolive_v2_rotation_adds_a_key_beside_the_old_one(
    theolive: TheoLiveEmulator, tmp_path: Path, notes: Notes
) -> None:
    source = theolive_source(theolive, tmp_path)
    async with console_on(source).run_test(size=(100, 40), message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sports-main", "enter", "down")
        assert current(pilot) == "sports/sports-main"
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes.any("Saved 1 change to theo-lab")
        entry = session_of(pilot).config.resolve(ScopeRef("sports", "sports-main"))[1]
        assert entry is not None and entry.settings is not None
        new_key = entry.settings.key
        assert new_key is not None
    held = theolive.state.aliases["sports-main"].keys
    assert len(held) == 2
    assert held[0].id == "key-sports-2026"  # the old key stays
    now = int(time.time())
    claims = build_claims(ServerKind.THEOLIVE, Direction.PLAY, "sports-main", now=now, ttl=600)
    assert theolive.state.verify_viewer_token("sports-main", sign(claims, new_key.key))


# --- the network in the middle ------------------------------------------------------------


@pytest.fixture
def own_antmedia() -> Iterator[AntMediaEmulator]:
    """An Ant Media emulator of this test's own, which the test may stop and start again
    (the shared one serves every other test)."""
    with AntMediaEmulator() as emulator:
        yield emulator


def port_of(emulator: AntMediaEmulator) -> int:
    return int(emulator.base_url.rsplit(":", 1)[1])


async def test_a_save_during_a_network_drop_is_a_notification_and_writes_nothing(
    own_antmedia: AntMediaEmulator, notes: Notes
) -> None:
    server = own_antmedia
    before = server.state.settings("LiveApp")
    port = port_of(server)
    async with console_on(antmedia_source(server)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("l")
        server.stop()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes.any("Not saved")
        assert notes.any("cannot connect")
        assert len(session_of(pilot).pending) == 1  # the edit is kept for later
        assert pilot.app.is_running
        server.start(port=port)
        assert server.state.settings("LiveApp") == before
        assert server.log.count(method="POST", path=SETTINGS + "*") == 0
        notes.clear()
        await pilot.press("ctrl+s")  # the server is back: the same edit saves
        await settle(pilot)
        assert notes.any("Saved 1 change to lab")
    assert server.state.settings("LiveApp")["playJwtControlEnabled"] is True


async def test_refresh_keeps_what_is_shown_while_the_server_is_down_then_recovers(
    own_antmedia: AntMediaEmulator, notes: Notes
) -> None:
    server = own_antmedia
    port = port_of(server)
    async with console_on(antmedia_source(server)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down", "down")
        assert current(pilot) == "LiveApp/stream2"
        server.stop()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert notes.any("Not refreshed")
        assert "✗ not refreshed" in status(pilot)
        assert not console(pilot).main_screen.has_class("-broken")  # the list stays
        assert current(pilot) == "LiveApp/stream2"
        server.start(port=port)
        server.state.update_settings("LiveApp", playJwtControlEnabled=True)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "not refreshed" not in status(pilot)
        assert current(pilot) == "LiveApp/stream2"  # back on it once its streams are in
        assert "P● ▶●" in row_text(pilot, "LiveApp")  # what the server holds now


async def test_aliases_lost_to_a_failing_proxy_come_back_with_a_refresh(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.faults.html_error(502, times=None, path="/*/rest/v2/broadcasts/*")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert notes.titles.count("Not loaded") in (1, 2)  # the selection's may come alone
        assert "✗ 3 not read" in status(pilot)
        antmedia.faults.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "not read" not in status(pilot)
        assert "LiveApp (120)" in row_text(pilot, "LiveApp")
        assert not row_text(pilot, "VodApp").rstrip().endswith("✗")


async def test_refresh_asks_about_unsaved_edits(antmedia: AntMediaEmulator) -> None:
    async with console_on(antmedia_source(antmedia)).run_test() as pilot:
        await settle(pilot)
        await pilot.press("l", "ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnsavedChangesScreen)
        await pilot.press("D")
        await settle(pilot)
        assert session_of(pilot).pending == ()
        assert "▶○" in row_text(pilot, "LiveApp")
    assert antmedia.log.count(method="POST", path=SETTINGS + "*") == 0


# --- read-only ----------------------------------------------------------------------------


async def test_read_only_refuses_remote_writes_and_posts_nothing(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    source = antmedia_source(antmedia, read_only=True)
    async with console_on(source).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one("#read-only-badge").display
        await pilot.press("p", "l", "r", "ctrl+s")
        await pilot.pause()
        assert notes.any("read-only mode: cannot change publish JWT enforcement")
        assert notes.any("read-only mode: cannot save")
        assert isinstance(pilot.app.screen, MainScreen)
        assert session_of(pilot).pending == ()
    assert antmedia.log.count(method="POST", path=SETTINGS + "*") == 0
    assert antmedia.log.count(method="POST") == 1  # the login, nothing else


# --- leaving ------------------------------------------------------------------------------


async def test_quitting_cancels_fetches_and_closes_the_connections(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.faults.hang(times=None, path=LIVE_BROADCASTS)
    source = antmedia_source(antmedia, settings=PATIENT, cls=ClosingAntMedia)
    assert isinstance(source, ClosingAntMedia)
    app = console_on(source)
    async with app.run_test() as pilot:
        for _ in range(200):  # until the fetch of LiveApp's streams hangs on the server
            await pilot.pause()
            if any(w.name == "aliases of LiveApp" and w.is_running for w in app.workers):
                break
        assert "LiveApp (…)" in row_text(pilot, "LiveApp")
        await pilot.press("q")
    assert source.closed
    assert not any(worker.is_running for worker in app.workers)
    for _ in range(200):  # the server sees the client hang up (it would wait 60 s)
        if antmedia.log.count(path=LIVE_BROADCASTS, status=499):
            break
        await asyncio.sleep(0.01)
    assert antmedia.log.count(path=LIVE_BROADCASTS, status=499) >= 1


# --- switching sources --------------------------------------------------------------------


LAB_ENV = "STREAMCONSOLE_TEST_LAB"


@pytest.fixture
def lab_config(config_path: Path, antmedia: AntMediaEmulator) -> Path:
    """The TUI tests' config, with a [servers.lab] on the Ant Media emulator."""
    server = (
        f'\n[servers.lab]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        f'credentials_env = "{LAB_ENV}"\n'
    )
    config_path.write_text(config_path.read_text("utf-8") + server, encoding="utf-8")
    return config_path


def lab_credentials(antmedia: AntMediaEmulator) -> dict[str, str]:
    return {LAB_ENV: f"{antmedia.admin_email}:{antmedia.admin_password}"}


async def choose(pilot: Pilot[None], entry: str) -> None:
    """Pick ``entry`` in the source picker (``o``)."""
    await pilot.press("o")
    await pilot.pause()
    await pilot.press(*entry, "enter")
    await pilot.pause()


async def test_the_switcher_opens_a_server_and_goes_back_to_the_file(
    lab_config: Path, antmedia: AntMediaEmulator, notes: Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lab_config.parent)
    opener = SourceOpener(Path(lab_config.name), environ=lab_credentials(antmedia))
    app = console_on(opener.open(None), opener=opener)
    async with app.run_test(size=(100, 30), message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert status(pilot).startswith(" console.toml │ 3 applications")
        names = [c.title for c in app.palette_commands()]
        assert "Open server: lab" in names
        assert not any(name.startswith("Open source:") for name in names)
        await choose(pilot, "server lab")
        await settle(pilot)
        assert status(pilot).startswith(" lab · admin@example.com · ")
        assert "LiveApp (120)" in row_text(pilot, "LiveApp")
        remote = app.source
        assert "Open source: console.toml" in [c.title for c in app.palette_commands()]
        await pilot.press("l")  # an unsaved edit on the server: going back asks first
        await choose(pilot, "source console")
        assert isinstance(pilot.app.screen, UnsavedChangesScreen)
        await pilot.press("D")
        await settle(pilot)
        assert status(pilot).startswith(" console.toml │ 3 applications")
        assert current(pilot) == "LiveApp"
        with pytest.raises(RuntimeError, match="closed"):  # the server's connections are
            await remote.http.request("GET", "/rest/v2/applications")  # type: ignore[attr-defined]
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False


async def test_a_server_that_cannot_be_opened_leaves_the_console_where_it_was(
    lab_config: Path, notes: Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lab_config.parent)
    opener = SourceOpener(Path(lab_config.name), environ={})  # no credentials set
    app = console_on(opener.open(None), opener=opener)
    async with app.run_test(size=(100, 30), message_hook=notes.hook) as pilot:
        await settle(pilot)
        await choose(pilot, "server lab")
        await settle(pilot)
        assert notes.any("Cannot open server lab")
        assert notes.any(f"environment variable {LAB_ENV} is not set")
        assert status(pilot).startswith(" console.toml │")
        assert session_of(pilot).source is app.source


async def test_o_without_servers_says_so(config_path: Path, notes: Notes) -> None:
    opener = SourceOpener(config_path)
    app = console_on(opener.open(None), opener=opener)
    async with app.run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert notes.any("has no [servers.NAME] to open")
        assert isinstance(pilot.app.screen, MainScreen)


async def test_a_read_only_profile_opened_from_the_switcher_is_read_only(
    lab_config: Path, antmedia: AntMediaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = lab_config.read_text("utf-8") + "read_only = true\n"
    lab_config.write_text(text, encoding="utf-8")
    opener = SourceOpener(lab_config, environ=lab_credentials(antmedia))
    source: Source = opener.open("lab")
    assert source.read_only
    async with console_on(source).run_test() as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one("#read-only-badge").display
        await pilot.press("l", "ctrl+s")
        await pilot.pause()
    assert antmedia.log.count(method="POST", path=SETTINGS + "*") == 0


# --- the command line ---------------------------------------------------------------------


def test_console_with_an_unknown_server_is_a_one_line_error(
    lab_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(lab_config), "--server", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no server named 'nope' (configured: lab)" in err


def test_console_without_credentials_is_a_one_line_error(
    lab_config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LAB_ENV, raising=False)
    assert main([str(lab_config), "--server", "lab"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: server 'lab': environment variable {LAB_ENV} is not set\n"


def test_console_on_a_server_of_a_broken_config_is_a_one_line_error(
    lab_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab_config.write_text(lab_config.read_text("utf-8") + "\n[bogus]\n", encoding="utf-8")
    assert main([str(lab_config), "--server", "lab"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "1 error; run: streamconsole check" in err
