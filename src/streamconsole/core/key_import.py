"""Keys from text: a public key given as PEM or JWK, a private key given as PEM, each
checked against the algorithm it is to serve (RSA size, EC curve).

An RSA key file in the usual form is read by :mod:`streamconsole.core.pem` without
``cryptography``, which is imported only for any other key: listing a config needs the keys'
numbers, not key objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamconsole.core.errors import KeyValidationError
from streamconsole.core.jwk import JWK_CURVES, PublicKeyObject, public_key_from_jwk, rsa_jwk
from streamconsole.core.keys import (
    MIN_RSA_BITS,
    Algorithm,
    AsymmetricKey,
    KeyFamily,
    ec_curve,
    public_pem_text,
)
from streamconsole.core.pem import pem_kind, rsa_private_key, rsa_public_key
from streamconsole.core.secret import Secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from streamconsole.core.pem import RsaRead


def _check_asymmetric(algorithm: Algorithm, key: PublicKeyObject) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if algorithm.family is KeyFamily.HMAC:
        raise KeyValidationError(f"{algorithm} needs a shared secret, not a public key")
    if algorithm.family is KeyFamily.RSA:
        if not isinstance(key, rsa.RSAPublicKey):
            raise KeyValidationError(f"{algorithm} needs an RSA key; this is an EC key")
        if key.key_size < MIN_RSA_BITS:
            raise KeyValidationError(
                f"the RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are needed"
            )
        return
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise KeyValidationError(f"{algorithm} needs an EC key; this is an RSA key")
    expected = ec_curve(algorithm)
    if key.curve.name != expected.name:
        raise KeyValidationError(
            f"{algorithm} needs curve {JWK_CURVES[expected.name]}, the key is on {key.curve.name}"
        )


def public_key_from_text(algorithm: Algorithm, text: str) -> AsymmetricKey:
    """Import a public key given as PEM or as a JWK (JSON). Refuses private keys."""
    stripped = text.strip()
    if stripped.startswith("{"):
        jwk_key = public_key_from_jwk(stripped)
        _check_asymmetric(algorithm, jwk_key)
        return AsymmetricKey(algorithm, public_pem_text(jwk_key))
    kind = pem_kind(stripped)
    if kind == "private":
        raise KeyValidationError(
            "this is a PRIVATE key; the server must only get the public key. "
            "Import it as a private key to derive the public key from it"
        )
    if kind != "public":
        raise KeyValidationError("expected a PEM public key ('-----BEGIN PUBLIC KEY-----') or JWK")
    if read := _read_rsa(algorithm, stripped, rsa_public_key):
        return read
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = serialization.load_pem_public_key(stripped.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise KeyValidationError("the PEM public key could not be parsed") from None
    except UnsupportedAlgorithm:  # an unknown key type or curve: not a ValueError
        raise KeyValidationError("the PEM public key's type or curve is not supported") from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyValidationError("only RSA and EC public keys are supported")
    _check_asymmetric(algorithm, key)
    return AsymmetricKey(algorithm, public_pem_text(key))


def private_key_from_pem(
    algorithm: Algorithm, text: str, *, check_rsa_math: bool = True
) -> AsymmetricKey:
    """Import an unencrypted PEM private key; the public key is derived from it.

    ``check_rsa_math=False`` skips OpenSSL's RSA consistency checks (~40 ms a key): for a
    key file the operator configured next to its public key, whose fingerprint the caller
    compares; a key pasted or imported from elsewhere keeps the full check.
    """
    if pem_kind(text) != "private":
        raise KeyValidationError("expected a PEM private key ('-----BEGIN PRIVATE KEY-----')")
    if not check_rsa_math and (read := _read_rsa(algorithm, text, rsa_private_key)):
        return read
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = serialization.load_pem_private_key(
            text.strip().encode("ascii"),
            password=None,
            unsafe_skip_rsa_key_validation=not check_rsa_math,
        )
    except TypeError:
        raise KeyValidationError("the private key is encrypted; decrypt it first") from None
    except (ValueError, UnicodeEncodeError):
        raise KeyValidationError("the PEM private key could not be parsed") from None
    except UnsupportedAlgorithm:
        raise KeyValidationError("the PEM private key's type or curve is not supported") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyValidationError("only RSA and EC private keys are supported")
    _check_asymmetric(algorithm, key.public_key())
    return AsymmetricKey.from_private(algorithm, key)


def _read_rsa(
    algorithm: Algorithm, text: str, reader: Callable[[str], RsaRead | None]
) -> AsymmetricKey | None:
    """An RSA key :mod:`streamconsole.core.pem` reads without ``cryptography``; None when it
    cannot, or the key is too short (the full path then says why, as for any other)."""
    if algorithm.family is not KeyFamily.RSA:
        return None
    read = reader(text)
    if read is None or read.n.bit_length() < MIN_RSA_BITS:
        return None
    private = None if read.private_pem is None else Secret(read.private_pem)
    key = AsymmetricKey(algorithm, read.public_pem, private, check_private_math=False)
    key.__dict__["jwk"] = rsa_jwk(read.n, read.e)
    return key
