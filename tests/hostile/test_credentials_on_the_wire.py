"""Credentials on the wire: plain http only straight to this machine, no proxy or trust
store taken from the environment, and no secret the session sent quoted back from a server.

Nothing here contacts an address off this machine: a hostile URL must be refused before
any connection, and every server that is contacted (emulators, a recording proxy, a TLS
server) listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import RemoteError, SourceError
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.edits import set_enforcement, set_key
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from tests.cli.conftest import run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hostile.scripted import ScriptedServer, json_reply, self_signed, serving_tls
from tests.hostile.support import unsafe_bytes_in

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=0, backoff=0.01)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
HOSTILE_URLS = [
    ("http://localhost.attacker.example:5080", "localhost.attacker.example"),
    ("http://127.0.0.1.nip.io", "127.0.0.1.nip.io"),
    ("http://127.0.0.1@10.0.0.5", "10.0.0.5"),
    ("http://127.0.0.1:5080@10.0.0.5:5080", "10.0.0.5"),
    ("http://10.0.0.5:5080", "10.0.0.5"),
]


def profile(kind: ServerKind, url: str, **fields: object) -> ServerProfile:
    fields.setdefault("auth", "password" if kind is ServerKind.ANTMEDIA else "basic")
    return ServerProfile("wire", kind, url, **fields)  # type: ignore[arg-type]


Source = AntMediaSource | TheoLiveSource


def open_source(server: ServerProfile, credentials: str, records: Path) -> Source:
    if server.kind is ServerKind.ANTMEDIA:
        return AntMediaSource(server, Secret(credentials), settings=FAST)
    return TheoLiveSource(
        server, Secret(credentials), settings=FAST, key_records=KeyRecords(records)
    )


@dataclass
class Recorder:
    """A loopback TCP server that keeps every byte it is sent and answers nothing."""

    received: bytearray = field(default_factory=bytearray)
    port: int = 0

    async def _take(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.received += await reader.read(65536)
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    recording = Recorder()
    server = await asyncio.start_server(recording._take, "127.0.0.1", 0)
    recording.port = server.sockets[0].getsockname()[1]
    async with server:
        yield recording


# --- plain http: only straight to this machine --------------------------------------------------


@pytest.mark.parametrize("kind", [ServerKind.ANTMEDIA, ServerKind.THEOLIVE])
@pytest.mark.parametrize(("url", "host"), HOSTILE_URLS)
def test_plain_http_to_another_host_is_refused_before_any_connection(
    kind: ServerKind, url: str, host: str, tmp_path: Path
) -> None:
    with pytest.raises(SourceError) as refused:
        open_source(profile(kind, url), "user:secret-value", tmp_path / "r.json")
    assert not isinstance(refused.value, RemoteError)  # nothing was contacted
    assert str(refused.value) == (
        f"server 'wire': plain http to {host}, which is not this machine: credentials and "
        "keys would travel unencrypted; nothing was sent. Use https://, or set "
        "allow_insecure_http = true if the network is trusted (in [servers.wire])"
    )


@pytest.mark.parametrize("kind", [ServerKind.ANTMEDIA, ServerKind.THEOLIVE])
def test_plain_http_through_a_proxy_is_refused_unless_allowed(
    kind: ServerKind, tmp_path: Path
) -> None:
    through = profile(kind, "http://127.0.0.1:9", proxy="http://127.0.0.1:8")
    with pytest.raises(SourceError, match="plain http through a proxy"):
        open_source(through, "user:secret-value", tmp_path / "r.json")


async def test_allow_insecure_http_lets_plain_http_through_the_named_proxy(
    recorder: Recorder, tmp_path: Path
) -> None:
    """The one plain-http case with a connection: to a loopback proxy the profile names."""
    allowed = profile(
        ServerKind.THEOLIVE, "http://127.0.0.2:9", proxy=recorder.url, allow_insecure_http=True
    )
    async with open_source(allowed, "token-key:token-secret", tmp_path / "r.json") as source:
        with pytest.raises(RemoteError):
            await source.load()
    assert recorder.received.startswith(b"GET http://127.0.0.2:9/v2/channels")


def test_check_and_list_say_what_the_http_rule_is(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[servers.lan]\nkind = "antmedia"\nurl = "http://127.0.0.1@10.0.0.5:5080"\n'
        'credentials_env = "SC_WIRE_LAN"\n'
        '[servers.trusted]\nkind = "theolive"\nurl = "http://10.0.0.6"\n'
        'credentials_env = "SC_WIRE_LAN"\nallow_insecure_http = true\n'
        '[servers.local]\nkind = "theolive"\nurl = "http://127.0.0.2:9"\n'
        'credentials_env = "SC_WIRE_LAN"\n'
    )
    checked = run_cli("check", str(config))
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines() == [
        f"{config}:3: servers.lan.url: warning: plain http to 10.0.0.5, which is not this "
        "machine: credentials and keys would travel unencrypted; commands on this server "
        "refuse to connect. Use https://, or set allow_insecure_http = true if the network "
        "is trusted",
        f"{config}:7: servers.trusted.url: warning: plain http to 10.0.0.6, which is not this "
        "machine: credentials and keys would travel unencrypted (allow_insecure_http = true)",
    ]
    listed = run_cli(
        "list", "-c", str(config), "--server", "lan", env={"SC_WIRE_LAN": "a@b.c:password"}
    )
    assert listed.returncode == 2
    assert listed.stderr.startswith("error: server 'lan': plain http to 10.0.0.5, which is not")
    assert "Traceback" not in listed.stderr


# --- nothing from the environment: proxies, trust stores ----------------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
async def test_proxy_variables_are_ignored(
    theolive: TheoLiveEmulator,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    version: str,
) -> None:
    """HTTP_PROXY once received THEOlive's Basic credentials, even for a loopback URL."""
    for variable in PROXY_VARIABLES:
        monkeypatch.setenv(variable, recorder.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server = profile(ServerKind.THEOLIVE, theolive.base_url, api_version=version)
    credentials = f"{theolive.api_key}:{theolive.api_secret}"
    async with open_source(server, credentials, tmp_path / "r.json") as source:
        config = await source.load()
    assert "sports" in config.applications
    assert bytes(recorder.received) == b""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_url(certificate: tuple[Path, Path]) -> Iterator[str]:
    server = ScriptedServer()
    server.script({("GET", "/v2/channels"): json_reply({"data": [], "pagination": {}})})
    with serving_tls(server, *certificate) as url:
        yield url


def hashed_directory(certificate: Path, directory: Path) -> Path:
    """A directory as SSL_CERT_DIR wants it: the certificate under its subject hash."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to name a certificate by its subject hash"
    subject_hash = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(certificate)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    directory.mkdir()
    shutil.copy(certificate, directory / f"{subject_hash}.0")
    return directory


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
async def test_the_environment_does_not_replace_the_trust(
    variable: str,
    tls_url: str,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A variable naming a CA once made a server the profile does not trust acceptable."""
    trusted = (
        certificate[0]
        if variable == "SSL_CERT_FILE"
        else hashed_directory(certificate[0], tmp_path / "certs")
    )
    for either in ("SSL_CERT_FILE", "SSL_CERT_DIR"):  # the first one set wins in httpx
        monkeypatch.delenv(either, raising=False)
    monkeypatch.setenv(variable, str(trusted))
    server = profile(ServerKind.THEOLIVE, tls_url)
    async with open_source(server, "token-key:token-secret", tmp_path / "r.json") as source:
        with pytest.raises(RemoteError, match="TLS certificate verification failed"):
            await source.load()


async def test_the_profile_proxy_is_used_and_sees_only_a_tunnel(
    tls_url: str, recorder: Recorder, tmp_path: Path
) -> None:
    server = profile(ServerKind.THEOLIVE, tls_url, proxy=recorder.url)
    async with open_source(server, "token-key:token-secret", tmp_path / "r.json") as source:
        with pytest.raises(RemoteError):
            await source.load()
    port = tls_url.rsplit(":", 1)[1]
    assert recorder.received.startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.1".encode())
    assert b"token-secret" not in recorder.received
    assert base64.b64encode(b"token-key:token-secret") not in recorder.received


# --- what a server echoes back: every secret the session sent, masked ---------------------------

NEW_SECRET = "echoed-new-stream-secret-" + "n" * 16


def assert_masked(message: str, *secrets: str) -> None:
    __tracebackhide__ = True
    for secret in secrets:
        assert secret not in message
        assert secret[4:16] not in message  # not even a piece of it
    assert "********" in message
    assert not unsafe_bytes_in(message.encode())


async def test_antmedia_an_echoed_save_masks_the_new_secret_and_the_login(
    antmedia: AntMediaEmulator, tmp_path: Path
) -> None:
    old = antmedia.state.settings("LiveApp")["jwtStreamSecretKey"]
    antmedia.faults.echo(
        500,
        path="/rest/v2/applications/settings/LiveApp",
        method="POST",
        headers=("cookie",),
        fields=("jwtStreamSecretKey",),
    )
    server = profile(ServerKind.ANTMEDIA, antmedia.base_url)
    password = antmedia.admin_password
    async with open_source(server, f"{antmedia.admin_email}:{password}", tmp_path) as source:
        config = await source.load()
        key = shared_key(Algorithm.HS256, NEW_SECRET, min_chars=32)
        change = set_key(config, ScopeRef("LiveApp"), key, datetime.now(UTC))
        with pytest.raises(RemoteError) as failed:
            await source.apply([change])
    message = str(failed.value)
    assert message == (
        "POST /rest/v2/applications/settings/LiveApp: HTTP 500: "
        '{"success": false, "message": "bad request: cookie: JSESSIONID=********; '
        'jwtStreamSecretKey=\\"********\\""}'
    )
    assert_masked(message, NEW_SECRET, old)


async def test_antmedia_an_echoed_login_masks_the_password_digest(
    antmedia: AntMediaEmulator, tmp_path: Path
) -> None:
    antmedia.faults.echo(400, path="/rest/v2/users/authenticate")
    server = profile(ServerKind.ANTMEDIA, antmedia.base_url)
    password = antmedia.admin_password
    async with open_source(server, f"{antmedia.admin_email}:{password}", tmp_path) as source:
        with pytest.raises(RemoteError) as failed:
            await source.load()
    message = str(failed.value)
    assert antmedia.admin_email in message
    digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    assert_masked(message, digest)


async def test_antmedia_an_echoed_request_masks_the_proxy_authorization(
    antmedia: AntMediaEmulator, tmp_path: Path
) -> None:
    antmedia.faults.echo(400, path="/rest/v2/applications", headers=("proxyauthorization",))
    server = profile(ServerKind.ANTMEDIA, antmedia.base_url, auth="proxy-jwt")
    server_secret = antmedia.state.jwt_server_secret_key
    async with open_source(server, server_secret, tmp_path) as source:
        with pytest.raises(RemoteError) as failed:
            await source.load()
    message = str(failed.value)
    assert '"message": "bad request: proxyauthorization: ********; ' in message
    assert "eyJ" not in message  # the token itself


@pytest.mark.parametrize("version", ["v2", "v1"])
async def test_theolive_an_echoed_key_upload_masks_the_key_and_the_basic_pair(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str
) -> None:
    keys = {"v2": "/v2/distributions/*/security/keys", "v1": "/channels/*/cdn-security/keys"}
    theolive.faults.echo(400, path=keys[version], method="POST", headers=("authorization",))
    server = profile(ServerKind.THEOLIVE, theolive.base_url, api_version=version)
    credentials = f"{theolive.api_key}:{theolive.api_secret}"
    async with open_source(server, credentials, tmp_path / "r.json") as source:
        config = await source.load()
        await source.load_aliases(config.applications["news-channel"])
        scope = ScopeRef("news-channel", "morning")
        key = shared_key(Algorithm.HS256, NEW_SECRET)
        changes = [
            set_enforcement(config, scope, Direction.PLAY, True),
            set_key(config, scope, key, datetime.now(UTC)),
        ]
        with pytest.raises(RemoteError) as failed:
            await source.apply(changes)
    message = str(failed.value)
    assert 'HTTP 400: {"success": false, "message": "bad request: authorization: ********; {' in (
        message
    )
    basic = base64.b64encode(credentials.encode()).decode()
    assert_masked(message, NEW_SECRET, theolive.api_secret, basic)
    assert NEW_SECRET not in str(theolive.state.aliases["morning"].keys)  # never arrived
