"""Several servers in one console tree (issue 16): two Ant Media emulators, a THEOlive one
and a server that is down, all loaded at once; "us" is read-only."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.model import ScopeRef
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.fleet_list import FleetList
from streamconsole.tui.sources import SourceOpener
from tests.emulators import AntMediaEmulator
from tests.emulators.hostile_names import hostile_segment

from .conftest import FleetLab, console, detail_text, fixed_clock, text_of
from .fleet_support import SERVERS, loaded, refreshed, tree_console
from .remote_support import settle


def trees(pilot: Pilot[None]) -> FleetList:
    scopes = console(pilot).main_screen.scope_list
    assert isinstance(scopes, FleetList)
    return scopes


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


def note(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-note", Static))


def rows(pilot: Pilot[None]) -> list[str]:
    """Every visible row as drawn, without trailing blanks."""
    scopes = trees(pilot)
    return [scopes.render_line(y).text.rstrip() for y in range(len(scopes.index or ()))]


def server_rows(shown: list[str]) -> dict[str, str]:
    """The servers' rows (an expander in the third cell), by name."""
    return {line[4:].split()[0]: line for line in shown if line[2:3] in ("▾", "▸")}


async def test_every_server_is_a_row_with_its_applications_below(fleet_lab: FleetLab) -> None:
    app = tree_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        shown = rows(pilot)
        servers = server_rows(shown)
        assert list(servers) == list(SERVERS)  # in the order named, whoever answered first
        assert "eu  Ant Media · admin@example.com · 0 ms" in servers["eu"]
        assert servers["us"].endswith("read-only") and not servers["eu"].endswith("read-only")
        assert "theo  THEOlive" in servers["theo"]
        assert "down  Ant Media · admin@example.com  ✗ POST /rest/v2/" in servers["down"]
        assert status(pilot).startswith(" 4 servers │ 9 applications · 295 aliases │ ")
        assert "✗ down: down" in status(pilot)
        # The others work: eu's applications below it, one step in.
        assert shown[1].startswith("    ▸ LiveApp (120)")
        assert [line[4:].split()[1] for line in shown[5:8]] == ["LiveApp", "WebRTCAppEE", "VodApp"]
        for secret in (fleet_lab.eu.admin_password, fleet_lab.theo.api_secret):
            assert not [line for line in shown if secret in line]
        # The down server says why in its detail; its row stays inert text.
        trees(pilot).select_in(3, None)
        await pilot.pause()
        assert "cannot connect" in detail_text(pilot)
        assert console(pilot).session is None  # nothing of it to edit
        await pilot.press("l")
        assert note(pilot) == "Server down is not loaded."


async def test_the_filter_looks_through_every_server(fleet_lab: FleetLab) -> None:
    fleet_lab.us.state.add_application("UsOnlyLive")
    app = tree_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"live", "enter")
        await settle(pilot)
        shown = rows(pilot)
        # theo has no "live", and down nothing to match.
        assert list(server_rows(shown)) == ["eu", "us"]
        assert any("UsOnlyLive" in line for line in shown)
        assert sum("LiveApp" in line for line in shown) == 2
        assert "filter:" in status(pilot)


async def _toggle_play(pilot: Pilot[None], server: int, ref: ScopeRef) -> None:
    assert trees(pilot).select_in(server, ref)
    await pilot.pause()
    await pilot.press("l")
    await settle(pilot)


