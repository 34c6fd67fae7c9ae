"""Tokens: build claims per server kind, sign, and decode without trusting.

Whether a server would accept a token is :mod:`streamconsole.core.explain`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from streamconsole.core.errors import TokenBuildError
from streamconsole.core.jwk import b64url
from streamconsole.core.keys import Algorithm, Key
from streamconsole.core.model import Direction, ServerKind
from streamconsole.core.text import brief_json

MAX_TOKEN_CHARS = 16 * 1024


def _reserved_claims(kind: ServerKind) -> frozenset[str]:
    if kind is ServerKind.ANTMEDIA:
        return frozenset({"streamId", "type", "exp"})
    if kind is ServerKind.THEOLIVE:
        return frozenset({"exp", "nbf"})
    return frozenset({"sub", "type", "exp", "iat"})


def build_claims(
    kind: ServerKind,
    direction: Direction,
    stream: str,
    *,
    now: float,
    ttl: int,
    not_before: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The claims a server of ``kind`` expects for ``stream`` and ``direction``."""
    if not kind.supports(direction):
        raise TokenBuildError(f"{kind.display_name} has no {direction} tokens")
    if ttl <= 0:
        raise TokenBuildError("the token lifetime must be positive")
    exp = int(now) + ttl
    claims: dict[str, Any]
    if kind is ServerKind.ANTMEDIA:
        claims = {"streamId": stream, "type": str(direction), "exp": exp}
    elif kind is ServerKind.THEOLIVE:
        claims = {"exp": exp}
    else:
        claims = {"sub": stream, "type": str(direction), "iat": int(now), "exp": exp}
    if not_before is not None:
        claims["nbf"] = int(not_before)
    for name, value in (extra or {}).items():
        if name in _reserved_claims(kind):
            raise TokenBuildError(f"claim {name!r} is set by the console for {kind.display_name}")
        claims[name] = value
    return claims


def sign(claims: Mapping[str, Any], key: Key, algorithm: Algorithm | None = None) -> str:
    """A compact JWS of ``claims``, byte for byte what ``jwt.encode`` writes; the key is
    checked by PyJWT once (:func:`_signer`), not on every token."""
    alg = algorithm or key.algorithm
    if alg.family is not key.family:
        raise TokenBuildError(f"cannot sign {alg} with a {key.family} key")
    if not key.can_sign:
        raise TokenBuildError("no private key configured: this key can verify but not sign")
    if not isinstance(claims.get("iss", ""), str):
        raise TokenBuildError("claim 'iss' must be a string")
    payload_claims = dict(claims)
    for name in ("exp", "iat", "nbf"):
        if isinstance(when := payload_claims.get(name), datetime):
            # As jwt.encode does: whole seconds since the epoch, a naive datetime read as UTC
            # (the Python API's extra claims may hold datetimes).
            payload_claims[name] = int(when.replace(tzinfo=when.tzinfo or UTC).timestamp())
    try:
        payload = _COMPACT_JSON.encode(payload_claims)
    except (TypeError, ValueError) as error:
        raise TokenBuildError(f"the claims are not JSON: {error}") from None
    signing_input = _HEADER_SEGMENTS[alg] + b64url(payload.encode("utf-8"))
    jwa, signing_key = _signer(key, alg)
    return f"{signing_input}.{b64url(jwa.sign(signing_input.encode('ascii'), signing_key))}"


# jwt.encode's payload JSON, minus NaN and Infinity (not JSON: a verifier refuses the token).
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
# The header jwt.encode writes ({"alg":…,"typ":"JWT"}, keys sorted), encoded once per algorithm.
_HEADER_SEGMENTS = {
    alg: b64url(_COMPACT_JSON.encode({"alg": alg.value, "typ": "JWT"}).encode()) + "."
    for alg in Algorithm
}

_SIGNERS: WeakKeyDictionary[Key, dict[Algorithm, tuple[Any, Any]]] = WeakKeyDictionary()


def _signer(key: Key, alg: Algorithm) -> tuple[Any, Any]:
    """PyJWT's algorithm object for ``alg`` and ``key``'s signing key as PyJWT prepared it.

    PyJWT refuses an HMAC secret that reads as a PEM, SSH or DER key or as a JWK: those
    checks cost more than signing a token (jwt.encode runs them on every call), so they run
    once per key and algorithm. (Its warning about a short secret is not repeated: keys.py
    refuses a secret shorter than its algorithm's hash.) Held weakly: no secret outlives its
    key."""
    per_key = _SIGNERS.setdefault(key, {})
    found = per_key.get(alg)
    if found is None:
        # late: PyJWT costs tens of ms, and list, show and decode import this module
        from jwt.algorithms import get_default_algorithms

        jwa = get_default_algorithms()[alg.value]
        signing_key = jwa.prepare_key(key.signing_key)
        found = per_key[alg] = (jwa, signing_key)
    return found


