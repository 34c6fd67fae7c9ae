"""Guessable secrets that pass the length and distinct-byte checks: the entropy estimate.

A new secret (a rotation's import) under the floor is refused; one already in use (read
from a config or a server) is read, and :func:`guessable` says what to warn about. Either
way the message names the estimate and its rule, never the secret.
"""

from __future__ import annotations

import random
import string

import pytest

from streamconsole.core.entropy import MIN_NEW_SECRET_BITS, estimate_entropy
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_generation import generate_shared_key
from streamconsole.core.keys import Algorithm, SecretEncoding, guessable, shared_key

from .support import VENDOR_SECRET

GUESSABLE = {
    "eight-letters-four-times": "abcdefgh" * 4,
    "the-alphabet-in-order": string.ascii_letters[:32],
    "a-word-repeated": "Password1" * 4,
    "a-phrase-repeated": "Summer2024!Summer2024!Summer2024",
    "hex-digits-twice": "0123456789abcdef" * 2,
    "the-url-safe-alphabet-twice": (string.ascii_letters + string.digits + "-_") * 2,
}


@pytest.mark.parametrize("secret", GUESSABLE.values(), ids=GUESSABLE.keys())
def test_a_guessable_new_secret_is_refused_naming_the_rule(secret: str) -> None:
    shared_key(Algorithm.HS256, secret)  # long enough, 8+ distinct bytes: the old checks pass
    with pytest.raises(KeyValidationError) as caught:
        shared_key(Algorithm.HS256, secret, min_entropy_bits=MIN_NEW_SECRET_BITS)
    message = str(caught.value)
    assert message.startswith("the secret looks guessable: an estimated ")
    assert "Shannon entropy per byte × the " in message
    assert "repeat an earlier 3-byte sequence nor continue a run like abc" in message
    assert message.endswith("; generate a secret instead")
    assert secret not in message and secret[:8] not in message


def test_the_estimate_of_eight_letters_four_times() -> None:
    """3 bits per byte (8 equally common bytes) × the 2 bytes that count: "ab" starts a
    run, "c".."h" continue it, and the rest repeats 3-byte sequences already seen."""
    assert estimate_entropy(b"abcdefgh" * 4) == (6, 2, 32)
    reason = guessable(shared_key(Algorithm.HS256, "abcdefgh" * 4))
    assert reason == (
        "the secret looks guessable: an estimated 6 bits of entropy, under 64 (rule: Shannon "
        "entropy per byte × the 2 of its 32 bytes that neither repeat an earlier 3-byte "
        "sequence nor continue a run like abc)"
    )


@pytest.mark.parametrize(
    "secret",
    [
        VENDOR_SECRET,  # Ant Media's own example, at the 32-character floor
        "correct horse battery staple yes",
        "a-different-secret-of-enough-length-123",
    ],
)
def test_secrets_that_are_not_patterns_pass(secret: str) -> None:
    key = shared_key(Algorithm.HS256, secret, min_entropy_bits=MIN_NEW_SECRET_BITS)
    assert guessable(key) == ""


def test_random_secrets_of_the_usual_shapes_pass() -> None:
    """128-bit hex (`openssl rand -hex 16`), 32 random alphanumerics, random bytes given as
    hex, and the console's own generated secrets: none may be refused. The random ones come
    from a seeded generator, so the test is the same every run."""
    chosen = random.Random(20270115)
    alphanumeric = string.ascii_letters + string.digits
    for _ in range(300):
        shapes = [
            ("".join(chosen.choices("0123456789abcdef", k=32)), SecretEncoding.UTF8),
            ("".join(chosen.choices(alphanumeric, k=32)), SecretEncoding.UTF8),
            (chosen.randbytes(32).hex(), SecretEncoding.HEX),
        ]
        for text, encoding in shapes:
            key = shared_key(Algorithm.HS256, text, encoding, min_entropy_bits=MIN_NEW_SECRET_BITS)
            assert guessable(key) == "", key.entropy
    for algorithm in (Algorithm.HS256, Algorithm.HS512):
        assert guessable(generate_shared_key(algorithm, min_chars=32)) == ""


def test_a_secret_in_use_is_read_and_only_described() -> None:
    """Reading a config or a server never refuses on the estimate: the caller warns."""
    key = shared_key(Algorithm.HS256, "Password1" * 4)
    assert key.entropy.bits < MIN_NEW_SECRET_BITS
    assert guessable(key).startswith("the secret looks guessable")


def test_the_estimate_of_nothing_is_nothing() -> None:
    assert estimate_entropy(b"") == (0, 0, 0)
