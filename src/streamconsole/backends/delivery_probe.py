"""The enforcement probe's I/O: ask a server's delivery endpoint (where players fetch a
stream) with the requests :mod:`streamconsole.core.probe` plans, and judge the answers.

* Ant Media: ``GET {url}/{app}/streams/{stream}.m3u8?token=T``; its JWT filter answers 403
  before the stream's existence is looked at, so a 404 means the token passed.
* THEOlive: ``GET`` the profile's ``play_url`` with ``{alias}`` (and ``{channel}``) filled
  in, the token as ``Authorization: Bearer T``.

Every request goes out on a client of its own, made for it and closed after it: no cookie
jar, no connection and no credentials shared with the admin API or with the other probe
requests. Only the probe's tokens reach the delivery endpoint, never the login, the Basic
pair, the ``ProxyAuthorization`` token or a key. Ant Media issue 7254: a session that had
once shown a valid token kept playing without one; a probe that kept its cookies between
requests would take that session's pass for the server's answer to a request without a
token. Redirects are not followed; the proxy and trust are the profile's, never the
environment's; plain http only where the admin API may use it (:func:`.http.checked_url`).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Sequence

import httpx

from streamconsole.backends.base import ListsFirst, OnServer, RemoteError, Source, SourceError
from streamconsole.backends.http import HttpSettings, checked_url, tls_verify, transport_reason
from streamconsole.backends.masks import install_log_mask
from streamconsole.backends.wire_rules import segment
from streamconsole.core.model import Config, Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.probe import (
    Answer,
    Attempt,
    ProbeRequest,
    ProbeResult,
    ProbeTarget,
    judge,
    plan_probe,
    probe_scopes,
)
from streamconsole.core.report import unreadable


def delivery_url(profile: ServerProfile, target: ProbeTarget) -> str:
    """Where a player of ``target`` fetches its stream on ``profile``'s server."""
    stream = segment(target.stream, f"{target.kind.alias_noun} name")
    if profile.kind is ServerKind.ANTMEDIA:
        app = segment(target.scope.application, "application name")
        return f"{profile.url}/{app}/streams/{stream}.m3u8"
    if not profile.play_url:
        raise SourceError(
            f"server {profile.name!r} has no play_url, where players fetch an alias's stream: "
            f'set play_url = "https://…/{{alias}}/…" in [servers.{profile.name}]'
        )
    channel = segment(target.scope.application, "channel name")
    return profile.play_url.replace("{alias}", stream).replace("{channel}", channel)


async def probe_targets(
    profile: ServerProfile,
    targets: Sequence[ProbeTarget],
    *,
    settings: HttpSettings | None = None,
) -> list[ProbeResult]:
    """Send every target's requests (at most the profile's ``concurrency`` at once) and judge
    them. Raises SourceError, before anything is sent, where a URL cannot be made."""
    settings = settings or HttpSettings()
    install_log_mask()
    urls = {id(t): checked_url(profile, delivery_url(profile, t)) for t in targets if t.requests}
    context = tls_verify(profile.ca_file, profile.base_dir)  # one, shared: loading it is slow
    gate = asyncio.Semaphore(profile.concurrency)

    async def run(target: ProbeTarget) -> ProbeResult:
        # One after another, the request without a token last: after the server accepted a
        # valid one, where a session pass (issue 7254) would show if cookies were kept.
        answers: dict[Attempt, Answer] = {}
        for request in sorted(target.requests, key=lambda r: r.token is None):
            async with gate:
                answer = await _ask(profile, urls[id(target)], request, context, settings)
            answers[request.attempt] = answer
        return judge(target, {r.attempt: answers[r.attempt] for r in target.requests})

    return list(await asyncio.gather(*(run(target) for target in targets)))


async def _ask(
    profile: ServerProfile,
    url: httpx.URL,
    request: ProbeRequest,
    context: ssl.SSLContext,
    settings: HttpSettings,
) -> Answer:
    """One request from a fresh client; only its status is read."""
    params, headers = {}, {}
    if request.token is not None and profile.kind is ServerKind.ANTMEDIA:
        params["token"] = request.token
    elif request.token is not None:
        headers["Authorization"] = f"Bearer {request.token}"
    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    try:
        async with (
            httpx.AsyncClient(
                verify=context,
                timeout=timeout,
                follow_redirects=False,
                proxy=profile.proxy or None,
                trust_env=False,
                headers={"User-Agent": "streamconsole-probe"},
            ) as client,
            asyncio.timeout(settings.deadline),
            client.stream("GET", url, params=params, headers=headers) as response,
        ):
            return Answer(response.status_code)
    except (httpx.TimeoutException, TimeoutError):
        return Answer(None, "no answer in time")
    except httpx.TransportError as error:
        return Answer(None, transport_reason(error))


async def probe_source(
    source: Source,
    config: Config,
    scope: str,
    directions: Iterable[Direction] | None = None,
    *,
    settings: HttpSettings | None = None,
) -> list[ProbeResult]:
    """Probe ``scope`` (``APP`` or ``APP/ALIAS``) of a loaded server source, for
    ``directions`` (every direction its server has when None)."""
    if not isinstance(source, OnServer):
        raise SourceError(
            "a probe asks a server's delivery endpoint: open one of the config's servers "
            "(--server NAME)"
        )
    ref = ScopeRef.parse(scope)
    app, _ = config.resolve(ScopeRef(ref.application))
    if not app.settings_loaded and not app.problem and isinstance(source, ListsFirst):
        await source.load_settings(app)  # listed only (the console): what to compare with
    aliases_needed = ref.alias is not None or app.kind.policy_per_alias
    if aliases_needed and not app.aliases_loaded and not app.problem:
        await source.load_aliases(app)
    if app.problem:  # its policy is unknown: there is nothing to compare answers with
        raise RemoteError(unreadable(app))
    wanted = tuple(directions) if directions is not None else app.kind.directions
    now = time.time()
    # Signing, and making up RSA keys for wrong-key tokens, takes a while: not on the loop.
    targets = await asyncio.to_thread(
        lambda: [
            target
            for each_app, alias in probe_scopes(config, ref)
            for target in plan_probe(each_app, alias, wanted, now=now)
        ]
    )
    return await probe_targets(source.profile, targets, settings=settings)


async def probe_changed(source: Source, scopes: Iterable[ScopeRef]) -> list[ProbeResult]:
    """``apply --verify``: probe each scope an apply changed (once, in the order given) on the
    server's state as it is now, read again after the apply."""
    config = await source.load()
    results: list[ProbeResult] = []
    for scope in dict.fromkeys(scopes):
        results.extend(await probe_source(source, config, str(scope)))
    return results
