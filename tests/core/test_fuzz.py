"""Property tests: hostile input never makes the core raise anything but its own errors.

Each test states what may come back. Examples are generated, not stored (``database=None``),
so the suite writes nothing into the checkout; a failure prints its reproducing example.
"""

from __future__ import annotations

import base64
import json
import string
import textwrap
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamconsole.core.durations import MAX_TTL, parse_duration
from streamconsole.core.errors import DurationError, KeyValidationError
from streamconsole.core.explain import CheckStatus, Verdict, explain
from streamconsole.core.held_keys import held_keys
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import Algorithm, Key, SecretEncoding, shared_key
from streamconsole.core.model import Direction, ServerKind
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.token_times import TIME_CLAIMS, describe_time
from streamconsole.core.tokens import build_claims, sign

from .support import (
    CHECK_NAMES,
    FOUND_CHECKS,
    NOW,
    b64url,
    fixture_pair,
    fixture_shared,
    forge,
    held,
    holding,
    policy_for,
    read_key_file,
)

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

HS256 = fixture_shared(Algorithm.HS256, "hs256.secret")
HS512 = fixture_shared(Algorithm.HS512, "hs512.secret")
RSA = fixture_pair(Algorithm.RS256, "rs256.pem")
EC = fixture_pair(Algorithm.ES256, "es256.pem")

# Every kind of policy explain() can meet: each kind, enforced or not, with and without a key,
# the unsupported THEOlive publish direction.
POLICIES: list[EffectivePolicy] = [
    policy_for(ServerKind.ANTMEDIA, HS256),
    policy_for(ServerKind.ANTMEDIA, HS256, direction=Direction.PUBLISH),
    policy_for(ServerKind.ANTMEDIA, HS256, enforced=False),
    policy_for(ServerKind.ANTMEDIA, None),
    policy_for(ServerKind.THEOLIVE, HS512),
    policy_for(ServerKind.THEOLIVE, RSA.public_only()),
    policy_for(ServerKind.THEOLIVE, RSA.public_only(), enforced=False),
    policy_for(ServerKind.THEOLIVE, HS256, direction=Direction.PUBLISH),
    policy_for(ServerKind.GENERIC, EC.public_only()),
    policy_for(ServerKind.GENERIC, None, enforced=False),
    # Two keys side by side: both known here, or one held by the server only.
    holding(held("old", HS256), held("new", RSA.public_only())),
    holding(held("old", None), held("new", HS512)),
]
policies = st.sampled_from(POLICIES)
streams = st.none() | st.sampled_from(["s1", "", "S1"]) | st.text(max_size=10)

# --- token strategies ------------------------------------------------------------------------

B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

numbers = (
    st.integers(min_value=-(10**400), max_value=10**400)
    | st.integers(min_value=int(NOW) - 10**6, max_value=int(NOW) + 10**6)
    | st.floats()  # includes inf and nan: json.dumps writes them as Infinity / NaN
    | st.sampled_from([NOW, NOW - 1, NOW + 1, 1e30, -1e30, 1e400, 0, -1])
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(
            [*Algorithm, "none", "None", "NONE", "PS256", "EdDSA", "", "HS256\x00"]
        )
        | json_values,
        "typ": st.just("JWT") | json_values,
        "kid": json_values,
        "crit": json_values,
    },
)
claims = st.fixed_dictionaries(
    {},
    optional={
        "exp": numbers | json_values,
        "nbf": numbers | json_values,
        "iat": numbers,
        "streamId": st.sampled_from(["s1", "S1", ""]) | json_values,
        "type": st.sampled_from(["play", "publish", "PLAY"]) | json_values,
        "sub": json_values,
        "optiview": json_values,
    },
)


def encode(value: Any) -> str:
    return b64url(json.dumps(value).encode())


@st.composite
def shaped_tokens(draw: st.DrawFn) -> str:
    """Three segments from random JSON, signed with the right key, a wrong key, or junk."""
    header = draw(headers)
    payload = draw(claims)
    how = draw(st.sampled_from(["hs256-key", "hs512-key-as-hs256", "random", "empty", "none"]))
    if how == "hs256-key":
        token = forge(header, payload, hmac_key=HS256.hmac_key)
    elif how == "hs512-key-as-hs256":
        token = forge(header, payload, hmac_key=HS512.hmac_key)
    elif how == "random":
        token = forge(header, payload, draw(st.binary(max_size=600)))
    elif how == "empty":
        token = forge(header, payload)
    else:
        token = f"{encode(header)}.{encode(payload)}"
    mutate = draw(st.sampled_from(["as-is", "bearer", "spaces", "pad", "char"]))
    if mutate == "bearer":
        return "Bearer " + token
    if mutate == "spaces":
        return f"  {token}\n"
    if mutate == "pad":
        return token + "=="
    if mutate == "char":
        at = draw(st.integers(min_value=0, max_value=len(token)))
        return token[:at] + draw(st.characters()) + token[at:]
    return token


