"""The token preview's Forms tab: the issued token as each player or encoder takes it,
each copied whole over OSC 52, and re-made with every new token."""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import parse_qs, urlsplit

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from streamconsole.core.model import Alias, Application
from tests.core.support import NOW

from .screen_host import ManualClock, assert_no_secrets_in_snapshots, screen_text, settle
from .test_token_preview import RS256_PAIR, antmedia, preview, screen_of, theolive

HOST = "https://ams.example.com:5443"


def placed(app: Application, url: str = HOST) -> Application:
    app.delivery_url = url
    return app


async def forms_tab(pilot: Pilot[Any]) -> OptionList:
    await settle(pilot)
    await pilot.press("f")
    await pilot.pause()
    listing = pilot.app.screen.query_one("#delivery-list", OptionList)
    assert listing.has_focus
    return listing


def note(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one("#delivery-note", Static).render())


async def test_each_form_is_copied_whole_and_carries_the_issued_token() -> None:
    async with preview(placed(antmedia()), ManualClock(NOW)).run_test() as pilot:
        listing = await forms_tab(pilot)
        token = screen_of(pilot).token
        # jwt, rtmp, obs Server, obs Stream Key, webrtc: one option per value to paste.
        assert listing.option_count == 5
        await pilot.press("down", "y")  # the RTMP URL
        rtmp = pilot.app.clipboard
        assert rtmp.startswith("rtmp://ams.example.com/LiveApp/stream1?")
        assert parse_qs(urlsplit(rtmp).query) == {"token": [token]}
        await pilot.press("down", "enter")  # OBS's Server field, alone
        assert pilot.app.clipboard == "rtmp://ams.example.com/LiveApp"
        await pilot.press("down", "down", "enter")
        assert json.loads(pilot.app.clipboard)["token"] == token


async def test_a_new_direction_makes_its_forms_from_the_new_token() -> None:
    async with preview(placed(antmedia()), ManualClock(NOW)).run_test() as pilot:
        await forms_tab(pilot)
        await pilot.press("n")  # play
        await pilot.press("down", "y")
        hls = pilot.app.clipboard
        assert hls.startswith(f"{HOST}/LiveApp/streams/stream1.m3u8?token=")
        assert parse_qs(urlsplit(hls).query)["token"] == [screen_of(pilot).token]


async def test_without_a_host_the_note_names_the_setting() -> None:
    async with preview(antmedia(), ManualClock(NOW)).run_test() as pilot:
        listing = await forms_tab(pilot)
        assert listing.option_count == 2  # the token and the WebRTC message need no host
        assert 'set host = "…" in [applications.LiveApp]' in note(pilot)


async def test_theolive_curl_line_splits_to_the_header() -> None:
    async with preview(theolive(RS256_PAIR), ManualClock(NOW)).run_test() as pilot:
        await forms_tab(pilot)
        await pilot.press("down", "down", "y")
        argv = shlex.split(pilot.app.clipboard)
        assert argv[argv.index("-H") + 1] == f"Authorization: Bearer {screen_of(pilot).token}"


async def test_a_hostile_stream_name_is_encoded_not_drawn() -> None:
    app = placed(antmedia())
    app.aliases = {"\x1b]52;c;ZXZpbA==\x07 cam": Alias("\x1b]52;c;ZXZpbA==\x07 cam")}
    async with preview(app, ManualClock(NOW)).run_test(size=(120, 40)) as pilot:
        await forms_tab(pilot)
        shown = screen_text(pilot.app)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "%1B%5D52%3Bc%3BZXZpbA%3D%3D%07%20cam?token=" in shown.replace("\n", "")


async def test_no_token_no_forms() -> None:
    async with preview(theolive(None), ManualClock(NOW)).run_test() as pilot:
        listing = await forms_tab(pilot)
        assert listing.option_count == 0
        assert "No key is set" in note(pilot)
        await pilot.press("y")
        assert pilot.app.clipboard == ""


def test_snapshot_forms(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await forms_tab(pilot)
        await pilot.press("down")

    app = preview(placed(antmedia()), ManualClock(NOW))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_no_secret_in_the_snapshot() -> None:
    assert_no_secrets_in_snapshots(__file__, expected=1)
