"""Keys: algorithms, shared secrets and public keys; import, validate, fingerprint.

Shared secrets are held as text and used as their UTF-8 bytes (what Ant Media Server and
THEOlive both do), unless the config says the text is hex or base64 (generic servers).
Parsed ``cryptography`` key objects are cached on the key, so signing and verifying a
thousand tokens parses a PEM once. JWKs and thumbprints are :mod:`streamconsole.core.jwk`;
new keys are made by :mod:`streamconsole.core.key_generation`; how guessable a secret is,
:mod:`streamconsole.core.entropy`.

``cryptography`` is imported where a key pair is handled, not with this module: it costs
~8 MiB and tens of milliseconds that a config of shared secrets never needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from streamconsole.core.entropy import MIN_NEW_SECRET_BITS, EntropyEstimate, estimate_entropy
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.jwk import (
    PublicKeyObject,
    b64url,
    public_jwk,
    thumbprint,
)
from streamconsole.core.record import FrozenRecord
from streamconsole.core.secret import Secret

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa


class KeyFamily(StrEnum):
    HMAC = "hmac"
    RSA = "rsa"
    EC = "ec"


class Algorithm(StrEnum):
    HS256 = "HS256"
    HS384 = "HS384"
    HS512 = "HS512"
    RS256 = "RS256"
    RS384 = "RS384"
    RS512 = "RS512"
    ES256 = "ES256"
    ES384 = "ES384"

    @property
    def family(self) -> KeyFamily:
        return _FAMILIES[self]  # asked several times per token signed or explained

    @property
    def bits(self) -> int:
        return int(self.value[2:])

    @property
    def min_secret_bytes(self) -> int:
        """RFC 7518 §3.2: an HMAC key at least as long as the hash output."""
        return self.bits // 8


class SecretEncoding(StrEnum):
    """How a shared secret's text becomes the HMAC key bytes."""

    UTF8 = "utf-8"
    HEX = "hex"
    BASE64URL = "base64url"


_FAMILY_OF_PREFIX = {"HS": KeyFamily.HMAC, "RS": KeyFamily.RSA, "ES": KeyFamily.EC}
_FAMILIES = {algorithm: _FAMILY_OF_PREFIX[algorithm.value[:2]] for algorithm in Algorithm}

MIN_RSA_BITS = 2048
ANTMEDIA_MIN_SECRET_CHARS = 32


