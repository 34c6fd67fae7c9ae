"""Tokens: claims per server kind, signing, and explain() as a hostile-input checklist."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.types import Options

from streamconsole.core.errors import TokenBuildError
from streamconsole.core.explain import CheckStatus, Explanation, Verdict, explain
from streamconsole.core.held_keys import held_keys
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key, SharedKey, shared_key
from streamconsole.core.model import Direction, ServerKind
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.secret import Secret
from streamconsole.core.token_times import MAX_EXP_AHEAD_SECONDS
from streamconsole.core.tokens import (
    MAX_TOKEN_CHARS,
    TokenFormatError,
    build_claims,
    decode_unverified,
    normalise,
    sign,
)

from .support import CHECK_NAMES, NOW, b64url, forge, held, holding, policy_for

PLAY, PUBLISH = Direction.PLAY, Direction.PUBLISH
P, F, S = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.SKIPPED
HS256_HEADER = {"alg": "HS256", "typ": "JWT"}


def statuses(explanation: Explanation) -> dict[str, CheckStatus]:
    """Check name → status, after asserting each check ran exactly once."""
    names = [c.name for c in explanation.checks]
    assert sorted(names) == sorted(CHECK_NAMES)
    return {c.name: c.status for c in explanation.checks}


def reason(explanation: Explanation, name: str) -> str:
    return next(c.reason for c in explanation.checks if c.name == name)


def in_order(explanation: Explanation) -> list[tuple[str, CheckStatus]]:
    return [(c.name, c.status) for c in explanation.checks]


@pytest.fixture(scope="module")
def antmedia(hs256_key: SharedKey) -> EffectivePolicy:
    return policy_for(ServerKind.ANTMEDIA, hs256_key)


def ant_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"streamId": "s1", "type": "play", "exp": int(NOW) + 600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def ant_token(key: SharedKey, payload: dict[str, Any] | str, header: Any = None) -> str:
    return forge(header or HS256_HEADER, payload, hmac_key=key.hmac_key)


# --- build_claims --------------------------------------------------------------------------


def test_ant_media_claims() -> None:
    assert build_claims(ServerKind.ANTMEDIA, PLAY, "s1", now=NOW, ttl=600) == {
        "streamId": "s1",
        "type": "play",
        "exp": 1_800_000_600,
    }
    publish = build_claims(ServerKind.ANTMEDIA, PUBLISH, "s1", now=NOW + 0.9, ttl=60)
    assert publish == {"streamId": "s1", "type": "publish", "exp": 1_800_000_060}


def test_theolive_claims_and_extras() -> None:
    claims = build_claims(
        ServerKind.THEOLIVE,
        PLAY,
        "eu",
        now=NOW,
        ttl=3600,
        not_before=NOW - 30.5,
        extra={"sub": "viewer-7", "optiview": {"ch": "eu", "geo": {"cc": ["BE"]}}},
    )
    assert claims == {
        "exp": 1_800_003_600,
        "nbf": 1_799_999_969,
        "sub": "viewer-7",
        "optiview": {"ch": "eu", "geo": {"cc": ["BE"]}},
    }


def test_generic_claims() -> None:
    assert build_claims(ServerKind.GENERIC, PUBLISH, "cam", now=NOW, ttl=10) == {
        "sub": "cam",
        "type": "publish",
        "iat": 1_800_000_000,
        "exp": 1_800_000_010,
    }


def test_theolive_has_no_publish_tokens() -> None:
    with pytest.raises(TokenBuildError, match="THEOlive has no publish tokens"):
        build_claims(ServerKind.THEOLIVE, PUBLISH, "eu", now=NOW, ttl=600)


@pytest.mark.parametrize("ttl", [0, -1, -600])
def test_lifetime_must_be_positive(ttl: int) -> None:
    with pytest.raises(TokenBuildError, match="lifetime must be positive"):
        build_claims(ServerKind.ANTMEDIA, PLAY, "s1", now=NOW, ttl=ttl)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (ServerKind.ANTMEDIA, "streamId"),
        (ServerKind.ANTMEDIA, "type"),
        (ServerKind.ANTMEDIA, "exp"),
        (ServerKind.THEOLIVE, "exp"),
        (ServerKind.THEOLIVE, "nbf"),
        (ServerKind.GENERIC, "sub"),
        (ServerKind.GENERIC, "type"),
        (ServerKind.GENERIC, "exp"),
        (ServerKind.GENERIC, "iat"),
    ],
)
def test_reserved_claims_are_refused_in_extras(kind: ServerKind, name: str) -> None:
    with pytest.raises(TokenBuildError) as caught:
        build_claims(kind, PLAY, "s1", now=NOW, ttl=600, extra={name: "x"})
    assert str(caught.value) == f"claim {name!r} is set by the console for {kind.display_name}"


# --- sign + explain round trips ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key_fixture", "algorithm"),
    [
        (ServerKind.ANTMEDIA, "hs256_key", Algorithm.HS256),
        (ServerKind.THEOLIVE, "hs256_key", Algorithm.HS256),
        (ServerKind.THEOLIVE, "hs512_key", Algorithm.HS512),
        (ServerKind.THEOLIVE, "rsa_key", Algorithm.RS256),
        (ServerKind.THEOLIVE, "rsa_key", Algorithm.RS512),
        (ServerKind.GENERIC, "ec_key", Algorithm.ES256),
    ],
)
def test_sign_then_explain_accepts(
    request: pytest.FixtureRequest, kind: ServerKind, key_fixture: str, algorithm: Algorithm
) -> None:
    key: Key = request.getfixturevalue(key_fixture)
    claims = build_claims(kind, PLAY, "s1", now=NOW, ttl=600, not_before=NOW - 5)
    token = sign(claims, key, algorithm)

    # An independent verifier agrees the signature (its time checks use the wall clock: off).
    no_clock: Options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}
    decoded = jwt.decode(token, key.verifying_key, algorithms=[algorithm.value], options=no_clock)
    assert decoded == claims

    # The server holds only the public key of a pair.
    held = key.public_only() if isinstance(key, AsymmetricKey) else key
    explanation = explain(token, policy_for(kind, held), stream="s1", now=NOW)
    assert explanation.verdict is Verdict.ACCEPTED
    assert explanation.accepted
    assert explanation.summary == "accepted: every check passed"
    stream_checked = P if kind is ServerKind.ANTMEDIA else S
    issued_at = [("iat", P)] if "iat" in claims else []  # only the generic claims hold one
    assert in_order(explanation) == [
        ("well-formed", P),
        ("size", P),
        ("algorithm", P),
        ("signature", P),
        ("exp", P),
        ("nbf", P),
        *issued_at,
        ("streamId", stream_checked),
        ("type", stream_checked),
    ]
    assert reason(explanation, "signature") == f"valid for key {key.fingerprint}"
    assert reason(explanation, "exp") == "expires in 10m, at 2027-01-15 08:10:00Z"
    assert reason(explanation, "nbf") == "valid since 2027-01-15 07:59:55Z"
    assert explanation.decoded is not None
    assert explanation.decoded.claims == claims
    assert explanation.decoded.algorithm == algorithm.value
    assert explanation.expires_at == NOW + 600


def test_theolive_does_not_check_stream_claims(hs256_key: SharedKey) -> None:
    token = sign({"exp": int(NOW) + 60}, hs256_key)
    explanation = explain(token, policy_for(ServerKind.THEOLIVE, hs256_key), stream=None, now=NOW)
    assert explanation.verdict is Verdict.ACCEPTED
    assert reason(explanation, "streamId") == "THEOlive does not check it"
    assert reason(explanation, "type") == "THEOlive does not check it"
    assert reason(explanation, "nbf") == "absent: valid as soon as issued"


def test_sign_refuses_a_key_of_another_family(hs256_key: SharedKey) -> None:
    with pytest.raises(TokenBuildError, match="cannot sign RS256 with a hmac key"):
        sign({"exp": 1}, hs256_key, Algorithm.RS256)


def test_sign_refuses_without_a_private_key(rsa_key: AsymmetricKey) -> None:
    with pytest.raises(TokenBuildError, match="no private key configured"):
        sign({"exp": 1}, rsa_key.public_only())


@pytest.mark.parametrize(
    ("key_fixture", "algorithm"),
    [
        ("hs256_key", Algorithm.HS256),
        ("hs512_key", Algorithm.HS256),
        ("hs512_key", Algorithm.HS512),
        ("rsa_key", Algorithm.RS256),
        ("rsa_key", Algorithm.RS512),
    ],
)
def test_sign_writes_what_pyjwt_writes(
    request: pytest.FixtureRequest, key_fixture: str, algorithm: Algorithm
) -> None:
    # HMAC and RSA PKCS#1 v1.5 signatures are deterministic: the whole token must match.
    key: Key = request.getfixturevalue(key_fixture)
    for claims in (
        build_claims(ServerKind.ANTMEDIA, PLAY, "s1", now=NOW, ttl=600),
        {"exp": int(NOW) + 60, "nbf": int(NOW), "sub": "vïewer ☃", "n": [1.5, None, {"a": True}]},
    ):
        expected = jwt.encode(claims, key.signing_key, algorithm=algorithm.value)
        assert sign(claims, key, algorithm) == expected


def test_sign_writes_datetime_claims_as_pyjwt_does(hs256_key: SharedKey) -> None:
    aware = datetime(2027, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2027, 1, 2, 3, 4, 5, 999_999)  # read as UTC, as PyJWT reads it
    claims = {"exp": aware, "nbf": naive, "iat": int(NOW)}
    assert sign(claims, hs256_key) == jwt.encode(claims, hs256_key.signing_key, algorithm="HS256")


def test_sign_still_refuses_a_secret_that_reads_as_a_public_key(rsa_key: AsymmetricKey) -> None:
    # PyJWT's guard against algorithm confusion holds, though it runs once per key.
    pem_secret = SharedKey(Algorithm.HS256, Secret(rsa_key.public_pem))
    for _ in range(2):
        with pytest.raises(jwt.InvalidKeyError, match="asymmetric key"):
            sign({"exp": 1}, pem_secret)


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"exp": 1, "n": float("nan")}, "the claims are not JSON: Out of range float"),
        ({"exp": 1, "roles": {"admin"}}, "the claims are not JSON: Object of type set"),
        ({"exp": 1, "iss": 7}, "claim 'iss' must be a string"),
    ],
)
def test_sign_refuses_claims_no_verifier_reads(
    hs256_key: SharedKey, claims: dict[str, Any], error: str
) -> None:
    with pytest.raises(TokenBuildError, match=error):
        sign(claims, hs256_key)


# --- explain: claims -----------------------------------------------------------------------


def test_expired_token(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    token = sign(build_claims(ServerKind.ANTMEDIA, PLAY, "s1", now=NOW - 690, ttl=600), hs256_key)
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert in_order(explanation) == [
        ("well-formed", P),
        ("size", P),
        ("algorithm", P),
        ("signature", P),
        ("exp", F),
        ("nbf", S),
        ("streamId", P),
        ("type", P),
    ]
    assert reason(explanation, "exp") == "expired 1m 30s ago, at 2027-01-15 07:58:30Z"
    assert explanation.verdict is Verdict.REJECTED
    assert not explanation.accepted
    assert explanation.summary == "rejected: exp failed"


def test_token_expiring_exactly_now_is_expired(
    hs256_key: SharedKey, antmedia: EffectivePolicy
) -> None:
    explanation = explain(
        ant_token(hs256_key, ant_claims(exp=int(NOW))), antmedia, stream="s1", now=NOW
    )
    assert reason(explanation, "exp").startswith("expired 0s ago")
    assert explanation.verdict is Verdict.REJECTED


@pytest.mark.parametrize(
    ("nbf", "status", "text"),
    [
        (NOW + 300, F, "not valid yet: becomes valid in 5m"),
        (NOW + 1, F, "not valid yet: becomes valid in 1s"),
        (NOW, P, "valid since 2027-01-15 08:00:00Z"),
        (NOW - 3600, P, "valid since 2027-01-15 07:00:00Z"),
        ("soon", F, '"soon" is not a number of seconds (NumericDate)'),
        (True, F, "true is not a number of seconds (NumericDate)"),
    ],
)
def test_not_before(
    hs256_key: SharedKey, antmedia: EffectivePolicy, nbf: object, status: CheckStatus, text: str
) -> None:
    explanation = explain(ant_token(hs256_key, ant_claims(nbf=nbf)), antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["nbf"] is status
    assert reason(explanation, "nbf") == text
    assert explanation.verdict is (Verdict.ACCEPTED if status is P else Verdict.REJECTED)


@pytest.mark.parametrize(
    ("nbf_json", "text"),
    [
        ("1e400", "Infinity is out of range"),
        ("-1e400", "-Infinity is out of range"),
        ("1" + "0" * 400, "000... is out of range"),
        ("-1" + "0" * 400, "000... is out of range"),
        ("1e300", "not valid yet: becomes valid in ever"),
    ],
    ids=["inf", "-inf", "huge", "-huge", "far"],
)
def test_odd_nbf_values_fail_cleanly(
    hs256_key: SharedKey, antmedia: EffectivePolicy, nbf_json: str, text: str
) -> None:
    payload = '{"streamId": "s1", "type": "play", "exp": 1800000600, "nbf": ' + nbf_json + "}"
    explanation = explain(ant_token(hs256_key, payload), antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["nbf"] is F
    assert text in reason(explanation, "nbf")
    assert len(reason(explanation, "nbf")) < 120
    assert explanation.summary == "rejected: nbf failed"


@pytest.mark.parametrize(
    ("exp_json", "status", "text"),
    [
        ('"1800000600"', F, '"1800000600" is not a number of seconds (NumericDate)'),
        ("1800000600.5", P, "expires in 10m, at 2027-01-15 08:10:00Z"),
        ("true", F, "true is not a number of seconds (NumericDate)"),
        ("false", F, "false is not a number of seconds (NumericDate)"),
        ("[1800000600]", F, "[1800000600] is not a number of seconds (NumericDate)"),
        ('{"$date": 1}', F, '{"$date": 1} is not a number of seconds (NumericDate)'),
        ("null", F, "missing: the server requires an expiry"),
        ("1e30", F, "1e+30 is absurdly far in the future"),
        (str(int(NOW) + MAX_EXP_AHEAD_SECONDS), P, "expires in 36600d"),
        (str(int(NOW) + MAX_EXP_AHEAD_SECONDS + 1), F, "is absurdly far in the future"),
        ("-1", F, "expired 20833d 8h ago, at 1969-12-31 23:59:59Z"),
        ("0", F, "at 1970-01-01 00:00:00Z"),
        (str(int(NOW) - MAX_EXP_AHEAD_SECONDS), F, "expired 36600d ago"),
        (str(int(NOW) - MAX_EXP_AHEAD_SECONDS - 1), F, "is absurdly far in the past"),
        ("-1e300", F, "-1e+300 is absurdly far in the past"),
        ("1e400", F, "Infinity is absurdly far in the future"),
        ("-1e400", F, "-Infinity is absurdly far in the past"),
        ("1" + "0" * 400, F, "000... is absurdly far in the future"),
        ("-1" + "0" * 400, F, "000... is absurdly far in the past"),
    ],
    ids=lambda v: v[:24] if isinstance(v, str) else None,
)
def test_odd_exp_values_fail_cleanly(
    hs256_key: SharedKey, antmedia: EffectivePolicy, exp_json: str, status: CheckStatus, text: str
) -> None:
    payload = '{"streamId": "s1", "type": "play", "exp": ' + exp_json + "}"
    explanation = explain(ant_token(hs256_key, payload), antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["exp"] is status
    assert text in reason(explanation, "exp")
    assert len(reason(explanation, "exp")) < 120  # a reason is one line, whatever the claim
    assert statuses(explanation)["signature"] is P  # the token itself is genuine
    if status is F:
        assert explanation.verdict is Verdict.REJECTED
        assert explanation.summary == "rejected: exp failed"


def test_missing_exp(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    explanation = explain(
        ant_token(hs256_key, ant_claims(exp=None)), antmedia, stream="s1", now=NOW
    )
    assert reason(explanation, "exp") == "missing: the server requires an expiry"
    assert explanation.expires_at is None


@pytest.mark.parametrize(
    ("exp_json", "expires_at"),
    [
        ("1800000600", 1_800_000_600.0),
        ("1800000600.25", 1_800_000_600.25),
        ('"1800000600"', None),
        ("true", None),
        ("1e400", None),
        ("1" + "0" * 400, None),
    ],
)
def test_expires_at_only_for_real_numbers(
    hs256_key: SharedKey, antmedia: EffectivePolicy, exp_json: str, expires_at: float | None
) -> None:
    payload = '{"streamId": "s1", "type": "play", "exp": ' + exp_json + "}"
    assert explain(ant_token(hs256_key, payload), antmedia, stream="s1", now=NOW).expires_at == (
        expires_at
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_are_not_json(
    hs256_key: SharedKey, antmedia: EffectivePolicy, constant: str
) -> None:
    payload = '{"streamId": "s1", "type": "play", "exp": ' + constant + "}"
    explanation = explain(ant_token(hs256_key, payload), antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["well-formed"] is F
    assert reason(explanation, "well-formed").startswith("the payload is not JSON")
    assert explanation.expires_at is None


@pytest.mark.parametrize(
    ("claims", "stream", "status", "text"),
    [
        (ant_claims(streamId="other"), "s1", F, 'the token is for "other", not "s1"'),
        (ant_claims(streamId=1), "1", F, 'the token is for 1, not "1"'),
        (ant_claims(streamId="S1"), "s1", F, 'the token is for "S1", not "s1"'),
        (ant_claims(streamId=None), "s1", F, "missing: Ant Media needs the stream id in the token"),
        (ant_claims(), None, S, '"s1"; no stream selected to compare with'),
        (ant_claims(), "s1", P, 'matches "s1"'),
    ],
)
def test_stream_id(
    hs256_key: SharedKey,
    antmedia: EffectivePolicy,
    claims: dict[str, Any],
    stream: str | None,
    status: CheckStatus,
    text: str,
) -> None:
    explanation = explain(ant_token(hs256_key, claims), antmedia, stream=stream, now=NOW)
    assert statuses(explanation)["streamId"] is status
    assert reason(explanation, "streamId") == text
    assert explanation.verdict is (Verdict.REJECTED if status is F else Verdict.ACCEPTED)


def test_a_publish_token_does_not_play(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    token = sign(build_claims(ServerKind.ANTMEDIA, PUBLISH, "s1", now=NOW, ttl=600), hs256_key)
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["type"] is F
    assert reason(explanation, "type") == "the token is for \"publish\", this check is for 'play'"
    assert explanation.summary == "rejected: type failed"
    publish_policy = policy_for(ServerKind.ANTMEDIA, hs256_key, direction=PUBLISH)
    assert explain(token, publish_policy, stream="s1", now=NOW).verdict is Verdict.ACCEPTED


def test_missing_type(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    explanation = explain(
        ant_token(hs256_key, ant_claims(type=None)), antmedia, stream="s1", now=NOW
    )
    assert reason(explanation, "type") == "missing: Ant Media needs type 'play'"


def test_several_failures_are_all_named(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    claims = ant_claims(streamId="x", type="publish", exp=int(NOW) - 1)
    explanation = explain(ant_token(hs256_key, claims), antmedia, stream="s1", now=NOW)
    assert explanation.summary == "rejected: exp, streamId, type failed"


def test_hostile_claim_text_is_quoted_and_cut_in_reasons(
    hs256_key: SharedKey, antmedia: EffectivePolicy
) -> None:
    claims = ant_claims(streamId="\x1b]52;c;" + "A" * 200 + "\x07\u202e")
    text = reason(explain(ant_token(hs256_key, claims), antmedia, stream="s1", now=NOW), "streamId")
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert len(text) < 80


# --- explain: keys and algorithms ----------------------------------------------------------


def test_wrong_key(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    stranger = shared_key(Algorithm.HS256, "a-different-secret-of-enough-length-123")
    token = sign(ant_claims(), stranger)
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert in_order(explanation)[2:4] == [("algorithm", P), ("signature", F)]
    assert reason(explanation, "signature") == (
        f"does not match key {hs256_key.fingerprint}: signed with another key, or altered"
    )
    assert explanation.summary == "rejected: signature failed"


def test_altered_payload(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    head, _, signature = sign(ant_claims(), hs256_key).split(".")
    altered = forge(HS256_HEADER, ant_claims(streamId="s1", exp=int(NOW) + 10**6)).split(".")[1]
    explanation = explain(f"{head}.{altered}.{signature}", antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["signature"] is F


def test_empty_signature(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    token = sign(ant_claims(), hs256_key).rsplit(".", 1)[0] + "."
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["well-formed"] is P
    assert statuses(explanation)["signature"] is F


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("with_key", [True, False])
def test_alg_none_is_refused(hs256_key: SharedKey, alg: str, with_key: bool) -> None:
    policy = policy_for(ServerKind.ANTMEDIA, hs256_key if with_key else None)
    token = forge({"alg": alg, "typ": "JWT"}, ant_claims())
    assert token.endswith(".")
    explanation = explain(token, policy, stream="s1", now=NOW)
    assert in_order(explanation)[2:4] == [("algorithm", F), ("signature", S)]
    assert reason(explanation, "algorithm") == (
        f"alg {alg!r}: the token is unsigned and no server accepts it"
    )
    assert reason(explanation, "signature") == "nothing to verify"
    assert explanation.verdict is Verdict.REJECTED


def test_alg_none_with_a_signature_is_still_refused(
    hs256_key: SharedKey, antmedia: EffectivePolicy
) -> None:
    token = forge({"alg": "none"}, ant_claims(), hmac_key=hs256_key.hmac_key)
    assert statuses(explain(token, antmedia, stream="s1", now=NOW))["algorithm"] is F


def test_algorithm_confusion_hmac_with_the_public_key_pem(rsa_key: AsymmetricKey) -> None:
    # The classic attack: sign HS256 using the server's public key PEM as the HMAC secret. A
    # verifier that picks the algorithm from the token would accept it.
    public = rsa_key.public_only()
    policy = policy_for(ServerKind.THEOLIVE, public)
    claims = {"exp": int(NOW) + 600}
    for pem in (public.public_pem, public.public_pem.strip()):
        token = forge(HS256_HEADER, claims, hmac_key=pem.encode())
        explanation = explain(token, policy, stream=None, now=NOW)
        assert in_order(explanation)[2:4] == [("algorithm", F), ("signature", S)]
        assert reason(explanation, "algorithm") == (
            'alg "HS256" is not accepted; this key allows RS256, RS512 '
            "(algorithm confusion: an HMAC token against a public key)"
        )
        assert reason(explanation, "signature") == "not verified: the algorithm is refused"
        assert explanation.verdict is Verdict.REJECTED


def test_algorithm_confusion_against_an_ec_key(ec_key: AsymmetricKey) -> None:
    policy = policy_for(ServerKind.GENERIC, ec_key.public_only())
    token = forge(HS256_HEADER, {"exp": int(NOW) + 60}, hmac_key=ec_key.public_pem.encode())
    text = reason(explain(token, policy, stream=None, now=NOW), "algorithm")
    assert text.endswith("(algorithm confusion: an HMAC token against a public key)")
    assert "this key allows ES256" in text


@pytest.mark.parametrize(
    ("kind", "key_fixture", "alg", "allowed"),
    [
        (ServerKind.ANTMEDIA, "hs256_key", "HS512", "HS256"),
        (ServerKind.ANTMEDIA, "hs256_key", "RS256", "HS256"),
        (ServerKind.THEOLIVE, "hs256_key", "RS256", "HS256, HS512"),
        (ServerKind.THEOLIVE, "hs256_key", "HS384", "HS256, HS512"),
        (ServerKind.THEOLIVE, "rsa_key", "ES256", "RS256, RS512"),
        (ServerKind.THEOLIVE, "rsa_key", "PS256", "RS256, RS512"),
        (ServerKind.GENERIC, "ec_key", "ES384", "ES256"),
    ],
)
def test_algorithms_the_key_does_not_allow(
    request: pytest.FixtureRequest, kind: ServerKind, key_fixture: str, alg: str, allowed: str
) -> None:
    key: Key = request.getfixturevalue(key_fixture)
    token = forge({"alg": alg}, ant_claims(), b"\x01" * 64)
    explanation = explain(token, policy_for(kind, key), stream="s1", now=NOW)
    assert reason(explanation, "algorithm") == (
        f'alg "{alg}" is not accepted; this key allows {allowed}'
    )
    assert statuses(explanation)["signature"] is S


def test_theolive_takes_the_algorithm_from_the_token(
    hs512_key: SharedKey, rsa_key: AsymmetricKey
) -> None:
    # No algorithm field exists on THEOlive: a 64-byte secret signs HS256 or HS512 alike.
    token = sign({"exp": int(NOW) + 60}, hs512_key, Algorithm.HS256)
    policy = policy_for(ServerKind.THEOLIVE, hs512_key)
    assert explain(token, policy, stream=None, now=NOW).verdict is Verdict.ACCEPTED
    token = sign({"exp": int(NOW) + 60}, rsa_key, Algorithm.RS512)
    policy = policy_for(ServerKind.THEOLIVE, rsa_key.public_only())
    assert explain(token, policy, stream=None, now=NOW).verdict is Verdict.ACCEPTED


def test_es256_signature_in_der_form_is_refused(ec_key: AsymmetricKey) -> None:
    # JWS wants raw r||s (64 bytes); a DER signature is a common interop bug and must not pass.
    claims = {"exp": int(NOW) + 60}
    head_body = forge({"alg": "ES256"}, claims).rsplit(".", 1)[0]
    private = ec_key.signing_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    der = private.sign(head_body.encode(), ec.ECDSA(hashes.SHA256()))
    token = f"{head_body}.{b64url(der)}"
    explanation = explain(token, policy_for(ServerKind.GENERIC, ec_key), stream=None, now=NOW)
    assert statuses(explanation)["signature"] is F


@pytest.mark.parametrize("signature", [b"\x00", b"\x00" * 63, b"\xff" * 65, b"\x00" * 512])
def test_wrong_length_signatures_fail_without_raising(
    ec_key: AsymmetricKey, rsa_key: AsymmetricKey, signature: bytes
) -> None:
    claims = {"exp": int(NOW) + 60}
    for alg, key in (("ES256", ec_key), ("RS256", rsa_key)):
        token = forge({"alg": alg}, claims, signature)
        kind = ServerKind.GENERIC if alg == "ES256" else ServerKind.THEOLIVE
        explanation = explain(token, policy_for(kind, key), stream=None, now=NOW)
        assert statuses(explanation)["signature"] is F


def test_enforced_without_a_key(hs256_key: SharedKey) -> None:
    policy = policy_for(ServerKind.ANTMEDIA, None)
    explanation = explain(sign(ant_claims(), hs256_key), policy, stream="s1", now=NOW)
    assert in_order(explanation)[2:4] == [("algorithm", S), ("signature", F)]
    assert reason(explanation, "algorithm") == (
        'alg "HS256"; no key is configured to check against'
    )
    assert reason(explanation, "signature") == (
        "no key is configured: the server cannot verify any token"
    )
    assert explanation.verdict is Verdict.REJECTED


# --- explain: two keys side by side (a THEOlive rotation) ----------------------------------


def viewer(key: Key, **claims: Any) -> str:
    return sign({"exp": int(NOW) + 300, **claims}, key)


@pytest.fixture(scope="module")
def overlap(hs256_key: SharedKey, hs512_key: SharedKey) -> EffectivePolicy:
    return holding(held("k-old", hs256_key), held("k-new", hs512_key))


def test_a_token_of_the_newest_key_is_accepted_and_named(
    hs512_key: SharedKey, overlap: EffectivePolicy
) -> None:
    explanation = explain(viewer(hs512_key), overlap, stream="main", now=NOW, token_ttl=600)
    assert explanation.verdict is Verdict.ACCEPTED
    assert reason(explanation, "algorithm") == "HS512 is accepted by 2 of the 2 keys held"
    assert reason(explanation, "signature") == (
        f'valid for key {hs512_key.fingerprint} (id "k-new"), the newest of the 2 keys held'
    )


def test_a_token_of_the_older_key_is_accepted_and_says_when_to_retire_it(
    hs256_key: SharedKey, overlap: EffectivePolicy
) -> None:
    explanation = explain(viewer(hs256_key), overlap, stream="main", now=NOW, token_ttl=600)
    assert explanation.verdict is Verdict.ACCEPTED
    assert explanation.accepted
    assert reason(explanation, "signature") == (
        f'valid for key {hs256_key.fingerprint} (id "k-old"), an older key: retire '
        "after 2027-01-15 08:08:00Z (the newest key was added at 2027-01-15 07:58:00Z, + 10m "
        "token lifetime)"
    )
    later = explain(viewer(hs256_key), overlap, stream="main", now=NOW + 480, token_ttl=600)
    assert reason(later, "signature").endswith(
        "an older key: retire it now (the newest key was added at 2027-01-15 07:58:00Z, + 10m "
        "token lifetime)"
    )
    unknown_ttl = explain(viewer(hs256_key), overlap, stream="main", now=NOW)
    assert reason(unknown_ttl, "signature").endswith(
        "an older key: retire it once the longest token lifetime in use has passed since the "
        "newest key was added"
    )


def test_a_token_of_neither_key_is_rejected_naming_both(
    hs256_key: SharedKey, hs512_key: SharedKey, overlap: EffectivePolicy
) -> None:
    stranger = shared_key(Algorithm.HS256, "a-different-secret-of-enough-length-123")
    explanation = explain(viewer(stranger), overlap, stream="main", now=NOW, token_ttl=600)
    assert explanation.verdict is Verdict.REJECTED
    assert reason(explanation, "signature") == (
        f'does not match any of the 2 keys held ({hs512_key.fingerprint} (id "k-new") or '
        f'{hs256_key.fingerprint} (id "k-old")): signed with another key, or altered'
    )


def test_algorithms_of_every_key_held_are_accepted(
    hs256_key: SharedKey, rsa_key: AsymmetricKey, ec_key: AsymmetricKey
) -> None:
    policy = holding(held("k-old", hs256_key), held("k-new", rsa_key))
    older = explain(viewer(hs256_key), policy, stream="main", now=NOW, token_ttl=600)
    assert older.verdict is Verdict.ACCEPTED
    assert reason(older, "algorithm") == "HS256 is accepted by 1 of the 2 keys held"
    assert "an older key" in reason(older, "signature")
    newest = explain(viewer(rsa_key), policy, stream="main", now=NOW, token_ttl=600)
    assert "the newest of the 2 keys held" in reason(newest, "signature")
    refused = explain(viewer(ec_key), policy, stream="main", now=NOW)
    assert reason(refused, "algorithm") == (
        'alg "ES256" is not accepted; these keys allow RS256, RS512, HS256, HS512'
    )


def test_a_key_whose_material_is_unknown_here_is_named_not_ignored(
    hs256_key: SharedKey, hs512_key: SharedKey
) -> None:
    # The old key was installed from elsewhere: the server holds it, this machine cannot check.
    policy = holding(held("k-old", None), held("k-new", hs512_key))
    old_token = viewer(hs256_key)
    explanation = explain(old_token, policy, stream="main", now=NOW, token_ttl=600)
    assert statuses(explanation)["signature"] is S
    assert reason(explanation, "signature") == (
        f'matches no key known here ({hs512_key.fingerprint} (id "k-new")); key (id "k-old" '
        '"K-OLD"): held by the server, material unknown here; the token may be signed with it'
    )
    assert explanation.verdict is Verdict.UNKNOWN
    assert not explanation.accepted
    assert explanation.summary.startswith("unknown: every other check passed, but the server")
    # A token of the key known here is still accepted; a failed check still rejects.
    assert explain(viewer(hs512_key), policy, stream="main", now=NOW).accepted
    expired = explain(sign({"exp": int(NOW) - 1}, hs256_key), policy, stream="main", now=NOW)
    assert expired.verdict is Verdict.REJECTED


def test_only_keys_of_unknown_material(hs256_key: SharedKey, rsa_key: AsymmetricKey) -> None:
    fingerprint = rsa_key.fingerprint  # a key record without its material file
    policy = holding(held("k-1", None, fingerprint=fingerprint))
    assert policy.key is None
    explanation = explain(viewer(hs256_key), policy, stream="main", now=NOW)
    assert in_order(explanation)[2:4] == [("algorithm", S), ("signature", S)]
    assert reason(explanation, "signature") == (
        f'not verified: key {fingerprint} (id "k-1" "K-1"): held by the server, material '
        "unknown here; the token may be signed with it"
    )
    assert explanation.verdict is Verdict.UNKNOWN
    es = forge({"alg": "ES256"}, {"exp": int(NOW) + 60}, b"\x00" * 64)
    refused = explain(es, policy, stream="main", now=NOW)
    assert reason(refused, "algorithm") == (
        'alg "ES256" is not accepted; THEOlive allows HS256, HS512, RS256, RS512'
    )
    assert refused.verdict is Verdict.REJECTED


def test_a_new_key_not_saved_yet_is_the_newest(hs256_key: SharedKey, hs512_key: SharedKey) -> None:
    policy = holding(held("k-old", hs256_key), pending=hs512_key)
    assert [k.label for k in held_keys(policy)] == [
        hs512_key.fingerprint,
        f'{hs256_key.fingerprint} (id "k-old")',
    ]
    explanation = explain(viewer(hs256_key), policy, stream="main", now=NOW, token_ttl=60)
    assert reason(explanation, "signature").endswith(
        "an older key: retire after 2027-01-15 08:01:00Z (the newest key was added at "
        "2027-01-15 08:00:00Z, + 1m token lifetime)"
    )


# --- explain: malformed input --------------------------------------------------------------

UNREADABLE = [(name, S) for name in CHECK_NAMES[1:]]


def assert_unreadable(explanation: Explanation, message: str) -> None:
    assert in_order(explanation) == [("well-formed", F), *UNREADABLE]
    assert reason(explanation, "well-formed") == message
    assert all(
        c.reason == "not checked: the token could not be read" for c in explanation.checks[1:]
    )
    assert explanation.decoded is None
    assert explanation.verdict is Verdict.REJECTED
    assert explanation.summary == "rejected: well-formed failed"
    assert explanation.expires_at is None


GOOD_HEAD = b64url(b'{"alg":"HS256"}')
GOOD_BODY = b64url(b'{"exp":1800000600}')
STRING_BODY = b64url(b'"x"')
ALG_NUMBER_HEAD = b64url(b'{"alg":5}')
ALG_NULL_HEAD = b64url(b'{"alg":null}')
NOT_UTF8_BODY = b64url(b"\xff\xfe{}")
NOT_UTF8_HEAD = b64url(b"\xc3(")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "the token is empty"),
        ("   \n\t ", "the token is empty"),
        ("Bearer    ", "a JWT has 3 dot-separated segments; this has 1"),
        ("abc", "a JWT has 3 dot-separated segments; this has 1"),
        (f"{GOOD_HEAD}.{GOOD_BODY}", "a JWT has 3 dot-separated segments; this has 2"),
        (f"{GOOD_HEAD}.{GOOD_BODY}.AA.AA", "a JWT has 3 dot-separated segments; this has 4"),
        ("a.b.c.d.e", "a JWT has 3 dot-separated segments; this has 5 (an encrypted JWE?)"),
        (f".{GOOD_BODY}.AA", "the header segment is empty"),
        (f"{GOOD_HEAD}..AA", "the payload segment is empty"),
        (f"!!!!.{GOOD_BODY}.AA", "the header is not base64url"),
        (f"{GOOD_HEAD}=.{GOOD_BODY}.AA", "the header is not base64url"),
        (f"{GOOD_HEAD}.{GOOD_BODY}+/.AA", "the payload is not base64url"),
        (f"{GOOD_HEAD}.{GOOD_BODY}A.AA", "the payload is not base64url"),  # length ≡ 1 mod 4
        (f"{GOOD_HEAD}.{GOOD_BODY}.A", "the signature is not base64url"),
        (f"{GOOD_HEAD}.{GOOD_BODY}.sig nature", "the signature is not base64url"),
        (f"{GOOD_HEAD}.{b64url(b'[1]')}.AA", "the payload is JSON but not an object"),
        (f"{GOOD_HEAD}.{STRING_BODY}.AA", "the payload is JSON but not an object"),
        (f"{b64url(b'{}')}.{GOOD_BODY}.AA", "the header has no 'alg' string"),
        (f"{ALG_NUMBER_HEAD}.{GOOD_BODY}.AA", "the header has no 'alg' string"),
        (f"{ALG_NULL_HEAD}.{GOOD_BODY}.AA", "the header has no 'alg' string"),
        (f"{GOOD_HEAD}.{NOT_UTF8_BODY}.AA", "the payload is not UTF-8"),
        (f"{NOT_UTF8_HEAD}.{GOOD_BODY}.AA", "the header is not UTF-8"),
        (f"{GOOD_HEAD}.{GOOD_BODY}\u00e9.AA", "the payload is not base64url"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_malformed_tokens(antmedia: EffectivePolicy, token: str, message: str) -> None:
    assert_unreadable(explain(token, antmedia, stream="s1", now=NOW), message)
    with pytest.raises(TokenFormatError):
        decode_unverified(normalise(token))


def test_payload_that_is_not_json(antmedia: EffectivePolicy) -> None:
    explanation = explain(f"{GOOD_HEAD}.{b64url(b'exp=1')}.AA", antmedia, stream="s1", now=NOW)
    assert reason(explanation, "well-formed").startswith("the payload is not JSON (Expecting value")


def test_oversized_token(antmedia: EffectivePolicy) -> None:
    token = "a" * (MAX_TOKEN_CHARS + 1)
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    # The size is judged first: nothing else is even read.
    assert in_order(explanation) == [("size", F), *[(n, S) for n in CHECK_NAMES if n != "size"]]
    assert reason(explanation, "size") == "16,385 characters; servers refuse tokens over 16 KiB"
    assert explanation.verdict is Verdict.REJECTED
    with pytest.raises(TokenFormatError, match="16,385 characters; the limit is 16 KiB"):
        decode_unverified(token)


def test_token_at_the_size_limit_is_read(hs256_key: SharedKey, antmedia: EffectivePolicy) -> None:
    def padded(chars: int) -> str:
        return ant_token(hs256_key, ant_claims(pad="x" * chars))

    # Base64 makes 4 characters of 3 bytes: aim just under the limit, then grow to meet it.
    chars = (MAX_TOKEN_CHARS - len(padded(0))) * 3 // 4 - 3
    while len(padded(chars + 1)) <= MAX_TOKEN_CHARS:
        chars += 1
    token = padded(chars)
    assert MAX_TOKEN_CHARS - 4 < len(token) <= MAX_TOKEN_CHARS
    explanation = explain("  " + token + "  ", antmedia, stream="s1", now=NOW)
    assert explanation.verdict is Verdict.ACCEPTED


def test_oversized_after_bearer_is_judged_on_the_token(antmedia: EffectivePolicy) -> None:
    # White space and the prefix do not count towards the limit; the token does.
    token = "Bearer " + "a" * MAX_TOKEN_CHARS + "\n" * 100
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["size"] is S
    assert statuses(explanation)["well-formed"] is F


def test_deeply_nested_payload_within_the_size_limit(antmedia: EffectivePolicy) -> None:
    nested = b64url(b"[" * 12_000)
    assert len(nested) < MAX_TOKEN_CHARS
    explanation = explain(f"{GOOD_HEAD}.{nested}.AA", antmedia, stream="s1", now=NOW)
    assert_unreadable(explanation, "the payload is nested too deeply")


def test_deeply_nested_header(antmedia: EffectivePolicy) -> None:
    nested = b64url(b'{"alg":' + b"[" * 11_000)
    explanation = explain(f"{nested}.{GOOD_BODY}.AA", antmedia, stream="s1", now=NOW)
    assert_unreadable(explanation, "the header is nested too deeply")


def test_a_hundred_thousand_brackets_are_refused_for_size(antmedia: EffectivePolicy) -> None:
    token = f"{GOOD_HEAD}.{b64url(b'[' * 100_000)}.AA"
    explanation = explain(token, antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["size"] is F
    assert explanation.verdict is Verdict.REJECTED


def test_nested_claims_under_the_limit_are_described_briefly(
    hs256_key: SharedKey, antmedia: EffectivePolicy
) -> None:
    # Deep but parseable: the reasons still render (json.dumps recursion stays in bounds).
    payload = '{"streamId": ' + "[" * 500 + "]" * 500 + ', "type": "play", "exp": 1800000600}'
    explanation = explain(ant_token(hs256_key, payload), antmedia, stream="s1", now=NOW)
    assert statuses(explanation)["streamId"] is F
    assert reason(explanation, "streamId").startswith("the token is for [[[[")


# --- explain: normalising what is pasted ---------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        "Bearer {}",
        "bearer {}",
        "BEARER {}",
        "Bearer    {}",
        "  Bearer {}  ",
        "\n{}\n",
        "\t{}\r\n",
        "{}   ",
    ],
)
def test_bearer_prefix_and_white_space(
    hs256_key: SharedKey, antmedia: EffectivePolicy, wrap: str
) -> None:
    token = sign(ant_claims(), hs256_key)
    explanation = explain(wrap.format(token), antmedia, stream="s1", now=NOW)
    assert explanation.verdict is Verdict.ACCEPTED
    assert reason(explanation, "size") == f"{len(token):,} characters"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Bearer abc", "abc"),
        ("  bearer   abc \n", "abc"),
        ("Bearerabc", "Bearerabc"),
        ("Bearer\tabc", "Bearer\tabc"),
        ("Token abc", "Token abc"),
        ("", ""),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


# --- explain: verdicts when the server does not enforce ------------------------------------


def test_enforcement_off_is_not_checked(hs256_key: SharedKey) -> None:
    policy = policy_for(ServerKind.ANTMEDIA, hs256_key, enforced=False)
    bad = ant_token(hs256_key, ant_claims(streamId="x", exp=int(NOW) - 10))
    explanation = explain(bad, policy, stream="s1", now=NOW)
    assert explanation.verdict is Verdict.NOT_CHECKED
    assert explanation.accepted
    assert explanation.summary == "play JWT is not enforced: the server does not check the token"
    # The checklist is still there, for the operator turning enforcement on next.
    assert statuses(explanation)["exp"] is F
    assert statuses(explanation)["streamId"] is F
    garbage = explain("garbage", policy, stream="s1", now=NOW)
    assert garbage.verdict is Verdict.NOT_CHECKED


@pytest.mark.parametrize(
    ("claims", "verdict"),
    [
        ({"exp": int(NOW) - 1}, Verdict.REJECTED),
        ({"exp": int(NOW) + 60, "nbf": int(NOW) + 30}, Verdict.REJECTED),
        ({"exp": int(NOW) + 60}, Verdict.NOT_CHECKED),
    ],
    ids=["expired", "not-yet-valid", "valid"],
)
def test_theolive_checks_times_even_with_security_off(
    hs256_key: SharedKey, claims: dict[str, Any], verdict: Verdict
) -> None:
    policy = policy_for(ServerKind.THEOLIVE, hs256_key, enforced=False)
    explanation = explain(sign(claims, hs256_key), policy, stream=None, now=NOW)
    assert explanation.verdict is verdict
    if verdict is Verdict.REJECTED:
        assert explanation.summary == (
            "rejected: THEOlive refuses an expired or not-yet-valid token even with security off"
        )
        assert not explanation.accepted


def test_theolive_off_ignores_a_bad_signature(hs256_key: SharedKey) -> None:
    policy = policy_for(ServerKind.THEOLIVE, hs256_key, enforced=False)
    token = forge(HS256_HEADER, {"exp": int(NOW) + 60}, b"\x00" * 32)
    explanation = explain(token, policy, stream=None, now=NOW)
    assert statuses(explanation)["signature"] is F
    assert explanation.verdict is Verdict.NOT_CHECKED


def test_ant_media_off_ignores_expiry(hs256_key: SharedKey) -> None:
    policy = policy_for(ServerKind.ANTMEDIA, hs256_key, enforced=False)
    token = sign(ant_claims(exp=int(NOW) - 1), hs256_key)
    assert explain(token, policy, stream="s1", now=NOW).verdict is Verdict.NOT_CHECKED


@pytest.mark.parametrize("token_kind", ["valid", "expired", "garbage"])
def test_unsupported_direction_is_not_checked(hs256_key: SharedKey, token_kind: str) -> None:
    policy = policy_for(ServerKind.THEOLIVE, hs256_key, direction=PUBLISH)
    assert not policy.supported
    token = {
        "valid": sign({"exp": int(NOW) + 60}, hs256_key),
        "expired": sign({"exp": int(NOW) - 60}, hs256_key),
        "garbage": "x.y",
    }[token_kind]
    explanation = explain(token, policy, stream="eu", now=NOW)
    assert explanation.verdict is Verdict.NOT_CHECKED
    assert explanation.summary == policy.reason
    statuses(explanation)


# --- decode_unverified ---------------------------------------------------------------------


def test_decode_unverified_parts(hs256_key: SharedKey) -> None:
    token = sign(ant_claims(), hs256_key)
    decoded = decode_unverified(token)
    head, body, signature = token.split(".")
    assert decoded.header == {"alg": "HS256", "typ": "JWT"}
    assert decoded.claims == ant_claims()
    assert decoded.signing_input == f"{head}.{body}".encode()
    assert b64url(decoded.signature) == signature
    assert decoded.algorithm == "HS256"


def test_decode_unverified_does_not_normalise() -> None:
    with pytest.raises(TokenFormatError):
        decode_unverified("Bearer " + forge({"alg": "HS256"}, {"exp": 1}, b"x"))
