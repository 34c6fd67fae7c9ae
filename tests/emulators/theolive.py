"""THEOlive API emulator: v1 (``/channels``) and v2 (``/v2``) plus a viewer play endpoint.

Run by hand: ``python -m tests.emulators.theolive --port 5081``.

Choices where the published specs leave it open:

* v1 ``GET /channels`` pages by ``page`` (1-based, ``state.v1_page_size`` per page) or by
  ``startingAfter=<channelId>`` (wins when both are given); a page past the end is ``[]``.
  v1 errors answer ``{}`` (400, 404) as its spec declares.
* v2 lists sort by name (case-insensitive, then id); the cursor is opaque; ``limit`` outside
  1..100 or a bad cursor answer 400. v2 errors answer ``{"message": ...}``. A key added
  without a name has ``"name": null``.
* ``GET /play/{aliasId}`` (or ``/play/{aliasId}/main.m3u8``, any path below it) stands in
  for the CDN: 200 with a playlist, or 403 with no reason. It takes
  ``Authorization: Bearer <jwt>`` or ``?token=``, and needs no API key. With the alias's
  token security on, the token must be signed by one of its keys (HS256/HS512/RS256/RS512),
  ``exp`` required, ``nbf`` honoured; off, a token is still checked for its times.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import secrets
import sys
from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .delivery import Delivery
from .server import Emulator, cli_port, serve_forever
from .theolive_state import (
    API_KEY,
    API_SECRET,
    Alias,
    Channel,
    KeyRefused,
    TheoLiveState,
    demo_state,
)

V2_DEFAULT_LIMIT = 20
V2_MAX_LIMIT = 100
_NO_CONTENT = 204


def _v1_error(status: int) -> JSONResponse:
    return JSONResponse({}, status_code=status)


def _v2_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def _sort_key(name: str, item_id: str) -> tuple[str, str]:
    return (name.casefold(), item_id)


def _encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not (isinstance(decoded, list) and len(decoded) == 2):
        return None
    if not all(isinstance(part, str) for part in decoded):
        return None
    return decoded[0], decoded[1]


def _v1_channel(channel: Channel) -> dict[str, Any]:
    return {
        "channelId": channel.id,
        "metadata": {"name": channel.name},
        "status": {"code": channel.status, "message": ""},
        "region": channel.region,
        "creationDate": channel.creation_date,
        "tenantId": "demo-tenant",
    }


def _v1_alias(alias: Alias) -> dict[str, Any]:
    # v1 names the alias's own id "channelId" and its channel "parentChannelId".
    return {
        "channelId": alias.id,
        "metadata": {"name": alias.name},
        "active": alias.active,
        "parentChannelId": alias.channel_id,
        "creationDate": alias.creation_date,
    }


def _v2_channel(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "region": channel.region,
        "status": channel.status,
        "createdAt": channel.creation_date,
    }


def _v2_distribution(alias: Alias) -> dict[str, Any]:
    return {
        "id": alias.id,
        "name": alias.name,
        "channelId": alias.channel_id,
        "enabled": alias.active,
        "createdAt": alias.creation_date,
        "security": {
            "keys": [{"id": k.id, "name": k.name} for k in alias.keys],
            "geoBlocking": {"enabled": False, "countries": []},
        },
    }


async def _json_body(request: Request) -> Any:
    """The parsed body; ``None`` when empty; raises ValueError when not JSON."""
    raw = await request.body()
    return json.loads(raw) if raw.strip() else None


class TheoLiveEmulator(Emulator[TheoLiveState]):
    """The emulated API. ``api_key``/``api_secret`` are the demo HTTP Basic pair."""

    api_key = API_KEY
    api_secret = API_SECRET

    @property
    def basic_auth(self) -> tuple[str, str]:
        """For ``httpx.Client(auth=...)``."""
        return (self.api_key, self.api_secret)

    def demo_state(self) -> TheoLiveState:
        return demo_state()

    def app_of(self, path: str) -> str | None:
        parts = path.strip("/").split("/")
        if parts[0] == "v2":
            parts = parts[1:]
        if len(parts) >= 2 and parts[0] == "channels":
            return parts[1]
        if len(parts) >= 2 and parts[0] in ("distributions", "play"):
            alias = self.state.aliases.get(parts[1])
            return alias.channel_id if alias else None
        return None

    # --- HTTP ------------------------------------------------------------------------------

    def routes(self) -> Starlette:
        alias_v1 = "/channels/{channel_id}/aliases/{alias_id}"
        keys_v2 = "/v2/distributions/{alias_id}/security/keys"
        return Starlette(
            routes=[
                Route("/channels", self._v1_channels, methods=["GET"]),
                Route("/channels/{channel_id}", self._v1_channel, methods=["GET"]),
                Route("/channels/{channel_id}/aliases", self._v1_aliases, methods=["GET"]),
                Route(f"{alias_v1}/token-security", self._v1_security, methods=["GET"]),
                Route(f"{alias_v1}/token-security/enable", self._v1_enable, methods=["POST"]),
                Route(f"{alias_v1}/token-security/disable", self._v1_disable, methods=["POST"]),
                Route(
                    f"{alias_v1}/cdn-security/keys",
                    self._v1_keys,
                    methods=["GET", "POST", "DELETE"],
                ),
                Route(
                    f"{alias_v1}/cdn-security/keys/{{key_id}}",
                    self._v1_delete_key,
                    methods=["DELETE"],
                ),
                Route("/v2/channels", self._v2_channels, methods=["GET"]),
                Route(
                    "/v2/channels/{channel_id}/distributions",
                    self._v2_distributions,
                    methods=["GET"],
                ),
                Route("/v2/distributions/{alias_id}", self._v2_distribution, methods=["GET"]),
                Route(keys_v2, self._v2_keys, methods=["GET", "POST", "DELETE"]),
                Route(f"{keys_v2}/{{key_id}}", self._v2_delete_key, methods=["DELETE"]),
                Route("/play/{alias_id}", self._play, methods=["GET"]),
                Route("/play/{alias_id}/{manifest:path}", self._play, methods=["GET"]),
            ]
        )

    def _unauthorised(self, request: Request) -> Response | None:
        """The 401 to send unless the request carries a known API key:secret pair."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            key, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, binascii.Error):
            sep = ""
        if scheme.lower() == "basic" and sep:
            expected = self.state.api_keys.get(key)
            if expected is not None and secrets.compare_digest(expected, secret):
                return None
        return JSONResponse(
            {"message": "Unauthorized"},
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="THEOlive API"'},
        )

    def _v1_alias_of(self, request: Request) -> Alias | Response:
        """The authorised request's alias (v1 path), or the refusal to send."""
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        alias = self.state.aliases.get(request.path_params["alias_id"])
        if alias is None or alias.channel_id != request.path_params["channel_id"]:
            return _v1_error(404)
        return alias

    def _v2_alias_of(self, request: Request) -> Alias | Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        alias = self.state.aliases.get(request.path_params["alias_id"])
        return alias if alias is not None else _v2_error(404, "distribution not found")

    # --- v1 --------------------------------------------------------------------------------

    async def _v1_channels(self, request: Request) -> Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        channels = list(self.state.channels.values())
        size = self.state.v1_page_size
        after = request.query_params.get("startingAfter")
        if after is not None:
            ids = [c.id for c in channels]
            if after not in ids:
                return _v1_error(400)
            start = ids.index(after) + 1
        else:
            try:
                page = int(request.query_params.get("page", "1"))
            except ValueError:
                return _v1_error(400)
            if page < 1:
                return _v1_error(400)
            start = (page - 1) * size
        return JSONResponse([_v1_channel(c) for c in channels[start : start + size]])

    async def _v1_channel(self, request: Request) -> Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        channel = self.state.channels.get(request.path_params["channel_id"])
        return JSONResponse(_v1_channel(channel)) if channel else _v1_error(404)

    async def _v1_aliases(self, request: Request) -> Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        channel = self.state.channels.get(request.path_params["channel_id"])
        if channel is None:
            return _v1_error(404)
        return JSONResponse([_v1_alias(self.state.aliases[a]) for a in channel.alias_ids])

    async def _v1_security(self, request: Request) -> Response:
        alias = self._v1_alias_of(request)
        if isinstance(alias, Response):
            return alias
        return JSONResponse({"enabled": alias.legacy_enabled})

    async def _v1_enable(self, request: Request) -> Response:
        alias = self._v1_alias_of(request)
        if isinstance(alias, Response):
            return alias
        try:
            body = await _json_body(request)
        except ValueError:
            return _v1_error(400)
        if body is not None and not isinstance(body, dict):
            return _v1_error(400)
        key = body.get("key") if body else None
        if key is not None and not isinstance(key, str):
            return _v1_error(400)
        if not self.state.enable_token_security(alias.id, key):
            return _v1_error(400)
        return JSONResponse({"enabled": True})

    async def _v1_disable(self, request: Request) -> Response:
        alias = self._v1_alias_of(request)
        if isinstance(alias, Response):
            return alias
        alias.legacy_enabled = False
        return JSONResponse({"enabled": False})

    async def _v1_keys(self, request: Request) -> Response:
        alias = self._v1_alias_of(request)
        if isinstance(alias, Response):
            return alias
        if request.method == "GET":
            return JSONResponse({"keys": [{"id": k.id} for k in alias.keys]})
        if request.method == "DELETE":
            alias.keys = []
            return JSONResponse({})
        try:
            body = await _json_body(request)
        except ValueError:
            return _v1_error(400)
        if not isinstance(body, dict) or not isinstance(body.get("key"), str):
            return _v1_error(400)
        key_id = body.get("id")
        if key_id is not None and not isinstance(key_id, str):
            return _v1_error(400)
        try:
            key = self.state.add_key(alias.id, body["key"], key_id=key_id)
        except KeyRefused:
            return _v1_error(400)
        return JSONResponse({"id": key.id})

    async def _v1_delete_key(self, request: Request) -> Response:
        alias = self._v1_alias_of(request)
        if isinstance(alias, Response):
            return alias
        if not self.state.delete_key(alias.id, request.path_params["key_id"]):
            return _v1_error(404)
        return JSONResponse({})

    # --- v2 --------------------------------------------------------------------------------

    def _v2_page(
        self,
        request: Request,
        items: Sequence[Any],
        key_of: Callable[[Any], tuple[str, str]],
        render: Callable[[Any], dict[str, Any]],
    ) -> Response:
        """One page of ``items`` (sorted by ``key_of``) in v2's data/pagination envelope."""
        try:
            limit = int(request.query_params.get("limit", V2_DEFAULT_LIMIT))
        except ValueError:
            return _v2_error(400, "limit must be an integer")
        if not 1 <= limit <= V2_MAX_LIMIT:
            return _v2_error(400, f"limit must be between 1 and {V2_MAX_LIMIT}")
        ordered = sorted(items, key=key_of)
        start = 0
        cursor = request.query_params.get("cursor")
        if cursor:
            after = _decode_cursor(cursor)
            if after is None:
                return _v2_error(400, "invalid cursor")
            start = bisect.bisect_right([key_of(i) for i in ordered], after)
        page = ordered[start : start + limit]
        next_cursor = _encode_cursor(key_of(page[-1])) if page else ""
        return JSONResponse(
            {
                "data": [render(i) for i in page],
                "pagination": {"hasMore": start + limit < len(ordered), "cursor": next_cursor},
            }
        )

    async def _v2_channels(self, request: Request) -> Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        return self._v2_page(
            request,
            list(self.state.channels.values()),
            lambda c: _sort_key(c.name, c.id),
            _v2_channel,
        )

    async def _v2_distributions(self, request: Request) -> Response:
        refusal = self._unauthorised(request)
        if refusal is not None:
            return refusal
        channel = self.state.channels.get(request.path_params["channel_id"])
        if channel is None:
            return _v2_error(404, "channel not found")
        return self._v2_page(
            request,
            [self.state.aliases[a] for a in channel.alias_ids],
            lambda a: _sort_key(a.name, a.id),
            _v2_distribution,
        )

    async def _v2_distribution(self, request: Request) -> Response:
        alias = self._v2_alias_of(request)
        if isinstance(alias, Response):
            return alias
        return JSONResponse({"data": _v2_distribution(alias)})

    async def _v2_keys(self, request: Request) -> Response:
        alias = self._v2_alias_of(request)
        if isinstance(alias, Response):
            return alias
        if request.method == "GET":
            return JSONResponse({"data": [{"id": k.id, "name": k.name} for k in alias.keys]})
        if request.method == "DELETE":
            alias.keys = []
            return Response(status_code=_NO_CONTENT)
        try:
            body = await _json_body(request)
        except ValueError:
            return _v2_error(400, "body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("key"), str):
            return _v2_error(400, 'body must be {"key": string, "name"?: string}')
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            return _v2_error(400, "name must be a string")
        try:
            key = self.state.add_key(alias.id, body["key"], name=name)
        except KeyRefused as refused:
            return _v2_error(400, str(refused))
        return JSONResponse({"data": {"id": key.id, "name": key.name}})

    async def _v2_delete_key(self, request: Request) -> Response:
        alias = self._v2_alias_of(request)
        if isinstance(alias, Response):
            return alias
        if not self.state.delete_key(alias.id, request.path_params["key_id"]):
            return _v2_error(404, "key not found")
        return Response(status_code=_NO_CONTENT)

    # --- viewers ---------------------------------------------------------------------------

    async def _play(self, request: Request) -> Response:
        self.deliveries.append(Delivery.of(request))
        alias_id: str = request.path_params["alias_id"]
        if alias_id not in self.state.aliases:
            return Response(status_code=404)
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        token = bearer if scheme.lower() == "bearer" else request.query_params.get("token")
        if not self.state.admits(alias_id, token or None):
            return Response(status_code=403)
        playlist = f"#EXTM3U\n#EXT-X-VERSION:3\n# {alias_id}\n"
        return Response(playlist, media_type="application/vnd.apple.mpegurl")


def main(argv: Sequence[str] | None = None) -> int:
    port = cli_port("THEOlive API emulator, v1 and v2 (demo data)", 5081, argv)
    emulator = TheoLiveEmulator()
    url = f"http://127.0.0.1:{port}"
    print(
        f"THEOlive emulator on {url}  (v1: {url}/channels, v2: {url}/v2/channels)\n"
        f"  HTTP Basic: token key {emulator.api_key!r}, token secret {emulator.api_secret!r}\n"
        f"  e.g. curl -u {emulator.api_key}:{emulator.api_secret} {url}/v2/channels\n"
        f"  channels: {', '.join(emulator.state.channels)}\n"
        "  (demo credentials, loopback only)",
        file=sys.stderr,
    )
    serve_forever(emulator, port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
