"""``apply --verify`` on several servers at once (issues 14 and 16): two Ant Media emulators
and a THEOlive one, with a server that is down and one that is read-only. Each server that
applied its whole plan has the scopes it changed probed, in its own ``--jobs`` slot; one
whose apply failed is not probed, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import LIVE_APP, Fleet, new_key
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

SETTINGS_POST = "/rest/v2/applications/settings/*"
LIVE_HLS = "/LiveApp/streams/*"
# The file's THEOlive side: the keyless alias morning, given a key and play on.
MORNING = (
    '[applications.news-channel]\nkind = "theolive"\n'
    "[applications.news-channel.aliases.morning]\nplay = true\n"
    'key = { algorithm = "HS256", key_file = "keys/live.secret" }\n'
)


def switched_off_behind_the_probe(server: AntMediaEmulator) -> None:
    """Another admin turns LiveApp's play JWT off on ``server`` right after the probe's first
    request there (its valid token): the delivery gate no longer matches what was applied."""
    server.faults.after(
        LIVE_HLS, lambda: server.state.update_settings("LiveApp", playJwtControlEnabled=False)
    )


def summary_rows(stdout: str) -> list[list[str]]:
    """The summary table's rows (header first), cut into words; not the lines below a row."""
    table = stdout[stdout.index("SERVER  RESULT") :].splitlines()
    return [line.split() for line in table if line and not line.startswith(" ")][:-2]


def theo_writes(fleet: Fleet) -> int:
    return sum(1 for record in fleet.theo.log.records if record.method != "GET")


def writable_fleet(
    tmp_path: Path, eu: AntMediaEmulator, us: AntMediaEmulator, theo: TheoLiveEmulator
) -> Fleet:
    """eu, us and theo writable (and down), wanting LiveApp and morning secured."""
    fleet = Fleet(tmp_path, eu, us, theo)
    new_key(tmp_path)
    fleet.want(LIVE_APP + MORNING)
    return fleet