async def test_a_save_saves_each_server_and_a_failure_keeps_only_that_ones_edits(
    fleet_lab: FleetLab,
) -> None:
    settings = "/rest/v2/applications/settings/LiveApp"
    fleet_lab.us.faults.fail(500, times=None, path=settings, method="POST")
    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await _toggle_play(pilot, 0, ScopeRef("LiveApp"))
        await _toggle_play(pilot, 1, ScopeRef("LiveApp"))
        eu, us = app.members[0], app.members[1]
        assert eu.pending == us.pending == 1
        assert text_of(app.main_screen.query_one("#unsaved-badge", Static)) == " 2 unsaved "
        await pilot.press("ctrl+s")
        await settle(pilot)
        # eu saved; us refused: its edit is still pending, eu's save is not undone.
        assert fleet_lab.eu.state.applications["LiveApp"].settings["playJwtControlEnabled"] is True
        us_app = fleet_lab.us.state.applications["LiveApp"]
        assert not us_app.settings.get("playJwtControlEnabled")
        assert eu.pending == 0 and us.pending == 1
        assert "Saved on eu; not saved on us (edits kept" in note(pilot)
        assert text_of(app.main_screen.query_one("#unsaved-badge", Static)) == " 1 unsaved "
        # Each save is audited under its own server.
        audit = [json.loads(line) for line in fleet_lab.audit.read_text().splitlines()]
        assert [(entry["source"], entry["result"][:6]) for entry in audit] == [
            ("eu", "ok"),
            ("us", "failed"),
        ]


async def test_rows_marked_on_two_servers_are_not_toggled_together(fleet_lab: FleetLab) -> None:
    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for server in (0, 1):
            assert trees(pilot).select_in(server, ScopeRef("LiveApp"))
            await pilot.press("x")
        await pilot.press("l")
        await settle(pilot)
        assert "The marked rows are on 2 servers (eu, us)" in note(pilot)
        assert [member.pending for member in app.members] == [0, 0, 0, 0]
        # Marks on one server toggle there, wherever the cursor is.
        await pilot.press("escape")
        assert trees(pilot).select_in(1, ScopeRef("WebRTCAppEE"))
        await pilot.press("x")
        assert trees(pilot).select_in(0, None)
        await pilot.press("l")
        await settle(pilot)
        assert [member.pending for member in app.members] == [0, 1, 0, 0]


async def test_quitting_asks_about_the_edits_of_every_server(fleet_lab: FleetLab) -> None:
    from streamconsole.tui.dialogs import UnsavedChangesScreen

    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await _toggle_play(pilot, 0, ScopeRef("LiveApp"))
        await _toggle_play(pilot, 1, ScopeRef("WebRTCAppEE"))
        # The palette saves every server's edits; no other source to open: the tree has them.
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        assert "Save 2 unsaved changes" in titles and "Compare across servers" in titles
        assert not [title for title in titles if title.startswith("Open ")]
        await pilot.press("q")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, UnsavedChangesScreen)
        assert text_of(dialog.query_one("#unsaved-question", Static)) == (
            "Quit with 2 unsaved changes?"
        )
        listed = text_of(dialog.query_one("#unsaved-list", Static))
        assert "eu: " in listed and "us: " in listed
        await pilot.press("s")  # save both, then quit
        await settle(pilot)
    assert fleet_lab.eu.state.applications["LiveApp"].settings["playJwtControlEnabled"] is True
    assert fleet_lab.us.state.applications["WebRTCAppEE"].settings["playJwtControlEnabled"] is False


async def test_a_read_only_server_refuses_writes_and_the_others_do_not(fleet_lab: FleetLab) -> None:
    app = tree_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await _toggle_play(pilot, 1, ScopeRef("LiveApp"))
        assert app.members[1].pending == 0
        assert any("read-only" in n.message for n in app._notifications)
        await _toggle_play(pilot, 0, ScopeRef("LiveApp"))
        assert app.members[0].pending == 1


async def test_a_server_that_cannot_be_opened_shows_the_read_only_its_profile_says(
    fleet_lab: FleetLab,
) -> None:
    app = tree_console(fleet_lab, servers=("theo", "us"), unset=("SC_AMS",))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.members[1].source is None and app.members[1].error is not None
        servers = server_rows(rows(pilot))
        assert servers["us"].endswith("read-only")
        assert not servers["theo"].endswith("read-only")
        assert trees(pilot).select_in(1, None)
        await pilot.pause()
        assert "read-only" in detail_text(pilot)


