"""Hostile tokens, through ``core.explain.explain`` and ``streamconsole decode``.

Each case names the checks that must fail (exactly those) and a fragment of the first
one's reason: the failed check is the named error. ``decode --against`` must exit 1 for
a refused token (0 when the server would take it), print the same checklist, and never a
traceback; nothing it prints may carry a raw ESC or bidi control, whatever the claims hold.
Tokens go to the CLI on stdin, so they stay out of argv and a 10 MB one costs nothing there.

Header extensions (crit, b64, zip), duplicated names and iat are judged as each server's
verifier would: Ant Media's (auth0 java-jwt) reads past the first three and refuses a future
iat; THEOlive's is undocumented, so what the RFCs refuse is "likely refused" there (a
``likely`` case), never accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jwt.algorithms import get_default_algorithms
from jwt.api_jws import PyJWS

from streamconsole.backends.toml_file import TomlSource
from streamconsole.cli import main
from streamconsole.core.explain import CheckStatus, explain
from streamconsole.core.model import Direction, ScopeRef
from streamconsole.core.policy import EffectivePolicy, effective_policy
from tests.cli.conftest import run_cli
from tests.hostile.support import FIXTURE_KEYS, completed, in_parallel, unsafe_bytes_in

CONFIG_TEXT = """\
[applications.ams]
kind = "antmedia"
publish = true
play = true
key = { algorithm = "HS256", key_file = "hs256.secret" }

[applications.ams.aliases]
cam = {}

[applications.theo]
kind = "theolive"

[applications.theo.aliases.rsa]
play = true
key = { algorithm = "RS256", key_file = "rs256.pub.pem" }
"""
AMS, THEO = "ams/cam", "theo/rsa"
# Built once: tokens are made for "now" and checked within minutes; every time claim
# that must pass is an hour or more away from the edge.
NOW = time.time()
HOUR = 3600
TEN_MEGABYTES = 10 * 1024 * 1024


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def as_json(value: dict[str, Any] | bytes) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


def compact(header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes, sig: bytes) -> str:
    return f"{b64(as_json(header))}.{b64(as_json(payload))}.{b64(sig)}"


@cache
def signing_key(scope: str) -> Any:
    """The key the config below holds for ``scope`` (a secret file's one newline dropped)."""
    if scope == AMS:
        return (FIXTURE_KEYS / "hs256.secret").read_bytes().removesuffix(b"\n")
    return load_pem_private_key((FIXTURE_KEYS / "rs256.pem").read_bytes(), password=None)


def signed(scope: str, payload: dict[str, Any] | bytes, **header: Any) -> str:
    """Signed properly with the scope's key; ``header`` adds fields."""
    algorithm = "HS256" if scope == AMS else "RS256"
    return PyJWS().encode(as_json(payload), signing_key(scope), algorithm=algorithm, headers=header)


def signed_as_written(
    scope: str, header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes
) -> str:
    """Signed with the scope's key over the segments exactly as given (raw JSON keeps its
    duplicated members; a b64 or crit header changes nothing in how it is signed)."""
    algorithm = "HS256" if scope == AMS else "RS256"
    head, body = b64(as_json(header)), b64(as_json(payload))
    sig = get_default_algorithms()[algorithm].sign(f"{head}.{body}".encode(), signing_key(scope))
    return f"{head}.{body}.{b64(sig)}"


def ams_claims(**changes: Any) -> dict[str, Any]:
    claims = {"streamId": "cam", "type": "play", "exp": int(NOW) + HOUR}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def theo_claims(**changes: Any) -> dict[str, Any]:
    return {"exp": int(NOW) + HOUR, **changes}


def hs256_with_the_public_pem() -> str:
    """Algorithm confusion: HMAC keyed with the RS256 alias's public key PEM."""
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(theo_claims()).encode())
    pem = (FIXTURE_KEYS / "rs256.pub.pem").read_bytes()
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def deep(opening: bytes, closing: bytes, depth: int) -> bytes:
    return opening * depth + closing * depth


