"""RSA keys read without cryptography (core.pem) agree with cryptography, always.

The reader may decline any key (cryptography then parses it, as before); what it accepts must
be what cryptography accepts, with the same numbers, PEM and fingerprint. The DER here is
built by hand, by this file's own encoder, and judged by cryptography.
"""

from __future__ import annotations

import base64

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.core.errors import KeyValidationError
from streamconsole.core.jwk import public_jwk, thumbprint
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import Algorithm
from streamconsole.core.pem import (
    PRIVATE_LABEL,
    PUBLIC_LABEL,
    der_pem,
    pem_der,
    rsa_private_key,
    rsa_private_numbers,
    rsa_public_der,
    rsa_public_key,
    rsa_public_numbers,
)
from streamconsole.core.tokens import sign

from .support import KEY_DIR

# 2048 bits, odd: cryptography does not check that a public modulus is a product of primes
MODULUS = (1 << 2047) | 0xC0FFEE1
RSA_IDENTIFIER = bytes.fromhex("300d06092a864886f70d0101010500")  # rsaEncryption, NULL
PUBLIC_TEXT = (KEY_DIR / "rs256.pub.pem").read_text()
PRIVATE_TEXT = (KEY_DIR / "rs256.pem").read_text()


def der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + der_length(len(content)) + content


def der_integer(value: int) -> bytes:
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def spki(n: int, e: int) -> bytes:
    """A canonical DER RSA SubjectPublicKeyInfo."""
    numbers = der(0x30, der_integer(n) + der_integer(e))
    return der(0x30, RSA_IDENTIFIER + der(0x03, b"\x00" + numbers))


def pkcs8(*integers: int) -> bytes:
    """A canonical DER PKCS #8 RSA private key holding ``integers`` after its version."""
    key = der(0x30, der_integer(0) + b"".join(der_integer(value) for value in integers))
    return der(0x30, der_integer(0) + RSA_IDENTIFIER + der(0x04, key))


def public_numbers(data: bytes) -> tuple[int, int] | None:
    try:
        key = serialization.load_der_public_key(data)
    except ValueError:
        return None
    assert isinstance(key, rsa.RSAPublicKey)
    numbers = key.public_numbers()
    return numbers.n, numbers.e


def private_numbers(data: bytes) -> tuple[int, int] | None:
    """What cryptography reads from a private key when told to skip the arithmetic checks,
    as private_key_from_pem(check_rsa_math=False) does."""
    try:
        key = serialization.load_der_private_key(
            data, password=None, unsafe_skip_rsa_key_validation=True
        )
    except ValueError:
        return None
    assert isinstance(key, rsa.RSAPrivateKey)
    numbers = key.public_key().public_numbers()
    return numbers.n, numbers.e