async def test_a_server_that_hangs_says_loading_while_the_others_work(fleet_lab: FleetLab) -> None:
    fleet_lab.us.faults.hang(times=None)
    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            if app.members[0].session is not None and app.members[2].session is not None:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        servers = server_rows(rows(pilot))
        assert servers["us"].rstrip().endswith("loading…")
        assert "1 server loading…" in status(pilot)
        await _toggle_play(pilot, 0, ScopeRef("LiveApp"))
        assert app.members[0].pending == 1


async def test_names_from_servers_stay_inert_in_the_tree(fleet_lab: FleetLab) -> None:
    name = hostile_segment("Evil")
    fleet_lab.eu.state.add_application(name, playJwtControlEnabled=True)
    app = tree_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        shown = "\n".join(rows(pilot))
        assert "\u202e" not in shown and "\\u202e" in shown
        assert "[bold red]markup" in shown  # as text, not markup


async def test_a_refresh_reads_every_server_again_and_the_cursor_stays(fleet_lab: FleetLab) -> None:
    fleet_lab.us.faults.fail(503, times=None, path="/rest/v2/users/authenticate")
    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.members[1].error is not None and "down: us, down" in status(pilot)
        assert trees(pilot).select_in(2, ScopeRef("news-channel"))
        fleet_lab.us.faults.clear()
        await refreshed(pilot, lambda: app.members[1].session is not None)
        assert "down: down" in status(pilot) and "us," not in status(pilot)
        assert (app.main_screen.server, str(trees(pilot).current_ref)) == ("theo", "news-channel")


