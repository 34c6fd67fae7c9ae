"""The token in each player's and encoder's form: every form is parsed back the way its
consumer would read it (URL path and query decoded, JSON parsed, the curl line split like a
shell), for ordinary and hostile stream ids."""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from streamconsole.core.delivery import (
    DeliveryError,
    DeliveryFormat,
    delivery_form,
    delivery_forms,
    formats_for,
)
from streamconsole.core.delivery_hosts import host_problem, host_url
from streamconsole.core.model import Application, Direction, ServerKind

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4MDAwMDA2MDB9.c2lnbmF0dXJl"
# Names a path or a query could be cut short by, spaces, Unicode, an escape sequence.
HOSTILE = [
    "stream1",
    "my stream",
    "a?b=c",
    "frag#ment",
    "x&token=forged",
    "caméra-2 ☃",
    "a/../b",
    "%41",
    "+plus+",
    "\x1b]52;c;bad\x07",
]


def antmedia(name: str = "Live App", url: str = "https://ams.example.com:5443") -> Application:
    return Application(name, ServerKind.ANTMEDIA, delivery_url=url)


def theolive(url: str = "") -> Application:
    return Application("channel-1", ServerKind.THEOLIVE, delivery_url=url)


def value(app: Application, stream: str, direction: Direction, fmt: DeliveryFormat) -> str:
    return delivery_form(app, stream, direction, TOKEN, fmt).text


def path_segments(url: str) -> list[str]:
    return [unquote(part) for part in urlsplit(url).path.split("/")[1:]]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, strict_parsing=True)


@pytest.mark.parametrize("stream", HOSTILE)
class TestAntMedia:
    def test_rtmp_url_decodes_to_the_application_stream_and_token(self, stream: str) -> None:
        url = value(antmedia(), stream, Direction.PUBLISH, DeliveryFormat.RTMP)
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.fragment) == ("rtmp", "ams.example.com", "")
        assert path_segments(url) == ["Live App", stream]
        assert query(url) == {"token": [TOKEN]}

    def test_obs_fields_join_to_the_rtmp_url(self, stream: str) -> None:
        form = delivery_form(antmedia(), stream, Direction.PUBLISH, TOKEN, DeliveryFormat.OBS)
        server, key = (field.value for field in form.fields)
        assert [field.label for field in form.fields] == ["Server", "Stream Key"]
        assert server == "rtmp://ams.example.com/Live%20App"
        # OBS publishes to Server + "/" + Stream Key.
        rtmp = value(antmedia(), stream, Direction.PUBLISH, DeliveryFormat.RTMP)
        assert f"{server}/{key}" == rtmp
        assert form.text == f"Server: {server}\nStream Key: {key}"

    def test_hls_url_decodes_to_the_stream_and_token(self, stream: str) -> None:
        url = value(antmedia(), stream, Direction.PLAY, DeliveryFormat.HLS)
        assert url.startswith("https://ams.example.com:5443/")
        assert path_segments(url) == ["Live App", "streams", f"{stream}.m3u8"]
        assert query(url) == {"token": [TOKEN]}
        assert urlsplit(url).fragment == ""

    def test_player_page_takes_the_stream_id_and_token(self, stream: str) -> None:
        url = value(antmedia(), stream, Direction.PLAY, DeliveryFormat.PLAYER)
        assert path_segments(url) == ["Live App", "play.html"]
        assert query(url) == {"id": [stream], "token": [TOKEN]}

    @pytest.mark.parametrize("direction", list(Direction))
    def test_webrtc_message_is_one_line_of_json(self, stream: str, direction: Direction) -> None:
        text = value(antmedia(), stream, direction, DeliveryFormat.WEBRTC)
        assert "\n" not in text
        assert text.isascii() and text.isprintable()  # inert on a terminal
        message = json.loads(text)
        assert message == {"command": str(direction), "streamId": stream, "token": TOKEN}
        assert list(message) == ["command", "streamId", "token"]


@pytest.mark.parametrize("stream", HOSTILE)
class TestTheolive:
    def test_bearer_header(self, stream: str) -> None:
        header = value(theolive(), stream, Direction.PLAY, DeliveryFormat.BEARER)
        assert header == f"Authorization: Bearer {TOKEN}"

    def test_curl_line_splits_to_the_header_and_the_manifest(self, stream: str) -> None:
        argv = shlex.split(value(theolive(), stream, Direction.PLAY, DeliveryFormat.CURL))
        assert argv[0] == "curl"
        assert argv[argv.index("-H") + 1] == f"Authorization: Bearer {TOKEN}"
        url = argv[-1]
        assert url.startswith("https://discovery.theo.live/")
        assert path_segments(url) == ["channels", stream, "stream", "main.m3u8"]
        assert urlsplit(url).query == ""  # the token travels in the header only

    def test_interceptor_adds_the_header_for_theolive_hosts_only(self, stream: str) -> None:
        snippet = value(theolive(), stream, Direction.PLAY, DeliveryFormat.INTERCEPTOR)
        assert "player.network.addRequestInterceptor(interceptor);" in snippet
        literals = [json.loads(lit) for lit in re.findall(r'"(?:[^"\\]|\\.)*"', snippet)]
        assert ".theo.live" in literals
        assert f"Bearer {TOKEN}" in literals
        assert snippet.isascii()