tokens = (
    shaped_tokens()
    | st.text()
    | st.binary().map(lambda raw: raw.decode("latin-1"))
    | st.text(alphabet=B64URL + ".= \n", max_size=300)
    | st.lists(st.text(alphabet=B64URL, max_size=60), min_size=1, max_size=6).map(".".join)
)


@FUZZ
@given(token=tokens, policy=policies, stream=streams)
def test_explain_never_raises_and_runs_every_check_once(
    token: str, policy: EffectivePolicy, stream: str | None
) -> None:
    explanation = explain(token, policy, stream=stream, now=NOW)
    names = [check.name for check in explanation.checks]
    always = [name for name in names if name not in FOUND_CHECKS]
    assert sorted(always) == sorted(CHECK_NAMES)
    for found, after in FOUND_CHECKS.items():
        assert names.count(found) <= 1
        assert found not in names or names.index(found) > names.index(after)
    assert all(isinstance(check.status, CheckStatus) for check in explanation.checks)
    assert all(check.reason and "\n" not in check.reason for check in explanation.checks)
    assert explanation.summary
    # The verdict follows from the checks and the policy, never the other way round.
    failed_checks = [check for check in explanation.checks if check.failed]
    failed = [check.name for check in failed_checks]
    if explanation.verdict is Verdict.ACCEPTED:
        assert not failed
        assert policy.supported
        assert policy.enforced
    if explanation.verdict is Verdict.REJECTED:
        assert failed
    if explanation.verdict is Verdict.LIKELY_REJECTED:
        assert failed
        assert all(c.reason.startswith("likely refused: ") for c in failed_checks)
        assert policy.kind is not ServerKind.ANTMEDIA  # its verifier's rules are known
    if failed and policy.enforced:
        likely = all(c.reason.startswith("likely refused: ") for c in failed_checks)
        assert explanation.verdict is (Verdict.LIKELY_REJECTED if likely else Verdict.REJECTED)
    if explanation.verdict is Verdict.UNKNOWN:
        assert not failed
        assert policy.enforced
        assert any(not k.entry for k in held_keys(policy))
    if explanation.decoded is not None:
        assert always == list(CHECK_NAMES)
    expires_at = explanation.expires_at
    assert expires_at is None or isinstance(expires_at, float)


# Enforced policies and a key that signs for each (the older of two held keys included):
# tokens signed with them must be accepted exactly when their times are live.
SIGNED: list[tuple[EffectivePolicy, Key]] = [
    (policy_for(ServerKind.ANTMEDIA, HS256), HS256),
    (policy_for(ServerKind.ANTMEDIA, HS256, direction=Direction.PUBLISH), HS256),
    (policy_for(ServerKind.THEOLIVE, HS512), HS512),
    (policy_for(ServerKind.THEOLIVE, RSA.public_only()), RSA),
    (policy_for(ServerKind.GENERIC, EC.public_only()), EC),
    (holding(held("old", HS256), held("new", RSA.public_only())), HS256),
    (holding(held("old", HS256), held("new", RSA.public_only())), RSA),
]


@FUZZ
@given(
    signed=st.sampled_from(SIGNED),
    exp_offset=st.integers(min_value=-(10**6), max_value=-1) | st.integers(1, 10**6),
    nbf_offset=st.none() | st.integers(min_value=-(10**6), max_value=10**6).filter(bool),
)
def test_a_signed_token_is_accepted_exactly_when_its_times_are_live(
    signed: tuple[EffectivePolicy, Key], exp_offset: int, nbf_offset: int | None
) -> None:
    policy, key = signed
    claims = build_claims(policy.kind, policy.direction, "s1", now=NOW, ttl=60)
    claims["exp"] = int(NOW) + exp_offset
    if nbf_offset is not None:
        claims["nbf"] = int(NOW) + nbf_offset
    explanation = explain(sign(claims, key), policy, stream="s1", now=NOW)
    live = exp_offset > 0 and (nbf_offset is None or nbf_offset < 0)
    failed = {check.name for check in explanation.checks if check.failed}
    if live:
        assert explanation.verdict is Verdict.ACCEPTED, explanation.summary
        assert failed == set()
    else:
        assert explanation.verdict is Verdict.REJECTED
        assert ("exp" in failed) is (exp_offset < 0)
        assert ("nbf" in failed) is (nbf_offset is not None and nbf_offset > 0)
        assert failed <= {"exp", "nbf"}


@FUZZ
@given(claim=st.sampled_from(TIME_CLAIMS), value=json_values)
def test_any_time_claim_value_is_described_on_one_line(claim: str, value: Any) -> None:
    described = describe_time(claim, value, NOW)
    assert described.text.startswith(f"{claim} ")
    assert "\n" not in described.text
    assert described.relative or described.note
    json.dumps(described.to_json())


# --- parse_duration ----------------------------------------------------------------------------


