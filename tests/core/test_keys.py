"""Keys: validation of shared secrets and public keys, generation, import, fingerprints."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from streamconsole.core.errors import KeyValidationError
from streamconsole.core.jwk import public_jwk, thumbprint
from streamconsole.core.key_generation import generate_key, generate_key_pair, generate_shared_key
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import (
    ANTMEDIA_MIN_SECRET_CHARS,
    MIN_RSA_BITS,
    Algorithm,
    AsymmetricKey,
    KeyFamily,
    SecretEncoding,
    SharedKey,
    parse_algorithm,
    shared_key,
)
from streamconsole.core.pem import pem_kind
from streamconsole.core.secret import Secret

from .support import VENDOR_SECRET, b64url, read_key_file

HMAC_ALGORITHMS = [a for a in Algorithm if a.family is KeyFamily.HMAC]
RSA_ALGORITHMS = [a for a in Algorithm if a.family is KeyFamily.RSA]
EC_ALGORITHMS = [a for a in Algorithm if a.family is KeyFamily.EC]

# RFC 7638 §3.1: the example RSA key and its SHA-256 JWK thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
    "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2"
    "QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6"
    "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

# A secret with many distinct bytes, cut to length by the tests that need one.
ALPHABET = string.ascii_letters + string.digits + "-_"
LONG_SECRET = (ALPHABET * 3)[:128]


def pem_of(public: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem_of(
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
    encryption: serialization.KeySerializationEncryption | None = None,
) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, fmt, encryption or serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_1024() -> rsa.RSAPrivateKey:
    # The weak key is the point: the console must refuse it.
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505


@pytest.fixture(scope="module")
def p384() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(0x5EC384, ec.SECP384R1())


# --- algorithms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "family", "bits", "min_bytes"),
    [
        (Algorithm.HS256, KeyFamily.HMAC, 256, 32),
        (Algorithm.HS384, KeyFamily.HMAC, 384, 48),
        (Algorithm.HS512, KeyFamily.HMAC, 512, 64),
        (Algorithm.RS256, KeyFamily.RSA, 256, 32),
        (Algorithm.RS512, KeyFamily.RSA, 512, 64),
        (Algorithm.ES256, KeyFamily.EC, 256, 32),
        (Algorithm.ES384, KeyFamily.EC, 384, 48),
    ],
)
def test_algorithm_properties(
    algorithm: Algorithm, family: KeyFamily, bits: int, min_bytes: int
) -> None:
    assert algorithm.family is family
    assert algorithm.bits == bits
    assert algorithm.min_secret_bytes == min_bytes


def test_parse_algorithm() -> None:
    assert parse_algorithm("HS512") is Algorithm.HS512


@pytest.mark.parametrize("text", ["none", "hs256", "PS256", "EdDSA", "", "HS256 "])
def test_parse_algorithm_refuses_others_and_lists_the_choices(text: str) -> None:
    with pytest.raises(KeyValidationError, match="unknown algorithm") as caught:
        parse_algorithm(text)
    assert "HS256, HS384, HS512, RS256" in str(caught.value)


# --- shared secrets: validation ------------------------------------------------------------


def test_vendor_example_secret_is_accepted_for_ant_media() -> None:
    key = shared_key(Algorithm.HS256, VENDOR_SECRET, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
    assert len(VENDOR_SECRET) == 32 == ANTMEDIA_MIN_SECRET_CHARS
    assert key.hmac_key == VENDOR_SECRET.encode("utf-8")
    assert key.signing_key == key.verifying_key == key.hmac_key
    assert key.can_sign
    assert key.family is KeyFamily.HMAC
    assert key.encoding is SecretEncoding.UTF8


def test_a_31_character_secret_is_refused_for_ant_media_naming_the_length() -> None:
    # Multi-byte characters make 31 characters > 32 bytes: only the server's floor refuses it.
    secret = "é" + VENDOR_SECRET[:30]
    assert len(secret) == 31
    assert len(secret.encode()) >= 32
    shared_key(Algorithm.HS256, secret)  # fine without the floor
    with pytest.raises(KeyValidationError, match=r"31 characters.*at least 32"):
        shared_key(Algorithm.HS256, secret, min_chars=ANTMEDIA_MIN_SECRET_CHARS)


@pytest.mark.parametrize(
    ("algorithm", "length"), [(Algorithm.HS256, 32), (Algorithm.HS384, 48), (Algorithm.HS512, 64)]
)
def test_secret_length_floor_is_the_hash_size(algorithm: Algorithm, length: int) -> None:
    assert len(shared_key(algorithm, LONG_SECRET[:length]).hmac_key) == length
    with pytest.raises(KeyValidationError) as caught:
        shared_key(algorithm, LONG_SECRET[: length - 1])
    assert str(caught.value) == (
        f"the secret is {length - 1} bytes; {algorithm} needs at least {length} bytes"
    )


def test_hs512_refuses_a_secret_that_is_enough_for_hs256() -> None:
    shared_key(Algorithm.HS256, LONG_SECRET[:63])
    with pytest.raises(KeyValidationError, match="63 bytes; HS512 needs at least 64"):
        shared_key(Algorithm.HS512, LONG_SECRET[:63])


@pytest.mark.parametrize(
    "secret",
    [
        " " + LONG_SECRET[:40],
        LONG_SECRET[:40] + " ",
        LONG_SECRET[:40] + "\n",
        LONG_SECRET[:40] + "\r\n",
        "\t" + LONG_SECRET[:40],
        LONG_SECRET[:40] + "\u00a0",  # no-break space pasted from a web page
    ],
    ids=["lead-space", "trail-space", "newline", "crlf", "tab", "nbsp"],
)
def test_surrounding_white_space_is_refused(secret: str) -> None:
    with pytest.raises(KeyValidationError, match="white space"):
        shared_key(Algorithm.HS256, secret)


@pytest.mark.parametrize(
    "secret", ["a" * 64, "ab" * 32, "abcdefg" * 10, "\x00" * 64], ids=["1", "2", "7", "nul"]
)
def test_low_entropy_secrets_are_refused(secret: str) -> None:
    with pytest.raises(KeyValidationError, match="fewer than 8 distinct bytes"):
        shared_key(Algorithm.HS256, secret)


def test_eight_distinct_bytes_is_enough() -> None:
    assert shared_key(Algorithm.HS256, "abcdefgh" * 4).hmac_key == b"abcdefgh" * 4


def test_hex_secret_is_decoded_to_bytes() -> None:
    raw = bytes(range(32))
    key = shared_key(Algorithm.HS256, raw.hex(), SecretEncoding.HEX)
    assert key.hmac_key == raw
    assert shared_key(Algorithm.HS256, raw.hex().upper(), SecretEncoding.HEX).hmac_key == raw


def test_hex_secret_is_counted_in_bytes_not_characters() -> None:
    # 62 hex characters are 31 bytes: too short for HS256 although 62 > 32 characters.
    with pytest.raises(KeyValidationError, match="31 bytes"):
        shared_key(Algorithm.HS256, bytes(range(31)).hex(), SecretEncoding.HEX)


@pytest.mark.parametrize("text", ["abc", "zz" * 32, "0x" + "ab" * 32, "é" * 64])
def test_invalid_hex_is_refused(text: str) -> None:
    with pytest.raises(KeyValidationError, match="not valid hex text"):
        shared_key(Algorithm.HS256, text, SecretEncoding.HEX)


@pytest.mark.parametrize("padded", [False, True])
def test_base64url_secret_is_decoded_to_bytes(padded: bool) -> None:
    raw = bytes(range(200, 248))  # includes bytes that encode to '-' and '_'
    text = base64.urlsafe_b64encode(raw).decode()
    text = text if padded else text.rstrip("=")
    key = shared_key(Algorithm.HS384, text, SecretEncoding.BASE64URL)
    assert key.hmac_key == raw


@pytest.mark.parametrize(
    "text",
    [
        b64url(bytes(range(40)))[:-1] + "!",  # a character outside the alphabet
        "!!!!" + b64url(bytes(range(40))),  # would be skipped silently by a lenient decoder
        b64url(bytes(range(42))) + "A",  # length ≡ 1 (mod 4): not base64 at all
        "é" * 60,
    ],
    ids=["bang-end", "bang-start", "length", "non-ascii"],
)
def test_invalid_base64url_is_refused(text: str) -> None:
    with pytest.raises(KeyValidationError, match="not valid base64url text"):
        shared_key(Algorithm.HS256, text, SecretEncoding.BASE64URL)


@pytest.mark.parametrize("algorithm", [*RSA_ALGORITHMS, *EC_ALGORITHMS])
def test_a_shared_secret_for_a_key_pair_algorithm_is_refused(algorithm: Algorithm) -> None:
    with pytest.raises(KeyValidationError, match="needs a public key"):
        shared_key(algorithm, LONG_SECRET)


def test_min_chars_counts_characters_before_decoding() -> None:
    text = bytes(range(32)).hex()  # 64 characters, 32 bytes
    shared_key(Algorithm.HS256, text, SecretEncoding.HEX, min_chars=64)
    with pytest.raises(KeyValidationError, match="64 characters; this server needs at least 65"):
        shared_key(Algorithm.HS256, text, SecretEncoding.HEX, min_chars=65)


@pytest.mark.parametrize(
    ("secret", "encoding", "algorithm"),
    [
        (" " + LONG_SECRET[:40], SecretEncoding.UTF8, Algorithm.HS256),
        ("Zx9" * 10, SecretEncoding.UTF8, Algorithm.HS256),
        ("Zx9Qw" * 12, SecretEncoding.UTF8, Algorithm.HS512),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", SecretEncoding.UTF8, Algorithm.HS256),
        ("q" + "0123456789abcdef" * 4, SecretEncoding.HEX, Algorithm.HS256),
        ("%%" + LONG_SECRET[:50], SecretEncoding.BASE64URL, Algorithm.HS256),
        (LONG_SECRET[:40], SecretEncoding.UTF8, Algorithm.RS256),
    ],
)
def test_error_messages_never_contain_the_secret(
    secret: str, encoding: SecretEncoding, algorithm: Algorithm
) -> None:
    with pytest.raises(KeyValidationError) as caught:
        shared_key(algorithm, secret, encoding, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
    message = str(caught.value)
    assert secret.strip() not in message
    assert secret.strip()[:12] not in message


# --- shared secrets: fingerprints ----------------------------------------------------------


def test_shared_fingerprint_is_stable() -> None:
    # Pinned: operators compare fingerprints across versions and machines.
    first = shared_key(Algorithm.HS256, VENDOR_SECRET).fingerprint
    assert first == shared_key(Algorithm.HS256, VENDOR_SECRET).fingerprint
    assert first == "hs:" + b64url(
        hashlib.sha256(b"streamconsole-hmac-fingerprint\x00" + VENDOR_SECRET.encode()).digest()[:16]
    )
    assert len(first) == 3 + 22


def test_shared_fingerprint_identifies_key_bytes_not_spelling() -> None:
    raw = VENDOR_SECRET.encode()
    as_hex = shared_key(Algorithm.HS256, raw.hex(), SecretEncoding.HEX)
    as_b64 = shared_key(Algorithm.HS256, b64url(raw), SecretEncoding.BASE64URL)
    as_text = shared_key(Algorithm.HS256, VENDOR_SECRET)
    assert as_hex.fingerprint == as_b64.fingerprint == as_text.fingerprint


def test_shared_fingerprints_differ_across_keys() -> None:
    secrets = [VENDOR_SECRET, VENDOR_SECRET[:-1] + "r", VENDOR_SECRET + "x", LONG_SECRET[:32]]
    prints = {shared_key(Algorithm.HS256, s).fingerprint for s in secrets}
    assert len(prints) == len(secrets)


def test_a_fingerprint_never_contains_the_secret() -> None:
    key = shared_key(Algorithm.HS256, VENDOR_SECRET)
    for spelling in (VENDOR_SECRET, VENDOR_SECRET.encode().hex(), b64url(VENDOR_SECRET.encode())):
        for start in range(len(spelling) - 6):
            assert spelling[start : start + 6] not in key.fingerprint


# --- public keys: import and validation ----------------------------------------------------


def test_fixture_public_pem_imports_with_the_same_thumbprint_as_its_pair(
    rsa_key: AsymmetricKey,
) -> None:
    public = public_key_from_text(Algorithm.RS256, read_key_file("rs256.pub.pem"))
    assert public.fingerprint == rsa_key.fingerprint
    assert public.private_pem is None
    assert not public.can_sign
    assert public.family is KeyFamily.RSA


def test_pem_with_crlf_and_surrounding_space_is_accepted(rsa_key: AsymmetricKey) -> None:
    text = "\n  " + rsa_key.public_pem.replace("\n", "\r\n") + "\n\n"
    assert public_key_from_text(Algorithm.RS512, text).fingerprint == rsa_key.fingerprint


def test_pkcs1_rsa_public_key_is_accepted(rsa_key: AsymmetricKey) -> None:
    pkcs1 = rsa_key.verifying_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    ).decode()
    assert pkcs1.startswith("-----BEGIN RSA PUBLIC KEY-----")
    imported = public_key_from_text(Algorithm.RS256, pkcs1)
    assert imported.fingerprint == rsa_key.fingerprint
    assert imported.public_pem.startswith("-----BEGIN PUBLIC KEY-----")  # stored as SPKI


def test_rsa_below_2048_bits_is_refused(rsa_1024: rsa.RSAPrivateKey) -> None:
    public = rsa_1024.public_key()
    with pytest.raises(KeyValidationError, match=f"1024 bits; at least {MIN_RSA_BITS}"):
        public_key_from_text(Algorithm.RS256, pem_of(public))
    jwk = AsymmetricKey(Algorithm.RS256, pem_of(public)).jwk  # bypasses validation on purpose
    with pytest.raises(KeyValidationError, match="1024 bits"):
        public_key_from_text(Algorithm.RS256, json.dumps(jwk))
    with pytest.raises(KeyValidationError, match="1024 bits"):
        private_key_from_pem(Algorithm.RS256, private_pem_of(rsa_1024))


def test_generating_rsa_below_2048_bits_is_refused() -> None:
    with pytest.raises(KeyValidationError, match="at least 2048 bits"):
        generate_key_pair(Algorithm.RS256, rsa_bits=1024)


def test_ec_curve_mismatch_is_refused(
    ec_key: AsymmetricKey, p384: ec.EllipticCurvePrivateKey
) -> None:
    with pytest.raises(
        KeyValidationError, match="ES384 needs curve P-384, the key is on secp256r1"
    ):
        public_key_from_text(Algorithm.ES384, ec_key.public_pem)
    with pytest.raises(
        KeyValidationError, match="ES256 needs curve P-256, the key is on secp384r1"
    ):
        public_key_from_text(Algorithm.ES256, pem_of(p384.public_key()))
    with pytest.raises(KeyValidationError, match="ES384 needs curve P-384"):
        private_key_from_pem(Algorithm.ES384, read_key_file("es256.pem"))
    assert public_key_from_text(Algorithm.ES384, pem_of(p384.public_key())).can_sign is False


def test_secp256k1_is_not_p256() -> None:
    k1 = ec.derive_private_key(12345, ec.SECP256K1()).public_key()
    with pytest.raises(
        KeyValidationError, match="ES256 needs curve P-256, the key is on secp256k1"
    ):
        public_key_from_text(Algorithm.ES256, pem_of(k1))


def test_family_mismatches_are_refused(rsa_key: AsymmetricKey, ec_key: AsymmetricKey) -> None:
    with pytest.raises(KeyValidationError, match="RS256 needs an RSA key; this is an EC key"):
        public_key_from_text(Algorithm.RS256, ec_key.public_pem)
    with pytest.raises(KeyValidationError, match="ES256 needs an EC key; this is an RSA key"):
        public_key_from_text(Algorithm.ES256, rsa_key.public_pem)
    with pytest.raises(KeyValidationError, match="HS256 needs a shared secret, not a public key"):
        public_key_from_text(Algorithm.HS256, rsa_key.public_pem)
    with pytest.raises(KeyValidationError, match="HS512 needs a shared secret"):
        public_key_from_text(Algorithm.HS512, json.dumps(ec_key.jwk))


def test_ed25519_is_not_supported() -> None:
    public = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    with pytest.raises(KeyValidationError, match="only RSA and EC public keys"):
        public_key_from_text(Algorithm.ES256, pem_of(public))


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
    ids=["pkcs8", "traditional"],
)
@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_private_pem_given_as_public_key_is_refused_saying_so(
    rsa_key: AsymmetricKey, ec_key: AsymmetricKey, fmt: serialization.PrivateFormat, which: str
) -> None:
    pair = rsa_key if which == "rsa" else ec_key
    private_pem = private_pem_of(pair.signing_key, fmt)
    with pytest.raises(KeyValidationError, match="this is a PRIVATE key") as caught:
        public_key_from_text(pair.algorithm, private_pem)
    assert "public key" in str(caught.value)
    assert private_pem.splitlines()[1] not in str(caught.value)


def test_encrypted_private_pem_given_as_public_key_is_refused_saying_so(
    ec_key: AsymmetricKey,
) -> None:
    encrypted = private_pem_of(
        ec_key.signing_key,
        encryption=serialization.BestAvailableEncryption(b"correct horse"),
    )
    assert encrypted.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(KeyValidationError, match="PRIVATE key"):
        public_key_from_text(Algorithm.ES256, encrypted)


@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_private_jwk_given_as_public_key_is_refused_saying_so(
    rsa_key: AsymmetricKey, ec_key: AsymmetricKey, which: str
) -> None:
    signing_key = rsa_key.signing_key if which == "rsa" else ec_key.signing_key
    if isinstance(signing_key, rsa.RSAPrivateKey):
        private_jwk = RSAAlgorithm.to_jwk(signing_key, as_dict=True)
    else:
        private_jwk = ECAlgorithm.to_jwk(signing_key, as_dict=True)
    assert "d" in private_jwk
    with pytest.raises(KeyValidationError, match="JWK contains a PRIVATE key") as caught:
        public_key_from_text(Algorithm.RS256, json.dumps(private_jwk))
    assert private_jwk["d"] not in str(caught.value)


def test_certificate_is_refused(ec_key: AsymmetricKey) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "live.example")])
    start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    signing_key = ec_key.signing_key
    assert isinstance(signing_key, ec.EllipticCurvePrivateKey)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(signing_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
        .sign(signing_key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert pem_kind(pem) == "certificate"
    with pytest.raises(KeyValidationError, match="expected a PEM public key"):
        public_key_from_text(Algorithm.ES256, pem)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a PEM public key"),
        ("ssh-rsa AAAAB3NzaC1yc2E= user@host", "expected a PEM public key"),
        ("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", "could not be parsed"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "could not be parsed"),
        ("-----BEGIN PUBLIC KEY-----\nMFkwé\n-----END PUBLIC KEY-----", "could not be parsed"),
        ("{", "not valid JSON"),
        ('{"kty": "RSA"', "not valid JSON"),
        ('{"kty": "oct", "k": "c2VjcmV0"}', "unsupported JWK key type 'oct'"),
        ('{"keys": []}', "unsupported JWK key type None"),
        ('{"kty": "RSA"}', "RSA JWK could not be parsed"),
        ('{"kty": "RSA", "n": 5, "e": "AQAB"}', "RSA JWK could not be parsed"),
        ('{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}', "EC JWK could not be parsed"),
        ('{"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}', "EC JWK could not be parsed"),
    ],
)
def test_malformed_public_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(KeyValidationError, match=message):
        public_key_from_text(Algorithm.RS256, text)


P256_OID = bytes.fromhex("06082a8648ce3d030107")  # 1.2.840.10045.3.1.7
EC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1


def der_to_pem(der: bytes, label: str) -> str:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def pem_body(pem: str) -> bytes:
    return base64.b64decode("".join(pem.strip().splitlines()[1:-1]))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (P256_OID, P256_OID[:-1] + b"\x08"),  # a curve OID cryptography does not know
        (EC_KEY_OID, EC_KEY_OID[:-1] + b"\x07"),  # a key type OID it does not know
    ],
    ids=["unknown-curve", "unknown-key-type"],
)
def test_unknown_curves_and_key_types_are_refused_not_a_crash(
    ec_key: AsymmetricKey, old: bytes, new: bytes
) -> None:
    # cryptography raises UnsupportedAlgorithm (not a ValueError) for these.
    public_der = pem_body(ec_key.public_pem)
    assert old in public_der
    with pytest.raises(KeyValidationError, match="not supported"):
        public_key_from_text(
            Algorithm.ES256, der_to_pem(public_der.replace(old, new), "PUBLIC KEY")
        )
    private_der = pem_body(read_key_file("es256.pem"))
    assert old in private_der
    with pytest.raises(KeyValidationError, match="not supported"):
        private_key_from_pem(
            Algorithm.ES256, der_to_pem(private_der.replace(old, new), "PRIVATE KEY")
        )


def test_a_deeply_nested_jwk_is_refused_not_a_crash() -> None:
    with pytest.raises(KeyValidationError, match="not valid JSON"):
        public_key_from_text(Algorithm.RS256, '{"kty": ' + "[" * 100_000)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("-----BEGIN PUBLIC KEY-----\n", "public"),
        ("  \n-----BEGIN RSA PUBLIC KEY-----", "public"),
        ("-----BEGIN PRIVATE KEY-----", "private"),
        ("-----BEGIN EC PRIVATE KEY-----", "private"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private"),
        ("-----BEGIN CERTIFICATE-----", "certificate"),
        ("-----BEGIN PGP MESSAGE-----", "unknown"),
        ("PUBLIC KEY", "unknown"),
    ],
)
def test_pem_kind(text: str, kind: str) -> None:
    assert pem_kind(text) == kind


# --- JWK ------------------------------------------------------------------------------------


def test_rfc7638_thumbprint_of_the_example_key() -> None:
    key = public_key_from_text(Algorithm.RS256, json.dumps(RFC7638_JWK))
    assert key.fingerprint == RFC7638_THUMBPRINT
    assert key.jwk["n"] == RFC7638_JWK["n"]
    assert key.jwk["e"] == "AQAB"
    # The same key given as PEM has the same thumbprint: it is of the key, not of the text.
    assert public_key_from_text(Algorithm.RS512, key.public_pem).fingerprint == RFC7638_THUMBPRINT


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1()])
def test_the_thumbprint_hashes_the_json_rfc7638_asks_for(
    rsa_key: AsymmetricKey, curve: ec.EllipticCurve
) -> None:
    """§3.2: the required members only, in lexicographic order, no whitespace (as json.dumps
    writes them sorted and compact); the thumbprint writes that text without json."""
    ec_public = ec.generate_private_key(curve).public_key()
    for jwk in (rsa_key.jwk, {**public_jwk(ec_public), "kid": "not a required member"}):
        required = {name: jwk[name] for name in ("crv", "e", "kty", "n", "x", "y") if name in jwk}
        canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
        expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
        assert thumbprint(jwk) == expected.rstrip(b"=").decode()


@pytest.mark.parametrize("which", ["rsa", "ec"])
def test_jwk_round_trip(rsa_key: AsymmetricKey, ec_key: AsymmetricKey, which: str) -> None:
    pair = rsa_key if which == "rsa" else ec_key
    jwk = pair.jwk
    assert "d" not in jwk
    back = public_key_from_text(pair.algorithm, json.dumps(jwk, indent=2))
    assert back.public_pem == pair.public_pem
    assert back.fingerprint == pair.fingerprint
    assert back.jwk == jwk


def ec_thumbprint(public: ec.EllipticCurvePublicKey, crv: str, size: int) -> str:
    """RFC 7638 computed from the curve point, independently of PyJWT's JWK export."""
    numbers = public.public_numbers()
    members = {
        "crv": crv,
        "kty": "EC",
        "x": b64url(numbers.x.to_bytes(size, "big")),
        "y": b64url(numbers.y.to_bytes(size, "big")),
    }
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def test_ec_thumbprint_keeps_leading_zero_bytes_of_coordinates() -> None:
    # RFC 7518 §6.2.1.2: x and y are full-length octet strings. Find a point whose x starts with
    # a zero byte (about 1 in 256), deterministically.
    private = next(
        key
        for key in (ec.derive_private_key(n, ec.SECP256R1()) for n in range(1, 5000))
        if key.public_key().public_numbers().x < 1 << 248
    )
    key = public_key_from_text(Algorithm.ES256, pem_of(private.public_key()))
    assert len(base64.urlsafe_b64decode(key.jwk["x"] + "==")) == 32
    assert key.fingerprint == ec_thumbprint(private.public_key(), "P-256", 32)


