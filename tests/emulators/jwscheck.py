"""Token checks the way the emulated servers make them, written straight on PyJWT.

Deliberately independent of ``streamconsole.core.tokens``: the emulators are the other side
of the wire, so a shared bug must not make both sides agree.

Signatures are checked with PyJWT's algorithm objects rather than ``jwt.decode`` because the
servers accept short HMAC secrets (THEOlive) without complaint, while ``jwt.decode`` warns
about them, and warning filters are process-global (not safe to juggle from a server thread).
Time claims are checked against an injectable clock so tests can pin "now".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any

import jwt
from jwt.exceptions import InvalidKeyError, PyJWTError
from jwt.utils import base64url_decode

Clock = Callable[[], float]


class ManualClock:
    """A clock that moves only when told to: ``clock()`` is unix seconds."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def claims_if_signed(
    token: str, algorithms: Collection[str], keys: Iterable[str | bytes]
) -> dict[str, Any] | None:
    """The token's claims if its ``alg`` is allowed and one of ``keys`` made its signature."""
    try:
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in algorithms:
            return None
        signing_input, _, signature_b64 = token.rpartition(".")
        signature = base64url_decode(signature_b64)
        payload_b64 = signing_input.partition(".")[2]
        claims = json.loads(base64url_decode(payload_b64))
        algorithm = jwt.get_algorithm_by_name(alg)
    except (PyJWTError, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict):
        return None
    for key in keys:
        try:
            prepared = algorithm.prepare_key(key)
        except (InvalidKeyError, ValueError, TypeError):
            continue  # a key of the other family (PEM for HMAC, secret for RSA)
        if algorithm.verify(signing_input.encode("ascii"), prepared, signature):
            return claims
    return None


def times_ok(claims: dict[str, Any], now: float, *, require_exp: bool) -> bool:
    """``exp`` (required or honoured) and ``nbf`` (honoured) against ``now``, no leeway."""
    exp = claims.get("exp")
    if exp is None:
        if require_exp:
            return False
    elif not _is_number(exp) or exp <= now:
        return False
    nbf = claims.get("nbf")
    return nbf is None or (_is_number(nbf) and nbf <= now)


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a well-formed JWT without checking its signature, else None."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None
