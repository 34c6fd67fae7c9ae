"""The Python API, for scripts and notebooks: the console's operations without a screen.

    >>> from streamconsole import open_config
    >>> console = open_config("sample_config.toml")
    >>> console.applications                     # a table in Jupyter
    >>> console.toggle("LiveApp", play=True)     # edits are pending until saved
    >>> console.rotate("LiveApp", generate="HS256")
    >>> console.save()
    >>> issued = console.token("LiveApp/stream1", "publish", ttl="10m")
    >>> console.explain(issued.token, "LiveApp/stream1", "publish")

Every call is synchronous. Remote sources are async underneath: a private event loop in a
background thread runs them, so the API also works inside Jupyter's own running loop.
Every saved change is appended to the audit log, like the console's and the CLI's.
"""

from __future__ import annotations

import asyncio
import html
import threading
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from streamconsole.audit import AuditLog, audit_log_for
from streamconsole.backends.base import RemoteError, Source
from streamconsole.backends.key_files import read_key_file
from streamconsole.backends.registry import open_source
from streamconsole.core.delivery import delivery_forms
from streamconsole.core.durations import parse_duration
from streamconsole.core.edits import Change, SetKey
from streamconsole.core.entropy import MIN_NEW_SECRET_BITS
from streamconsole.core.errors import PolicyError, TokenBuildError
from streamconsole.core.explain import Explanation, explain
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import Key, parse_algorithm, shared_key
from streamconsole.core.model import Config, Direction, ScopeRef
from streamconsole.core.policy import effective_policy
from streamconsole.core.report import (
    explanation_view,
    forms_view,
    scope_report,
    summary_row,
    unreadable,
)
from streamconsole.core.secret import Secret
from streamconsole.core.tokens import build_claims, sign
from streamconsole.session import EditSession

T = TypeVar("T")


class _LoopThread:
    """One event loop on a daemon thread; coroutines are run on it and waited for."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


def _html_table(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "<p><em>nothing</em></p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>" for c in columns
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Table:
    """Rows of plain data; a table in a notebook, a list in code."""

    rows: tuple[dict[str, Any], ...]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def _repr_html_(self) -> str:
        return _html_table(self.rows)


@dataclass(frozen=True)
class Report:
    """One scope's policies, key and warnings (``data`` is what ``show --json`` prints)."""

    data: dict[str, Any]

    def _repr_html_(self) -> str:
        title = html.escape(
            self.data["application"] + (f"/{self.data['alias']}" if self.data["alias"] else "")
        )
        heading = f"<h4>{title} ({self.data['kind']})</h4>"
        if self.data["policies"] is None:
            error = html.escape(self.data["error"])
            return f"{heading}<p><strong>not read, policies unknown:</strong> {error}</p>"
        rows = [
            {
                "direction": direction,
                "enforced": policy["enforced"],
                "why": policy["reason"],
                "key": policy["key"]["fingerprint"] if policy["key"] else None,
            }
            for direction, policy in self.data["policies"].items()
        ]
        warnings = "".join(f"<li>{html.escape(w)}</li>" for w in self.data["warnings"])
        return heading + _html_table(rows) + (f"<ul>{warnings}</ul>" if warnings else "")


@dataclass(frozen=True)
class TokenReport:
    """An explained token: the verdict and each check, as a server would see it."""

    explanation: Explanation
    token: str = ""

    @property
    def accepted(self) -> bool:
        return self.explanation.accepted

    @property
    def data(self) -> dict[str, Any]:
        return explanation_view(self.explanation)

    def _repr_html_(self) -> str:
        checks = [
            {"check": c.name, "status": c.status.value, "reason": c.reason}
            for c in self.explanation.checks
        ]
        return f"<p><strong>{html.escape(self.explanation.summary)}</strong></p>" + _html_table(
            checks
        )


def _material(value: Secret | str | Path, *, private: bool) -> str:
    """Key material given as text, or as a Path to a key file: read with the checks a
    config's key files get, and warned about (to the caller) where they would be."""
    if not isinstance(value, Path):
        return value.reveal() if isinstance(value, Secret) else value
    found: list[str] = []
    text = read_key_file(value, str(value), private=private, warn=found.append)
    for message in found:
        warnings.warn(message, stacklevel=3)
    return text


