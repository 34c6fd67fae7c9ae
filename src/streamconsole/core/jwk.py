"""JSON Web Keys: a public key as a JWK (RFC 7517/7518), its thumbprint (RFC 7638), and a
JWK read back into a public key object.

Works on ``cryptography`` key objects only; which algorithm a key may serve is decided by
:mod:`streamconsole.core.keys`.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, TypeAlias

from streamconsole.core.errors import KeyValidationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

# cryptography is imported where a key object is handled (see streamconsole.core.keys).
PublicKeyObject: TypeAlias = "rsa.RSAPublicKey | ec.EllipticCurvePublicKey"

# cryptography's curve names → JWK "crv"
JWK_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JOSE writes bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(value: int) -> str:
    """RFC 7518 §6.3.1: an RSA integer as its shortest big-endian bytes, base64url."""
    return b64url(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def rsa_jwk(n: int, e: int) -> dict[str, str]:
    """An RSA public key's JWK, from its modulus and exponent."""
    return {"kty": "RSA", "n": _b64url_int(n), "e": _b64url_int(e)}


def public_jwk(key: PublicKeyObject) -> dict[str, str]:
    """``key`` as a JWK, built from its numbers."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return rsa_jwk(numbers.n, numbers.e)
    point = key.public_numbers()
    size = (key.curve.key_size + 7) // 8  # EC coordinates keep their full length
    return {
        "kty": "EC",
        "crv": JWK_CURVES.get(key.curve.name, key.curve.name),
        "x": b64url(point.x.to_bytes(size, "big")),
        "y": b64url(point.y.to_bytes(size, "big")),
    }


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256), base64url."""
    members = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    # §3.2: the required members in lexicographic order, as JSON without whitespace. Their
    # values (base64url, "RSA" or "EC", a curve's name) hold no character JSON escapes, so
    # the text is written directly: importing json is ~5 M instructions, 0.15x Python's own
    # start, of every `list` of an RSA key's fingerprint (issue 15).
    canonical = "{" + ",".join(f'"{member}":"{jwk[member]}"' for member in members) + "}"
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _jwk_codecs() -> tuple[type[RSAAlgorithm], type[ECAlgorithm]]:
    # PyJWT costs ~40 ms to import; the console's first frame does not need it.
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    return RSAAlgorithm, ECAlgorithm


def public_key_from_jwk(text: str) -> PublicKeyObject:
    """The public key a JWK (JSON text) holds. Refuses private keys."""
    import json  # a JWK read in (import, paste): not on the paths that list keys

    try:
        jwk = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise KeyValidationError("the JWK is not valid JSON") from None
    if not isinstance(jwk, dict):
        raise KeyValidationError("a JWK must be a JSON object")
    if "d" in jwk or "p" in jwk:
        raise KeyValidationError(
            "this JWK contains a PRIVATE key; the server must only get the public key"
        )
    kty = jwk.get("kty")
    if kty not in ("RSA", "EC"):
        raise KeyValidationError(f"unsupported JWK key type {kty!r}; expected 'RSA' or 'EC'")
    try:
        rsa_codec, ec_codec = _jwk_codecs()
        key = rsa_codec.from_jwk(jwk) if kty == "RSA" else ec_codec.from_jwk(jwk)
    except Exception:  # PyJWT raises several unrelated types for bad JWKs
        raise KeyValidationError(f"the {kty} JWK could not be parsed") from None
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyValidationError("the JWK does not hold a public key")
    return key
