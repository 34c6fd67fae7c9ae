"""drift: two configs compared per application (and per alias where aliases hold a policy)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamconsole.backends.toml_config import parse_config
from streamconsole.core.drift import UNKNOWN_KEYS, compare_row, compared_aliases, differing, drift
from streamconsole.core.key_records import RemoteKey
from streamconsole.core.model import Config, ScopeRef, ScopeSettings, ServerKind

OLD = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
NEW = "Qm9v8d7c6b5a4Z3Y2X1W0V9U8T7S6R5Q4P3O2N1M"
THEO = "6b1f3c0e9a4d2b7f8e5c1a0d3f6b9e2c4a7d0f3b6e9c2a5d8f1b4e7c0a3d6f9b"


def config(text: str) -> Config:
    parsed, _ = parse_config(text, Path("/virtual/c.toml"), environ={})
    return parsed


def ams(name: str = "Live", *, play: bool = False, secret: str = OLD, streams: str = "") -> str:
    return (
        f'[applications.{name}]\nkind = "antmedia"\npublish = true\nplay = {str(play).lower()}\n'
        f'key = {{ algorithm = "HS256", secret = "{secret}" }}\n'
        + (f"[applications.{name}.aliases]\n{streams}" if streams else "")
    )


def theo(*, evening_play: bool = True) -> str:
    key = f'key = {{ algorithm = "HS256", secret = "{THEO}" }}'
    return (
        '[applications.news]\nkind = "theolive"\n[applications.news.aliases]\n'
        f"evening = {{ play = {str(evening_play).lower()}, {key} }}\nmorning = {{}}\n"
    )


def test_the_same_state_is_no_drift() -> None:
    report = drift("a", config(ams() + theo()), "b", config(ams() + theo()))
    assert report.same
    assert report.compared == 4  # Live, news, news/evening, news/morning
    assert report.to_dict()["differences"] == []


def test_switch_and_key_differences_are_named_by_scope_and_field() -> None:
    left = config(ams(play=False, secret=OLD) + theo(evening_play=True))
    right = config(ams(play=True, secret=NEW) + theo(evening_play=False))
    report = drift("staging", left, "prod", right)
    assert not report.same
    found = [(d.scope, d.field, d.left, d.right) for d in report.differences]
    live_old = left.applications["Live"].settings.key
    live_new = right.applications["Live"].settings.key
    assert live_old is not None and live_new is not None
    assert found == [
        ("Live", "play", False, True),
        ("Live", "fingerprint", live_old.fingerprint, live_new.fingerprint),
        ("news/evening", "play", True, False),
    ]
    assert OLD not in str(report.to_dict()) and NEW not in str(report.to_dict())


def test_scopes_on_one_side_only_are_drift() -> None:
    report = drift("a", config(ams("Live") + ams("Vod")), "b", config(ams("Live") + theo()))
    assert report.only_left == ("Vod",)
    assert report.only_right == ("news", "news/evening", "news/morning")
    assert not report.same


def test_ant_media_streams_follow_their_application_and_are_not_compared() -> None:
    left = config(ams(streams="cam1 = {}\ncam2 = {}\n"))
    right = config(ams(streams="cam3 = {}\n"))
    assert drift("a", left, "b", right).same


def test_one_application_only() -> None:
    left = config(ams("Live", play=True) + ams("Vod"))
    right = config(ams("Live", play=True) + ams("Vod", play=True))
    assert drift("a", left, "b", right, "Live").same
    assert not drift("a", left, "b", right, "Vod").same


def test_a_key_whose_material_is_not_kept_here_cannot_be_compared() -> None:
    left, right = config(theo()), config(theo())
    for side in (left, right):
        evening = side.applications["news"].aliases["evening"]
        evening.settings = ScopeSettings(play=True, remote_keys=(RemoteKey("k1", "old"),))
    report = drift("a", left, "b", right, "news")
    assert [(d.scope, d.field) for d in report.differences] == [("news/evening", UNKNOWN_KEYS)]
    assert not report.same


def test_an_unread_application_is_reported_and_its_aliases_are_not_only_on_the_other_side() -> None:
    left, right = config(theo()), config(theo())
    right.applications["news"].problem = "HTTP 500"
    report = drift("a", left, "b", right)
    assert [(u.side, u.scope, u.error) for u in report.unread] == [("b", "news", "HTTP 500")]
    assert report.only_left == ()
    assert not report.same


def test_only_applications_whose_aliases_hold_a_policy_have_their_aliases_loaded() -> None:
    both = config(ams() + theo())
    for app in both.applications.values():
        app.aliases_loaded = False
    assert [app.name for app in compared_aliases()(both)] == ["news"]
    assert list(compared_aliases("Live")(both)) == []


# --- one scope on several servers side by side (the console's compare view) --------------

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def side_by_side(ref: str, **servers: Config | None) -> list[dict[str, Any]]:
    return [
        compare_row(name, ServerKind.ANTMEDIA, cfg, "" if cfg else "down", ScopeRef.parse(ref), NOW)
        for name, cfg in servers.items()
    ]


def test_the_odd_server_out_is_the_one_that_differs() -> None:
    rows = side_by_side(
        "Live",
        eu=config(ams(play=False)),
        us=config(ams(play=True, secret=NEW)),
        ap=config(ams(play=False)),
        down=None,
    )
    assert [(r["server"], r["play"]) for r in rows] == [
        ("eu", False),
        ("us", True),
        ("ap", False),
        ("down", None),
    ]
    assert rows[3]["error"] == "down"
    assert differing(rows) == {"play": {"us"}, "fingerprint": {"us"}}
    assert OLD not in str(rows) and NEW not in str(rows)


def test_a_tie_is_read_against_the_first_server_and_a_missing_scope_is_an_error() -> None:
    rows = side_by_side("Live", eu=config(ams(play=True)), us=config(ams()), theo=config(theo()))
    assert rows[2]["error"] == "no Live on this server"
    assert differing(rows) == {"play": {"us"}}
    assert differing(rows[:1]) == {}


def test_a_stream_compares_its_application_and_an_alias_its_own_policy() -> None:
    stream = side_by_side("Live/cam", eu=config(ams(play=True)), us=config(ams()))
    assert [r["play"] for r in stream] == [True, False]
    evening = side_by_side("news/evening", eu=config(theo()), us=config(theo(evening_play=False)))
    assert differing(evening) == {"play": {"us"}}
    assert (
        side_by_side("news/night", eu=config(theo()))[0]["error"] == "no news/night on this server"
    )


def test_a_key_this_machine_cannot_fingerprint_is_never_the_same() -> None:
    cfg = config(theo())
    evening = cfg.applications["news"].aliases["evening"]
    evening.settings = ScopeSettings(play=True, remote_keys=(RemoteKey("k1", "old"),))
    rows = side_by_side("news/evening", eu=cfg, us=cfg)
    assert rows[0][UNKNOWN_KEYS] == 1
    assert differing(rows) == {"fingerprint": {"eu", "us"}}


def test_key_ages_are_shown_and_not_compared() -> None:
    dated = config(ams().replace('secret = "', 'created = 2026-09-01T00:00:00Z, secret = "'))
    rows = side_by_side("Live", eu=dated, us=config(ams()))
    assert [r["key_age"] for r in rows] == ["30d", None]
    assert differing(rows) == {}