def test_ec_thumbprint_p384(p384: ec.EllipticCurvePrivateKey) -> None:
    key = public_key_from_text(Algorithm.ES384, pem_of(p384.public_key()))
    assert key.jwk["crv"] == "P-384"
    assert key.fingerprint == ec_thumbprint(p384.public_key(), "P-384", 48)


def test_asymmetric_fingerprints_differ_and_ignore_the_private_half(
    rsa_key: AsymmetricKey, ec_key: AsymmetricKey
) -> None:
    assert rsa_key.fingerprint != ec_key.fingerprint
    assert rsa_key.public_only().fingerprint == rsa_key.fingerprint
    assert rsa_key.private_pem is not None
    assert rsa_key.private_pem.reveal() not in rsa_key.fingerprint


# --- private keys --------------------------------------------------------------------------


def test_private_key_import_derives_the_public_key(rsa_key: AsymmetricKey) -> None:
    assert rsa_key.can_sign
    assert rsa_key.public_pem.strip() == read_key_file("rs256.pub.pem").strip()
    only = rsa_key.public_only()
    assert not only.can_sign
    assert only.private_pem is None
    with pytest.raises(KeyValidationError, match="no private key"):
        _ = only.signing_key


def test_private_key_import_refuses_a_public_key(rsa_key: AsymmetricKey) -> None:
    with pytest.raises(KeyValidationError, match="expected a PEM private key"):
        private_key_from_pem(Algorithm.RS256, rsa_key.public_pem)