def test_each_server_verified_after_its_apply_one_as_configured_one_a_mismatch(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    fleet = writable_fleet(tmp_path, antmedia, antmedia_us, theolive)
    switched_off_behind_the_probe(fleet.us)
    servers = ("--server", "eu", "--server", "us", "--server", "theo")
    applied = fleet.run("apply", *servers, "--verify", "--yes")
    assert applied.returncode == 1, applied.stdout + applied.stderr  # every apply: the verify
    out = applied.stdout
    assert summary_rows(out) == [
        ["SERVER", "RESULT", "APPLIED", "FAILED", "SKIPPED", "VERIFY"],
        ["eu", "applied", "2", "0", "0", "as", "configured"],
        ["us", "applied", "2", "0", "0", "mismatch"],
        ["theo", "applied", "2", "0", "0", "as", "configured"],
    ]
    assert "3 of 3 servers succeeded: every server succeeded\nverify: mismatch on us\n" in out
    # Each server's table under its name, the scopes it changed only.
    eu = out[out.index("[eu] verify") : out.index("[us] verify")].splitlines()
    us = out[out.index("[us] verify") : out.index("[theo] verify")].splitlines()
    theo = out[out.index("[theo] verify") : out.index("SERVER  RESULT")].splitlines()
    assert [row.split()[:6] for row in eu[2:]] == [
        ["LiveApp", "publish", "enforced", "-", "-", "-"],
        ["LiveApp", "play", "enforced", "403", "404", "403"],
    ]
    assert "enforced as configured" in eu[-1]
    assert us[-1].split()[:6] == ["LiveApp", "play", "enforced", "404", "404", "404"]
    assert "NOT enforced (a request without a token was served)" in us[-1]
    assert [row.split()[:6] for row in theo[2:]] == [
        ["news-channel/morning", "play", "enforced", "403", "200", "403"]
    ]
    assert all(d.target.startswith("/play/morning/") for d in fleet.theo.deliveries)
    assert (len(fleet.eu.deliveries), len(fleet.us.deliveries)) == (3, 3)
    secret = (tmp_path / "keys" / "live.secret").read_text()
    assert secret not in out + applied.stderr

    # Run again: nothing changed anywhere, so nothing is probed, and exit 0.
    fleet.us.state.update_settings("LiveApp", playJwtControlEnabled=True)
    again = fleet.run("apply", *servers, "--verify", "--yes", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    summary = json.loads(again.stdout)
    assert [(s["result"], s["verify"]) for s in summary["servers"]] == [("in sync", None)] * 3
    assert summary["verify"] is None
    assert (len(fleet.eu.deliveries), len(fleet.us.deliveries)) == (3, 3)


def test_a_failed_apply_is_not_verified_and_its_exit_code_wins_over_a_mismatch(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    """As on one server, where a verify runs only after its apply succeeded: the failed
    apply decides the exit code (3: the server failed), the mismatch elsewhere is reported."""
    fleet = writable_fleet(tmp_path, antmedia, antmedia_us, theolive)
    switched_off_behind_the_probe(fleet.eu)
    fleet.us.faults.fail(500, times=1, path="/rest/v2/applications/settings/LiveApp", method="POST")
    applied = fleet.run("apply", "--server", "eu", "--server", "us", "--verify", "--yes", "--json")
    assert applied.returncode == 3, applied.stdout + applied.stderr
    summary = json.loads(applied.stdout)
    eu, us = summary["servers"]
    assert (eu["result"], eu["verify"]["outcome"]) == ("applied", "mismatch")
    [play] = [row for row in eu["verify"]["results"] if row["direction"] == "play"]
    assert play["server"] == "eu" and play["scope"] == "LiveApp"
    assert play["verdict"] == "NOT enforced (a request without a token was served)"
    assert us["result"] == "failed" and "HTTP 500" in us["error"]
    assert us["verify"] == {
        "server": "us",
        "outcome": "not verified",
        "results": [],
        "error": "its apply failed",
    }
    assert summary["verify"] == "mismatch"
    assert fleet.us.deliveries == []  # not probed at all
    assert "[eu]" in applied.stderr and "[eu] verify" not in applied.stdout  # JSON alone

    fleet.eu.state.update_settings("LiveApp", playJwtControlEnabled=True)  # as applied
    text = fleet.run("apply", "--server", "eu", "--server", "us", "--verify", "--yes")
    assert text.returncode == 0, text.stdout + text.stderr  # us applied now; eu in sync
    assert summary_rows(text.stdout)[1:] == [
        ["eu", "in", "sync", "0", "0", "0", "-"],
        ["us", "applied", "2", "0", "0", "as", "configured"],
    ]


def test_read_only_and_down_servers_are_not_verified_and_jobs_bounds_the_verify_too(
    fleet: Fleet, tmp_path: Path
) -> None:
    """us is read-only and down cannot be read: neither is verified, and each says why. With
    --jobs 1, eu is probed before theo (the next server) is written to."""
    new_key(tmp_path)
    fleet.want(LIVE_APP + MORNING)
    theo_writes_at_eu_probe: list[int] = []
    fleet.eu.faults.after(
        LIVE_HLS, lambda: theo_writes_at_eu_probe.append(theo_writes(fleet)), times=None
    )
    applied = fleet.run("apply", "--all-servers", "--verify", "--yes", "--jobs", "1")
    assert applied.returncode == 3, applied.stdout + applied.stderr  # down decides
    assert theo_writes_at_eu_probe == [0, 0, 0]
    assert theo_writes(fleet) > 0
    assert summary_rows(applied.stdout) == [
        ["SERVER", "RESULT", "APPLIED", "FAILED", "SKIPPED", "VERIFY"],
        ["eu", "applied", "2", "0", "0", "as", "configured"],
        ["us", "skipped", "0", "0", "2", "not", "verified"],
        ["theo", "applied", "2", "0", "0", "as", "configured"],
        ["down", "down", "-", "-", "-", "not", "verified"],
    ]
    assert "  us: not verified: nothing was applied" in applied.stdout
    assert "  down: not verified: it could not be read" in applied.stdout
    assert "verify: as configured on eu, theo" in applied.stdout
    assert "[us] verify" not in applied.stdout and fleet.us.deliveries == []
    assert fleet.us.log.count(method="POST", path=SETTINGS_POST) == 0
