"""A token in the form each player or encoder takes: the URLs, fields, messages and snippets
operators otherwise build by hand (issue 14). Pure: given the application, the stream and
the token, it builds text; it sends nothing.

Where each form comes from:

* Ant Media (``docs/spec/antmedia.md``): RTMP ``rtmp://HOST/APP/STREAM?token=T`` (OBS splits
  it into the Server ``rtmp://HOST/APP`` and the Stream Key ``STREAM?token=T``); HLS
  ``https://HOST:5443/APP/streams/STREAM.m3u8?token=T``; the embedded player page
  ``APP/play.html?id=STREAM&token=T`` (Ant Media's Web Player takes ``id`` and ``token`` from
  the page URL); and the WebRTC websocket message
  ``{"command":"publish"|"play","streamId":"STREAM","token":"T"}``.
* THEOlive: the CDN reads ``Authorization: Bearer T``; the HLS manifest of a distribution is
  at ``https://discovery.theo.live/channels/ALIAS/stream/main.m3u8``, unless the server
  profile's ``play_url`` (``https://…/{alias}/…``) says where players fetch it; THEOplayer's Web SDK
  adds the header with a request interceptor that touches only THEOlive's hosts (other
  hosts would fail CORS) — THEOlive's documented pattern.

Every name and token placed in a URL is percent-encoded (a path segment, or a query value),
so a stream id holding ``?``, ``#``, ``&``, a space or any Unicode stays itself; the curl line
is shell-quoted, and JSON and JavaScript strings are ASCII JSON strings. Nothing here is
terminal-unsafe: control characters come out as ``%1B`` or ``\\u001b``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, urlencode, urlsplit

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import Application, Direction, ServerKind
from streamconsole.core.text import inert

# Where THEOlive serves every distribution's manifest (its documented "direct HLS playback").
THEOLIVE_DISCOVERY = "https://discovery.theo.live"


class DeliveryError(StreamconsoleError):
    """A form cannot be built: not one this server and direction use, or its host is unknown
    (the message names the setting that would give it)."""


class DeliveryFormat(StrEnum):
    JWT = "jwt"
    RTMP = "rtmp"
    OBS = "obs"
    HLS = "hls"
    PLAYER = "player"
    WEBRTC = "webrtc"
    BEARER = "bearer"
    CURL = "curl"
    INTERCEPTOR = "interceptor"


# The forms each server kind and direction take, in the order they are shown.
FORMATS: dict[tuple[ServerKind, Direction], tuple[DeliveryFormat, ...]] = {
    (ServerKind.ANTMEDIA, Direction.PUBLISH): (
        DeliveryFormat.JWT,
        DeliveryFormat.RTMP,
        DeliveryFormat.OBS,
        DeliveryFormat.WEBRTC,
    ),
    (ServerKind.ANTMEDIA, Direction.PLAY): (
        DeliveryFormat.JWT,
        DeliveryFormat.HLS,
        DeliveryFormat.PLAYER,
        DeliveryFormat.WEBRTC,
    ),
    (ServerKind.THEOLIVE, Direction.PLAY): (
        DeliveryFormat.JWT,
        DeliveryFormat.BEARER,
        DeliveryFormat.CURL,
        DeliveryFormat.INTERCEPTOR,
    ),
}
# Forms that hold the server's address.
_NEEDS_HOST = frozenset(
    {DeliveryFormat.RTMP, DeliveryFormat.OBS, DeliveryFormat.HLS, DeliveryFormat.PLAYER}
)


@dataclass(frozen=True, slots=True)
class DeliveryField:
    """One value to paste somewhere: ``label`` names the place (OBS's "Stream Key")."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class DeliveryForm:
    """The token in one form: one field, or several (OBS: Server and Stream Key)."""

    format: DeliveryFormat
    title: str
    fields: tuple[DeliveryField, ...]

    @property
    def text(self) -> str:
        """What ``token --format`` prints: the value, or each field on a labelled line."""
        if len(self.fields) == 1:
            return self.fields[0].value
        return "\n".join(f"{field.label}: {field.value}" for field in self.fields)


def formats_for(app: Application, direction: Direction) -> tuple[DeliveryFormat, ...]:
    """The forms ``app``'s server takes for ``direction`` tokens (just the bare token on a
    ``generic`` server, which has no documented delivery)."""
    return FORMATS.get((app.kind, direction), (DeliveryFormat.JWT,))


def _segment(name: str) -> str:
    return quote(name, safe="")


def _js(text: str) -> str:
    """``text`` as a JavaScript string literal (ASCII JSON is one)."""
    return json.dumps(text, ensure_ascii=True)


class _Builder:
    """Builds the forms of one token for one stream of one application."""

    def __init__(self, app: Application, stream: str, direction: Direction, token: str):
        self.app, self.stream, self.direction, self.token = app, stream, direction, token

    def web(self) -> str:
        """The application's delivery base URL (``scheme://host[:port]``), or DeliveryError
        naming the setting that would give it."""
        if self.app.delivery_url:
            parts = urlsplit(self.app.delivery_url)
            return f"{parts.scheme}://{parts.netloc}"
        if self.app.kind is ServerKind.THEOLIVE:
            return THEOLIVE_DISCOVERY
        name = inert(self.app.name, limit=80)
        raise DeliveryError(
            f'the server\'s address is unknown for application {name}: set host = "…" in '
            f"[applications.{name}] (the host players and encoders reach), or work on the "
            "application's server (--server)"
        )

    def rtmp_server(self) -> str:
        hostname = urlsplit(self.web()).hostname or ""
        host = f"[{hostname}]" if ":" in hostname else hostname
        return f"rtmp://{host}/{_segment(self.app.name)}"

    def stream_key(self) -> str:
        return f"{_segment(self.stream)}?{urlencode({'token': self.token}, quote_via=quote)}"

    def webrtc(self) -> str:
        message = {"command": str(self.direction), "streamId": self.stream, "token": self.token}
        return json.dumps(message, ensure_ascii=True, separators=(",", ":"))

    def manifest(self) -> str:
        if self.app.kind is ServerKind.THEOLIVE and "{alias}" in self.app.delivery_url:
            filled = self.app.delivery_url.replace("{alias}", _segment(self.stream))
            return filled.replace("{channel}", _segment(self.app.name))  # a play_url
        if self.app.kind is ServerKind.THEOLIVE:
            return f"{self.web()}/channels/{_segment(self.stream)}/stream/main.m3u8"
        query = urlencode({"token": self.token}, quote_via=quote)
        stream = _segment(self.stream)
        return f"{self.web()}/{_segment(self.app.name)}/streams/{stream}.m3u8?{query}"

    def player(self) -> str:
        query = urlencode({"id": self.stream, "token": self.token}, quote_via=quote)
        return f"{self.web()}/{_segment(self.app.name)}/play.html?{query}"

    def bearer(self) -> str:
        return f"Authorization: Bearer {self.token}"

    def curl(self) -> str:
        return shlex.join(["curl", "-sS", "-H", self.bearer(), self.manifest()])

    def interceptor(self) -> str:
        hostname = urlsplit(self.web()).hostname or ""
        # THEOlive's CDN hosts are all under theo.live; a host of one's own is matched exactly.
        if hostname.endswith(".theo.live"):
            match = f"new URL(request.url).hostname.endsWith({_js('.theo.live')})"
        else:
            match = f"new URL(request.url).hostname === {_js(hostname)}"
        header = _js(f"Bearer {self.token}")
        return "\n".join(
            (
                "// THEOplayer Web SDK: the token on every request to the THEOlive CDN",
                "const interceptor = (request) => {",
                "  // only THEOlive's hosts: other hosts would refuse the header (CORS)",
                f"  if ({match}) {{",
                "    request.redirect({",
                f"      headers: {{ ...request.headers, Authorization: {header} }},",
                "    });",
                "  }",
                "};",
                "player.network.addRequestInterceptor(interceptor);",
                "// newer Web SDKs take the token itself instead:",
                f"// player.theoLive.authToken = {_js(self.token)};",
            )
        )

    def form(self, fmt: DeliveryFormat) -> DeliveryForm:
        one = DeliveryField
        match fmt:
            case DeliveryFormat.JWT:
                return DeliveryForm(fmt, "Token (JWT)", (one("token", self.token),))
            case DeliveryFormat.RTMP:
                url = f"{self.rtmp_server()}/{self.stream_key()}"
                return DeliveryForm(fmt, "RTMP publish URL", (one("URL", url),))
            case DeliveryFormat.OBS:
                fields = (one("Server", self.rtmp_server()), one("Stream Key", self.stream_key()))
                return DeliveryForm(fmt, "OBS (Settings › Stream, Custom)", fields)
            case DeliveryFormat.HLS:
                return DeliveryForm(fmt, "HLS manifest URL", (one("URL", self.manifest()),))
            case DeliveryFormat.PLAYER:
                return DeliveryForm(fmt, "Embedded player page", (one("URL", self.player()),))
            case DeliveryFormat.WEBRTC:
                title = f"WebRTC {self.direction} message (websocket)"
                return DeliveryForm(fmt, title, (one("message", self.webrtc()),))
            case DeliveryFormat.BEARER:
                return DeliveryForm(fmt, "HTTP header", (one("header", self.bearer()),))
            case DeliveryFormat.CURL:
                return DeliveryForm(fmt, "curl: fetch the manifest", (one("command", self.curl()),))
            case DeliveryFormat.INTERCEPTOR:
                title = "THEOplayer request interceptor (JavaScript)"
                return DeliveryForm(fmt, title, (one("snippet", self.interceptor()),))


def delivery_form(
    app: Application, stream: str, direction: Direction, token: str, fmt: DeliveryFormat
) -> DeliveryForm:
    """``token`` in the form ``fmt`` for ``stream`` of ``app``; DeliveryError when the server
    takes no such form for ``direction`` or the form needs a host that is not known."""
    offered = formats_for(app, direction)
    if fmt not in offered:
        names = ", ".join(offered)
        raise DeliveryError(
            f"{app.kind.display_name} {direction} tokens are not used as {fmt}: "
            f"the forms are {names}"
        )
    return _Builder(app, stream, direction, token).form(fmt)


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Every form of one token that can be built, and why the others cannot ("" if none)."""

    forms: tuple[DeliveryForm, ...]
    missing: str = ""


def delivery_forms(app: Application, stream: str, direction: Direction, token: str) -> Deliveries:
    """Every form ``app``'s server takes for ``direction``; those that need a host left out
    (with the reason, naming the setting) where it is unknown."""
    forms: list[DeliveryForm] = []
    missing = ""
    for fmt in formats_for(app, direction):
        try:
            forms.append(delivery_form(app, stream, direction, token, fmt))
        except DeliveryError as error:
            if fmt not in _NEEDS_HOST:
                raise
            missing = str(error)
    return Deliveries(tuple(forms), missing)
