"""Several servers at once from the command line (issue 16): two Ant Media emulators and a
THEOlive one, with a server that is down and one whose profile is read-only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import LIVE_APP, Fleet, new_key
from tests.emulators import AntMediaEmulator, TheoLiveEmulator, antmedia_state, theolive_state

SETTINGS_POST = "/rest/v2/applications/settings/*"


def test_list_names_the_server_of_every_row_and_the_down_one_does_not_stop_the_others(
    fleet: Fleet,
) -> None:
    listed = fleet.run("list", "--all-servers", "--applications-only", "--json")
    assert listed.returncode == 3  # a server could not be read
    rows = json.loads(listed.stdout)
    by_server = {(row["server"], row["scope"]) for row in rows}
    assert {("eu", "LiveApp"), ("us", "LiveApp"), ("theo", "sports"), ("down", None)} <= by_server
    down = next(row for row in rows if row["server"] == "down")
    assert down["publish"] is None and "cannot connect" in down["error"]
    assert "error: server down: " in listed.stderr
    assert [r["server"] for r in rows] == sorted(
        (r["server"] for r in rows), key=["eu", "us", "theo", "down"].index
    )

    text = fleet.run("list", "--server", "eu", "--server", "theo", "--applications-only")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split()[:2] == ["SERVER", "SCOPE"]
    assert any(line.split()[:2] == ["theo", "news-channel"] for line in lines)


def test_one_server_lists_as_before(fleet: Fleet) -> None:
    listed = fleet.run("list", "--server", "eu", "--applications-only", "--json")
    assert listed.returncode == 0, listed.stderr
    assert all("server" not in row for row in json.loads(listed.stdout))


def test_show_on_each_server(fleet: Fleet) -> None:
    shown = fleet.run("show", "LiveApp", "--server", "eu", "--server", "us", "--json")
    assert shown.returncode == 0, shown.stderr
    views = json.loads(shown.stdout)
    assert [(v["server"], v["policies"]["publish"]["enforced"]) for v in views] == [
        ("eu", True),
        ("us", True),
    ]
    missing = fleet.run("show", "LiveApp", "--server", "eu", "--server", "theo")
    assert missing.returncode == 2
    assert "[eu]\nLiveApp  (antmedia)" in missing.stdout
    assert "error: server theo: no application named 'LiveApp'" in missing.stderr


def test_plan_then_apply_across_the_fleet(fleet: Fleet, tmp_path: Path) -> None:
    secret = new_key(tmp_path).read_text()
    fleet.want(LIVE_APP)
    planned = fleet.run("plan", "--all-servers", "--json")
    assert planned.returncode == 3  # down could not be read
    records = {record["server"]: record for record in json.loads(planned.stdout)}
    assert [s["action"] for s in records["eu"]["steps"]] == ["key", "enforce"]
    assert records["theo"]["steps"] == [] and "cannot connect" in records["down"]["error"]

    applied = fleet.run("apply", "--all-servers", "--yes")
    assert applied.returncode == 3  # down: exit 0 only when every server succeeded
    summary = applied.stdout[applied.stdout.index("SERVER  RESULT") :].splitlines()
    assert [line.split()[:5] for line in summary if not line.startswith(" ")][:5] == [
        ["SERVER", "RESULT", "APPLIED", "FAILED", "SKIPPED"],
        ["eu", "applied", "2", "0", "0"],
        ["us", "skipped", "0", "0", "2"],
        ["theo", "in", "sync", "0", "0"],
        ["down", "down", "-", "-", "-"],
    ]
    assert "  us: read-only: nothing was sent" in summary
    assert "2 of 4 servers succeeded" in applied.stdout
    assert "eu: applied: LiveApp: play JWT on" in applied.stdout
    assert fleet.eu.state.settings("LiveApp")["jwtStreamSecretKey"] == secret
    assert fleet.eu.log.count(method="POST", path=SETTINGS_POST) == 1  # one save per scope
    assert fleet.us.log.count(method="POST", path=SETTINGS_POST) == 0  # read-only: not sent
    assert secret not in applied.stdout + applied.stderr

    again = fleet.run("apply", "--server", "eu", "--server", "theo", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    results = json.loads(again.stdout)
    assert results["succeeded"] is True
    assert [r["result"] for r in results["servers"]] == ["in sync", "in sync"]


def test_a_failing_server_is_reported_and_the_others_are_applied(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    fleet = Fleet(tmp_path, antmedia, antmedia_us, theolive)
    new_key(tmp_path)
    fleet.want(LIVE_APP)
    antmedia_us.faults.fail(
        500, times=1, path="/rest/v2/applications/settings/LiveApp", method="POST"
    )
    applied = fleet.run("apply", "--server", "eu", "--server", "us", "--yes", "--json")
    assert applied.returncode == 3
    eu, us = json.loads(applied.stdout)["servers"]
    assert (eu["result"], len(eu["applied"])) == ("applied", 2)
    assert (us["result"], len(us["failed"]), us["applied"]) == ("failed", 2, [])
    assert "HTTP 500" in us["error"]
    assert antmedia_us.state.settings("LiveApp")["playJwtControlEnabled"] is False
    assert "[us]" in applied.stderr  # the plans went to stderr: stdout is the JSON only

    resumed = fleet.run("apply", "--server", "eu", "--server", "us", "--yes")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "2 of 2 servers succeeded: every server succeeded" in resumed.stdout


def test_one_plan_file_is_for_one_server(fleet: Fleet, tmp_path: Path) -> None:
    out = fleet.run("plan", "--server", "eu", "--server", "us", "--out", str(tmp_path / "p"))
    assert out.returncode == 2
    assert "--out is for one server" in out.stderr
    assert not (tmp_path / "p").exists()
    jobs = fleet.run("apply", "--all-servers", "--jobs", "0", "--yes")
    assert jobs.returncode == 2
    assert "at least one server at a time" in jobs.stderr
    unknown = fleet.run("list", "--server", "eu", "--server", "nowhere")
    assert unknown.returncode == 2
    assert "no server named 'nowhere' (configured: eu, us, theo, down)" in unknown.stderr


def test_diff_between_two_servers_and_a_server_and_the_file(fleet: Fleet, tmp_path: Path) -> None:
    same = fleet.run("diff", "--server", "eu", "--server", "us")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "no drift: eu and us match on 3 scopes" in same.stdout

    fleet.us.state.update_settings("LiveApp", playJwtControlEnabled=True)
    drifted = fleet.run("diff", "--server", "eu", "--server", "us", "--json")
    assert drifted.returncode == 1
    report = json.loads(drifted.stdout)
    assert report["differences"] == [
        {"scope": "LiveApp", "field": "play", "left": False, "right": True}
    ]
    text = fleet.run("diff", "--server", "eu", "--server", "us", "VodApp")
    assert text.returncode == 0, text.stdout

    new_key(tmp_path)
    fleet.want(LIVE_APP)
    against_file = fleet.run("diff", "--server", "eu", "--file", "LiveApp")
    assert against_file.returncode == 1
    rows = [line.split() for line in against_file.stdout.splitlines()]
    assert rows[0] == ["SCOPE", "FIELD", "eu", str(fleet.config)]
    assert [row[:2] for row in rows[1:3]] == [["LiveApp", "play"], ["LiveApp", "fingerprint"]]

    down = fleet.run("diff", "--server", "eu", "--server", "down")
    assert down.returncode == 3
    assert "server down: " in down.stderr
    one_side = fleet.run("diff", "--server", "eu")
    assert one_side.returncode == 2
    assert "diff compares two sides" in one_side.stderr


def test_names_from_the_servers_reach_the_terminal_inert(fleet: Fleet) -> None:
    fleet.us.state = antmedia_state.hostile_state()
    fleet.theo.state = theolive_state.hostile_state()
    runs = [
        fleet.run("list", "--server", "us", "--server", "theo"),
        fleet.run(
            "show",
            f"{antmedia_state.HOSTILE_APP}/{antmedia_state.HOSTILE_STREAM}",
            "--server",
            "eu",
            "--server",
            "us",
        ),
        fleet.run("diff", "--server", "eu", "--server", "us"),
        fleet.run("probe", antmedia_state.HOSTILE_APP, "--server", "eu", "--server", "us"),
    ]
    assert "only on us: Evil\\u202e[bold red]markup" in runs[2].stdout
    assert "eu: no application named 'Evil\\u202e[bold red]markup'" in runs[3].stderr
    for ran in runs:
        assert ran.returncode in (0, 1, 2, 3), ran.stderr
        for raw in ("\x1b", "\u202e", "\x9b", "\r"):
            assert raw not in ran.stdout + ran.stderr


def test_a_server_whose_rules_refuse_its_plan_is_skipped_before_any_write(
    fleet: Fleet, tmp_path: Path
) -> None:
    """THEOlive keeps play on while an alias holds keys: the plan says so per server, and
    apply writes nothing there while the other servers are applied."""
    new_key(tmp_path)
    fleet.want(
        LIVE_APP + '[applications.sports]\nkind = "theolive"\n'
        "[applications.sports.aliases]\nsports-main = { play = false }\n"
    )
    planned = fleet.run("plan", "--server", "eu", "--server", "theo", "--json")
    assert planned.returncode == 1, planned.stderr
    eu, theo = json.loads(planned.stdout)
    assert eu["refusals"] == []
    (refusal,) = theo["refusals"]
    assert refusal.startswith("sports/sports-main")

    applied = fleet.run("apply", "--server", "eu", "--server", "theo", "--yes")
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert "✗ refused by the server: sports/sports-main" in applied.stdout
    rows = [line.split()[:2] for line in applied.stdout.split("SERVER  RESULT")[1].splitlines()]
    assert ["eu", "applied"] in rows and ["theo", "skipped"] in rows
    assert "  theo: refused by the server: sports/sports-main" in applied.stdout
    assert "then plan again" in applied.stdout and "run apply again" not in applied.stdout
    assert fleet.theo.log.count(method="POST") + fleet.theo.log.count(method="DELETE") == 0
    assert fleet.eu.state.settings("LiveApp")["playJwtControlEnabled"] is True
