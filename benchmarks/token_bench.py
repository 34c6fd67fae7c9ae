"""Token sign + verify through streamconsole's core, against raw PyJWT in the same run.

For HS256 and RS256: core ``sign`` + ``explain`` (the full checklist) per second, ÷ PyJWT's
``encode`` + ``decode`` (with exp verification) per second. Target: ≥ 0.9× (core costs at
most ~10 % more, thanks to the key objects parsed once and cached on the key).
Run: python benchmarks/token_bench.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import jwt

from streamconsole.core.explain import explain
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key
from streamconsole.core.model import (
    Direction,
    EffectivePolicy,
    KeyEntry,
    KeyOrigin,
    PolicySource,
    ServerKind,
)
from streamconsole.core.tokens import build_claims, sign

ROUNDS = 5


def rate_once(action: Callable[[], object], seconds: float) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(50):
            action()
        count += 50
    return count / elapsed


def rates(
    first: Callable[[], object], second: Callable[[], object], seconds: float = 0.5
) -> tuple[float, float]:
    """Operations per second of each, best of ROUNDS, the rounds interleaved so that a
    change in the machine's load hits both alike."""
    best_first = best_second = 0.0
    for _ in range(ROUNDS):
        best_first = max(best_first, rate_once(first, seconds))
        best_second = max(best_second, rate_once(second, seconds))
    return best_first, best_second


def policy_for(key: Key, kind: ServerKind) -> EffectivePolicy:
    entry = KeyEntry(key, KeyOrigin.FILE)
    return EffectivePolicy(
        Direction.PLAY, kind, True, PolicySource.ALIAS, entry, PolicySource.ALIAS, "bench"
    )


def measure(algorithm: Algorithm, kind: ServerKind) -> float:
    key = generate_key(algorithm, min_chars=32, rsa_bits=2048)
    policy = policy_for(key, kind)
    now = time.time()
    claims = build_claims(kind, Direction.PLAY, "stream1", now=now, ttl=600)

    def core() -> None:
        token = sign(claims, key)
        if not explain(token, policy, stream="stream1", now=now).accepted:
            raise AssertionError("core refused its own token")

    def pyjwt(signing: object, verifying: object) -> Callable[[], None]:
        def run() -> None:
            token = jwt.encode(claims, signing, algorithm=algorithm.value)  # type: ignore[arg-type]
            jwt.decode(
                token,
                verifying,
                algorithms=[algorithm.value],
                options={"require": ["exp"]},  # type: ignore[arg-type]
            )

        return run

    # PyJWT's best case: key objects parsed once, as core does; the target is against this.
    ours, best = rates(core, pyjwt(key.signing_key, key.verifying_key))
    ratio = ours / best
    line = (
        f"{algorithm.value}: core {ours:9,.0f}/s  PyJWT (parsed keys) {best:9,.0f}/s  "
        f"ratio {ratio:4.2f}x  (target >= 0.9x)  {'PASS' if ratio >= 0.9 else 'MISS'}"
    )
    if isinstance(key, AsymmetricKey) and key.private_pem is not None:
        # What callers often do instead: hand PyJWT the PEM text on every call.
        typical = rate_once(pyjwt(key.private_pem.reveal(), key.public_pem), 0.3)
        line += f"; PyJWT with PEM text {typical:,.0f}/s ({ours / typical:.0f}x slower than core)"
    print(line)
    return ratio


def main() -> int:
    measure(Algorithm.HS256, ServerKind.ANTMEDIA)
    measure(Algorithm.RS256, ServerKind.THEOLIVE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