class Console:
    """A loaded source with an edit session; see the module docstring."""

    def __init__(
        self,
        source: Source,
        *,
        read_only: bool = False,
        audit: AuditLog | None = None,
        origin: str = "api",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._runner = _LoopThread()
        self._clock = clock
        self.source = source
        config = self._runner.run(source.load())
        self.session = EditSession(
            source,
            config,
            read_only=read_only,
            audit=audit or audit_log_for(config.settings),
            origin=origin,
        )

    # --- reading --------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.session.config

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _loaded(self, scope: str) -> ScopeRef:
        """``scope`` parsed, its application's aliases loaded, and the scope found; where the
        server could not read the application, its aliases are not asked for (unknown)."""
        ref = ScopeRef.parse(scope)
        app, _ = self.config.resolve(ScopeRef(ref.application))
        if not app.aliases_loaded and not app.problem:
            self._runner.run(self.source.load_aliases(app))
        if not app.problem:
            self.config.resolve(ref)
        return ref

    def _readable(self, scope: str) -> ScopeRef:
        """``scope`` loaded, for an edit or a token: refused where the server could not read
        its application, whose policy and key are unknown (an edit or a token would be a
        guess based on "off")."""
        ref = self._loaded(scope)
        problem = unreadable(self.config.applications[ref.application])
        if problem:
            raise RemoteError(problem)
        return ref

    @property
    def applications(self) -> Table:
        return Table(tuple(summary_row(app, None) for app in self.config.applications.values()))

    def aliases(self, application: str) -> Table:
        self._loaded(application)
        app = self.config.applications[application]
        return Table(tuple(summary_row(app, alias) for alias in app.aliases.values()))

    def show(self, scope: str) -> Report:
        return Report(scope_report(self.config, self._loaded(scope), self._now()))

    # --- editing --------------------------------------------------------------------------

    def toggle(
        self, scope: str, *, publish: bool | None = None, play: bool | None = None
    ) -> list[Change]:
        """Set publish and/or play enforcement where ``scope``'s server keeps it (pending)."""
        ref = self._readable(scope)
        wanted = {Direction.PUBLISH: publish, Direction.PLAY: play}
        if all(v is None for v in wanted.values()):
            raise PolicyError("say publish=True/False and/or play=True/False")
        app, _ = self.config.resolve(ref)
        target = ScopeRef(app.name) if not app.kind.alias_overrides else ref
        changes = []
        for direction, enabled in wanted.items():
            if enabled is None:
                continue
            policy = effective_policy(*self.config.resolve(target), direction)
            if enabled and policy.supported and policy.key is None:
                raise PolicyError(
                    f"{target} has no key: rotate one in before enforcing {direction}"
                )
            changes.append(self.session.set_enforcement(target, direction, enabled))
        return changes

    def rotate(
        self,
        scope: str,
        *,
        generate: str | None = None,
        secret: Secret | str | Path | None = None,
        public_key: str | Path | None = None,
        private_key: Secret | str | Path | None = None,
        algorithm: str | None = None,
        rsa_bits: int = 3072,
    ) -> SetKey:
        """Replace ``scope``'s key (pending): generate one, or import a secret or PEM/JWK,
        given as text or as the Path of a key file."""
        ref = self._readable(scope)
        app, _ = self.config.resolve(ref)
        if sum(x is not None for x in (generate, secret, public_key, private_key)) > 1:
            raise PolicyError("give one of generate, secret, public_key, private_key")
        chosen = parse_algorithm(generate or algorithm or app.kind.algorithms[0])
        key: Key
        if generate is not None:
            key = generate_key(chosen, min_chars=app.kind.min_secret_chars, rsa_bits=rsa_bits)
        elif secret is not None:
            text = _material(secret, private=True)
            key = shared_key(
                chosen,
                text,
                min_chars=app.kind.min_secret_chars,
                min_entropy_bits=MIN_NEW_SECRET_BITS,
            )
        elif public_key is not None:
            key = public_key_from_text(chosen, _material(public_key, private=False))
        elif private_key is not None:
            key = private_key_from_pem(chosen, _material(private_key, private=True))
        else:
            raise PolicyError("give one of generate, secret, public_key, private_key")
        return self.session.set_key(ref, key, self._now())

    @property
    def pending(self) -> list[str]:
        return [change.describe() for change in self.session.pending]

    def save(self) -> int:
        """Write every pending change (all or nothing); each is audited. Returns the count."""
        return self._runner.run(self.session.save())

    # --- tokens ---------------------------------------------------------------------------

    def token(
        self,
        scope: str,
        direction: str = "play",
        *,
        ttl: str | int | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> TokenReport:
        """Issue a token for an alias with its effective key, explained as its server would."""
        ref = self._readable(scope)
        if ref.alias is None:
            raise TokenBuildError("a token is for one alias: give 'APP/ALIAS'")
        app, alias = self.config.resolve(ref)
        policy = effective_policy(app, alias, Direction(direction))
        if policy.key is None:
            raise TokenBuildError(f"{ref} has no key for {direction} tokens")
        seconds = (
            parse_duration(ttl) if isinstance(ttl, str) else ttl or self.config.settings.token_ttl
        )
        now = self._clock()
        claim_set = build_claims(
            app.kind, Direction(direction), ref.alias, now=now, ttl=seconds, extra=claims
        )
        token = sign(claim_set, policy.key.key)
        return TokenReport(self._explain(token, ref, Direction(direction), now), token)

    def forms(self, token: str, scope: str, direction: str = "play") -> dict[str, Any]:
        """``token`` as the alias's players and encoders take it (``token --json``'s forms)."""
        ref = self._loaded(scope)
        if ref.alias is None:
            raise TokenBuildError("the forms are for one alias: give 'APP/ALIAS'")
        found = delivery_forms(self.config.resolve(ref)[0], ref.alias, Direction(direction), token)
        if found.missing:
            warnings.warn(found.missing, stacklevel=2)
        return forms_view(found)

    def explain(self, token: str, scope: str, direction: str = "play") -> TokenReport:
        """What ``scope``'s server would make of ``token``: checked against every key it
        holds (two during a rotation), naming the one that matched."""
        ref = self._loaded(scope)
        return TokenReport(self._explain(token, ref, Direction(direction), self._clock()))

    def _explain(self, token: str, ref: ScopeRef, direction: Direction, now: float) -> Explanation:
        policy = effective_policy(*self.config.resolve(ref), direction)
        ttl = self.config.settings.token_ttl
        return explain(token, policy, stream=ref.alias, now=now, token_ttl=ttl)

    def probe(self, scope: str, direction: str | None = None) -> Table:
        """Ask the server's delivery endpoint whether ``scope`` enforces tokens as it is set
        here (``streamconsole probe``): a row per direction and alias, with each request's
        status code, the outcome and the verdict. Only on a server (``open_server``)."""
        # Here: httpx (~0.3 s to import) only for a probe; a file's console never needs it.
        from streamconsole.backends.delivery_probe import probe_source

        directions = [Direction(direction)] if direction else None
        results = self._runner.run(probe_source(self.source, self.config, scope, directions))
        return Table(tuple(result.to_dict() for result in results))

    # --- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        self._runner.run(self.source.aclose())
        self._runner.stop()

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_config(
    path: str | Path, *, read_only: bool = False, audit: AuditLog | None = None
) -> Console:
    """A Console on a TOML config file."""
    return Console(open_source(Path(path), read_only=read_only), read_only=read_only, audit=audit)


def open_server(
    config_path: str | Path,
    server: str,
    *,
    read_only: bool = False,
    audit: AuditLog | None = None,
) -> Console:
    """A Console on the ``[servers.NAME]`` of a config; credentials come from its env/file."""
    source = open_source(Path(config_path), server=server, read_only=read_only)
    return Console(source, read_only=read_only, audit=audit)
