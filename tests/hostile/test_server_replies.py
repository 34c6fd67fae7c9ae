"""Hostile server replies, through the Ant Media and THEOlive sources.

Damaged replies come from the emulators' fault controls; replies the emulators never give
(wrong JSON types, 10 MB bodies, redirects, a slow drip, TLS) from a scripted loopback
server. Each case must end in a RemoteError (exactly the named subclass) whose message
names the request or the part of the reply that was wrong, or, where the read of one
application fails, in that application's ``problem``; never with a credential in it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import AuthError, RemoteError, RemoteTimeout, SourceError
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.edits import set_enforcement, set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import Config, Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from tests.cli.conftest import run_cli
from tests.emulators import AntMediaEmulator, FaultPlan, TheoLiveEmulator
from tests.hostile.scripted import (
    Drip,
    Reply,
    ScriptedServer,
    json_reply,
    raw_reply,
    redirect_reply,
    self_signed,
    serving,
    serving_tls,
)
from tests.hostile.support import unsafe_bytes_in

FAST = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=1, backoff=0.01)
PROXY_SECRET = "proxy-secret-" + "p" * 24
THEO_CREDENTIALS = "token-key:token-secret-value"
SECRETS = (PROXY_SECRET, "token-secret-value", "demo-admin-password")
TEN_MEGABYTES = 10 * 1024 * 1024

Source = AntMediaSource | TheoLiveSource
Action = Callable[[Source], Awaitable[Config]]


def ams_source(
    url: str,
    *,
    credentials: str = PROXY_SECRET,
    auth: str = "proxy-jwt",
    ca_file: str = "",
    settings: HttpSettings = FAST,
) -> AntMediaSource:
    """Proxy-JWT auth by default: every request carries the credential, no login needed."""
    server = ServerProfile("hostile-ams", ServerKind.ANTMEDIA, url, auth=auth, ca_file=ca_file)
    return AntMediaSource(server, Secret(credentials), settings=settings)


def theo_source(
    url: str,
    records: Path,
    *,
    version: str = "v2",
    credentials: str = THEO_CREDENTIALS,
    settings: HttpSettings = FAST,
) -> TheoLiveSource:
    server = ServerProfile(
        "hostile-theo", ServerKind.THEOLIVE, url, api_version=version, auth="basic"
    )
    return TheoLiveSource(
        server, Secret(credentials), settings=settings, key_records=KeyRecords(records)
    )


# --- actions ------------------------------------------------------------------------------------


async def load(source: Source) -> Config:
    return await source.load()


def aliases_of(app: str) -> Action:
    async def run(source: Source) -> Config:
        config = await source.load()
        await source.load_aliases(config.applications[app])
        return config

    return run


def toggle_play(app: str) -> Action:
    async def run(source: Source) -> Config:
        config = await source.load()
        await source.apply([set_enforcement(config, ScopeRef(app), Direction.PLAY, True)])
        return config

    return run


def add_key(app: str, alias: str) -> Action:
    async def run(source: Source) -> Config:
        config = await aliases_of(app)(source)
        scope = ScopeRef(app, alias)
        key = set_key(config, scope, generate_key(Algorithm.HS256), datetime.now(UTC))
        await source.apply([set_enforcement(config, scope, Direction.PLAY, True), key])
        return config

    return run


@dataclass(frozen=True)
class Outcome:
    """``error`` raised with ``fragment`` in its message; or, with ``error`` None, the
    failure kept as application ``app``'s problem while the rest loads."""

    error: type[RemoteError] | None
    fragment: str
    app: str = ""


def raises(error: type[RemoteError], fragment: str) -> Outcome:
    return Outcome(error, fragment)


def problem_of(app: str, fragment: str) -> Outcome:
    return Outcome(None, fragment, app)


async def assert_outcome(source: Source, action: Action, outcome: Outcome) -> None:
    try:
        if outcome.error is None:
            config = await action(source)
            message = config.applications[outcome.app].problem
            assert outcome.fragment in message, message
        else:
            with pytest.raises(RemoteError) as caught:
                await action(source)
            message = str(caught.value)
            assert type(caught.value) is outcome.error, repr(caught.value)
            assert outcome.fragment in message, message
    finally:
        await source.aclose()
    assert not any(secret in message for secret in SECRETS)
    assert not unsafe_bytes_in(message.encode("utf-8", "surrogatepass"))
    assert len(message) < 1000