# --- decoding -----------------------------------------------------------------------------


class TokenFormatError(ValueError):
    """Why a string is not a decodable JWS compact token (used inside explain)."""


@dataclass(frozen=True, slots=True)
class DecodedToken:
    """A token's parts. Where a JSON object names a member twice, the last one is kept (as
    Python, Jackson and most parsers do) and the name is listed in ``header_duplicates`` or
    ``claim_duplicates``: other parsers keep the first, or refuse the token."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes
    header_duplicates: tuple[str, ...] = ()
    claim_duplicates: tuple[str, ...] = ()

    @property
    def algorithm(self) -> str:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else ""


def _reject_constant(name: str) -> float:
    raise TokenFormatError(f"{name} is not valid JSON")


# One decoder for every token (json.loads with options builds a new one per call).
_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _decode_noting_duplicates(text: str) -> tuple[Any, tuple[str, ...]]:
    """The JSON value, the last of each duplicated member kept, and the duplicated names
    (at any depth), each once."""
    repeated: dict[str, None] = {}

    def last_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        members = dict(pairs)
        if len(members) != len(pairs):
            seen: set[str] = set()
            for name, _ in pairs:
                if name in seen:
                    repeated[name] = None
                seen.add(name)
        return members

    decoder = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=last_wins)
    return decoder.decode(text), tuple(repeated)


def _b64decode(segment: str, what: str) -> bytes:
    if not segment:
        raise TokenFormatError(f"the {what} segment is empty")
    if "=" in segment or not _is_b64url(segment):
        raise TokenFormatError(f"the {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenFormatError(f"the {what} is not base64url") from None


# A pattern: re compiles (and caches) it on first use; issuing a token decodes none.
_B64URL = r"[A-Za-z0-9_-]*"


def _is_b64url(segment: str) -> bool:
    return re.fullmatch(_B64URL, segment) is not None and len(segment) % 4 != 1


def _json_object(data: bytes, what: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The JSON object in ``data`` and the member names it repeats."""
    duplicates: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8")
        value = _JSON.decode(text)
        # Each member written has one colon outside strings: as many colons as members kept
        # means none was written twice (a flat object, the usual token). Otherwise (nested
        # objects, colons in strings, duplicates) decode again, noting them.
        if isinstance(value, dict) and text.count(":") != len(value):
            value, duplicates = _decode_noting_duplicates(text)
    except UnicodeDecodeError:
        raise TokenFormatError(f"the {what} is not UTF-8") from None
    except RecursionError:
        raise TokenFormatError(f"the {what} is nested too deeply") from None
    except ValueError as error:
        raise TokenFormatError(f"the {what} is not JSON ({error})") from None
    if not isinstance(value, dict):
        raise TokenFormatError(f"the {what} is JSON but not an object")
    return value, duplicates


def normalise(token: str) -> str:
    """What an operator pastes: surrounding white space and a ``Bearer`` prefix removed."""
    text = token.strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    return text


def decode_unverified(token: str) -> DecodedToken:
    """Split and parse a compact JWS without checking anything. Raises TokenFormatError."""
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenFormatError(f"the token is {len(token):,} characters; the limit is 16 KiB")
    if not token:
        raise TokenFormatError("the token is empty")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenFormatError(
            f"a JWT has 3 dot-separated segments; this has {len(parts)}"
            + (" (an encrypted JWE?)" if len(parts) == 5 else "")
        )
    header, header_duplicates = _json_object(_b64decode(parts[0], "header"), "header")
    try:
        claims, claim_duplicates = _json_object(_b64decode(parts[1], "payload"), "payload")
    except TokenFormatError as error:
        raise TokenFormatError(f"{error}{_payload_hint(header)}") from None
    signature = _b64decode(parts[2], "signature") if parts[2] else b""
    if not isinstance(header.get("alg"), str):
        raise TokenFormatError("the header has no 'alg' string")
    return DecodedToken(
        header,
        claims,
        f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature,
        header_duplicates,
        claim_duplicates,
    )


def _payload_hint(header: dict[str, Any]) -> str:
    """Why a payload may not read as JSON, where the header tells."""
    if header.get("b64") is False:
        return (
            " (the header says b64: false, an unencoded or detached payload (RFC 7797): servers "
            "read claims only from a base64url JSON payload)"
        )
    if "zip" in header:
        return (
            f" (the header says zip {brief_json(header['zip'])}: a compressed payload; zip is "
            "defined for encrypted tokens only (RFC 7516), a verifier reads a signed token's "
            "payload as plain JSON)"
        )
    return ""
