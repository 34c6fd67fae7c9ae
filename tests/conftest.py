"""Shared fixtures. Keep each group together, under its own heading."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators import AntMediaEmulator, TheoLiveEmulator

# --- API emulators (tests/emulators) -----------------------------------------------------
# One server per emulator for the whole session (starting uvicorn per test would cost more
# than most tests); each test gets it back in its demo state, with no faults and an empty log.
# The servers run on their own threads and loops: use them from sync and async tests alike.


@pytest.fixture(scope="session")
def _antmedia_server() -> Iterator[AntMediaEmulator]:
    with AntMediaEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def _theolive_server() -> Iterator[TheoLiveEmulator]:
    with TheoLiveEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def _second_antmedia_server() -> Iterator[AntMediaEmulator]:
    with AntMediaEmulator() as emulator:
        yield emulator


@pytest.fixture
def antmedia(_antmedia_server: AntMediaEmulator) -> Iterator[AntMediaEmulator]:
    """The Ant Media emulator: ``.base_url``, ``.state``, ``.faults``, ``.log``."""
    _antmedia_server.reset()
    yield _antmedia_server
    _antmedia_server.reset()


@pytest.fixture
def antmedia_us(_second_antmedia_server: AntMediaEmulator) -> Iterator[AntMediaEmulator]:
    """A second Ant Media server (several servers at once), in the same demo state."""
    _second_antmedia_server.reset()
    yield _second_antmedia_server
    _second_antmedia_server.reset()


@pytest.fixture
def theolive(_theolive_server: TheoLiveEmulator) -> Iterator[TheoLiveEmulator]:
    """The THEOlive emulator (v1 and v2): ``.base_url``, ``.state``, ``.faults``, ``.log``."""
    _theolive_server.reset()
    yield _theolive_server
    _theolive_server.reset()


# --- isolation ---------------------------------------------------------------------------
# The audit log and THEOlive key records default to the user's state directory, the theme
# to the user's settings file: every test gets private ones, so no test run writes into the
# developer's own (nor depends on the theme they chose).


@pytest.fixture(autouse=True)
def user_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The operator's settings file for this test (``STREAMCONSOLE_SETTINGS``); not made."""
    path = tmp_path_factory.mktemp("settings") / "settings.toml"
    monkeypatch.setenv("STREAMCONSOLE_SETTINGS", str(path))
    return path


@pytest.fixture(autouse=True)
def _private_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


# --- configs naming an emulator ---------------------------------------------------------


def server_table(name: str, kind: str, url: str, **fields: str | bool) -> str:
    """``[servers.NAME]`` with its ``kind``, ``url`` and ``fields`` (strings, booleans)."""
    values = {"kind": kind, "url": url, **fields}
    return "".join(
        [f"[servers.{name}]\n", *(f"{k} = {json.dumps(v)}\n" for k, v in values.items())]
    )


def lab_config(
    directory: Path, antmedia: AntMediaEmulator, *, console: str = "", **fields: str
) -> Path:
    """``servers.toml`` naming ``antmedia`` as ``[servers.lab]`` (with ``fields``), its
    credentials in ``lab.credentials`` beside it (0600); ``console``: lines of a
    ``[console]`` table before it."""
    credentials = directory / "lab.credentials"
    credentials.write_text(f"{antmedia.admin_email}:{antmedia.admin_password}\n")
    credentials.chmod(0o600)
    config = directory / "servers.toml"
    table = server_table(
        "lab", "antmedia", antmedia.base_url, credentials_file=credentials.name, **fields
    )
    config.write_text((f"[console]\n{console}" if console else "") + table)
    return config
