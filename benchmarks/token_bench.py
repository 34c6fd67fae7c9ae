"""Token sign + verify through streamconsole's core, against raw PyJWT in the same run.

For HS256 and RS256: core ``sign`` + ``explain`` (the full checklist) per second, ÷ PyJWT's
``encode`` + ``decode`` (with exp verification) per second, the two timed alternately
(paired.py): the median of the pairs' ratios with min–max. Target: ≥ 0.9× (core costs at
most ~10 % more, thanks to the key objects parsed once and cached on the key).
Run: python benchmarks/token_bench.py [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import jwt
from paired import Target, add_arguments, measure_pairs, pairs_wanted

from streamconsole.core.explain import explain
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key
from streamconsole.core.model import Direction, ServerKind
from streamconsole.core.policy import EffectivePolicy, PolicySource
from streamconsole.core.tokens import build_claims, sign

TARGETS = {"rate": Target(0.9, at_least=True)}  # core's operations per second ÷ PyJWT's


def rate(action: Callable[[], object], seconds: float) -> float:
    """Operations per second over about ``seconds``."""
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(50):
            action()
        count += 50
    return count / elapsed


def policy_for(key: Key, kind: ServerKind) -> EffectivePolicy:
    entry = KeyEntry(key, KeyOrigin.FILE)
    return EffectivePolicy(
        Direction.PLAY, kind, True, PolicySource.ALIAS, entry, PolicySource.ALIAS, "bench"
    )


def measure(algorithm: Algorithm, kind: ServerKind, pairs: int, seconds: float) -> None:
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
    parsed = pyjwt(key.signing_key, key.verifying_key)
    rates = measure_pairs(lambda: rate(parsed, seconds), lambda: rate(core, seconds), pairs)
    ratio = rates.ratio(float)
    ours, theirs = rates.side_b(float).median, rates.side_a(float).median
    target = TARGETS["rate"]
    line = (
        f"{algorithm.value}: core ÷ PyJWT (parsed keys), operations per second: "
        f"{ratio.show(unit='x')} over {pairs} pairs; core {ours:,.0f}/s, PyJWT {theirs:,.0f}/s"
    )
    if isinstance(key, AsymmetricKey) and key.private_pem is not None:
        # What callers often do instead: hand PyJWT the PEM text on every call.
        typical = rate(pyjwt(key.private_pem.reveal(), key.public_pem), seconds)
        line += f"; PyJWT with PEM text {typical:,.0f}/s ({ours / typical:.0f}x slower than core)"
    print(f"{line}  ({target.describe('x')})  {target.verdict(ratio.median)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_arguments(parser)
    options = parser.parse_args()
    pairs, seconds = pairs_wanted(options), 0.1 if options.quick else 0.5
    measure(Algorithm.HS256, ServerKind.ANTMEDIA, pairs, seconds)
    measure(Algorithm.RS256, ServerKind.THEOLIVE, pairs, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
