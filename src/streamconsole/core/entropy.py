"""How guessable a shared secret is: an entropy estimate that catches the patterns length
and distinct-byte checks let through (:func:`streamconsole.core.keys.guessable` words it)."""

from __future__ import annotations

import math
from collections import Counter
from typing import NamedTuple


class EntropyEstimate(NamedTuple):
    bits: int
    counted: int  # the bytes that count: not predictable from the ones before them
    total: int


# A new secret needs at least this many bits by estimate_entropy: an attacker who has one
# token tries secrets offline. A random 32-character hex secret (128 bits) estimates 70 or
# more, 43 generated URL-safe characters 170 or more; "abcdefgh" * 4 estimates 6.
MIN_NEW_SECRET_BITS = 64


def estimate_entropy(data: bytes) -> EntropyEstimate:
    """The Shannon entropy per byte of ``data`` times the bytes that count: a byte within a
    repeat of an earlier 3-byte sequence, or continuing a run of equal or consecutive bytes
    (``aaa``, ``abc``, ``321``), is predictable and counts nothing. An estimate, low for
    patterns that length and distinct-byte checks let through."""
    total = len(data)
    if not total:
        return EntropyEstimate(0, 0, 0)
    per_byte = -sum(n / total * math.log2(n / total) for n in Counter(data).values())
    predictable = bytearray(total)
    seen: set[bytes] = set()
    for at in range(total - 2):
        triple = data[at : at + 3]
        if triple in seen:
            predictable[at : at + 3] = b"\x01\x01\x01"
        seen.add(triple)
    for at in range(2, total):
        step = data[at] - data[at - 1]
        if abs(step) <= 1 and step == data[at - 1] - data[at - 2]:
            predictable[at] = 1
    counted = total - sum(predictable)
    return EntropyEstimate(int(per_byte * counted), counted, total)