def test_theolive_curl_and_interceptor_use_a_configured_host() -> None:
    app = theolive(host_url(ServerKind.THEOLIVE, "live.example.com"))
    argv = shlex.split(value(app, "a", Direction.PLAY, DeliveryFormat.CURL))
    assert argv[-1] == "https://live.example.com/channels/a/stream/main.m3u8"
    snippet = value(app, "a", Direction.PLAY, DeliveryFormat.INTERCEPTOR)
    assert 'hostname === "live.example.com"' in snippet


def test_a_token_with_reserved_characters_is_a_query_value() -> None:
    # Not a JWT our signer makes, but a value in the query must be encoded whatever it holds.
    token = "a&b=c#d e+f"
    form = delivery_form(antmedia(), "s", Direction.PLAY, token, DeliveryFormat.HLS)
    assert query(form.text) == {"token": [token]}


def test_rtmp_drops_the_https_port_and_brackets_ipv6() -> None:
    app = antmedia(url="https://[2001:db8::1]:5443")
    url = value(app, "s", Direction.PUBLISH, DeliveryFormat.RTMP)
    assert url.startswith("rtmp://[2001:db8::1]/Live%20App/s?")


def test_the_profile_url_path_is_not_part_of_the_forms() -> None:
    app = antmedia(url="http://127.0.0.1:5080/")
    url = value(app, "s", Direction.PLAY, DeliveryFormat.HLS)
    assert url.startswith("http://127.0.0.1:5080/Live%20App/streams/s.m3u8?")


@pytest.mark.parametrize(
    ("kind", "host", "url"),
    [
        (ServerKind.ANTMEDIA, "ams.example.com", "https://ams.example.com:5443"),
        (ServerKind.ANTMEDIA, "ams.example.com:443", "https://ams.example.com:443"),
        (ServerKind.ANTMEDIA, "[::1]", "https://[::1]:5443"),
        (ServerKind.THEOLIVE, "live.example.com", "https://live.example.com"),
    ],
)
def test_host_url(kind: ServerKind, host: str, url: str) -> None:
    assert host_problem(host) == ""
    assert host_url(kind, host) == url


@pytest.mark.parametrize(
    "host",
    ["https://ams.example.com", "ams.example.com/LiveApp", "user@ams", "a b", "x:99999", "", "é.x"],
)
def test_host_problem_refuses_what_is_not_a_host(host: str) -> None:
    assert host_problem(host)


def test_forms_per_server_and_direction() -> None:
    assert formats_for(antmedia(), Direction.PUBLISH) == ("jwt", "rtmp", "obs", "webrtc")
    assert formats_for(antmedia(), Direction.PLAY) == ("jwt", "hls", "player", "webrtc")
    assert formats_for(theolive(), Direction.PLAY) == ("jwt", "bearer", "curl", "interceptor")
    generic = Application("g", ServerKind.GENERIC)
    assert formats_for(generic, Direction.PLAY) == ("jwt",)


def test_a_form_the_server_does_not_take_is_refused_with_the_ones_it_does() -> None:
    with pytest.raises(DeliveryError, match="the forms are jwt, hls, player, webrtc"):
        delivery_form(antmedia(), "s", Direction.PLAY, TOKEN, DeliveryFormat.RTMP)


def test_an_unknown_host_names_the_setting_that_gives_it() -> None:
    app = antmedia(url="")
    with pytest.raises(DeliveryError, match=r'host = "…" in \[applications\.Live App\]'):
        delivery_form(app, "s", Direction.PLAY, TOKEN, DeliveryFormat.HLS)
    found = delivery_forms(app, "s", Direction.PLAY, TOKEN)
    assert [form.format for form in found.forms] == ["jwt", "webrtc"]  # those need no host
    assert "[applications.Live App]" in found.missing


def test_an_unknown_host_is_named_inertly() -> None:
    found = delivery_forms(antmedia("evil\x1b[2J", url=""), "s", Direction.PLAY, TOKEN)
    assert "\x1b" not in found.missing and "\\x1b" in found.missing


def test_every_form_is_terminal_safe_for_a_hostile_stream() -> None:
    for app, direction in ((antmedia(), Direction.PUBLISH), (antmedia(), Direction.PLAY)):
        for form in delivery_forms(app, "\x1b]52;c;x\x07\u202e", direction, TOKEN).forms:
            assert form.text.isascii()
            assert all(line.isprintable() for line in form.text.splitlines()), form.format


def test_theolive_curl_fetches_the_profiles_play_url_filled_in() -> None:
    app = theolive("https://cdn.example.com/live/{channel}/{alias}/main.m3u8")
    argv = shlex.split(value(app, "a b?#", Direction.PLAY, DeliveryFormat.CURL))
    assert argv[-1] == "https://cdn.example.com/live/channel-1/a%20b%3F%23/main.m3u8"
    snippet = value(app, "a", Direction.PLAY, DeliveryFormat.INTERCEPTOR)
    assert 'hostname === "cdn.example.com"' in snippet


@pytest.mark.parametrize("kind", list(ServerKind))
@pytest.mark.parametrize("direction", list(Direction))
def test_every_server_takes_the_bare_token_as_it_is(kind: ServerKind, direction: Direction) -> None:
    # `token` prints the token itself for --format jwt without building a form (cli/issuing.py)
    app = Application("app", kind, delivery_url="https://host.example.com")
    assert formats_for(app, direction)[0] is DeliveryFormat.JWT
    assert value(app, "stream1", direction, DeliveryFormat.JWT) == TOKEN
