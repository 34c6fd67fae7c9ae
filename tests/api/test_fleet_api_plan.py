"""Fleet.plan and Fleet.apply: the offline workflow (edit the TOML file, plan, apply) across
several servers from Python, with the CLI's semantics: two Ant Media emulators and a THEOlive
one, with a server that is down and one whose profile is read-only."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Protocol

import pytest

import streamconsole
from streamconsole.core.plan_file import StalePlan
from tests.cli.conftest import LIVE_APP, Fleet, new_key
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

SETTINGS_POST = "/rest/v2/applications/settings/*"
AUDITED = '[console]\naudit_log = "audit.jsonl"\n'
HOSTILE = "<img src=x onerror=alert(1)>&\"'"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;"


class FleetOf(Protocol):
    def __call__(self, *, us_read_only: bool) -> Fleet: ...


@pytest.fixture
def fleet_of(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> FleetOf:
    """The fleet (eu, us, theo and down), its credentials set, wanting LiveApp secured with
    a new key, and its saves audited in ``audit.jsonl`` beside the config."""

    def wanting_live_app(*, us_read_only: bool) -> Fleet:
        fleet = Fleet(tmp_path, antmedia, antmedia_us, theolive, us_read_only=us_read_only)
        for name, value in fleet.env.items():
            monkeypatch.setenv(name, value)
        new_key(tmp_path)
        fleet.want(AUDITED + LIVE_APP)
        return fleet

    return wanting_live_app


def posts(server: AntMediaEmulator) -> int:
    return server.log.count(method="POST", path=SETTINGS_POST)


def test_a_plan_that_changes_two_servers_applied_then_nothing_is_left(
    tmp_path: Path,
    fleet_of: FleetOf,
) -> None:
    fleet = fleet_of(us_read_only=False)
    secret = (tmp_path / "keys" / "live.secret").read_text()
    opened = streamconsole.open_servers(fleet.config, ["eu", "us", "theo"])
    plan = opened.plan()
    assert not plan.empty
    assert [(r["server"], r["action"], r["note"]) for r in plan] == [
        ("eu", "key", None),
        ("eu", "enforce", None),
        ("us", "key", None),
        ("us", "enforce", None),
        ("theo", None, "no differences: the server matches the file"),
    ]
    records = {record["server"]: record for record in plan.data}  # as plan --json prints
    assert [s["description"] for s in records["us"]["steps"]][1] == "LiveApp: play JWT on"
    assert records["theo"]["only_in_file"] == ["LiveApp"] and records["eu"]["refusals"] == []
    assert posts(fleet.eu) == posts(fleet.us) == 0  # a plan writes nothing

    summary = opened.apply(plan, jobs=2)
    assert summary.succeeded
    assert [(r["server"], r["result"], r["applied"], r["error"]) for r in summary] == [
        ("eu", "applied", 2, None),
        ("us", "applied", 2, None),
        ("theo", "in sync", 0, None),
    ]
    assert summary.data["steps"] == {"applied": 4, "failed": 0, "skipped": 0}
    for server in (fleet.eu, fleet.us):
        assert server.state.settings("LiveApp")["jwtStreamSecretKey"] == secret
        assert server.state.settings("LiveApp")["playJwtControlEnabled"] is True
        assert posts(server) == 1  # one save per scope
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert sorted({(line["source"], line["origin"], line["result"]) for line in audit}) == [
        ("eu", "api", "ok"),
        ("us", "api", "ok"),
    ]
    shown = repr(plan) + repr(summary) + plan._repr_html_() + summary._repr_html_()
    assert secret not in shown + (tmp_path / "audit.jsonl").read_text()

    again = opened.plan()
    assert again.empty
    assert {r["note"] for r in again} == {"no differences: the server matches the file"}
    assert [r["result"] for r in opened.apply(again)] == ["in sync"] * 3


def test_a_read_only_server_and_a_down_one_are_skipped_and_said_so(
    tmp_path: Path,
    fleet_of: FleetOf,
) -> None:
    fleet = fleet_of(us_read_only=True)
    opened = streamconsole.open_servers(fleet.config)  # every server, down among them
    plan = opened.plan()
    assert not plan.empty and list(plan.errors) == ["down"]
    down = [r for r in plan if r["server"] == "down"]
    assert len(down) == 1 and "cannot connect" in down[0]["note"]
    assert plan.data[3]["server"] == "down" and "cannot connect" in plan.data[3]["error"]

    summary = opened.apply(plan)
    assert not summary.succeeded
    rows = {r["server"]: r for r in summary}
    assert (rows["eu"]["result"], rows["eu"]["applied"]) == ("applied", 2)
    assert (rows["us"]["result"], rows["us"]["skipped"]) == ("skipped", 2)
    assert rows["us"]["error"] == "read-only: nothing was sent"
    assert rows["theo"]["result"] == "in sync"
    assert (rows["down"]["result"], rows["down"]["applied"]) == ("down", None)
    assert "cannot connect" in rows["down"]["error"]
    assert posts(fleet.eu) == 1 and posts(fleet.us) == 0  # read-only: not sent
    audit = (tmp_path / "audit.jsonl").read_text()
    assert {json.loads(line)["source"] for line in audit.splitlines()} == {"eu"}


def test_apply_with_verify_probes_what_each_server_changed(
    fleet_of: FleetOf,
) -> None:
    fleet = fleet_of(us_read_only=True)
    opened = streamconsole.open_servers(fleet.config, ["eu", "us"])
    summary = opened.apply(opened.plan(), verify=True)
    assert [(r["server"], r["verify"]) for r in summary] == [
        ("eu", "as configured"),
        ("us", "not verified"),
    ]
    assert summary.data["verify"] == "as configured"
    assert summary._repr_html_().startswith("<table><thead><tr><th>server</th><th>result</th>")


@pytest.mark.parametrize("change", ["server", "file", "key"])
def test_a_plan_whose_servers_or_file_changed_since_is_refused_whole(
    tmp_path: Path,
    fleet_of: FleetOf,
    change: str,
) -> None:
    fleet = fleet_of(us_read_only=False)
    opened = streamconsole.open_servers(fleet.config, ["eu", "us", "theo"])
    plan = opened.plan()
    if change == "server":  # another admin switches us's play JWT on after the plan
        fleet.us.state.update_settings("LiveApp", playJwtControlEnabled=True)
        refusal = r"server us: server us changed since the plan was made \(drift: "
    elif change == "file":
        fleet.want(AUDITED + LIVE_APP.replace("publish = true", "publish = false"))
        refusal = "server eu: .*fleet.toml changed since the plan was made; run plan again"
    else:  # the key file the plan was made with is replaced
        (tmp_path / "keys" / "live.secret").write_text(secrets.token_hex(24))
        refusal = "server eu: a key changed since the plan was made: LiveApp: "
    with pytest.raises(StalePlan, match=refusal):
        opened.apply(plan)
    assert posts(fleet.eu) == posts(fleet.us) == 0  # refused before anything was written
    assert not (tmp_path / "audit.jsonl").exists()


def test_a_server_not_read_when_the_plan_was_made_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    fleet_of: FleetOf,
) -> None:
    fleet = fleet_of(us_read_only=False)
    opened = streamconsole.open_servers(fleet.config, ["eu", "us"])
    monkeypatch.setenv("SC_AMS", "nobody:wrong")  # neither can be read: no plan for them
    plan = opened.plan()
    assert set(plan.errors) == {"eu", "us"}
    monkeypatch.setenv("SC_AMS", fleet.env["SC_AMS"])
    with pytest.raises(StalePlan, match="server eu was not read when the plan was made"):
        opened.apply(plan)
    assert posts(fleet.eu) == posts(fleet.us) == 0


def test_names_from_the_file_and_the_servers_are_escaped_in_the_plan_and_summary(
    fleet_of: FleetOf,
) -> None:
    fleet = fleet_of(us_read_only=False)
    fleet.us.state.add_application(HOSTILE)
    hostile_app = LIVE_APP.replace(
        "[applications.LiveApp]", f"[applications.{json.dumps(HOSTILE)}]"
    )
    fleet.want(AUDITED + hostile_app)
    opened = streamconsole.open_servers(fleet.config, ["eu", "us"])
    plan = opened.plan()
    steps = [r["scope"] for r in plan if r["server"] == "us"]
    assert steps == [HOSTILE] * 3  # its key, publish and play
    summary = opened.apply(plan)
    assert [r["applied"] for r in summary] == [0, 3]
    for html in (plan._repr_html_(), summary._repr_html_()):
        assert "<img" not in html and "&\"'" not in html
    assert ESCAPED in plan._repr_html_()