def test_private_key_import_refuses_an_encrypted_key(ec_key: AsymmetricKey) -> None:
    encrypted = private_pem_of(
        ec_key.signing_key, encryption=serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(KeyValidationError, match="encrypted; decrypt it first"):
        private_key_from_pem(Algorithm.ES256, encrypted)


def test_private_key_import_refuses_garbage() -> None:
    with pytest.raises(KeyValidationError, match="could not be parsed"):
        private_key_from_pem(
            Algorithm.RS256, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        )


def test_traditional_private_pem_imports(rsa_key: AsymmetricKey) -> None:
    traditional = private_pem_of(
        rsa_key.signing_key, serialization.PrivateFormat.TraditionalOpenSSL
    )
    key = private_key_from_pem(Algorithm.RS512, traditional)
    assert key.fingerprint == rsa_key.fingerprint
    assert key.algorithm is Algorithm.RS512


# --- generation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "chars"), [(Algorithm.HS256, 43), (Algorithm.HS384, 64), (Algorithm.HS512, 86)]
)
def test_generated_secret_sizes(algorithm: Algorithm, chars: int) -> None:
    key = generate_key(algorithm)
    assert isinstance(key, SharedKey)
    text = key.secret.reveal()
    assert len(text) == chars  # ceil(bytes * 8 / 6): as many random bits as the hash output
    assert set(text) <= set(ALPHABET)
    assert len(key.hmac_key) >= algorithm.min_secret_bytes
    revalidated = shared_key(algorithm, text)
    assert revalidated.fingerprint == key.fingerprint