# --- damaged replies from the emulators -----------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    id: str
    server: str  # "ams" | "theo-v2" | "theo-v1"
    arm: Callable[[FaultPlan], object]
    action: Action
    outcome: Outcome


SETTINGS = "/rest/v2/applications/settings/LiveApp"
FAULTS = [
    Fault(
        "ams-html-502-on-the-list",
        "ams",
        lambda f: f.html_error(502, times=None, path="/rest/v2/applications"),
        load,
        raises(RemoteError, "GET /rest/v2/applications: HTTP 502: HTML page: 502 Bad Gateway"),
    ),
    Fault(
        "ams-html-500-on-one-app",
        "ams",
        lambda f: f.html_error(500, times=None, path=SETTINGS),
        load,
        problem_of("LiveApp", f"GET {SETTINGS}: HTTP 500: HTML page"),
    ),
    Fault(
        "ams-truncated-list",
        "ams",
        lambda f: f.truncate(times=None, path="/rest/v2/applications"),
        load,
        raises(RemoteError, "GET /rest/v2/applications: the reply is not valid JSON"),
    ),
    Fault(
        "ams-malformed-settings",
        "ams",
        lambda f: f.malform(times=None, path=SETTINGS, method="GET"),
        load,
        problem_of("LiveApp", f"GET {SETTINGS}: the reply is not valid JSON"),
    ),
    Fault(
        "ams-truncated-reply-to-a-save",
        "ams",
        lambda f: f.truncate(path=SETTINGS, method="POST"),
        toggle_play("LiveApp"),
        raises(RemoteError, f"POST {SETTINGS}: the reply is not valid JSON"),
    ),
    Fault(
        "ams-html-404-on-broadcasts",
        "ams",
        lambda f: f.html_error(404, times=None, path="/LiveApp/rest/v2/broadcasts/list/*"),
        aliases_of("LiveApp"),
        raises(RemoteError, "GET /LiveApp/rest/v2/broadcasts/list/0/50: HTTP 404: HTML page"),
    ),
    Fault(
        "ams-html-502-on-login",
        "ams",
        lambda f: f.html_error(502, path="/rest/v2/users/authenticate"),
        load,
        raises(RemoteError, "POST /rest/v2/users/authenticate: HTTP 502: HTML page"),
    ),
    Fault(
        "ams-malformed-login",
        "ams",
        lambda f: f.malform(path="/rest/v2/users/authenticate"),
        load,
        raises(RemoteError, "POST /rest/v2/users/authenticate: the reply is not valid JSON"),
    ),
    Fault(
        "ams-html-401-on-the-list",
        "ams",
        lambda f: f.html_error(401, times=None, path="/rest/v2/applications"),
        load,
        raises(AuthError, "GET /rest/v2/applications: HTTP 401: HTML page"),
    ),
    Fault(
        "theo-html-503-on-channels",
        "theo-v2",
        lambda f: f.html_error(503, times=None, path="/v2/channels"),
        load,
        raises(RemoteError, "GET /v2/channels: HTTP 503: HTML page: 503 Service"),
    ),
    Fault(
        "theo-truncated-channels",
        "theo-v2",
        lambda f: f.truncate(times=None, path="/v2/channels"),
        load,
        raises(RemoteError, "GET /v2/channels: the reply is not valid JSON"),
    ),
    Fault(
        "theo-malformed-distributions",
        "theo-v2",
        lambda f: f.malform(times=None, path="/v2/channels/sports/distributions"),
        aliases_of("sports"),
        problem_of("sports", "GET /v2/channels/sports/distributions: the reply is not valid"),
    ),
    Fault(
        "theo-html-401",
        "theo-v2",
        lambda f: f.html_error(401, times=None, path="/v2/channels"),
        load,
        raises(AuthError, "GET /v2/channels: HTTP 401: HTML page"),
    ),
    Fault(
        "theo-truncated-reply-to-a-key-upload",
        "theo-v2",
        lambda f: f.truncate(path="/v2/distributions/morning/security/keys", method="POST"),
        add_key("news-channel", "morning"),
        raises(RemoteError, "The server may or may not hold the key now"),
    ),
    Fault(
        "theo-v1-html-on-token-security",
        "theo-v1",
        lambda f: f.html_error(500, times=None, path="/channels/sports/aliases/*/token-security"),
        aliases_of("sports"),
        problem_of("sports", "/token-security: HTTP 500: HTML page"),
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
async def test_damaged_reply_from_the_emulator(
    fault: Fault, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if fault.server == "ams":
        emulator: AntMediaEmulator | TheoLiveEmulator = request.getfixturevalue("antmedia")
        credentials = f"{emulator.admin_email}:{emulator.admin_password}"
        source: Source = ams_source(emulator.base_url, credentials=credentials, auth="password")
    else:
        emulator = request.getfixturevalue("theolive")
        credentials = f"{emulator.api_key}:{emulator.api_secret}"
        version = fault.server.removeprefix("theo-")
        source = theo_source(
            emulator.base_url, tmp_path / "records.json", version=version, credentials=credentials
        )
    fault.arm(emulator.faults)
    await assert_outcome(source, fault.action, fault.outcome)
    assert any(record.fault for record in emulator.log.records), "the fault never fired"


# --- replies the emulators never give ------------------------------------------------------------

AMS_SETTINGS = {
    "publishJwtControlEnabled": True,
    "playJwtControlEnabled": False,
    "jwtStreamSecretKey": "s" * 32,
}
AMS_REPLIES: dict[tuple[str, str], Reply] = {
    ("GET", "/rest/v2/applications"): json_reply({"applications": ["App"]}),
    ("GET", "/rest/v2/applications/settings/App"): json_reply(AMS_SETTINGS),
    ("POST", "/rest/v2/applications/settings/App"): json_reply({"success": True}),
    ("GET", "/App/rest/v2/broadcasts/list/0/50"): json_reply([{"streamId": "s1"}]),
}
THEO_V2_REPLIES: dict[tuple[str, str], Reply] = {
    ("GET", "/v2/channels"): json_reply(
        {"data": [{"id": "ch", "name": "Channel"}], "pagination": {"hasMore": False}}
    ),
    ("GET", "/v2/channels/ch/distributions"): json_reply(
        {
            "data": [{"id": "d1", "name": "D1", "security": {"keys": []}}],
            "pagination": {"hasMore": False},
        }
    ),
}
ALIAS_V1 = "/channels/ch/aliases/a1"
THEO_V1_REPLIES: dict[tuple[str, str], Reply] = {
    # The first page, then an empty one (v1 pages with startingAfter).
    ("GET", "/channels"): lambda request: json_reply(
        [] if "startingAfter" in request.query_params else [{"channelId": "ch"}]
    )(request),
    ("GET", "/channels/ch/aliases"): json_reply([{"channelId": "a1"}]),
    ("GET", f"{ALIAS_V1}/token-security"): json_reply({"enabled": False}),
    ("GET", f"{ALIAS_V1}/cdn-security/keys"): json_reply({"keys": []}),
}
DEFAULTS = {"ams": AMS_REPLIES, "theo-v2": THEO_V2_REPLIES, "theo-v1": THEO_V1_REPLIES}


def html_page(title: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>x</body></html>".encode()


@dataclass(frozen=True)
class Scripted:
    id: str
    server: str
    replies: dict[tuple[str, str], Reply]  # over the server's defaults
    action: Action
    outcome: Outcome


def bomb(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


SCRIPTED = [
    Scripted(
        "ams-list-is-an-array",
        "ams",
        {("GET", "/rest/v2/applications"): json_reply([])},
        load,
        raises(RemoteError, "unexpected reply: the reply should be dict, got list"),
    ),
    Scripted(
        "ams-applications-is-a-string",
        "ams",
        {("GET", "/rest/v2/applications"): json_reply({"applications": "App"})},
        load,
        raises(RemoteError, "applications should be list, got str"),
    ),
    Scripted(
        "ams-application-names-are-numbers",
        "ams",
        {("GET", "/rest/v2/applications"): json_reply({"applications": [1, 2]})},
        load,
        raises(RemoteError, "application names should be strings"),
    ),
    Scripted(
        "ams-settings-are-an-array",
        "ams",
        {("GET", "/rest/v2/applications/settings/App"): json_reply([AMS_SETTINGS])},
        load,
        problem_of("App", "the settings of App should be dict, got list"),
    ),
    Scripted(
        "ams-broadcasts-are-an-object",
        "ams",
        {("GET", "/App/rest/v2/broadcasts/list/0/50"): json_reply({"streamId": "s1"})},
        aliases_of("App"),
        raises(RemoteError, "the broadcasts of App should be list, got dict"),
    ),
    Scripted(
        "ams-empty-body",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(b"")},
        load,
        raises(RemoteError, "the reply should be dict, got NoneType"),
    ),
    Scripted(
        "ams-html-login-page-with-200",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(html_page("Sign in"), "text/html")},
        load,
        raises(RemoteError, "the reply is not valid JSON: HTML page: Sign in"),
    ),
    Scripted(
        "ams-body-not-utf8",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(b'{"applications": ["\xff\xfe"]}')},
        load,
        raises(RemoteError, "GET /rest/v2/applications: the reply is not valid JSON"),
    ),
    Scripted(
        "ams-json-bomb-100k-deep",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(bomb(100_000))},
        load,
        raises(RemoteError, "GET /rest/v2/applications: the reply is not valid JSON: [[[["),
    ),
    Scripted(
        "ams-save-answered-success-yes",
        "ams",
        {("POST", "/rest/v2/applications/settings/App"): json_reply({"success": "yes"})},
        toggle_play("App"),
        raises(RemoteError, "App: the server refused the settings and gave no reason"),
    ),
    Scripted(
        "ams-save-refused-with-escape-sequences-in-its-message",
        "ams",
        {
            ("POST", "/rest/v2/applications/settings/App"): json_reply(
                {"success": False, "message": "\x1b]52;c;b3duZWQ=\x07no \x1b[2Jway"}
            )
        },
        toggle_play("App"),
        raises(
            RemoteError,
            "App: the server refused the settings: \\x1b]52;c;b3duZWQ=\\x07no \\x1b[2Jway; "
            "nothing was written",
        ),
    ),
    Scripted(
        "ams-save-answered-with-a-list",
        "ams",
        {("POST", "/rest/v2/applications/settings/App"): json_reply(["\x1b[2J"])},
        toggle_play("App"),
        raises(RemoteError, 'App: the server refused the settings: ["\\u001b[2J"]'),
    ),
    Scripted(
        "ams-body-over-10mb",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(b" " * TEN_MEGABYTES + b"{}")},
        load,
        raises(RemoteError, "GET /rest/v2/applications: the reply is larger than 8 MiB; refused"),
    ),
    Scripted(
        "ams-escape-sequences-in-an-error-body",
        "ams",
        {("GET", "/rest/v2/applications"): raw_reply(b"\x1b[2J\x1b]0;owned\x07 oops", status=500)},
        load,
        raises(RemoteError, "HTTP 500: \\x1b[2J\\x1b]0;owned\\x07 oops"),
    ),
    Scripted(
        "theo-data-is-an-object",
        "theo-v2",
        {("GET", "/v2/channels"): json_reply({"data": {}, "pagination": {}})},
        load,
        raises(RemoteError, "the channel list: data should be list, got dict"),
    ),
    Scripted(
        "theo-pagination-repeats-its-cursor",
        "theo-v2",
        {
            ("GET", "/v2/channels"): json_reply(
                {"data": [], "pagination": {"hasMore": True, "cursor": "same"}}
            )
        },
        load,
        raises(RemoteError, "the channel list has more, but no new cursor"),
    ),
    Scripted(
        "theo-distribution-entry-is-a-string",
        "theo-v2",
        {
            ("GET", "/v2/channels/ch/distributions"): json_reply(
                {"data": ["d1"], "pagination": {"hasMore": False}}
            )
        },
        aliases_of("ch"),
        problem_of("ch", "an entry of the distributions of ch is not an object"),
    ),
    Scripted(
        "theo-security-is-an-array",
        "theo-v2",
        {
            ("GET", "/v2/channels/ch/distributions"): json_reply(
                {"data": [{"id": "d1", "security": []}], "pagination": {"hasMore": False}}
            )
        },
        aliases_of("ch"),
        problem_of("ch", "distribution d1: security should be dict, got list"),
    ),
    Scripted(
        "theo-key-without-an-id",
        "theo-v2",
        {
            ("GET", "/v2/channels/ch/distributions"): json_reply(
                {
                    "data": [{"id": "d1", "security": {"keys": [{"name": "k"}]}}],
                    "pagination": {"hasMore": False},
                }
            )
        },
        aliases_of("ch"),
        problem_of("ch", "an entry of distribution d1: security keys has no id"),
    ),
    Scripted(
        "theo-body-over-10mb",
        "theo-v2",
        {("GET", "/v2/channels"): raw_reply(b"[" + b"0," * (TEN_MEGABYTES // 2) + b"0]")},
        load,
        raises(RemoteError, "GET /v2/channels: the reply is larger than 8 MiB; refused"),
    ),
    Scripted(
        "theo-v1-channels-are-an-object",
        "theo-v1",
        {("GET", "/channels"): json_reply({"channels": []})},
        load,
        raises(RemoteError, "the channel list should be list, got dict"),
    ),
    Scripted(
        "theo-v1-enabled-is-a-string",
        "theo-v1",
        {("GET", f"{ALIAS_V1}/token-security"): json_reply({"enabled": "yes"})},
        aliases_of("ch"),
        problem_of("ch", "the token security of ch/a1: enabled should be bool, got str"),
    ),
    Scripted(
        "theo-v1-cdn-keys-are-an-object",
        "theo-v1",
        {("GET", f"{ALIAS_V1}/cdn-security/keys"): json_reply({"keys": {}})},
        aliases_of("ch"),
        problem_of("ch", "the CDN keys of ch/a1 should be list, got dict"),
    ),
]


@pytest.fixture(scope="module")
def scripted() -> Iterator[tuple[ScriptedServer, str]]:
    server = ScriptedServer()
    with serving(server) as url:
        yield server, url


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[tuple[ScriptedServer, str]]:
    """A second server that a redirect points at; it must never be called."""
    server = ScriptedServer()
    with serving(server) as url:
        yield server, url


def source_on(kind: str, url: str, tmp_path: Path, settings: HttpSettings = FAST) -> Source:
    if kind == "ams":
        return ams_source(url, settings=settings)
    return theo_source(
        url, tmp_path / "records.json", version=kind.removeprefix("theo-"), settings=settings
    )


@pytest.mark.parametrize("kind", ["ams", "theo-v2", "theo-v1"])
async def test_the_scripted_defaults_load(
    kind: str, scripted: tuple[ScriptedServer, str], tmp_path: Path
) -> None:
    """The baseline: each case below changes one reply of a script that works."""
    server, url = scripted
    server.script(DEFAULTS[kind])
    app = "App" if kind == "ams" else "ch"
    source = source_on(kind, url, tmp_path)
    config = await aliases_of(app)(source)
    await source.aclose()
    assert config.applications[app].problem == ""
    assert len(config.applications[app].aliases) == 1


@pytest.mark.parametrize("case", SCRIPTED, ids=lambda c: c.id)
async def test_unexpected_reply(
    case: Scripted, scripted: tuple[ScriptedServer, str], tmp_path: Path
) -> None:
    server, url = scripted
    server.script({**DEFAULTS[case.server], **case.replies})
    await assert_outcome(source_on(case.server, url, tmp_path), case.action, case.outcome)
    assert any((r.method, r.path) in case.replies for r in server.seen), "the case never ran"


# --- names from a listing: one path segment each, or refused by name and never sent -----------


def listing(kind: str, *names: str) -> dict[tuple[str, str], Reply]:
    """The reply that lists ``names`` as the applications (channels)."""
    if kind == "ams":
        return {("GET", "/rest/v2/applications"): json_reply({"applications": list(names)})}
    if kind == "theo-v2":
        data = [{"id": name} for name in names]
        return {("GET", "/v2/channels"): json_reply({"data": data, "pagination": {}})}
    first_page = [{"channelId": name} for name in names]
    return {
        ("GET", "/channels"): lambda request: json_reply(
            [] if "startingAfter" in request.query_params else first_page
        )(request)
    }


def renamed(kind: str, segment: str) -> dict[tuple[str, str], Reply]:
    """The kind's default replies, its application (channel) at path segment ``segment``."""
    old, new = ("/App", f"/{segment}") if kind == "ams" else ("/ch/", f"/{segment}/")
    return {(method, path.replace(old, new)): r for (method, path), r in DEFAULTS[kind].items()}


def read_path(kind: str, segment: str) -> str:
    """The request that reads application (channel) ``segment``'s contents."""
    return {
        "ams": f"/rest/v2/applications/settings/{segment}",
        "theo-v2": f"/v2/channels/{segment}/distributions",
        "theo-v1": f"/channels/{segment}/aliases",
    }[kind]


SENDABLE_NAMES = [
    ("b#frag", "b%23frag"),  # once cut the URL at '#': the settings went to .../settings/b
    ("Decoy/../OtherApp", "Decoy%2F..%2FOtherApp"),  # once climbed to OtherApp
    ("a b?c", "a%20b%3Fc"),
]
UNSENDABLE_NAMES = {
    "dot-dot": ("..", "is '..', which a URL reads as a directory"),  # once read the app list
    "dot": (".", "is '.', which a URL reads as a directory"),
    "osc-52": ("esc\x1b]52;c;b3duZWQ=\x07", "holds a control character"),  # once InvalidURL
    "crlf-header": ("cr\r\nX-Injected: 1", "holds a control character"),
    "nul": ("nul\x00", "holds a control character"),
}


@pytest.mark.parametrize("kind", ["ams", "theo-v2", "theo-v1"])
@pytest.mark.parametrize(("name", "segment"), SENDABLE_NAMES, ids=[n for n, _ in SENDABLE_NAMES])
async def test_a_listed_name_travels_as_one_path_segment(
    kind: str, name: str, segment: str, scripted: tuple[ScriptedServer, str], tmp_path: Path
) -> None:
    server, url = scripted
    server.script({**renamed(kind, segment), **listing(kind, name)})
    source = source_on(kind, url, tmp_path)
    config = await aliases_of(name)(source)
    await source.aclose()
    assert config.applications[name].problem == ""
    assert len(config.applications[name].aliases) == 1
    assert read_path(kind, segment) in [seen.path for seen in server.seen]


@pytest.mark.parametrize("kind", ["ams", "theo-v2", "theo-v1"])
@pytest.mark.parametrize("case", UNSENDABLE_NAMES.values(), ids=UNSENDABLE_NAMES.keys())
async def test_a_listed_name_that_cannot_be_a_segment_is_refused_by_name(
    kind: str, case: tuple[str, str], scripted: tuple[ScriptedServer, str], tmp_path: Path
) -> None:
    name, problem = case
    server, url = scripted
    server.script({**DEFAULTS[kind], **listing(kind, "App" if kind == "ams" else "ch", name)})
    source = source_on(kind, url, tmp_path)
    config = await source.load()
    hostile = config.applications[name]
    message = hostile.problem
    # A caller that did not look first: Ant Media refuses by name (as it fails any read),
    # THEOlive keeps the problem; neither sends anything.
    if kind == "ams":
        with pytest.raises(SourceError, match=problem):
            await source.load_aliases(hostile)
    else:
        await source.load_aliases(hostile)
        assert hostile.problem == message
    await source.load_aliases(config.applications["App" if kind == "ams" else "ch"])
    await source.aclose()
    assert problem in message
    assert not unsafe_bytes_in(message.encode())
    assert "\r" not in message and "\x00" not in message
    listed = {"ams": "/rest/v2/applications", "theo-v2": "/v2/channels", "theo-v1": "/channels"}
    assert {seen.path for seen in server.seen} <= {listed[kind], *(p for _, p in DEFAULTS[kind])}


# --- redirects: not followed, and the other host hears nothing ------------------------------------


@pytest.mark.parametrize(
    ("kind", "path", "credential_header"),
    [
        ("ams", "/rest/v2/applications", "proxyauthorization"),
        ("theo-v2", "/v2/channels", "authorization"),
    ],
)
async def test_redirect_to_another_host_is_not_followed(
    kind: str,
    path: str,
    credential_header: str,
    scripted: tuple[ScriptedServer, str],
    elsewhere: tuple[ScriptedServer, str],
    tmp_path: Path,
) -> None:
    server, url = scripted
    other, other_url = elsewhere
    other.script(DEFAULTS[kind])
    server.script({**DEFAULTS[kind], ("GET", path): redirect_reply(f"{other_url}{path}")})
    outcome = raises(RemoteError, f"GET {path}: the server redirected to 127.0.0.1; not followed")
    await assert_outcome(source_on(kind, url, tmp_path), load, outcome)
    # The credential went to the configured server only, and the other one heard nothing.
    assert credential_header in server.seen[0].headers
    assert other.seen == []


# --- a slow drip is bounded by the deadline ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "path"), [("ams", "/rest/v2/applications"), ("theo-v2", "/v2/channels")]
)
async def test_slow_drip_is_cut_off_by_the_deadline(
    kind: str, path: str, scripted: tuple[ScriptedServer, str], tmp_path: Path
) -> None:
    server, url = scripted
    # Every byte arrives well within the read timeout, so only an overall deadline ends it.
    body = b" " * 100 + (b'{"applications": []}' if kind == "ams" else b'{"data": []}')
    drip = Drip(body, interval=0.1)
    server.script({**DEFAULTS[kind], ("GET", path): drip})
    settings = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=0, deadline=1.5)
    outcome = raises(RemoteTimeout, f"GET {path}: no answer in time")
    await assert_outcome(source_on(kind, url, tmp_path, settings), load, outcome)
    assert 0 < drip.sent < len(body)


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[ScriptedServer, str]]:
    server = ScriptedServer()
    server.script(AMS_REPLIES)
    with serving_tls(server, *certificate) as url:
        yield server, url