def written_public(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


# --- key files in the usual form ------------------------------------------------------------


def test_a_public_key_file_reads_as_cryptography_reads_it() -> None:
    assert rsa_public_key(PUBLIC_TEXT) is not None  # the path without cryptography is taken
    key = public_key_from_text(Algorithm.RS256, PUBLIC_TEXT)
    parsed = serialization.load_pem_public_key(PUBLIC_TEXT.encode())
    assert isinstance(parsed, rsa.RSAPublicKey)
    assert key.public_pem == written_public(parsed)
    assert key.fingerprint == thumbprint(public_jwk(parsed))
    assert key.verifying_key.public_numbers() == parsed.public_numbers()


def test_a_private_key_file_reads_as_cryptography_reads_it_and_signs() -> None:
    read = rsa_private_key(PRIVATE_TEXT)
    assert read is not None and read.private_pem is not None
    parsed = serialization.load_pem_private_key(PRIVATE_TEXT.encode(), password=None)
    assert isinstance(parsed, rsa.RSAPrivateKey)
    assert read.public_pem == written_public(parsed.public_key())
    key = private_key_from_pem(Algorithm.RS256, PRIVATE_TEXT, check_rsa_math=False)
    assert key.public_pem == written_public(parsed.public_key())
    assert key.fingerprint == thumbprint(public_jwk(parsed.public_key()))
    token = sign({"sub": "stream1"}, key)
    assert jwt.decode(token, parsed.public_key(), algorithms=["RS256"]) == {"sub": "stream1"}


def test_a_private_key_read_with_its_checks_still_goes_through_cryptography() -> None:
    key = private_key_from_pem(Algorithm.RS256, PRIVATE_TEXT)
    assert "signing_key" in key.__dict__  # parsed (and checked) by cryptography at once
    assert key.check_private_math


def test_the_public_der_written_from_numbers_is_cryptographys() -> None:
    parsed = serialization.load_pem_public_key(PUBLIC_TEXT.encode())
    assert isinstance(parsed, rsa.RSAPublicKey)
    numbers = parsed.public_numbers()
    expected = parsed.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert rsa_public_der(numbers.n, numbers.e) == expected


def test_a_pem_in_other_line_lengths_is_kept_as_cryptography_writes_it() -> None:
    data = pem_der(PUBLIC_TEXT, PUBLIC_LABEL)
    assert data is not None
    lines = base64.encodebytes(data).decode()  # 76-character lines, still valid PEM
    other = f"-----BEGIN PUBLIC KEY-----\n{lines}-----END PUBLIC KEY-----\n"
    assert public_key_from_text(Algorithm.RS256, other).public_pem == PUBLIC_TEXT


# --- anything cryptography refuses is refused; anything unusual is left to it --------------


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=1 << 2100),
    e=st.one_of(st.integers(min_value=0, max_value=1 << 70), st.sampled_from([3, 65537])),
)
def test_public_numbers_are_accepted_exactly_when_cryptography_accepts_them(n: int, e: int) -> None:
    data = spki(n, e)
    assert rsa_public_numbers(data) == public_numbers(data)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=1 << 2100),
    e=st.sampled_from([1, 2, 3, 4, 65537, 1 << 70]),
    rest=st.lists(st.integers(min_value=1, max_value=1 << 1100), min_size=6, max_size=6),
)
def test_private_numbers_read_are_cryptographys(n: int, e: int, rest: list[int]) -> None:
    data = pkcs8(n, e, *rest)
    ours = rsa_private_numbers(data)
    if ours is not None:
        assert ours == private_numbers(data) == (n, e)
    else:  # declined: only for an exponent cryptography would refuse in a public key
        assert public_numbers(spki(n, e)) is None


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_a_changed_public_byte_is_declined_or_read_as_cryptography_reads_it(
    position: int, value: int
) -> None:
    data = bytearray(spki(MODULUS, 65537))
    data[position % len(data)] = value
    ours = rsa_public_numbers(bytes(data))
    if ours is not None:
        assert ours == public_numbers(bytes(data))


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_a_changed_private_byte_is_declined_or_read_as_cryptography_reads_it(
    position: int, value: int
) -> None:
    original = pem_der(PRIVATE_TEXT, PRIVATE_LABEL)
    assert original is not None
    data = bytearray(original)
    data[position % len(data)] = value
    ours = rsa_private_numbers(bytes(data))
    if ours is not None:
        assert ours == private_numbers(bytes(data))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(spki(MODULUS, 65537) + b"\x00", id="trailing-byte"),
        pytest.param(
            der(0x30, bytes.fromhex("300b06092a864886f70d010101") + spki(MODULUS, 3)[17:]),
            id="no-NULL-parameters",
        ),
        pytest.param(
            der(
                0x30,
                RSA_IDENTIFIER
                + der(
                    0x03, b"\x00" + der(0x30, der_integer(MODULUS) + bytes.fromhex("0281030100 01"))
                ),
            ),
            id="long-form-length-for-a-short-one",
        ),
        pytest.param(
            der(0x30, RSA_IDENTIFIER + der(0x03, b"\x00" + der(0x30, b"\x02\x02\x00\x03" * 2))),
            id="integer-with-a-needless-zero",
        ),
    ],
)
def test_forms_other_than_canonical_der_are_left_to_cryptography(data: bytes) -> None:
    assert rsa_public_numbers(data) is None


def test_a_private_key_with_attributes_or_more_primes_is_left_to_cryptography() -> None:
    assert rsa_private_numbers(pkcs8(MODULUS, 65537, *[5] * 6)) is not None
    assert rsa_private_numbers(pkcs8(MODULUS, 65537, *[5] * 7)) is None
    with_attributes = pkcs8(MODULUS, 65537, *[5] * 6)
    body = with_attributes[4:] + bytes.fromhex("a000")  # [0] attributes, empty
    assert rsa_private_numbers(der(0x30, body)) is None


def test_a_pem_with_other_text_is_left_to_cryptography() -> None:
    assert pem_der("comment\n" + PUBLIC_TEXT, PUBLIC_LABEL) is None
    assert pem_der(PUBLIC_TEXT, PRIVATE_LABEL) is None
    assert pem_der(PUBLIC_TEXT.replace("M", "é", 1), PUBLIC_LABEL) is None
    assert der_pem(pem_der(PUBLIC_TEXT, PUBLIC_LABEL) or b"", PUBLIC_LABEL) == PUBLIC_TEXT


def test_a_short_key_read_without_cryptography_gets_the_same_message() -> None:
    short = der_pem(spki((1 << 1023) | 1, 65537), PUBLIC_LABEL)
    with pytest.raises(KeyValidationError, match="the RSA key has 1024 bits; at least 2048"):
        public_key_from_text(Algorithm.RS256, short)


def test_an_exponent_cryptography_refuses_is_refused() -> None:
    with pytest.raises(KeyValidationError, match="could not be parsed"):
        public_key_from_text(Algorithm.RS256, der_pem(spki(MODULUS, 4), PUBLIC_LABEL))