ESCAPES = {
    "csi": "\x1b[2J\x1b[31mred",
    "osc52-clipboard": "\x1b]52;c;ZWNobyBvd25lZA==\x07",
    "c1-csi": "\x9b31m",
    "bidi-override": "live\u202eevil\u2066",
}


@dataclass(frozen=True)
class Case:
    id: str
    scope: str
    make: Callable[[], str]
    failed: frozenset[str]  # exactly the checks that must fail; empty: accepted
    reason: str = ""  # a fragment of the first failed check's reason
    shows: tuple[str, ...] = ()  # text that decode's output must hold literally
    well_formed: bool = field(default=True)
    likely: bool = False  # every failure "likely": the server's verifier is undocumented

    @property
    def verdict(self) -> str:
        return "would likely be refused: " if self.likely else "rejected: "


def bad(id: str, scope: str, make: Callable[[], str], failed: str, reason: str, **kw: Any) -> Case:
    return Case(id, scope, make, frozenset(failed.split()), reason, **kw)


def malformed(id: str, make: Callable[[], str], reason: str, check: str = "well-formed") -> Case:
    return Case(id, THEO, make, frozenset({check}), reason, well_formed=False)


CASES = [
    # not a compact JWS at all
    malformed("empty", lambda: "", "the token is empty"),
    malformed("whitespace", lambda: " \t\r\n  ", "the token is empty"),
    malformed("bearer-and-nothing", lambda: "Bearer   ", "this has 1"),
    malformed("two-segments", lambda: "eyJhbGciOiJIUzI1NiJ9.e30", "this has 2"),
    malformed("four-segments", lambda: "a.b.c.d", "this has 4"),
    malformed("five-segments-jwe", lambda: "a.b.c.d.e", "(an encrypted JWE?)"),
    malformed("header-not-base64", lambda: "!!!.e30.c2ln", "the header is not base64url"),
    malformed(
        "base64-padding",
        lambda: b64(b'{"alg":"RS256"}') + "==." + b64(b'{"exp":1}') + ".c2ln",
        "the header is not base64url",
    ),
    malformed("standard-base64-alphabet", lambda: "ab+/.e30.c2ln", "the header is not base64url"),
    malformed("header-not-utf8", lambda: compact(b"\xff\xfe{}", {"exp": 1}, b"s"), "is not UTF-8"),
    malformed("payload-not-json", lambda: compact({"alg": "RS256"}, b"{exp:", b"s"), "is not JSON"),
    malformed(
        "payload-json-array",
        lambda: compact({"alg": "RS256"}, b"[1, 2]", b"s"),
        "the payload is JSON but not an object",
    ),
    malformed(
        "payload-nan-literal",
        lambda: compact({"alg": "RS256"}, b'{"exp": NaN}', b"s"),
        "NaN is not valid JSON",
    ),
    malformed(
        "payload-deep-array-bomb",
        lambda: compact({"alg": "RS256"}, b'{"a":' + deep(b"[", b"]", 5000) + b"}", b"s"),
        "the payload is nested too deeply",
    ),
    malformed(
        "header-deep-object-bomb",
        lambda: compact(b'{"alg":"RS256","x":' + deep(b'{"a":', b"}", 1500) + b"}", {}, b""),
        "the header is nested too deeply",
    ),
    malformed("alg-missing", lambda: compact({"typ": "JWT"}, theo_claims(), b"s"), "no 'alg'"),
    malformed("alg-number", lambda: compact({"alg": 256}, theo_claims(), b"s"), "no 'alg'"),
    malformed("alg-null", lambda: compact({"alg": None}, theo_claims(), b"s"), "no 'alg'"),
    malformed("over-16-kib", lambda: "a" * 20_000, "20,000 characters", check="size"),
    malformed(
        "ten-megabytes",
        lambda: "eyJ" + "A" * TEN_MEGABYTES,
        "servers refuse tokens over 16 KiB",
        check="size",
    ),
    # unsigned or the wrong algorithm
    bad(
        "alg-none",
        THEO,
        lambda: compact({"alg": "none"}, theo_claims(), b""),
        "algorithm",
        "unsigned",
    ),
    bad(
        "alg-None",
        THEO,
        lambda: compact({"alg": "None"}, theo_claims(), b""),
        "algorithm",
        "unsigned",
    ),
    bad(
        "alg-NONE",
        THEO,
        lambda: compact({"alg": "NONE"}, theo_claims(), b""),
        "algorithm",
        "unsigned",
    ),
    bad(
        "alg-nOnE-with-a-signature",
        AMS,
        lambda: compact({"alg": "nOnE"}, ams_claims(), b"\x00" * 32),
        "algorithm",
        "unsigned",
    ),
    bad(
        "alg-empty-string",
        THEO,
        lambda: compact({"alg": ""}, theo_claims(), b"s"),
        "algorithm",
        'alg "" is not accepted',
    ),
    bad(
        "hs256-keyed-with-the-rsa-public-pem",
        THEO,
        hs256_with_the_public_pem,
        "algorithm",
        "algorithm confusion: an HMAC token against a public key",
    ),
    bad(
        "es256-against-rsa",
        THEO,
        lambda: compact({"alg": "ES256"}, theo_claims(), b"s" * 64),
        "algorithm",
        "this key allows RS256, RS512",
    ),
    bad(
        "hs512-against-ant-media",
        AMS,
        lambda: compact({"alg": "HS512"}, ams_claims(), b"s" * 64),
        "algorithm",
        "this key allows HS256",
    ),
    bad(
        "signed-with-another-key",
        AMS,
        lambda: PyJWS().encode(json.dumps(ams_claims()).encode(), b"k" * 32, algorithm="HS256"),
        "signature",
        "signed with another key, or altered",
    ),
    # exp and nbf, on tokens signed with the right key
    bad(
        "exp-string",
        THEO,
        lambda: signed(THEO, theo_claims(exp="soon")),
        "exp",
        '"soon" is not a number of seconds',
    ),
    bad(
        "exp-nan-as-string",
        THEO,
        lambda: signed(THEO, theo_claims(exp="NaN")),
        "exp",
        '"NaN" is not a number',
    ),
    bad(
        "exp-true", THEO, lambda: signed(THEO, theo_claims(exp=True)), "exp", "true is not a number"
    ),
    bad(
        "exp-1e30",
        THEO,
        lambda: signed(THEO, theo_claims(exp=1e30)),
        "exp",
        "1e+30 is absurdly far in the future",
    ),
    bad(
        "exp-negative",
        THEO,
        lambda: signed(THEO, theo_claims(exp=-5)),
        "exp",
        "at 1969-12-31 23:59:55Z",
    ),
    bad(
        "exp-huge-integer",
        THEO,
        lambda: signed(THEO, b'{"exp": ' + b"9" * 400 + b"}"),
        "exp",
        "absurdly far in the future",
    ),
    bad(
        "exp-minus-1e400",
        THEO,
        lambda: signed(THEO, b'{"exp": -1e400}'),
        "exp",
        "absurdly far in the past",
    ),
    bad(
        "exp-missing",
        THEO,
        lambda: signed(THEO, {"sub": "x"}),
        "exp",
        "missing: the server requires an expiry",
    ),
    bad(
        "exp-past-float",
        THEO,
        lambda: signed(THEO, theo_claims(exp=NOW - 2 * HOUR + 0.5)),
        "exp",
        "expired ",
    ),
    Case(
        "exp-future-float-is-fine",
        THEO,
        lambda: signed(THEO, theo_claims(exp=NOW + HOUR + 0.5)),
        frozenset(),
    ),
    bad(
        "nbf-in-the-future",
        THEO,
        lambda: signed(THEO, theo_claims(nbf=int(NOW) + 2 * HOUR)),
        "nbf",
        "not valid yet: becomes valid in",
    ),
    bad(
        "nbf-string",
        THEO,
        lambda: signed(THEO, theo_claims(nbf="now")),
        "nbf",
        '"now" is not a number',
    ),
    bad(
        "nbf-infinite",
        THEO,
        lambda: signed(THEO, b'{"exp": %d, "nbf": 1e400}' % (NOW + HOUR)),
        "nbf",
        "is out of range",
    ),
    # Ant Media's stream claims
    bad(
        "stream-id-of-another-stream",
        AMS,
        lambda: signed(AMS, ams_claims(streamId="other")),
        "streamId",
        'the token is for "other", not "cam"',
    ),
    bad(
        "type-publish-checked-as-play",
        AMS,
        lambda: signed(AMS, ams_claims(type="publish")),
        "type",
        "this check is for 'play'",
    ),
    bad(
        "stream-id-missing-and-exp-string",
        AMS,
        lambda: signed(AMS, ams_claims(streamId=None, exp="x")),
        "exp streamId",
        "not a number of seconds",
    ),
    # claims that would drive a terminal, and Rich markup: shown inert and literal
    *(
        Case(
            f"{name}-in-claims",
            THEO,
            lambda text=text: signed(THEO, theo_claims(note=text, **{text: 1}), kid=text),
            frozenset(),
        )
        for name, text in ESCAPES.items()
    ),
    bad(
        "escape-in-stream-id",
        AMS,
        lambda: signed(AMS, ams_claims(streamId="\x1b]0;owned\x07")),
        "streamId",
        'the token is for "\\u001b]0;owned\\u0007"',
    ),
    Case(
        "rich-markup-in-claims",
        THEO,
        lambda: signed(THEO, theo_claims(note="[bold red]x[/bold red] [link=http://e]y[/link]")),
        frozenset(),
        shows=("[bold red]x[/bold red] [link=http://e]y[/link]",),
    ),
    # header extensions, duplicated names, iat: as each server's verifier reads them
    bad(
        "crit-unknown-on-theolive",
        THEO,
        lambda: signed_as_written(
            THEO, {"alg": "RS256", "crit": ["urn:x:bind"], "urn:x:bind": 1}, theo_claims()
        ),
        "header",
        'likely refused: crit ["urn:x:bind"] names an extension the verifier must understand',
        likely=True,
    ),
    Case(
        "crit-unknown-on-ant-media",
        AMS,
        lambda: signed_as_written(
            AMS, {"alg": "HS256", "crit": ["urn:x:bind"], "urn:x:bind": 1}, ams_claims()
        ),
        frozenset(),
        shows=("crit ignored: Ant Media's verifier (auth0 java-jwt) does not implement it",),
    ),
    bad(
        "b64-false-on-theolive",
        THEO,
        lambda: signed_as_written(
            THEO, {"alg": "RS256", "b64": False, "crit": ["b64"]}, theo_claims()
        ),
        "header",
        "b64 false: an unencoded payload (RFC 7797)",
        likely=True,
    ),
    malformed(
        "b64-false-detached-payload",
        lambda: signed(THEO, theo_claims(), b64=False),
        "the payload segment is empty (the header says b64: false",
    ),
    bad(
        "zip-header-on-theolive",
        THEO,
        lambda: signed(THEO, theo_claims(), zip="DEF"),
        "header",
        'zip "DEF": compression is defined for encrypted tokens only',
        likely=True,
    ),
    malformed(
        "zip-deflated-payload",
        lambda: compact(
            {"alg": "RS256", "zip": "DEF"},
            zlib.compress(json.dumps(theo_claims()).encode())[2:-4],
            b"s",
        ),
        'the header says zip "DEF": a compressed payload',
    ),
    Case(
        "alg-none-then-hs256-on-ant-media",
        AMS,
        lambda: signed_as_written(AMS, b'{"alg":"none","alg":"HS256"}', ams_claims()),
        frozenset(),
        shows=('the header names "alg" more than once',),
    ),
    bad(
        "alg-none-then-rs256-on-theolive",
        THEO,
        lambda: signed_as_written(THEO, b'{"alg":"none","alg":"RS256"}', theo_claims()),
        "duplicates",
        'the header names "alg" more than once: parsers differ',
        likely=True,
    ),
    Case(
        "stream-id-twice-on-ant-media",
        AMS,
        lambda: signed_as_written(
            AMS,
            {"alg": "HS256"},
            b'{"streamId":"other","streamId":"cam","type":"play","exp":%d}' % (NOW + HOUR),
        ),
        frozenset(),
        shows=('the payload names "streamId" more than once',),
    ),
    bad(
        "iat-in-the-future-on-ant-media",
        AMS,
        lambda: signed(AMS, ams_claims(iat=int(NOW) + 2 * HOUR)),
        "iat",
        "issued in the future: ",
    ),
    bad(
        "iat-far-in-the-future-on-theolive",
        THEO,
        lambda: signed(THEO, theo_claims(iat=int(NOW) + 400 * 86400)),
        "iat",
        "likely refused: issued in the future: 399d 23h from now",
        likely=True,
    ),
    bad(
        "iat-string-on-ant-media",
        AMS,
        lambda: signed(AMS, ams_claims(iat="now")),
        "iat",
        '"now" is not a number of seconds',
    ),
    bad(
        "rich-markup-in-stream-id",
        AMS,
        lambda: signed(AMS, ams_claims(streamId="[red]cam[/red]")),
        "streamId",
        'the token is for "[red]cam[/red]"',
        shows=('"[red]cam[/red]"',),
    ),
]


