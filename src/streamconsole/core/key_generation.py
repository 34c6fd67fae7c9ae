"""New keys: a random shared secret, or an RSA or EC key pair."""

from __future__ import annotations

import secrets

# serialization is used by AsymmetricKey.from_private, which imports it where it is
# needed; imported with this module too, on the thread that loads it (the console's UI),
# so that a key pair's first use on a worker's thread does not import it: ~90 ms under
# the import lock while the UI waits for the GIL.
from cryptography.hazmat.primitives import serialization  # noqa: F401
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from streamconsole.core.errors import KeyValidationError
from streamconsole.core.keys import (
    MIN_RSA_BITS,
    Algorithm,
    AsymmetricKey,
    Key,
    KeyFamily,
    PrivateKeyObject,
    SharedKey,
    ec_curve,
)
from streamconsole.core.secret import Secret


def generate_shared_key(algorithm: Algorithm, *, min_chars: int = 0) -> SharedKey:
    """A random secret as URL-safe text: usable as UTF-8 by every server, 6 bits per char."""
    if algorithm.family is not KeyFamily.HMAC:
        raise KeyValidationError(f"{algorithm} uses a key pair; generate a key pair instead")
    chars = max(min_chars, -(-algorithm.min_secret_bytes * 8 // 6))
    text = secrets.token_urlsafe(chars)[:chars]
    return SharedKey(algorithm, Secret(text))


def generate_key_pair(algorithm: Algorithm, *, rsa_bits: int = 3072) -> AsymmetricKey:
    """An RSA or EC key pair. RSA generation takes ~0.1–2 s: run it off the UI thread."""
    private: PrivateKeyObject
    if algorithm.family is KeyFamily.RSA:
        if rsa_bits < MIN_RSA_BITS:
            raise KeyValidationError(f"RSA keys need at least {MIN_RSA_BITS} bits")
        private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    elif algorithm.family is KeyFamily.EC:
        private = ec.generate_private_key(ec_curve(algorithm))
    else:
        raise KeyValidationError(f"{algorithm} uses a shared secret; generate a secret instead")
    return AsymmetricKey.from_private(algorithm, private)


def generate_key(algorithm: Algorithm, *, min_chars: int = 0, rsa_bits: int = 3072) -> Key:
    if algorithm.family is KeyFamily.HMAC:
        return generate_shared_key(algorithm, min_chars=min_chars)
    return generate_key_pair(algorithm, rsa_bits=rsa_bits)
