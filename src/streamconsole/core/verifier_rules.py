"""What a server's token verifier makes of what JWT libraries treat differently: header
extensions (``crit``, ``b64``, ``zip``), a member named twice, and ``iat``.

Ant Media verifies stream tokens with auth0 java-jwt (``JWT.require(Algorithm.HMAC256(
secret)).build().verify(token)``), whose source settles each question: it implements none of
``crit``, ``b64`` and ``zip`` (the payload segment is read as base64url JSON whatever the
header says, as :func:`~streamconsole.core.tokens.decode_unverified` reads it); its Jackson
mapper keeps the last of a duplicated member (no strict duplicate detection), as Python
does; and it refuses a token whose ``iat`` is after its clock (checked by default since
java-jwt 3.6, no leeway), as PyJWT does (java-jwt 4.6.0 read).

THEOlive does not document its CDN's verifier. There the answer is what the RFCs require
and what common libraries do, given as "likely refused" and never as accepted: RFC 7515
§4.1.11 (an unknown ``crit`` extension makes the token invalid; PyJWT, jose and jjwt
refuse it), RFC 7797 (``b64: false`` leaves no base64url claims to read), RFC 7516 §4.1.3
(``zip`` belongs to encrypted tokens; some verifiers inflate, some refuse), RFC 7515 §5.2
and RFC 7519 §4 (a parser may refuse duplicate names).

Each function returns None when the token holds nothing of the kind: these checks appear
in the checklist only for tokens that carry what they look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from streamconsole.core.durations import format_duration
from streamconsole.core.model import ServerKind
from streamconsole.core.text import brief_json
from streamconsole.core.token_times import MAX_EXP_AHEAD_SECONDS, finite, is_number, when_utc
from streamconsole.core.tokens import DecodedToken

_JAVA_JWT = "Ant Media's verifier (auth0 java-jwt)"
_EXTENSIONS = ("crit", "b64", "zip")


class Outcome(StrEnum):
    TAKEN = "taken"  # the server reads past it
    REFUSED = "refused"  # the server's library refuses the token
    LIKELY_REFUSED = "likely refused"  # undocumented verifier; the RFCs and libraries refuse


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    outcome: Outcome
    reason: str


def _refused(kind: ServerKind) -> Outcome:
    return Outcome.REFUSED if kind is ServerKind.ANTMEDIA else Outcome.LIKELY_REFUSED


def header_finding(header: Mapping[str, Any], kind: ServerKind) -> Finding | None:
    """``crit``, ``b64`` and ``zip``, where the header has any."""
    if header.keys().isdisjoint(_EXTENSIONS):
        return None
    present = [name for name in _EXTENSIONS if name in header]
    if kind is ServerKind.ANTMEDIA:
        them = "it" if len(present) == 1 else "them"
        return Finding(
            "header",
            Outcome.TAKEN,
            f"{', '.join(present)} ignored: {_JAVA_JWT} does not implement {them} and reads "
            "the token as checked here",
        )
    problems = [p for p in (_crit_problem(header), _b64_problem(header)) if p]
    if "zip" in header:
        problems.append(
            f"zip {brief_json(header['zip'])}: compression is defined for encrypted tokens "
            "only (RFC 7516 §4.1.3); verifiers differ (some inflate the payload, some refuse)"
        )
    if problems:
        return Finding("header", Outcome.LIKELY_REFUSED, "; ".join(problems))
    said = ", ".join(f"{name} {brief_json(header[name])}" for name in present)
    return Finding("header", Outcome.TAKEN, f"{said}: the usual base64url payload")


def _crit_problem(header: Mapping[str, Any]) -> str:
    if "crit" not in header:
        return ""
    crit = header["crit"]
    shown = brief_json(crit)
    if (
        not isinstance(crit, list)
        or not crit
        or not all(isinstance(name, str) and name in header for name in crit)
    ):
        return f"crit {shown} is not a list of this header's parameters (RFC 7515 §4.1.11)"
    if any(name != "b64" for name in crit):
        return (
            f"crit {shown} names an extension the verifier must understand, or refuse the "
            "token (RFC 7515 §4.1.11)"
        )
    return ""


def _b64_problem(header: Mapping[str, Any]) -> str:
    if "b64" not in header or header["b64"] is True:
        return ""
    return (
        f"b64 {brief_json(header['b64'])}: an unencoded payload (RFC 7797), so a verifier "
        "that honours it finds no base64url claims"
    )


def duplicates_finding(decoded: DecodedToken, kind: ServerKind) -> Finding | None:
    """A member named more than once in the header or the payload."""
    if not decoded.header_duplicates and not decoded.claim_duplicates:
        return None
    parts = [
        f"the {where} names {quoted_names(names)} more than once"
        for where, names in (
            ("header", decoded.header_duplicates),
            ("payload", decoded.claim_duplicates),
        )
        if names
    ]
    said = "; ".join(parts)
    if kind is ServerKind.ANTMEDIA:
        return Finding(
            "duplicates",
            Outcome.TAKEN,
            f"{said}: {_JAVA_JWT} keeps the last of each, as read here",
        )
    return Finding(
        "duplicates",
        Outcome.LIKELY_REFUSED,
        f"{said}: parsers differ (the first, the last, or refuse: RFC 7519 §4 lets a verifier "
        "refuse)",
    )


def quoted_names(names: Sequence[str]) -> str:
    """``"alg", "typ"``: untrusted names quoted and cut, the first three of them."""
    shown = ", ".join(brief_json(name) for name in names[:3])
    return shown if len(names) <= 3 else f"{shown} and {len(names) - 3} more"


def issued_at_finding(claims: Mapping[str, Any], kind: ServerKind, now: float) -> Finding | None:
    """``iat``, where the token has one: servers refuse a token issued in the future."""
    if "iat" not in claims:
        return None
    iat = claims["iat"]
    refused = _refused(kind)
    if kind is ServerKind.ANTMEDIA:
        who = f"{_JAVA_JWT} refuses"
    else:
        who = "common JWT libraries (PyJWT, java-jwt) refuse"
    if not is_number(iat):
        return Finding(
            "iat",
            refused,
            f"{brief_json(iat)} is not a number of seconds (NumericDate): {who} it",
        )
    if not finite(iat) or abs(iat - now) > MAX_EXP_AHEAD_SECONDS:
        side = "future" if iat > now else "past"
        return Finding("iat", refused, f"{brief_json(iat)} is absurdly far in the {side}")
    if iat > now:
        return Finding(
            "iat",
            refused,
            f"issued in the future: {format_duration(iat - now)} from now, at {when_utc(iat)}; "
            f"{who} a token before its iat",
        )
    issued = f"issued {format_duration(now - iat)} ago, at {when_utc(iat)}"
    return Finding("iat", Outcome.TAKEN, issued)