@pytest.mark.parametrize("algorithm", HMAC_ALGORITHMS)
def test_generated_secrets_pass_ant_media_floor_and_differ(algorithm: Algorithm) -> None:
    first = generate_shared_key(algorithm, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
    second = generate_shared_key(algorithm, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
    shared_key(algorithm, first.secret.reveal(), min_chars=ANTMEDIA_MIN_SECRET_CHARS)
    assert first.secret != second.secret
    assert first.fingerprint != second.fingerprint


def test_generated_secret_honours_a_larger_floor() -> None:
    key = generate_shared_key(Algorithm.HS256, min_chars=100)
    assert len(key.secret) == 100
    shared_key(Algorithm.HS256, key.secret.reveal(), min_chars=100)


@pytest.mark.parametrize("algorithm", RSA_ALGORITHMS)
def test_generated_rsa_pairs(algorithm: Algorithm) -> None:
    pair = generate_key(algorithm, rsa_bits=2048)
    assert isinstance(pair, AsymmetricKey)
    public = pair.verifying_key
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert public.public_numbers().e == 65537
    assert pair.can_sign
    check_generated_pair_validates(pair)


def test_generated_rsa_default_size_is_3072() -> None:
    pair = generate_key_pair(Algorithm.RS256)
    assert isinstance(pair.verifying_key, rsa.RSAPublicKey)
    assert pair.verifying_key.key_size == 3072


@pytest.mark.parametrize(
    ("algorithm", "curve"), [(Algorithm.ES256, "secp256r1"), (Algorithm.ES384, "secp384r1")]
)
def test_generated_ec_pairs(algorithm: Algorithm, curve: str) -> None:
    pair = generate_key(algorithm)
    assert isinstance(pair, AsymmetricKey)
    public = pair.verifying_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == curve
    check_generated_pair_validates(pair)


def check_generated_pair_validates(pair: AsymmetricKey) -> None:
    assert pair.private_pem is not None
    again = private_key_from_pem(pair.algorithm, pair.private_pem.reveal())
    assert again.fingerprint == pair.fingerprint
    assert public_key_from_text(pair.algorithm, pair.public_pem).fingerprint == pair.fingerprint
    assert pair.private_pem.reveal() not in repr(pair)


def test_generators_refuse_the_wrong_family() -> None:
    with pytest.raises(KeyValidationError, match="generate a key pair instead"):
        generate_shared_key(Algorithm.RS256)
    with pytest.raises(KeyValidationError, match="generate a secret instead"):
        generate_key_pair(Algorithm.HS256)


def test_shared_key_built_directly_keeps_its_secret_masked() -> None:
    key = SharedKey(Algorithm.HS256, Secret(VENDOR_SECRET))
    assert VENDOR_SECRET not in repr(key)


def test_a_config_of_shared_secrets_loads_without_cryptography(tmp_path: Path) -> None:
    """cryptography (~8 MiB, tens of ms) is imported with the first key pair, not before."""
    config = tmp_path / "secrets.toml"
    config.write_text(
        '[applications.live]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq" }\n'
    )
    code = (
        "import sys; from pathlib import Path; "
        "from streamconsole.backends.toml_file import TomlSource; "
        "config = TomlSource(Path(sys.argv[1])).load_sync(); "
        "print(config.applications['live'].settings.key.fingerprint, "
        "'cryptography' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(config)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1:] == ["False"]
    assert out[0]  # the secret's fingerprint, without cryptography