@cache
def token_of(case: Case) -> str:
    return case.make()


# --- through core.explain.explain -----------------------------------------------------------


Policies = dict[str, tuple[EffectivePolicy, str | None]]


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("token-config")
    for name in ("hs256.secret", "rs256.pub.pem"):
        shutil.copy(FIXTURE_KEYS / name, directory / name)
        (directory / name).chmod(0o600)
    (directory / "config.toml").write_text(CONFIG_TEXT)
    return directory


@pytest.fixture(scope="module")
def policies(config_dir: Path) -> Policies:
    config = TomlSource(config_dir / "config.toml", read_only=True).load_sync()
    found: Policies = {}
    for scope in (AMS, THEO):
        ref = ScopeRef.parse(scope)
        app, alias = config.resolve(ref)
        found[scope] = effective_policy(app, alias, Direction.PLAY), ref.alias
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_explain_names_the_failed_checks(case: Case, policies: Policies) -> None:
    scope_policy, stream = policies[case.scope]
    result = explain(token_of(case), scope_policy, stream=stream, now=time.time())
    failed = [c for c in result.checks if c.status is CheckStatus.FAILED]
    assert {c.name for c in failed} == case.failed, [(c.name, c.reason) for c in failed]
    assert result.accepted is (not case.failed)
    if case.failed:
        assert case.reason in failed[0].reason
        assert result.summary.startswith(case.verdict)
    for check in result.checks:
        assert not unsafe_bytes_in(check.reason.encode("utf-8", "surrogatepass"))
        assert len(check.reason) < 300