async def test_a_server_whose_refresh_fails_keeps_its_rows_marked_stale(
    fleet_lab: FleetLab,
) -> None:
    app = tree_console(fleet_lab, us_read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        fleet_lab.us.faults.fail(503, times=None, path="/rest/v2/users/authenticate")
        await refreshed(pilot, lambda: app.members[1].latency is None)
        us = app.members[1]
        assert us.session is not None and us.stale
        assert "stale: us" in status(pilot) and "down: down" in status(pilot)
        assert "stale: " in server_rows(rows(pilot))["us"]
        assert trees(pilot).select_in(1, ScopeRef("WebRTCAppEE"))  # its rows are still there
        assert trees(pilot).select_in(1, None)
        await pilot.pause()
        assert "Not refreshed (" in detail_text(pilot)
        fleet_lab.us.faults.clear()
        await refreshed(pilot, lambda: app.members[1].latency is None)
        assert not us.stale and us.error is None and "stale" not in status(pilot)


async def test_a_stale_server_still_fetches_the_aliases_it_had_not_read(
    fleet_lab: FleetLab,
) -> None:
    """Its rows kept after a failed refresh, the aliases still to come are fetched from what
    was loaded (as on one source), not left "loading…" until a refresh works."""
    fleet_lab.us.faults.malform(times=None, path="/LiveApp/rest/v2/broadcasts/list/*")
    app = tree_console(fleet_lab, us_read_only=False)
    stream = ScopeRef("LiveApp", "stream1")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not trees(pilot).select_in(1, stream)  # us's LiveApp: its aliases failed
        fleet_lab.us.faults.clear()
        fleet_lab.us.faults.fail(503, times=None, path="/rest/v2/users/authenticate")
        await refreshed(pilot, lambda: app.members[1].latency is None)
        assert app.members[1].stale
        assert trees(pilot).select_in(1, ScopeRef("LiveApp"))  # the operator opens it
        await settle(pilot)
        session = app.members[1].session
        assert session is not None and session.config.applications["LiveApp"].aliases_loaded
        assert trees(pilot).select_in(1, stream)
        assert "aliases loading" not in detail_text(pilot)


async def test_after_a_refresh_the_cursor_returns_to_an_alias_once_its_aliases_are_in(
    fleet_lab: FleetLab,
) -> None:
    app = tree_console(fleet_lab, servers=("theo", "eu"))
    alias = ScopeRef("LiveApp", "stream1")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert trees(pilot).select_in(1, ScopeRef("LiveApp"))  # its aliases are fetched
        await settle(pilot)
        assert trees(pilot).select_in(1, alias)
        await refreshed(pilot, lambda: app.members[1].latency is None)
        await settle(pilot)
        session = app.members[1].session
        assert session is not None and session.config.applications["LiveApp"].aliases_loaded
        assert (app.main_screen.server, trees(pilot).current_ref) == ("eu", alias)


async def test_a_hostile_server_name_and_account_stay_inert_on_its_row(
    tmp_path: Path, antmedia: AntMediaEmulator, antmedia_us: AntMediaEmulator
) -> None:
    config = tmp_path / "hostile.toml"
    config.write_text(
        f'[servers."eu[bold red]x\\u202e"]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'credentials_env = "SC_EVIL"\n'
        f'[servers.us]\nkind = "antmedia"\nurl = "{antmedia_us.base_url}"\n'
        'credentials_env = "SC_AMS"\n'
    )
    environ = {
        "SC_EVIL": "[bold]who\u202e@example.com:not-the-password",
        "SC_AMS": f"{antmedia_us.admin_email}:{antmedia_us.admin_password}",
    }
    app = StreamConsoleApp(
        TomlSource(config, environ=environ),
        clock=fixed_clock,
        opener=SourceOpener(config, environ=environ),
        servers=("eu[bold red]x\u202e", "us"),
        timer=lambda: 0.0,
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        shown = "\n".join([*rows(pilot), status(pilot), detail_text(pilot)])
        assert "\u202e" not in shown
        assert "eu[bold red]x\\u202e  Ant Media · [bold]who\\u202e@example.com  ✗" in shown
        assert "down: eu[bold red]x\\u202e" in shown
        assert app.members[1].session is not None  # the other one works


async def test_probe_and_a_new_key_act_on_the_server_under_the_cursor(fleet_lab: FleetLab) -> None:
    from streamconsole.tui.probe_report import ProbeReport
    from streamconsole.tui.rotate import RotateKeyScreen

    app = tree_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert trees(pilot).select_in(1, ScopeRef("WebRTCAppEE"))
        await pilot.press("e")
        await settle(pilot)
        probe = pilot.app.screen
        assert isinstance(probe, ProbeReport) and probe.results is not None
        title = text_of(probe.query_one("#probe-title", Static))
        assert title == "Probe of WebRTCAppEE on us"
        assert fleet_lab.us.log.count(path="/WebRTCAppEE/streams/*") >= 1
        assert fleet_lab.eu.log.count(path="/WebRTCAppEE/streams/*") == 0
        await pilot.press("escape")
        # us is read-only: no new key there (the session's gate); eu takes one.
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, RotateKeyScreen)
        assert trees(pilot).select_in(0, ScopeRef("WebRTCAppEE"))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RotateKeyScreen)


def test_the_launcher_opens_two_servers_in_one_tree_and_one_alone(tmp_path: Path) -> None:
    """``console_app`` with the servers chosen: two or more are members of one tree over the
    config file; one alone is as with one --server."""
    from streamconsole.cli.console import console_app

    from .test_user_settings import launch

    config = tmp_path / "fleet.toml"
    config.write_text("")
    args = launch(config)
    fleet = console_app(args, TomlSource(config), term="xterm", servers=("eu", "us"))
    assert [member.server for member in fleet.members] == ["eu", "us"] and fleet.fleet
    alone = console_app(args, TomlSource(config), term="xterm", servers=("eu",))
    assert [member.server for member in alone.members] == ["eu"] and not alone.fleet
    assert alone.switcher is not None and alone.switcher.server == "eu"
