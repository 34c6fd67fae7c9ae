"""What an operator should be warned of about one scope: enforcement without a key, keys the
console cannot see, one-time tokens beside JWT, inline keys, public keys only, key age.

``show``, the console's detail and ⚠ markers, and ``check`` all take their words from here.
"""

from __future__ import annotations

from datetime import datetime

from streamconsole.core.key_age import age_warning
from streamconsole.core.key_records import KeyOrigin
from streamconsole.core.keys import KeyFamily
from streamconsole.core.model import Alias, Application, Direction
from streamconsole.core.policy import effective_policy


def one_time_token_warning(app: Application, alias: Alias | None, direction: Direction) -> str:
    """The warning for one-time tokens (Ant Media) on beside enforced JWT for ``direction``;
    "" when they are not both on. ``show``, the console and ``check`` all warn with this.

    A server before 2.9 checks both, so every client needs two tokens; since 2.9 the server
    refuses to save such settings (``AntMediaApplicationAdapter.isTokenSecuritySettingsValid``),
    but still holds them when they come from its properties file: then every save of the
    application is refused, whatever it changes."""
    if direction in app.one_time_token and effective_policy(app, alias, direction).enforced:
        return (
            f"{direction}: one-time tokens and JWT are both on; use one token type per "
            "direction (Ant Media Server 2.9 and later refuses every save of the application "
            "until one is off)"
        )
    return ""


def policy_warnings(app: Application, alias: Alias | None, now: datetime) -> list[str]:
    """Plain-language warnings an operator should see for one scope."""
    warnings: list[str] = []
    settings = alias.settings if alias is not None else app.settings
    remote = settings.remote_keys if settings is not None else ()
    for direction in app.kind.directions:
        policy = effective_policy(app, alias, direction)
        if policy.enforced and policy.key is None and remote:
            warnings.append(
                f"the server holds write-only keys ({len(remote)}) this console does not know: "
                "tokens cannot be issued or checked here until a rotation"
            )
        elif policy.enforced and policy.key is None:
            warnings.append(
                f"{direction} JWT is enforced but no key is set: every {direction} is refused"
            )
        double = one_time_token_warning(app, alias, direction)
        if double:
            warnings.append(double)
    key = effective_policy(app, alias, app.kind.directions[0]).key
    if key is not None:
        if key.origin is KeyOrigin.INLINE:
            warnings.append("the key is written inline in the config file; move it to a key file")
        if key.key.family is not KeyFamily.HMAC and not key.key.can_sign:
            warnings.append("no private key configured: tokens can be verified but not issued")
        age = age_warning(key.created, app.max_key_age, now)
        if age:
            warnings.append(age)
    return warnings
