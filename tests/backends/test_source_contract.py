"""The contract every source keeps (backends/base.py): optional abilities are protocols a
caller checks with ``isinstance``, never attributes it probes for."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import ChangeRefused, ConsoleDefaults, KeyRetirement, Source
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.registry import open_source
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import SetTheme
from streamconsole.core.errors import PolicyError
from streamconsole.core.model import ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from streamconsole.session import EditSession
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

FAST = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=0, backoff=0.01)
SAMPLE = Path(__file__).parents[2] / "sample_config.toml"


def antmedia_source(emulator: AntMediaEmulator) -> AntMediaSource:
    profile = ServerProfile("contract-ams", ServerKind.ANTMEDIA, emulator.base_url)
    credentials = f"{emulator.admin_email}:{emulator.admin_password}"
    return AntMediaSource(profile, Secret(credentials), settings=FAST)


def theolive_source(emulator: TheoLiveEmulator, tmp_path: Path) -> TheoLiveSource:
    profile = ServerProfile(
        "contract-theo", ServerKind.THEOLIVE, emulator.base_url, api_version="v2", auth="basic"
    )
    credentials = Secret(f"{emulator.api_key}:{emulator.api_secret}")
    records = KeyRecords(tmp_path / "contract-theo.json")
    return TheoLiveSource(profile, credentials, settings=FAST, key_records=records)


async def test_only_a_server_that_keeps_two_keys_retires_one(
    antmedia: AntMediaEmulator, theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    async with theolive_source(theolive, tmp_path) as theo, antmedia_source(antmedia) as ams:
        assert isinstance(theo, KeyRetirement)
        assert not isinstance(ams, KeyRetirement)
        assert not isinstance(TomlSource(SAMPLE), KeyRetirement)


async def test_only_the_config_file_holds_the_console_theme(
    antmedia: AntMediaEmulator, theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    async with theolive_source(theolive, tmp_path) as theo, antmedia_source(antmedia) as ams:
        assert isinstance(TomlSource(SAMPLE), ConsoleDefaults)
        for server in (theo, ams):
            assert not isinstance(server, ConsoleDefaults)
            # The session refuses the edit; a server handed one anyway refuses it whole.
            session = EditSession(server, await server.load(), read_only=False)
            with pytest.raises(PolicyError, match="keeps no console settings"):
                session.set_theme("streamconsole-light")
            assert session.pending == ()
            with pytest.raises(ChangeRefused, match="nothing was written"):
                await server.apply([SetTheme("streamconsole-light", "streamconsole-dark")])
        assert antmedia.log.count(method="POST") == 1  # the login, and nothing else


async def test_async_with_closes_the_connections_even_when_the_body_fails(
    antmedia: AntMediaEmulator, theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    async def fail_inside(source: Source) -> None:
        async with source as opened:
            assert opened is source
            await source.load()
            raise LookupError("the caller's own failure")

    for source in (antmedia_source(antmedia), theolive_source(theolive, tmp_path)):
        with pytest.raises(LookupError):
            await fail_inside(source)
        # Closed: no request goes out any more.
        with pytest.raises(RuntimeError, match="closed"):
            await source.load()


async def test_a_file_source_is_a_context_manager_too() -> None:
    async with open_source(SAMPLE) as source:
        config = await source.load()
    assert "LiveApp" in config.applications