@FUZZ
@given(
    text=st.text()
    | st.text(alphabet="0123456789smhdSMHD ²٣３.-+_\t", max_size=30)
    | st.text(alphabet="0123456789²٣３", min_size=1, max_size=4)  # all "digits" to str.isdigit
    | st.from_regex(r"\s*([0-9]{1,6}[smhd ]?){1,4}\s*", fullmatch=True)
    | st.builds(lambda n, unit: "9" * n + unit, st.integers(0, 6000), st.sampled_from("sm "))
)
def test_parse_duration_returns_seconds_in_range_or_raises_duration_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except DurationError as error:
        assert str(error).startswith(repr(text[:40]))  # the input, cut at 40 characters
        assert len(str(error)) < 400  # bounded however long the input (escapes widen it)
        return
    assert isinstance(seconds, int)
    assert 1 <= seconds <= MAX_TTL


# --- key import ------------------------------------------------------------------------------

PUBLIC_PEMS = [RSA.public_pem, EC.public_pem]
PRIVATE_PEMS = [read_key_file("rs256.pem"), read_key_file("es256.pem")]


def pem_blocks(label: str, bodies: st.SearchStrategy[bytes]) -> st.SearchStrategy[str]:
    def wrap(body: bytes) -> str:
        lines = "\n".join(textwrap.wrap(base64.b64encode(body).decode(), 64))
        return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"

    return bodies.map(wrap)


@st.composite
def mutated_der(draw: st.DrawFn, pems: list[str]) -> bytes:
    """A real key's DER with a few bytes changed: reaches deep into the ASN.1 parser."""
    pem = draw(st.sampled_from(pems))
    der = bytearray(base64.b64decode("".join(pem.strip().splitlines()[1:-1])))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        der[draw(st.integers(min_value=0, max_value=len(der) - 1))] = draw(
            st.integers(min_value=0, max_value=255)
        )
    return bytes(der)


jwk_like = st.fixed_dictionaries(
    {"kty": st.sampled_from(["RSA", "EC", "oct", "OKP"]) | json_values},
    optional={
        "n": st.text(alphabet=B64URL, max_size=400) | json_values,
        "e": st.sampled_from(["AQAB", "Aw", "", "AA"]) | json_values,
        "crv": st.sampled_from(["P-256", "P-384", "P-521", "secp256k1", "X25519"]) | json_values,
        "x": st.text(alphabet=B64URL, max_size=90) | json_values,
        "y": st.text(alphabet=B64URL, max_size=90) | json_values,
        "d": json_values,
    },
)
public_texts = (
    st.text()
    | st.sampled_from(PUBLIC_PEMS + PRIVATE_PEMS)
    | pem_blocks("PUBLIC KEY", st.binary(max_size=600))
    | pem_blocks("PUBLIC KEY", mutated_der(PUBLIC_PEMS))
    | pem_blocks("RSA PUBLIC KEY", st.binary(max_size=300))
    | jwk_like.map(json.dumps)
    | st.text().map(lambda t: "{" + t)
    | st.sampled_from([1, 100, 5_000, 100_000]).map(lambda n: '{"kty": ' + "[" * n)
)


@FUZZ
@given(algorithm=st.sampled_from(Algorithm), text=public_texts)
def test_public_key_import_raises_only_key_validation_error(
    algorithm: Algorithm, text: str
) -> None:
    try:
        key = public_key_from_text(algorithm, text)
    except KeyValidationError:
        return
    assert key.algorithm is algorithm
    assert not key.can_sign
    assert key.fingerprint


@FUZZ
@given(
    algorithm=st.sampled_from(Algorithm),
    text=st.text()
    | pem_blocks("PRIVATE KEY", st.binary(max_size=600))
    | pem_blocks("PRIVATE KEY", mutated_der(PRIVATE_PEMS))
    | pem_blocks("EC PRIVATE KEY", st.binary(max_size=200)),
)
def test_private_key_import_raises_only_key_validation_error(
    algorithm: Algorithm, text: str
) -> None:
    try:
        key = private_key_from_pem(algorithm, text)
    except KeyValidationError:
        return
    assert key.can_sign


@FUZZ
@given(
    algorithm=st.sampled_from(Algorithm),
    secret=st.text()
    | st.text(alphabet=B64URL + "=+/ !é", min_size=30, max_size=100)
    | st.text(alphabet="0123456789abcdefABCDEF xz", min_size=60, max_size=140),
    encoding=st.sampled_from(SecretEncoding),
    min_chars=st.sampled_from([0, 32, 64]),
)
def test_shared_key_raises_only_key_validation_error_and_never_echoes_the_secret(
    algorithm: Algorithm, secret: str, encoding: SecretEncoding, min_chars: int
) -> None:
    try:
        key = shared_key(algorithm, secret, encoding, min_chars=min_chars)
    except KeyValidationError as error:
        if len(secret.strip()) >= 16:
            assert secret.strip() not in str(error)
        return
    assert len(key.secret) >= min_chars
    assert len(key.hmac_key) >= algorithm.min_secret_bytes
    assert secret not in key.fingerprint
    # No character is silently dropped on the way to the key bytes.
    if encoding is SecretEncoding.BASE64URL:
        assert set(secret.rstrip("=")) <= set(B64URL + "+/")
    if encoding is SecretEncoding.HEX:
        assert set(secret) <= set(string.hexdigits + string.whitespace)
