"""Desired state (a TOML file) against current state (a server): the steps between them.

Steps come in a safe order: keys first (a server must hold the new key before anything
enforces it), then enforcement switched on, then switched off. ``apply`` carries them out
one scope at a time (:meth:`Plan.per_scope`): a scope's key and switches in one save, in
that order. Where the server holds one key, a key step says it is a hard cut-over.
Applications or aliases that
exist on one side only are listed, never created or deleted. A digest of the server state
the plan was made from, and the fingerprint of every key the file holds, let ``apply``
refuse when the server or a key drifted since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from streamconsole.core.edits import Change, set_enforcement, set_key
from streamconsole.core.model import HARD_CUTOVER, Alias, Application, Config, Direction, ScopeRef
from streamconsole.core.policy import effective_policy

STEP_ACTIONS = ("key", "enforce", "relax")


@dataclass(frozen=True, slots=True)
class Step:
    scope: ScopeRef
    action: str  # one of STEP_ACTIONS
    direction: Direction | None
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": str(self.scope),
            "action": self.action,
            "direction": self.direction.value if self.direction else None,
            "description": self.description,
        }


@dataclass(slots=True)
class Plan:
    steps: list[Step] = field(default_factory=list)
    only_desired: list[str] = field(default_factory=list)
    only_current: list[str] = field(default_factory=list)
    current_digest: str = ""
    # Scope → fingerprint of the key the file holds for it: a key file or variable can
    # change while the TOML text stays the same.
    desired_keys: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.steps

    def per_scope(self) -> list[list[Step]]:
        """The steps grouped by scope, scopes in the order of their first step, steps in
        plan order: what one save writes. Ant Media stamps every settings save, and THEOlive
        derives play enforcement from the keys, so a scope's key and switches go together."""
        groups: dict[ScopeRef, list[Step]] = {}
        for step in self.steps:
            groups.setdefault(step.scope, []).append(step)
        return list(groups.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "only_in_file": self.only_desired,
            "only_on_server": self.only_current,
            "server_digest": self.current_digest,
            "desired_keys": self.desired_keys,
        }


def _scopes(app: Application) -> list[Alias | None]:
    """The scopes whose policy a server of this kind holds."""
    return list(app.aliases.values()) if app.kind.policy_per_alias else [None]


def _key_fingerprints(app: Application, alias: Alias | None) -> set[str]:
    settings = alias.settings if alias is not None else app.settings
    known = {k.fingerprint for k in settings.remote_keys if k.fingerprint} if settings else set()
    policy = effective_policy(app, alias, app.kind.directions[0])
    if policy.key is not None:
        known.add(policy.key.fingerprint)
    return known


def state_digest(config: Config) -> str:
    """A stable digest of what a plan depends on: switches and key fingerprints per scope."""
    state: list[Any] = []
    for app in sorted(config.applications.values(), key=lambda a: a.name):
        for alias in _scopes(app):
            policies = [effective_policy(app, alias, d).enforced for d in app.kind.directions]
            name = app.name if alias is None else f"{app.name}/{alias.name}"
            state.append([name, policies, sorted(_key_fingerprints(app, alias))])
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


def key_fingerprints(config: Config) -> dict[str, str]:
    """Scope → fingerprint of the key each scope of ``config`` holds (scopes without one
    are left out), in scope order."""
    keys: dict[str, str] = {}
    for app in sorted(config.applications.values(), key=lambda a: a.name):
        for alias in _scopes(app):
            key = effective_policy(app, alias, app.kind.directions[0]).key
            if key is not None:
                scope = ScopeRef(app.name, alias.name if alias is not None else None)
                keys[str(scope)] = key.fingerprint
    return keys


def make_plan(desired: Config, current: Config) -> Plan:
    plan = Plan(current_digest=state_digest(current), desired_keys=key_fingerprints(desired))
    plan.only_desired = sorted(set(desired.applications) - set(current.applications))
    plan.only_current = sorted(set(current.applications) - set(desired.applications))
    keys: list[Step] = []
    enforce: list[Step] = []
    relax: list[Step] = []
    for name, want_app in desired.applications.items():
        have_app = current.applications.get(name)
        if have_app is None:
            continue
        if have_app.kind is not want_app.kind:
            plan.only_desired.append(
                f"{name} (file says {want_app.kind}, server is {have_app.kind})"
            )
            continue
        for want_alias in _scopes(want_app):
            have_alias = None
            if want_alias is not None:
                have_alias = have_app.aliases.get(want_alias.name)
                if have_alias is None:
                    plan.only_desired.append(f"{name}/{want_alias.name}")
                    continue
            ref = ScopeRef(name, want_alias.name if want_alias is not None else None)
            want_key = effective_policy(want_app, want_alias, want_app.kind.directions[0]).key
            have_keys = _key_fingerprints(have_app, have_alias)
            if want_key is not None and want_key.fingerprint not in have_keys:
                install = f"{ref}: install key {want_key.fingerprint} ({want_key.algorithm})"
                if have_keys and not have_app.kind.keeps_old_key:
                    install += f"; {HARD_CUTOVER}"
                keys.append(Step(ref, "key", None, install))
            for direction in want_app.kind.directions:
                want = effective_policy(want_app, want_alias, direction).enforced
                have = effective_policy(have_app, have_alias, direction).enforced
                if want and not have:
                    enforce.append(Step(ref, "enforce", direction, f"{ref}: {direction} JWT on"))
                elif have and not want:
                    relax.append(Step(ref, "relax", direction, f"{ref}: {direction} JWT off"))
        for alias_name in have_app.aliases.keys() - want_app.aliases.keys():
            if want_app.kind.policy_per_alias:
                plan.only_current.append(f"{name}/{alias_name}")
    plan.steps = keys + enforce + relax
    plan.only_current.sort()
    return plan


def change_for(step: Step, desired: Config, current: Config, now: Any) -> Change:
    """The edit of ``current`` (the server's model) that carries out ``step``."""
    if step.action == "key":
        app, alias = desired.resolve(step.scope)
        entry = effective_policy(app, alias, app.kind.directions[0]).key
        if entry is None:  # make_plan only emits key steps for scopes with a key
            raise ValueError(f"{step.scope}: the file has no key to install")
        return set_key(current, step.scope, entry.key, now)
    if step.direction is None:  # make_plan gives every enforce/relax step a direction
        raise ValueError(f"{step.scope}: a {step.action} step needs a direction")
    return set_enforcement(current, step.scope, step.direction, step.action == "enforce")
