"""What the detail warns about, for the list and the status line too: a row shows ⚠ where
its detail has warnings, and the status line counts them, so that at 80×24 (the detail
small or hidden) the operator still sees that there is something to read and where.

Counting runs after every edit, on up to 100k aliases: an alias with no key of its own warns
exactly as every other such alias of its application that switches the same directions, so
that is worked out once per application and switches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from streamconsole.backends.base import scope_path
from streamconsole.core.policy_warnings import policy_warnings

if TYPE_CHECKING:
    from datetime import datetime

    from streamconsole.backends.base import Problem
    from streamconsole.core.model import Alias, Application

_APPLICATIONS = "applications."


def relevant_problems(
    problems: Sequence[Problem], app: Application, alias: Alias | None
) -> list[Problem]:
    """Source warnings about this scope, plus those about no application in particular."""
    app_path = scope_path(app.name)
    alias_path = scope_path(app.name, alias.name) if alias is not None else None

    def under(path: str, prefix: str) -> bool:
        return path == prefix or path.startswith(prefix + ".")

    def about_application_itself(path: str) -> bool:
        return under(path, app_path) and ".aliases." not in path[len(app_path) :]

    chosen: list[Problem] = []
    for problem in problems:
        path = problem.path
        if not path.startswith(_APPLICATIONS):
            relevant = True
        elif alias_path is None:
            relevant = under(path, app_path)
        else:
            relevant = under(path, alias_path) or about_application_itself(path)
        if relevant:
            chosen.append(problem)
    return chosen


class ScopeWarnings:
    """The warnings of every scope at ``now``: the policy's and the source's ``problems``."""

    def __init__(self, problems: Sequence[Problem], now: datetime) -> None:
        self.problems = tuple(problems)
        self.now = now
        self._about_scopes = tuple(p for p in self.problems if p.path.startswith(_APPLICATIONS))
        # By application and what an alias sets of its own: see policy.
        self._shared: dict[tuple[str, bool | None, bool | None], list[str]] = {}

    def policy(self, app: Application, alias: Alias | None) -> list[str]:
        """The policy's warnings for the scope (:func:`policy_warnings`). An alias with no key
        of its own warns exactly as every other such alias of its application that switches
        the same directions: those are worked out once."""
        if alias is None:
            return policy_warnings(app, alias, self.now)
        own = alias.settings
        shared: tuple[str, bool | None, bool | None]
        if own is None:
            shared = (app.name, None, None)
        elif own.key is None and not own.remote_keys:
            shared = (app.name, own.publish, own.play)
        else:
            return policy_warnings(app, alias, self.now)
        found = self._shared.get(shared)
        if found is None:
            found = self._shared[shared] = policy_warnings(app, alias, self.now)
        return found

    def lines(self, app: Application, alias: Alias | None) -> list[str]:
        """Every warning the scope's detail shows: the policy's, then the source's."""
        problems = relevant_problems(self.problems, app, alias)
        return [
            *self.policy(app, alias),
            *(f"{p.path}: {p.message}" if p.path else p.message for p in problems),
        ]

    def marked(self, app: Application, alias: Alias | None) -> bool:
        """Whether the scope's row shows ⚠: a warning of its policy (its own or inherited) or
        a source problem about it; not one about the whole config, which every row shares."""
        if app.policy_unknown:
            return False  # its row says ✗ or ◌: nothing is known to warn about
        return bool(self.policy(app, alias) or relevant_problems(self._about_scopes, app, alias))

    def count_in(self, app: Application) -> int:
        """The policy warnings of ``app`` and its aliases, each counted once, where it comes
        from: an alias's only where its application does not warn the same. (The source's
        problems are counted apart, once each.)"""
        if app.policy_unknown:
            return 0
        own = self.policy(app, None)
        total = len(own)
        setting_nothing: int | None = None  # the extra warnings of an alias setting nothing
        for alias in app.aliases.values():
            if alias.settings is not None:
                total += sum(w not in own for w in self.policy(app, alias))
                continue
            if setting_nothing is None:
                setting_nothing = sum(w not in own for w in self.policy(app, alias))
            total += setting_nothing
        return total
