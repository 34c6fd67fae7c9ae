"""Helpers for running the installed ``streamconsole`` entry point."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import server_table
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(sys.executable).with_name("streamconsole")
# The audit log defaults to the user's state directory: keep the tests' lines out of it.
STATE_HOME = tempfile.mkdtemp(prefix="streamconsole-test-state-")
# Nor may the developer's own settings (theme, keys) change what a command says.
NO_SETTINGS = str(Path(STATE_HOME) / "no-settings.toml")


def run_cli(
    *args: str,
    cwd: Path = ROOT,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRY), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        env=cli_environment(env),
        timeout=timeout,
        check=False,
    )


def cli_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STREAMCONSOLE_")}
    environment["XDG_STATE_HOME"] = STATE_HOME
    environment["STREAMCONSOLE_SETTINGS"] = NO_SETTINGS
    environment.update(env or {})
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PRINTED_URL = re.compile(r"open (http://\S+) in a browser")


@dataclass(frozen=True)
class Served:
    """A running ``streamconsole serve``: the URL it printed and its output so far."""

    process: subprocess.Popen[bytes]
    port: int
    url: str  # http://127.0.0.1:PORT/TOKEN/
    output_file: Path

    @property
    def token(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """stdout and stderr, interleaved."""
        return self.output_file.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serving(
    directory: Path, config: str = "streamconsole.toml", env: Mapping[str, str] | None = None
) -> Iterator[Served]:
    """``streamconsole serve CONFIG`` on a free loopback port, until the block ends."""
    port = free_port()
    output_file = directory / f"serve-{port}.out"
    with output_file.open("wb") as sink:
        process = subprocess.Popen(
            [str(ENTRY), "serve", config, "--port", str(port)],
            cwd=directory,
            env=cli_environment(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (printed := PRINTED_URL.search(output_file.read_text())):
            assert process.poll() is None, f"serve ended: {output_file.read_text()}"
            assert time.monotonic() < deadline, f"no URL within 30 s: {output_file.read_text()}"
            time.sleep(0.1)
        served = Served(process, port, printed[1], output_file)
        while True:  # the URL is printed as the server starts, just before it listens
            try:
                httpx.get(served.origin, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    return copy_sample(tmp_path)


def copy_sample(directory: Path) -> Path:
    """A private copy of the sample config and its demo keys (0600, as they should be)."""
    shutil.copytree(ROOT / "sample_keys", directory / "sample_keys")
    for key_file in (directory / "sample_keys").glob("*"):
        key_file.chmod(0o600)
    shutil.copy(ROOT / "sample_config.toml", directory / "streamconsole.toml")
    return directory


@dataclass(frozen=True)
class OneServer:
    """``online.toml`` naming one emulator as ``[servers.NAME]``, and the environment that
    holds its credentials (``SC_NAME``): commands run with ``-c online.toml --server NAME``."""

    config: Path
    name: str
    env: dict[str, str]

    @property
    def args(self) -> tuple[str, ...]:
        return ("-c", str(self.config), "--server", self.name)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, *self.args, env=self.env)


def on_antmedia(
    directory: Path, antmedia: AntMediaEmulator, name: str = "prod", **fields: str | bool
) -> OneServer:
    """Ant Media ``antmedia`` as ``[servers.NAME]`` (with ``fields``)."""
    credentials = f"{antmedia.admin_email}:{antmedia.admin_password}"
    return _one_server(directory, name, "antmedia", antmedia.base_url, credentials, fields)


def on_theolive(
    directory: Path, theolive: TheoLiveEmulator, *, own_state: bool = False, **fields: str
) -> OneServer:
    """THEOlive ``theolive`` as ``[servers.theo]`` (with ``fields``); ``own_state``: with
    a state directory of the test's own (key records: the emulator's key ids repeat from
    test to test; the audit log)."""
    credentials = f"{theolive.api_key}:{theolive.api_secret}"
    one = _one_server(directory, "theo", "theolive", theolive.base_url, credentials, fields)
    if own_state:
        one.env["XDG_STATE_HOME"] = str(directory / "state")
    return one


def _one_server(
    directory: Path,
    name: str,
    kind: str,
    url: str,
    credentials: str,
    fields: Mapping[str, str | bool],
) -> OneServer:
    variable = f"SC_{name.upper()}"
    config = directory / "online.toml"
    config.write_text(server_table(name, kind, url, credentials_env=variable, **fields))
    return OneServer(config, name, {variable: credentials})


class Fleet:
    """A config naming eu and us (Ant Media), theo (THEOlive) and down (nothing listens)."""

    def __init__(
        self,
        directory: Path,
        eu: AntMediaEmulator,
        us: AntMediaEmulator,
        theo: TheoLiveEmulator,
        *,
        us_read_only: bool = False,
    ) -> None:
        self.config = directory / "fleet.toml"
        self.eu, self.us, self.theo = eu, us, theo
        self.servers = (
            server_table("eu", "antmedia", eu.base_url, credentials_env="SC_AMS")
            + server_table(
                "us", "antmedia", us.base_url, credentials_env="SC_AMS", read_only=us_read_only
            )
            + server_table(
                "theo",
                "theolive",
                theo.base_url,
                credentials_env="SC_THEO",
                play_url=f"{theo.base_url}/play/{{alias}}/main.m3u8",  # for probe
            )
            + server_table(
                "down", "antmedia", f"http://127.0.0.1:{free_port()}", credentials_env="SC_AMS"
            )
        )
        self.config.write_text(self.servers)
        self.env = {
            "SC_AMS": f"{eu.admin_email}:{eu.admin_password}",
            "SC_THEO": f"{theo.api_key}:{theo.api_secret}",
        }

    def want(self, applications: str) -> None:
        """The file's own applications: the desired state for plan and apply."""
        self.config.write_text(applications + self.servers)

    def run(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``streamconsole ARGS -c CONFIG``, with the credentials (and ``env``) set."""
        return run_cli(*args, "-c", str(self.config), env={**self.env, **(env or {})})


@pytest.fixture
def fleet(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> Fleet:
    """The fleet of :class:`Fleet`, us's profile read-only."""
    return Fleet(tmp_path, antmedia, antmedia_us, theolive, us_read_only=True)


# The file's LiveApp for plan and apply on the fleet: a new key (:func:`new_key`), both on.
LIVE_APP = (
    '[applications.LiveApp]\nkind = "antmedia"\npublish = true\nplay = true\n'
    'key = { algorithm = "HS256", key_file = "keys/live.secret" }\n'
)


def new_key(directory: Path) -> Path:
    """A new HS256 secret at ``keys/live.secret`` below ``directory`` (0600), for LIVE_APP."""
    key = directory / "keys" / "live.secret"
    key.parent.mkdir(mode=0o700)
    key.write_text(secrets.token_hex(24))
    key.chmod(0o600)
    return key
