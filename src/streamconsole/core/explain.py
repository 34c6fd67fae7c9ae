"""Explaining a token: "would the server accept this token, and if not, why?"

:func:`explain` answers as an ordered checklist. It never raises on bad input: empty,
oversized, malformed, ``alg: none``, algorithm confusion and absurd claims all come back
as failed checks. Header extensions, duplicated names and ``iat`` are checked as the
server's verifier would (:mod:`streamconsole.core.verifier_rules`), and only for tokens that
carry them; where that verifier is undocumented, the answer is "likely refused", never
accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from streamconsole.core.durations import format_duration
from streamconsole.core.held_keys import HeldKey, held_keys
from streamconsole.core.keys import KeyFamily
from streamconsole.core.model import ServerKind
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.text import brief_json
from streamconsole.core.token_times import (
    MAX_EXP_AHEAD_SECONDS,
    expiry_reason,
    finite,
    is_number,
    when_utc,
)
from streamconsole.core.tokens import (
    MAX_TOKEN_CHARS,
    DecodedToken,
    TokenFormatError,
    decode_unverified,
    normalise,
)
from streamconsole.core.verifier_rules import (
    Finding,
    Outcome,
    duplicates_finding,
    header_finding,
    issued_at_finding,
)


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: CheckStatus
    reason: str

    @property
    def failed(self) -> bool:
        return self.status is CheckStatus.FAILED


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # Every failed check is "likely": what the RFCs and common libraries refuse, on a server
    # that does not document its verifier.
    LIKELY_REJECTED = "likely rejected"
    NOT_CHECKED = "not checked"  # enforcement is off: the server lets the request through
    # Every check that can be run passed, but the token may be signed with a key the server
    # holds whose material is unknown here (write-only keys installed elsewhere).
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Explanation:
    checks: tuple[Check, ...]
    decoded: DecodedToken | None
    verdict: Verdict
    summary: str

    @property
    def accepted(self) -> bool:
        """Whether the server is known to let the request through."""
        return self.verdict in (Verdict.ACCEPTED, Verdict.NOT_CHECKED)

    @property
    def expires_at(self) -> float | None:
        exp = self.decoded.claims.get("exp") if self.decoded else None
        if isinstance(exp, int | float) and not isinstance(exp, bool) and finite(exp):
            return float(exp)
        return None


class _Checklist:
    def __init__(self) -> None:
        self.checks: list[Check] = []
        # Failed on what the RFCs and common libraries do: the verifier is undocumented.
        self.likely: set[str] = set()

    def passed(self, name: str, reason: str) -> None:
        self.checks.append(Check(name, CheckStatus.PASSED, reason))

    def failed(self, name: str, reason: str) -> None:
        self.checks.append(Check(name, CheckStatus.FAILED, reason))

    def skipped(self, name: str, reason: str) -> None:
        self.checks.append(Check(name, CheckStatus.SKIPPED, reason))

    def found(self, finding: Finding | None) -> None:
        if finding is None:
            return
        if finding.outcome is Outcome.TAKEN:
            self.passed(finding.check, finding.reason)
        elif finding.outcome is Outcome.REFUSED:
            self.failed(finding.check, finding.reason)
        else:
            self.failed(finding.check, f"likely refused: {finding.reason}")
            self.likely.add(finding.check)


_ALL_CHECKS = ("well-formed", "size", "algorithm", "signature", "exp", "nbf", "streamId", "type")


def explain(
    token: str,
    policy: EffectivePolicy,
    *,
    stream: str | None,
    now: float,
    token_ttl: int | None = None,
) -> Explanation:
    """Check ``token`` as the server behind ``policy`` would, for ``stream`` (alias name).

    The signature is checked against every key the server holds (two side by side during a
    THEOlive rotation), and the check says which one matched; for an older key, when it can
    be retired: ``token_ttl`` (the longest token lifetime in use) after the newest was added.
    """
    out = _Checklist()
    token = normalise(token)
    decoded: DecodedToken | None = None
    if len(token) > MAX_TOKEN_CHARS:
        out.failed("size", f"{len(token):,} characters; servers refuse tokens over 16 KiB")
    else:
        try:
            decoded = decode_unverified(token)
        except TokenFormatError as error:
            out.failed("well-formed", str(error))
        else:
            out.passed("well-formed", "three base64url segments with JSON header and payload")
            out.passed("size", f"{len(token):,} characters")
    if decoded is None:
        ran = {c.name for c in out.checks}
        for name in _ALL_CHECKS:
            if name not in ran:
                out.skipped(name, "not checked: the token could not be read")
        return _conclude(out, None, policy)
    out.found(duplicates_finding(decoded, policy.kind))
    out.found(header_finding(decoded.header, policy.kind))
    untried = _check_algorithm_and_signature(out, decoded, policy, now, token_ttl)
    _check_times(out, decoded.claims, now)
    out.found(issued_at_finding(decoded.claims, policy.kind, now))
    _check_stream_claims(out, decoded.claims, policy, stream)
    return _conclude(out, decoded, policy, untried)


def _check_algorithm_and_signature(
    out: _Checklist,
    decoded: DecodedToken,
    policy: EffectivePolicy,
    now: float,
    token_ttl: int | None,
) -> tuple[HeldKey, ...]:
    """The algorithm and signature checks. Returns the keys whose material is unknown here
    when the token matched none of the known ones: it may be signed with one of those."""
    alg = decoded.algorithm
    if alg.lower() == "none":
        out.failed("algorithm", f"alg {alg!r}: the token is unsigned and no server accepts it")
        out.skipped("signature", "nothing to verify")
        return ()
    keys = held_keys(policy)
    if not keys:
        out.skipped("algorithm", f"alg {brief_json(alg)}; no key is configured to check against")
        out.failed("signature", "no key is configured: the server cannot verify any token")
        return ()
    known = [k for k in keys if k.entry is not None]
    unknown = tuple(k for k in keys if k.entry is None)
    takers = [k for k in known if alg in policy.algorithms_for(k.entry)]
    if not takers and unknown and alg in policy.kind.algorithms:
        out.skipped("algorithm", f"alg {alg}: none of the keys known here takes it")
        out.skipped("signature", f"not verified: {_unknown_material(unknown)}")
        return unknown
    if not takers:
        out.failed("algorithm", _refused_algorithm(alg, policy, known))
        out.skipped("signature", "not verified: the algorithm is refused")
        return ()
    if len(keys) == 1:
        out.passed("algorithm", f"{alg} is accepted by this key")
    else:
        out.passed("algorithm", f"{alg} is accepted by {len(takers)} of the {len(keys)} keys held")
    matched = next((k for k in takers if k.signed(decoded, alg)), None)
    if matched is not None:
        out.passed("signature", _valid_for(matched, keys, now, token_ttl))
    elif unknown:
        out.skipped(
            "signature",
            f"matches no key known here ({_either(known)}); {_unknown_material(unknown)}",
        )
        return unknown
    elif len(keys) == 1:
        out.failed(
            "signature",
            f"does not match key {keys[0].label}: signed with another key, or altered",
        )
    else:
        out.failed(
            "signature",
            f"does not match any of the {len(keys)} keys held ({_either(keys)}): signed with "
            "another key, or altered",
        )
    return ()


def _count(keys: Sequence[HeldKey]) -> str:
    return "a key" if len(keys) == 1 else f"{len(keys)} keys"


def _either(keys: Sequence[HeldKey]) -> str:
    return " or ".join(k.label for k in keys)


def _unknown_material(keys: Sequence[HeldKey]) -> str:
    it = "it" if len(keys) == 1 else "one of them"
    return (
        f"key {_either(keys)}: held by the server, material unknown here; the token may be "
        f"signed with {it}"
    )


def _refused_algorithm(alg: str, policy: EffectivePolicy, known: Sequence[HeldKey]) -> str:
    allowed = tuple(dict.fromkeys(a for k in known for a in policy.algorithms_for(k.entry)))
    if not known:
        whose, allowed = f"{policy.kind.display_name} allows", policy.kind.algorithms
    else:
        whose = "this key allows" if len(known) == 1 else "these keys allow"
    reason = f"alg {brief_json(alg)} is not accepted; {whose} {', '.join(allowed)}"
    families = {k.entry.key.family for k in known if k.entry is not None}
    if alg.startswith("HS") and families and KeyFamily.HMAC not in families:
        reason += " (algorithm confusion: an HMAC token against a public key)"
    return reason


def _valid_for(matched: HeldKey, keys: Sequence[HeldKey], now: float, ttl: int | None) -> str:
    if len(keys) == 1:
        return f"valid for key {matched.label}"
    if matched is keys[0]:
        return f"valid for key {matched.label}, the newest of the {len(keys)} keys held"
    return f"valid for key {matched.label}, an older key: {_retire_after(keys[0], now, ttl)}"


def _retire_after(newest: HeldKey, now: float, ttl: int | None) -> str:
    """When an older key can go: once every token signed before the newest key was added
    has expired, i.e. the longest token lifetime after that."""
    added = newest.entry.created if newest.entry is not None else None
    if added is None or ttl is None:
        wait = format_duration(ttl) if ttl else "the longest token lifetime in use"
        return f"retire it once {wait} has passed since the newest key was added"
    after = added.timestamp() + ttl
    why = f"the newest key was added at {when_utc(added.timestamp())}, + {format_duration(ttl)}"
    if after <= now:
        return f"retire it now ({why} token lifetime)"
    return f"retire after {when_utc(after)} ({why} token lifetime)"


def _check_times(out: _Checklist, claims: dict[str, Any], now: float) -> None:
    exp = claims.get("exp")
    if exp is None:
        out.failed("exp", "missing: the server requires an expiry")
    elif not is_number(exp):
        out.failed("exp", f"{brief_json(exp)} is not a number of seconds (NumericDate)")
    elif not finite(exp) or abs(exp - now) > MAX_EXP_AHEAD_SECONDS:
        side = "future" if exp > now else "past"
        out.failed("exp", f"{brief_json(exp)} is absurdly far in the {side}")
    elif exp <= now:
        out.failed("exp", expiry_reason(exp, now))
    else:
        out.passed("exp", expiry_reason(exp, now))
    nbf = claims.get("nbf")
    if nbf is None:
        out.skipped("nbf", "absent: valid as soon as issued")
    elif not is_number(nbf):
        out.failed("nbf", f"{brief_json(nbf)} is not a number of seconds (NumericDate)")
    elif not finite(nbf):
        out.failed("nbf", f"{brief_json(nbf)} is out of range")
    elif nbf > now:
        wait = format_duration(nbf - now) if nbf - now < 1e12 else "ever"
        out.failed("nbf", f"not valid yet: becomes valid in {wait}")
    else:
        out.passed("nbf", f"valid since {when_utc(nbf)}")


def _check_stream_claims(
    out: _Checklist, claims: dict[str, Any], policy: EffectivePolicy, stream: str | None
) -> None:
    if policy.kind is not ServerKind.ANTMEDIA:
        note = f"{policy.kind.display_name} does not check it"
        out.skipped("streamId", note)
        out.skipped("type", note)
        return
    stream_id = claims.get("streamId")
    if stream_id is None:
        out.failed("streamId", "missing: Ant Media needs the stream id in the token")
    elif stream is None:
        out.skipped("streamId", f"{brief_json(stream_id)}; no stream selected to compare with")
    elif stream_id != stream:
        out.failed(
            "streamId", f"the token is for {brief_json(stream_id)}, not {brief_json(stream)}"
        )
    else:
        out.passed("streamId", f"matches {brief_json(stream)}")
    kind = claims.get("type")
    want = str(policy.direction)
    if kind is None:
        out.failed("type", f"missing: Ant Media needs type {want!r}")
    elif kind != want:
        out.failed("type", f"the token is for {brief_json(kind)}, this check is for {want!r}")
    else:
        out.passed("type", f"{want} token")


def _undocumented(kind: ServerKind) -> str:
    if kind is ServerKind.THEOLIVE:
        return "THEOlive does not document its CDN's token verifier"
    return "this server's token verifier is not known here"


def _conclude(
    out: _Checklist,
    decoded: DecodedToken | None,
    policy: EffectivePolicy,
    untried: Sequence[HeldKey] = (),
) -> Explanation:
    checks = tuple(out.checks)
    failures = [c for c in checks if c.failed]
    if not policy.supported:
        return Explanation(checks, decoded, Verdict.NOT_CHECKED, policy.reason)
    if not policy.enforced:
        # THEOlive's CDN checks any token it is given, even with security off.
        if policy.kind is ServerKind.THEOLIVE and any(c.name in ("exp", "nbf") for c in failures):
            return Explanation(
                checks,
                decoded,
                Verdict.REJECTED,
                "rejected: THEOlive refuses an expired or not-yet-valid token even with "
                "security off",
            )
        return Explanation(
            checks,
            decoded,
            Verdict.NOT_CHECKED,
            f"{policy.direction} JWT is not enforced: the server does not check the token",
        )
    if failures:
        names = ", ".join(c.name for c in failures)
        if all(c.name in out.likely for c in failures):
            return Explanation(
                checks,
                decoded,
                Verdict.LIKELY_REJECTED,
                f"would likely be refused: {names} failed, by what the RFCs and common JWT "
                f"libraries do ({_undocumented(policy.kind)})",
            )
        return Explanation(checks, decoded, Verdict.REJECTED, f"rejected: {names} failed")
    if untried:
        return Explanation(
            checks,
            decoded,
            Verdict.UNKNOWN,
            f"unknown: every other check passed, but the server holds {_count(untried)} whose "
            "material is unknown here, and the token matches no other key",
        )
    return Explanation(checks, decoded, Verdict.ACCEPTED, "accepted: every check passed")
