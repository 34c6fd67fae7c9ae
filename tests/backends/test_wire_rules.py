"""The rules every remote backend shares, without a server: names as URL path segments, the
plain-HTTP rule, the listing cap, and masking what the client sent in what a server says."""

from __future__ import annotations

import json

import httpx
import pytest

from streamconsole.backends.base import RemoteError, SourceError
from streamconsole.backends.masks import masked_secrets
from streamconsole.backends.remote import ItemLimit
from streamconsole.backends.wire_rules import (
    is_loopback,
    name_problem,
    plain_http_refusal,
    segment,
    unusable_names,
)


@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("LiveApp", "LiveApp"),
        ("b#frag", "b%23frag"),
        ("Decoy/../OtherApp", "Decoy%2F..%2FOtherApp"),
        ("a b?c=d&e", "a%20b%3Fc%3Dd%26e"),
        ("100%", "100%25"),
        ("...", "..."),
        ("caf\u00e9", "caf%C3%A9"),
    ],
)
def test_a_name_is_one_path_segment(name: str, sent: str) -> None:
    assert segment(name, "application") == sent
    # httpx keeps it as it is: one segment, nothing resolved, nothing cut off.
    url = httpx.URL(f"http://127.0.0.1/rest/v2/applications/settings/{sent}")
    assert url.raw_path.decode() == f"/rest/v2/applications/settings/{sent}"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "is empty"),
        (".", "is '.', which a URL reads as a directory"),
        ("..", "is '..', which a URL reads as a directory"),
        ("esc\x1b[2J", "holds a control character"),
        ("cr\rlf\n", "holds a control character"),
        ("nul\x00", "holds a control character"),
        ("del\x7f", "holds a control character"),
        ("csi\x9b", "holds a control character"),
    ],
)
def test_a_name_that_cannot_be_a_segment_is_refused_by_name(name: str, problem: str) -> None:
    assert problem in name_problem(name)
    with pytest.raises(SourceError) as refused:
        segment(name, "channel")
    message = str(refused.value)
    assert message.startswith("channel '")
    assert problem in message
    assert message.endswith("it cannot be part of a URL, so nothing is sent for it")
    assert not any(char in message for char in "\x00\x1b\r\n\x7f\x9b")


@pytest.mark.parametrize(
    "names",
    [
        ["stream1", "caf\u00e9\u00a0bar", "bidi\u202eppa", "a b"],  # fine, if not all printable
        ["ok", "..", "a\x1bb", "", "x\x85y"],
        [f"alias-{i}" for i in range(1000)] + ["."],
    ],
)
def test_unusable_names_finds_what_asking_each_name_finds(names: list[str]) -> None:
    assert unusable_names(dict.fromkeys(names)) == [n for n in names if name_problem(n)]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    assert plain_http_refusal("http", host) == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.attacker.example:5080",
        "http://127.0.0.1.nip.io",
        "http://127.0.0.1@10.0.0.5",
        "http://127.0.0.1:x@10.0.0.5:5080",
        "http://10.0.0.5",
        "http://2130706433",  # 127.0.0.1 as one number: not a literal address
        "http://127.1",
        "http://[::ffff:127.0.0.1]",
        "http://localhost.",
    ],
)
def test_plain_http_elsewhere_is_refused_as_httpx_parses_it(url: str) -> None:
    parsed = httpx.URL(url)
    refusal = plain_http_refusal(parsed.scheme, parsed.host)
    assert f"plain http to {parsed.host}, which is not this machine" in refusal


def test_https_anywhere_and_plain_http_through_a_proxy() -> None:
    assert plain_http_refusal("https", "10.0.0.5") == ""
    assert plain_http_refusal("https", "10.0.0.5", "http://127.0.0.1:3128") == ""
    assert "through a proxy" in plain_http_refusal("http", "127.0.0.1", "http://127.0.0.1:3128")


def test_item_limit_names_the_limit_and_the_setting() -> None:
    limit = ItemLimit("prod", 100)
    limit.check(100, "GET /v2/channels")
    with pytest.raises(RemoteError) as refused:
        limit.check(101, "GET /v2/channels")
    assert str(refused.value) == (
        "GET /v2/channels: the server lists more than 100, the most that max_items of server "
        "'prod' lets this console read; stopped. Raise max_items in [servers.prod] to read "
        "them all"
    )


def test_masking_covers_the_secret_as_it_is_and_as_json_writes_it() -> None:
    pem = '-----BEGIN PUBLIC KEY-----\nMFkw"EwYH\u00e9\n-----END PUBLIC KEY-----\n'
    echoed = f"raw: {pem} json: {json.dumps({'key': pem})} ascii: {json.dumps(pem)}"
    masked = masked_secrets(echoed, [pem, ""])
    assert "MFkw" not in masked
    assert masked.count("********") == 3
    # Gson (Ant Media) writes "=" as \u003d by default; others write "/" as "\/".
    gson = 'invalid key "c2VjcmV0\\u003d\\u003d" / "a\\/b"'
    assert masked_secrets(gson, ["c2VjcmV0==", "a/b"]) == 'invalid key "********" / "********"'
    # An empty secret masks nothing; a longer one is masked whole, not cut by a shorter one.
    assert masked_secrets("pass password", ["pass", "password"]) == "******** ********"