# --- through `streamconsole decode` -----------------------------------------------------------
# Every case runs through the command's entry function in this process (argument parsing,
# stdin, the typed-error handler, printing: all but the interpreter's start), and a sample
# runs as the installed program, whose start alone costs ~0.5 s of CPU a run.

AS_A_PROCESS = {
    "empty",
    "ten-megabytes",
    "alg-none",
    "hs256-keyed-with-the-rsa-public-pem",
    "exp-1e30",
    "osc52-clipboard-in-claims",
    "bidi-override-in-claims",
    "rich-markup-in-claims",
    "escape-in-stream-id",
    "crit-unknown-on-theolive",
}
PLAIN_DECODE = [c for c in CASES if not c.well_formed or c.id.endswith("-in-claims")]
PLAIN_AS_A_PROCESS = {"ten-megabytes", "csi-in-claims"}


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def decode_args(case: Case, config_dir: Path, *, against: bool) -> list[str]:
    scope = ["--against", case.scope, "--type", "play"] if against else []
    return ["decode", "-", *scope, "-c", str(config_dir / "config.toml")]


@pytest.fixture
def in_process(
    config_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[Case, bool], Run]:
    def run(case: Case, against: bool) -> Run:
        monkeypatch.setattr(sys, "stdin", io.StringIO(token_of(case)))
        code = main(decode_args(case, config_dir, against=against))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture(scope="module")
