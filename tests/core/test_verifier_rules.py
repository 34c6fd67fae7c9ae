"""Header extensions, duplicated names and ``iat``: explained as each server's verifier would.

Ant Media verifies with auth0 java-jwt: it ignores crit, b64 and zip, keeps the last of a
duplicated member, and refuses an iat after its clock. THEOlive's verifier is undocumented:
what the RFCs and common libraries refuse is "likely refused" there, never accepted. Each
token is signed properly with the key the server holds, so only the rule under test decides.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from jwt.exceptions import InvalidTokenError

from streamconsole.core.explain import CheckStatus, Explanation, Verdict, explain
from streamconsole.core.keys import SharedKey
from streamconsole.core.model import ServerKind
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.tokens import TokenFormatError, decode_unverified

from .support import NOW, b64url, forge, policy_for

P, F, S = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.SKIPPED
EXP = int(NOW) + 600


@pytest.fixture(scope="module")
def ant_media(hs256_key: SharedKey) -> EffectivePolicy:
    return policy_for(ServerKind.ANTMEDIA, hs256_key)


@pytest.fixture(scope="module")
def theolive(hs256_key: SharedKey) -> EffectivePolicy:
    return policy_for(ServerKind.THEOLIVE, hs256_key)


def signed(key: SharedKey, header: dict[str, Any] | str, payload: dict[str, Any] | str) -> str:
    """HS256 over the segments as written: raw JSON text keeps its duplicated members."""
    return forge(header, payload, hmac_key=key.hmac_key)


def ant_claims(**more: Any) -> dict[str, Any]:
    return {"streamId": "s1", "type": "play", "exp": EXP, **more}


def check(explanation: Explanation, name: str) -> tuple[CheckStatus, str]:
    found = [c for c in explanation.checks if c.name == name]
    assert len(found) == 1, [c.name for c in explanation.checks]
    return found[0].status, found[0].reason


def names(explanation: Explanation) -> list[str]:
    return [c.name for c in explanation.checks]


def run(token: str, policy: EffectivePolicy) -> Explanation:
    return explain(token, policy, stream="s1", now=NOW)


def assert_likely_refused(explanation: Explanation, name: str, fragment: str) -> None:
    status, why = check(explanation, name)
    assert status is F
    assert why.startswith("likely refused: ")
    assert fragment in why
    assert len(why) < 300
    assert explanation.verdict is Verdict.LIKELY_REJECTED
    assert not explanation.accepted
    assert explanation.summary.startswith(f"would likely be refused: {name} failed")
    assert "THEOlive does not document its CDN's token verifier" in explanation.summary


# --- crit --------------------------------------------------------------------------------------


def test_an_unknown_crit_extension_is_likely_refused_on_theolive(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    header = {"alg": "HS256", "crit": ["urn:example:binding"], "urn:example:binding": "x"}
    explanation = run(signed(hs256_key, header, {"exp": EXP}), theolive)
    assert_likely_refused(explanation, "header", "must understand, or refuse the token")
    assert "RFC 7515 §4.1.11" in check(explanation, "header")[1]
    assert check(explanation, "signature")[0] is P  # the token is otherwise sound


def test_pyjwt_refuses_an_unknown_crit_too(hs256_key: SharedKey) -> None:
    """The library behaviour the THEOlive answer rests on."""
    header = {"alg": "HS256", "crit": ["urn:example:binding"], "urn:example:binding": "x"}
    with pytest.raises(InvalidTokenError, match="Unsupported critical extension"):
        jwt.decode(signed(hs256_key, header, {"exp": EXP}), hs256_key.hmac_key, ["HS256"])


@pytest.mark.parametrize(
    "crit", [[], "b64", ["missing-from-the-header"], [1]], ids=["empty", "string", "absent", "int"]
)
def test_a_malformed_crit_is_likely_refused_on_theolive(
    hs256_key: SharedKey, theolive: EffectivePolicy, crit: Any
) -> None:
    explanation = run(signed(hs256_key, {"alg": "HS256", "crit": crit}, {"exp": EXP}), theolive)
    assert_likely_refused(explanation, "header", "is not a list of this header's parameters")


def test_ant_media_ignores_crit_as_auth0_java_jwt_does(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    header = {"alg": "HS256", "crit": ["urn:example:binding"], "urn:example:binding": "x"}
    explanation = run(signed(hs256_key, header, ant_claims()), ant_media)
    assert explanation.verdict is Verdict.ACCEPTED
    assert check(explanation, "header") == (
        P,
        "crit ignored: Ant Media's verifier (auth0 java-jwt) does not implement it and reads "
        "the token as checked here",
    )
    assert names(explanation)[:4] == ["well-formed", "size", "header", "algorithm"]


def test_crit_naming_b64_with_b64_true_is_the_usual_encoding(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    header = {"alg": "HS256", "b64": True, "crit": ["b64"]}
    explanation = run(signed(hs256_key, header, {"exp": EXP}), theolive)
    assert explanation.verdict is Verdict.ACCEPTED
    assert check(explanation, "header") == (
        P,
        'crit ["b64"], b64 true: the usual base64url payload',
    )


# --- b64 ---------------------------------------------------------------------------------------


def test_b64_false_is_likely_refused_on_theolive(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    """Signed over the base64url payload segment (what a b64-unaware verifier checks)."""
    header = {"alg": "HS256", "b64": False, "crit": ["b64"]}
    explanation = run(signed(hs256_key, header, {"exp": EXP}), theolive)
    assert_likely_refused(explanation, "header", "b64 false: an unencoded payload (RFC 7797)")


def test_ant_media_reads_past_b64_false(hs256_key: SharedKey, ant_media: EffectivePolicy) -> None:
    header = {"alg": "HS256", "b64": False, "crit": ["b64"]}
    explanation = run(signed(hs256_key, header, ant_claims()), ant_media)
    assert explanation.verdict is Verdict.ACCEPTED
    assert check(explanation, "header")[1].startswith("crit, b64 ignored: Ant Media's verifier")


def test_a_detached_b64_false_payload_is_not_read_and_says_why(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    """What PyJWT writes for b64 false: an empty payload segment. No server reads claims
    from it, and the message says what the header asked for."""
    token = jwt.encode(ant_claims(), hs256_key.hmac_key, algorithm="HS256", headers={"b64": False})
    assert token.split(".")[1] == ""
    explanation = run(token, ant_media)
    status, why = check(explanation, "well-formed")
    assert status is F
    assert why.startswith("the payload segment is empty (the header says b64: false")
    assert explanation.verdict is Verdict.REJECTED


# --- zip ---------------------------------------------------------------------------------------


def test_zip_is_likely_refused_on_theolive(hs256_key: SharedKey, theolive: EffectivePolicy) -> None:
    explanation = run(signed(hs256_key, {"alg": "HS256", "zip": "DEF"}, {"exp": EXP}), theolive)
    assert_likely_refused(explanation, "header", 'zip "DEF": compression is defined for encrypted')


def test_ant_media_reads_a_zip_header_token_as_plain_json(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    explanation = run(signed(hs256_key, {"alg": "HS256", "zip": "DEF"}, ant_claims()), ant_media)
    assert explanation.verdict is Verdict.ACCEPTED
    assert check(explanation, "header")[1].startswith("zip ignored: Ant Media's verifier")


def test_a_compressed_payload_is_not_json_and_says_why(ant_media: EffectivePolicy) -> None:
    import zlib

    body = b64url(zlib.compress(json.dumps(ant_claims()).encode())[2:-4])  # raw DEFLATE
    head = b64url(json.dumps({"alg": "HS256", "zip": "DEF"}).encode())
    explanation = run(f"{head}.{body}.c2ln", ant_media)
    status, why = check(explanation, "well-formed")
    assert status is F
    assert 'the header says zip "DEF": a compressed payload' in why


# --- duplicated names ----------------------------------------------------------------------------


def test_alg_none_then_hs256_is_read_as_hs256_on_ant_media(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    """Jackson, in java-jwt, keeps the last member, as this explainer reads it."""
    token = signed(hs256_key, '{"alg":"none","alg":"HS256"}', ant_claims())
    explanation = run(token, ant_media)
    assert explanation.decoded is not None
    assert explanation.decoded.algorithm == "HS256"
    assert explanation.verdict is Verdict.ACCEPTED
    assert check(explanation, "duplicates") == (
        P,
        'the header names "alg" more than once: Ant Media\'s verifier (auth0 java-jwt) keeps '
        "the last of each, as read here",
    )
    assert names(explanation)[:3] == ["well-formed", "size", "duplicates"]


def test_duplicated_alg_is_likely_refused_on_theolive(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    token = signed(hs256_key, '{"alg":"none","alg":"HS256"}', {"exp": EXP})
    assert_likely_refused(run(token, theolive), "duplicates", 'the header names "alg" more')


def test_a_duplicated_stream_id_is_judged_on_the_last(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    first_other = f'{{"streamId":"other","streamId":"s1","type":"play","exp":{EXP}}}'
    first_mine = f'{{"streamId":"s1","streamId":"other","type":"play","exp":{EXP}}}'
    taken = run(signed(hs256_key, {"alg": "HS256"}, first_other), ant_media)
    assert taken.verdict is Verdict.ACCEPTED
    assert check(taken, "duplicates")[1].startswith('the payload names "streamId" more than once')
    refused = run(signed(hs256_key, {"alg": "HS256"}, first_mine), ant_media)
    assert refused.verdict is Verdict.REJECTED
    assert check(refused, "streamId") == (F, 'the token is for "other", not "s1"')


def test_duplicates_in_both_parts_and_nested_are_all_named(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    payload = (
        f'{{"exp":{EXP},"optiview":{{"ch":"a","ch":"b"}},"sub":1,"sub":2,"x":0,"x":1,"y":0,"y":1}}'
    )
    token = signed(hs256_key, '{"alg":"HS256","typ":"JWT","typ":"JWT"}', payload)
    _, why = check(run(token, theolive), "duplicates")
    assert 'the header names "typ" more than once' in why
    assert 'the payload names "ch", "sub", "x" and 1 more more than once' in why


def test_decode_notes_duplicates_and_keeps_the_last() -> None:
    token = forge('{"alg":"none","alg":"HS256","kid":"a"}', '{"exp":1,"exp":2,"sub":"s"}')
    decoded = decode_unverified(token)
    assert decoded.header == {"alg": "HS256", "kid": "a"}
    assert decoded.claims == {"exp": 2, "sub": "s"}
    assert decoded.header_duplicates == ("alg",)
    assert decoded.claim_duplicates == ("exp",)
    plain = decode_unverified(forge({"alg": "HS256"}, {"exp": 1}))
    assert plain.header_duplicates == plain.claim_duplicates == ()
    # Colons in strings and nested objects take the slower reading: still none reported.
    nested = decode_unverified(forge({"alg": "HS256"}, {"iss": "https://a:1", "o": {"a": {}}}))
    assert nested.claims == {"iss": "https://a:1", "o": {"a": {}}}
    assert nested.claim_duplicates == ()


def test_a_hostile_duplicated_name_is_quoted_inertly(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    name = "\x1b]52;c;eA==\x07"
    payload = json.dumps({"exp": EXP})[:-1] + f", {json.dumps(name)}: 1, {json.dumps(name)}: 2}}"
    _, why = check(run(signed(hs256_key, {"alg": "HS256"}, payload), theolive), "duplicates")
    assert "\x1b" not in why and "\x07" not in why
    assert '"\\u001b]52;c;eA==\\u0007"' in why


def test_duplicates_do_not_hide_a_malformed_payload() -> None:
    with pytest.raises(TokenFormatError, match="the payload is JSON but not an object"):
        decode_unverified(forge({"alg": "HS256"}, '[{"a":1,"a":2}]'))


# --- iat -----------------------------------------------------------------------------------------


def test_iat_in_the_future_is_refused_on_ant_media(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    explanation = run(signed(hs256_key, {"alg": "HS256"}, ant_claims(iat=NOW + 90)), ant_media)
    assert check(explanation, "iat") == (
        F,
        "issued in the future: 1m 30s from now, at 2027-01-15 08:01:30Z; Ant Media's verifier "
        "(auth0 java-jwt) refuses a token before its iat",
    )
    assert explanation.verdict is Verdict.REJECTED
    assert explanation.summary == "rejected: iat failed"
    assert names(explanation)[5:7] == ["nbf", "iat"]


def test_iat_one_second_ahead_is_already_refused(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    """java-jwt allows no leeway by default: a second is enough."""
    explanation = run(signed(hs256_key, {"alg": "HS256"}, ant_claims(iat=NOW + 1)), ant_media)
    assert check(explanation, "iat")[0] is F


def test_iat_far_in_the_future_is_likely_refused_on_theolive(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    token = signed(hs256_key, {"alg": "HS256"}, {"exp": EXP, "iat": NOW + 30 * 86400})
    assert_likely_refused(run(token, theolive), "iat", "issued in the future: 30d from now")


@pytest.mark.parametrize(
    ("iat", "fragment"),
    [
        ("yesterday", '"yesterday" is not a number of seconds (NumericDate)'),
        (True, "true is not a number of seconds"),
        (1e30, "1e+30 is absurdly far in the future"),
    ],
)
def test_odd_iat_values_are_refused_on_ant_media(
    hs256_key: SharedKey, ant_media: EffectivePolicy, iat: Any, fragment: str
) -> None:
    explanation = run(signed(hs256_key, {"alg": "HS256"}, ant_claims(iat=iat)), ant_media)
    status, why = check(explanation, "iat")
    assert status is F
    assert fragment in why


def test_iat_in_the_past_passes_and_absent_iat_is_not_listed(
    hs256_key: SharedKey, ant_media: EffectivePolicy
) -> None:
    past = run(signed(hs256_key, {"alg": "HS256"}, ant_claims(iat=NOW - 60)), ant_media)
    assert past.verdict is Verdict.ACCEPTED
    assert check(past, "iat") == (P, "issued 1m ago, at 2027-01-15 07:59:00Z")
    absent = run(signed(hs256_key, {"alg": "HS256"}, ant_claims()), ant_media)
    assert {"iat", "header", "duplicates"}.isdisjoint(names(absent))


def test_a_certain_failure_beside_a_likely_one_is_rejected(
    hs256_key: SharedKey, theolive: EffectivePolicy
) -> None:
    token = signed(hs256_key, {"alg": "HS256", "zip": "DEF"}, {"exp": int(NOW) - 5})
    explanation = run(token, theolive)
    assert explanation.verdict is Verdict.REJECTED
    assert explanation.summary == "rejected: header, exp failed"
