"""PEM key text: what kind of key it holds, and an RSA key's numbers read without
``cryptography``.

Listing a config with RSA keys needs each key's fingerprint and size, and that its private
key file belongs to it, not a key object: importing ``cryptography`` costs more than the rest
of a ``list`` run. This reads the forms nearly every RSA key file has, canonical DER in a PEM
with nothing around it: a public key as RFC 5280 SubjectPublicKeyInfo, a private key as
RFC 5208 PrivateKeyInfo (PKCS #8) holding an RFC 8017 two-prime RSAPrivateKey, both with the
rsaEncryption identifier. Anything else, or any value ``cryptography`` would refuse, gives
None, and the caller parses the key with ``cryptography`` as before: this path only ever
agrees with that one (tests/core/test_pem.py checks it against ``cryptography``).
"""

from __future__ import annotations

import base64
from typing import Literal, NamedTuple

PemKind = Literal["public", "private", "certificate", "unknown"]

PUBLIC_LABEL = "PUBLIC KEY"
PRIVATE_LABEL = "PRIVATE KEY"
# AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, as DER writes it
RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
VERSION_0 = bytes.fromhex("020100")
SEQUENCE, INTEGER, BIT_STRING, OCTET_STRING = 0x30, 0x02, 0x03, 0x04


class RsaRead(NamedTuple):
    """An RSA key's PEM text as ``cryptography`` writes it, and its public numbers."""

    public_pem: str
    n: int
    e: int
    private_pem: str | None = None


def pem_kind(text: str) -> PemKind:
    head = text.lstrip()[:64]
    if not head.startswith("-----BEGIN "):
        return "unknown"
    if "PRIVATE KEY" in head:
        return "private"
    if "CERTIFICATE" in head:
        return "certificate"
    if "PUBLIC KEY" in head:
        return "public"
    return "unknown"


def pem_der(text: str, label: str) -> bytes | None:
    """The DER bytes of a PEM block labelled ``label`` with nothing but white space around
    it; None for anything else."""
    lines = text.strip().splitlines()
    if len(lines) < 3 or lines[0] != f"-----BEGIN {label}-----":
        return None
    if lines[-1] != f"-----END {label}-----":
        return None
    try:
        return base64.b64decode("".join(line.strip() for line in lines[1:-1]), validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        return None


def der_pem(der: bytes, label: str) -> str:
    """``der`` as PEM in 64-character lines, as ``cryptography`` writes it."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[start : start + 64] for start in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def rsa_public_key(text: str) -> RsaRead | None:
    """An RSA public key's PEM as ``cryptography`` writes it, with its ``n`` and ``e``; None
    unless ``text`` is a canonical one that ``cryptography`` accepts."""
    der = pem_der(text, PUBLIC_LABEL)
    numbers = None if der is None else rsa_public_numbers(der)
    if der is None or numbers is None:
        return None
    return RsaRead(der_pem(der, PUBLIC_LABEL), *numbers)


def rsa_private_key(text: str) -> RsaRead | None:
    """An RSA private key and its public key, as ``cryptography`` writes them; None unless
    ``text`` is a canonical PKCS #8 key that ``cryptography`` reads (without its checks of
    the key's arithmetic, which the caller skips too)."""
    der = pem_der(text, PRIVATE_LABEL)
    numbers = None if der is None else rsa_private_numbers(der)
    if der is None or numbers is None:
        return None
    public = der_pem(rsa_public_der(*numbers), PUBLIC_LABEL)
    return RsaRead(public, *numbers, private_pem=der_pem(der, PRIVATE_LABEL))


def rsa_public_numbers(der: bytes) -> tuple[int, int] | None:
    """``(n, e)`` of a canonical DER RSA SubjectPublicKeyInfo that ``cryptography`` accepts
    (it requires 3 <= e < n and e odd); None for anything else."""
    body = _whole(der, SEQUENCE)
    if body is None or not body.startswith(RSA_ALGORITHM):
        return None
    bits = _element(body, len(RSA_ALGORITHM), BIT_STRING)
    if bits is None or bits[1] != len(body) or bits[0][:1] != b"\x00":
        return None
    integers = _integers(_whole(bits[0][1:], SEQUENCE), 2)
    return _acceptable(integers[0], integers[1]) if integers else None


def rsa_private_numbers(der: bytes) -> tuple[int, int] | None:
    """``(n, e)`` of a canonical DER PKCS #8 two-prime RSA private key, without attributes,
    whose public numbers ``cryptography`` accepts; None for anything else."""
    body = _whole(der, SEQUENCE)
    head = VERSION_0 + RSA_ALGORITHM
    if body is None or not body.startswith(head):
        return None
    private = _element(body, len(head), OCTET_STRING)
    if private is None or private[1] != len(body):
        return None
    key = _whole(private[0], SEQUENCE)
    if key is None or not key.startswith(VERSION_0):
        return None
    integers = _integers(key[len(VERSION_0) :], 8)  # n, e, d, p, q, d mod (p-1), …
    return _acceptable(integers[0], integers[1]) if integers else None


def rsa_public_der(n: int, e: int) -> bytes:
    """The canonical DER SubjectPublicKeyInfo of the RSA public key ``(n, e)``."""
    numbers = _encode(SEQUENCE, _encode_integer(n) + _encode_integer(e))
    return _encode(SEQUENCE, RSA_ALGORITHM + _encode(BIT_STRING, b"\x00" + numbers))


def _acceptable(n: int, e: int) -> tuple[int, int] | None:
    return (n, e) if 3 <= e < n and e % 2 else None


def _encode(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _encode_integer(value: int) -> bytes:
    return _encode(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _element(der: bytes, at: int, tag: int) -> tuple[bytes, int] | None:
    """The content of the DER element with ``tag`` at ``at``, and where the next one starts;
    None unless its length is in DER's one shortest form."""
    if at + 2 > len(der) or der[at] != tag:
        return None
    first = der[at + 1]
    start = at + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or start + count > len(der) or der[start] == 0:
            return None
        length = int.from_bytes(der[start : start + count], "big")
        if length < 0x80:
            return None
        start += count
    end = start + length
    return (der[start:end], end) if end <= len(der) else None


def _whole(der: bytes | None, tag: int) -> bytes | None:
    """The content of ``der`` when it is exactly one element with ``tag``."""
    if der is None:
        return None
    element = _element(der, 0, tag)
    return element[0] if element is not None and element[1] == len(der) else None


def _integers(der: bytes | None, count: int) -> list[int] | None:
    """Exactly ``count`` positive, minimally encoded DER INTEGERs filling ``der``."""
    values: list[int] = []
    at = 0
    while der is not None and len(values) < count:
        element = _element(der, at, INTEGER)
        if element is None or not element[0]:
            return None
        content, at = element
        if content[0] & 0x80 or (content[0] == 0 and (len(content) == 1 or content[1] < 0x80)):
            return None
        values.append(int.from_bytes(content, "big"))
    return values if der is not None and at == len(der) else None