def as_processes(config_dir: Path) -> dict[tuple[str, bool], object]:
    """The installed program on the sampled cases, a few at a time."""

    def run(case: Case, against: bool) -> Any:
        args = decode_args(case, config_dir, against=against)
        return run_cli(*args, stdin=token_of(case), cwd=config_dir)

    jobs = {
        (case.id, against): (lambda case=case, against=against: run(case, against))
        for case in CASES
        for against in (True, False)
        if case.id in (AS_A_PROCESS if against else PLAIN_AS_A_PROCESS)
    }
    return in_parallel(jobs)


def failed_lines(stdout: str) -> dict[str, str]:
    """Check name -> reason of each ✖ line of decode's checklist."""
    lines = [line.strip()[1:].strip() for line in stdout.splitlines() if line.strip()[:1] == "✖"]
    return {line.split(maxsplit=1)[0]: line.split(maxsplit=1)[1] for line in lines}


def assert_safe_output(run: Run | subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in run.stdout + run.stderr
    raw = (run.stdout + run.stderr).encode("utf-8", "surrogatepass")
    assert not unsafe_bytes_in(raw), unsafe_bytes_in(raw)


def assert_against(case: Case, run: Run | subprocess.CompletedProcess[str]) -> None:
    assert_safe_output(run)
    assert run.returncode == (1 if case.failed else 0), run.stderr
    failed = failed_lines(run.stdout)
    assert set(failed) == case.failed
    if case.failed:
        first = next(iter(failed))
        assert case.reason in failed[first], failed
        assert f"verdict: {case.verdict}" in run.stdout
    for text in case.shows:
        assert text in run.stdout


def assert_plain(case: Case, run: Run | subprocess.CompletedProcess[str]) -> None:
    assert_safe_output(run)
    if case.well_formed:
        assert run.returncode == 0, run.stderr
        assert "(not verified" in run.stdout
        for text in case.shows:
            assert text in run.stdout
    else:
        assert run.returncode == 2
        assert run.stderr.startswith("error: not a token: ")
        # Without --against there is no checklist: a size error says the limit instead.
        expected = "the limit is 16 KiB" if case.failed == {"size"} else case.reason
        assert expected in run.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_decode_against_names_the_failed_checks(
    case: Case, in_process: Callable[[Case, bool], Run]
) -> None:
    assert_against(case, in_process(case, True))


@pytest.mark.parametrize("case", PLAIN_DECODE, ids=lambda c: c.id)
def test_decode_without_against(case: Case, in_process: Callable[[Case, bool], Run]) -> None:
    assert_plain(case, in_process(case, False))


@pytest.mark.parametrize("case", [c for c in CASES if c.id in AS_A_PROCESS], ids=lambda c: c.id)
def test_decode_against_as_a_process(
    case: Case, as_processes: dict[tuple[str, bool], object]
) -> None:
    assert_against(case, completed(as_processes[case.id, True]))


@pytest.mark.parametrize(
    "case", [c for c in PLAIN_DECODE if c.id in PLAIN_AS_A_PROCESS], ids=lambda c: c.id
)
def test_decode_without_against_as_a_process(
    case: Case, as_processes: dict[tuple[str, bool], object]
) -> None:
    assert_plain(case, completed(as_processes[case.id, False]))


NAMED_TWICE = {
    "alg-none-then-hs256-on-ant-media": 'note: the header names "alg" more than once',
    "stream-id-twice-on-ant-media": 'note: the payload names "streamId" more than once',
}


@pytest.mark.parametrize("case", [c for c in CASES if c.id in NAMED_TWICE], ids=lambda c: c.id)
def test_decode_without_against_notes_a_name_written_twice(
    case: Case, in_process: Callable[[Case, bool], Run]
) -> None:
    """Shown is the last of each, as most parsers keep; the note says there was another."""
    run = in_process(case, False)
    assert_safe_output(run)
    assert run.returncode == 0, run.stderr
    assert f"{NAMED_TWICE[case.id]}; shown is the last of each" in run.stdout


def test_the_sample_names_real_cases() -> None:
    names = {c.id for c in CASES}
    assert names >= AS_A_PROCESS
    assert names >= PLAIN_AS_A_PROCESS
    assert names >= set(NAMED_TWICE)