def ec_curve(algorithm: Algorithm) -> ec.EllipticCurve:
    """The curve of an EC algorithm (ES256, ES384)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    curves: dict[Algorithm, type[ec.EllipticCurve]] = {
        Algorithm.ES256: ec.SECP256R1,
        Algorithm.ES384: ec.SECP384R1,
    }
    return curves[algorithm]()


def parse_algorithm(text: str) -> Algorithm:
    try:
        return Algorithm(text)
    except ValueError:
        names = ", ".join(a.value for a in Algorithm)
        raise KeyValidationError(f"unknown algorithm {text!r}; expected one of {names}") from None


class SharedKey(FrozenRecord):
    """An HMAC secret. ``secret`` is the text as configured; see :class:`SecretEncoding`.
    A key is itself: two keys compare equal only when they are the same object (fingerprints
    compare material). No slots: the cached properties below live in its ``__dict__``."""

    algorithm: Algorithm
    secret: Secret
    encoding: SecretEncoding

    def __init__(
        self, algorithm: Algorithm, secret: Secret, encoding: SecretEncoding = SecretEncoding.UTF8
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "algorithm", algorithm)
        set_field(self, "secret", secret)
        set_field(self, "encoding", encoding)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @cached_property
    def hmac_key(self) -> bytes:
        text = self.secret.reveal()
        if self.encoding is SecretEncoding.UTF8:
            return text.encode("utf-8")
        if self.encoding is SecretEncoding.HEX:
            return bytes.fromhex(text)
        # validate=True: the lenient default silently drops characters outside the alphabet.
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)

    @cached_property
    def fingerprint(self) -> str:
        # A domain-separated SHA-256 of the key bytes: identifies the key, and at >= 32 random
        # bytes it cannot be inverted. Only the first 16 bytes are shown.
        digest = hashlib.sha256(b"streamconsole-hmac-fingerprint\x00" + self.hmac_key).digest()
        return "hs:" + b64url(digest[:16])

    @cached_property
    def entropy(self) -> EntropyEstimate:
        return estimate_entropy(self.hmac_key)

    @property
    def signing_key(self) -> bytes:
        return self.hmac_key

    @property
    def verifying_key(self) -> bytes:
        return self.hmac_key

    @property
    def can_sign(self) -> bool:
        return True

    @property
    def family(self) -> KeyFamily:
        return KeyFamily.HMAC


def guessable(key: SharedKey, min_bits: int = MIN_NEW_SECRET_BITS) -> str:
    """Why ``key``'s secret looks guessable (the estimate and its rule, never the secret),
    or "" when it does not."""
    estimate = key.entropy
    if estimate.bits >= min_bits:
        return ""
    return (
        f"the secret looks guessable: an estimated {estimate.bits} bits of entropy, under "
        f"{min_bits} (rule: Shannon entropy per byte × the {estimate.counted} of its "
        f"{estimate.total} bytes that neither repeat an earlier 3-byte sequence nor continue "
        "a run like abc)"
    )


PrivateKeyObject: TypeAlias = "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey"


class AsymmetricKey(FrozenRecord):
    """A public key (what the server holds) and, optionally, its private key (to sign).
    Compared by identity and unslotted, as :class:`SharedKey` is."""

    algorithm: Algorithm
    public_pem: str
    private_pem: Secret | None
    # False for a configured key file whose public numbers matched the configured public key:
    # OpenSSL's RSA arithmetic checks cost ~40 ms a key (see private_key_from_pem).
    check_private_math: bool

    def __init__(
        self,
        algorithm: Algorithm,
        public_pem: str,
        private_pem: Secret | None = None,
        check_private_math: bool = True,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "algorithm", algorithm)
        set_field(self, "public_pem", public_pem)
        set_field(self, "private_pem", private_pem)
        set_field(self, "check_private_math", check_private_math)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        # Not check_private_math: how the key was read, not which key it is.
        return (
            f"AsymmetricKey(algorithm={self.algorithm!r}, public_pem={self.public_pem!r}, "
            f"private_pem={self.private_pem!r})"
        )

    @cached_property
    def verifying_key(self) -> PublicKeyObject:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = serialization.load_pem_public_key(self.public_pem.encode("ascii"))
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise KeyValidationError("only RSA and EC public keys are supported")
        return key

    @cached_property
    def signing_key(self) -> PrivateKeyObject:
        if self.private_pem is None:
            raise KeyValidationError("no private key: this key can verify tokens but not sign them")
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = serialization.load_pem_private_key(
            self.private_pem.reveal_bytes(),
            password=None,
            unsafe_skip_rsa_key_validation=not self.check_private_math,
        )
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyValidationError("only RSA and EC private keys are supported")
        return key

    @property
    def can_sign(self) -> bool:
        return self.private_pem is not None

    @property
    def family(self) -> KeyFamily:
        return self.algorithm.family

    @cached_property
    def jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 7517/7518)."""
        return public_jwk(self.verifying_key)

    @cached_property
    def fingerprint(self) -> str:
        """RFC 7638 JWK thumbprint (SHA-256), base64url."""
        return thumbprint(self.jwk)

    def public_only(self) -> AsymmetricKey:
        return AsymmetricKey(self.algorithm, self.public_pem)

    @classmethod
    def from_private(cls, algorithm: Algorithm, key: PrivateKeyObject) -> AsymmetricKey:
        """The pair a private key object makes (generated, or parsed and checked)."""
        from cryptography.hazmat.primitives import serialization

        private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        public = key.public_key()
        result = cls(algorithm, public_pem_text(public), Secret(private_pem))
        # Seed the cached key objects with the ones in hand: parsing the PEM again would run
        # OpenSSL's RSA checks (~70 ms for 4096 bits) on whichever thread first signs.
        result.__dict__["signing_key"] = key
        result.__dict__["verifying_key"] = public
        return result


Key: TypeAlias = SharedKey | AsymmetricKey


# --- validation ---------------------------------------------------------------------------


def shared_key(
    algorithm: Algorithm,
    secret: str,
    encoding: SecretEncoding = SecretEncoding.UTF8,
    *,
    min_chars: int = 0,
    min_entropy_bits: int = 0,
) -> SharedKey:
    """Validate and wrap a shared secret. ``min_chars`` is a server's own floor (Ant Media:
    32); ``min_entropy_bits`` is for a secret about to be installed (:data:`MIN_NEW_SECRET_BITS`):
    one already in use is read without it, and :func:`guessable` says what to warn about."""
    if algorithm.family is not KeyFamily.HMAC:
        raise KeyValidationError(f"{algorithm} needs a public key, not a shared secret")
    if secret != secret.strip():
        raise KeyValidationError(
            "the secret starts or ends with white space (a stray newline in the key file?)"
        )
    if len(secret) < min_chars:
        raise KeyValidationError(
            f"the secret has {len(secret)} characters; this server needs at least {min_chars}"
        )
    key = SharedKey(algorithm, Secret(secret), encoding)
    try:
        key_bytes = key.hmac_key
    except (ValueError, binascii.Error):
        raise KeyValidationError(f"the secret is not valid {encoding.value} text") from None
    if len(key_bytes) < algorithm.min_secret_bytes:
        raise KeyValidationError(
            f"the secret is {len(key_bytes)} bytes; {algorithm} needs at least "
            f"{algorithm.min_secret_bytes} bytes"
        )
    if len(set(key_bytes)) < 8:
        raise KeyValidationError("the secret has fewer than 8 distinct bytes: it is too weak")
    if min_entropy_bits and (why := guessable(key, min_entropy_bits)):
        raise KeyValidationError(f"{why}; generate a secret instead")
    return key


def public_pem_text(key: PublicKeyObject) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