async def test_https_to_a_plain_http_port_names_tls(scripted: tuple[ScriptedServer, str]) -> None:
    _, url = scripted
    https = url.replace("http://", "https://")
    outcome = raises(RemoteError, "GET /rest/v2/applications: TLS handshake failed")
    await assert_outcome(ams_source(https), load, outcome)


async def test_self_signed_certificate_is_refused_by_default(
    tls_server: tuple[ScriptedServer, str],
) -> None:
    _, url = tls_server
    outcome = raises(RemoteError, "TLS certificate verification failed (set ca_file")
    await assert_outcome(ams_source(url), load, outcome)


async def test_self_signed_certificate_with_ca_file_works(
    tls_server: tuple[ScriptedServer, str], certificate: tuple[Path, Path]
) -> None:
    _, url = tls_server
    source = ams_source(url, ca_file=str(certificate[0]))
    config = await source.load()
    await source.aclose()
    assert config.applications["App"].settings.publish is True


def test_ca_file_that_is_not_a_certificate(tmp_path: Path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(RemoteError, match=f"ca_file {garbage}: cannot be loaded"):
        ams_source("https://127.0.0.1:1", ca_file=str(garbage))


def test_relative_ca_file_is_read_next_to_the_config(
    tls_server: tuple[ScriptedServer, str], certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """Paths in a config are relative to the file, whatever the working directory."""
    _, url = tls_server
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "loopback.crt").write_bytes(certificate[0].read_bytes())
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.tls]\nkind = "antmedia"\nurl = "{url}"\nauth = "proxy-jwt"\n'
        'credentials_env = "STREAMCONSOLE_HOSTILE_TLS"\nca_file = "certs/loopback.crt"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(
        "list",
        "--applications-only",
        "--server",
        "tls",
        "-c",
        str(config),
        cwd=elsewhere,
        env={"STREAMCONSOLE_HOSTILE_TLS": PROXY_SECRET},
    )
    assert result.returncode == 0, result.stderr
    assert "App" in result.stdout
