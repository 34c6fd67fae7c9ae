"""drift: two configs compared per application (and per alias where aliases hold a policy)."""

from __future__ import annotations

from pathlib import Path

from streamconsole.backends.toml_config import parse_config
from streamconsole.core.drift import UNKNOWN_KEYS, compared_aliases, drift
from streamconsole.core.model import Config, RemoteKey, ScopeSettings

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
