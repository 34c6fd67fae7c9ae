"""The key age policy: max_key_age, overdue keys, the warning, and the audit of a replaced
key's age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from streamconsole.audit import AuditLog
from streamconsole.core.edits import set_key
from streamconsole.core.key_age import age_warning, is_overdue
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import Alias, Application, Config, ScopeRef, ScopeSettings, ServerKind
from streamconsole.core.policy_warnings import policy_warnings
from streamconsole.core.report import overdue_keys, overdue_row, scope_view
from tests.core.support import NOW_DT, fixture_shared

HS256 = fixture_shared(Algorithm.HS256, "hs256.secret")
DAY = 86400


def entry(days_old: float | None) -> KeyEntry:
    created = None if days_old is None else NOW_DT - timedelta(days=days_old)
    return KeyEntry(HS256, KeyOrigin.FILE, created=created)


@pytest.mark.parametrize(
    ("days_old", "max_days", "overdue"),
    [(91, 90, True), (90, 90, False), (89, 90, False), (None, 90, False), (1000, None, False)],
)
def test_is_overdue(days_old: float | None, max_days: int | None, overdue: bool) -> None:
    max_age = max_days * DAY if max_days is not None else None
    assert is_overdue(entry(days_old).created, max_age, NOW_DT) is overdue


def test_a_time_without_a_zone_is_utc() -> None:
    naive = (NOW_DT - timedelta(days=91)).replace(tzinfo=None)
    assert is_overdue(naive, 90 * DAY, NOW_DT)


def test_the_warning_names_the_policy_or_advises_past_a_year() -> None:
    assert age_warning(entry(100).created, 90 * DAY, NOW_DT) == (
        "the key is overdue: 100 days old, past max_key_age (90d); rotate it"
    )
    assert age_warning(entry(100).created, None, NOW_DT) == ""
    assert (
        age_warning(entry(400).created, None, NOW_DT)
        == "the key is 400 days old; consider rotating"
    )
    assert age_warning(entry(400).created, 500 * DAY, NOW_DT) == ""  # the policy allows it


def theolive(max_days: int | None) -> Application:
    app = Application("news", ServerKind.THEOLIVE, ScopeSettings(play=True, key=entry(10)))
    app.aliases = {
        "evening": Alias("evening", settings=ScopeSettings(key=entry(200))),
        "morning": Alias("morning"),  # inherits the application's key
    }
    app.max_key_age = max_days * DAY if max_days is not None else None
    return app


def test_overdue_keys_are_listed_once_where_they_are_set() -> None:
    ant = Application("LiveApp", ServerKind.ANTMEDIA, ScopeSettings(key=entry(100)))
    ant.aliases = {name: Alias(name) for name in ("s1", "s2")}
    ant.max_key_age = 90 * DAY
    config = Config(applications={"LiveApp": ant, "news": theolive(30)})
    found = [(app.name, alias) for app, alias, _ in overdue_keys(config, NOW_DT)]
    assert found == [("LiveApp", None), ("news", "evening")]
    row = overdue_row(ant, None, ant.settings.key, NOW_DT)  # type: ignore[arg-type]
    assert row["scope"] == "LiveApp"
    assert (row["age"], row["max_key_age"]) == ("100d", "90d")
    assert overdue_keys(Config(applications={"news": theolive(None)}), NOW_DT) == []


def test_show_and_the_detail_warning_say_overdue() -> None:
    app = theolive(30)
    view = scope_view(app, app.aliases["evening"], NOW_DT)
    assert view["policies"]["play"]["key"]["overdue"] is True
    assert view["policies"]["play"]["key"]["max_key_age"] == "30d"
    assert "the key is overdue: 200 days old" in " ".join(view["warnings"])
    assert not any("overdue" in w for w in policy_warnings(app, app.aliases["morning"], NOW_DT))


def test_the_audit_records_the_replaced_keys_age(tmp_path: Path) -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA, ScopeSettings(key=entry(100)))
    config = Config(applications={"LiveApp": app})
    change = set_key(config, ScopeRef("LiveApp"), HS256, NOW_DT)
    log = AuditLog(tmp_path / "audit.jsonl", clock=lambda: NOW_DT.timestamp())
    log.record(origin="test", source="s", changes=[change])
    line = json.loads((tmp_path / "audit.jsonl").read_text())
    assert line["old_key_created"] == (NOW_DT - timedelta(days=100)).isoformat()
    assert (line["old_key_age"], line["old_key_age_seconds"]) == ("100d", 100 * DAY)
    assert line["time"] == NOW_DT.isoformat(timespec="seconds")


def test_the_audit_says_null_where_the_replaced_key_has_no_date(tmp_path: Path) -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA, ScopeSettings(key=entry(None)))
    change = set_key(Config(applications={"LiveApp": app}), ScopeRef("LiveApp"), HS256, NOW_DT)
    log = AuditLog(tmp_path / "audit.jsonl", clock=lambda: NOW_DT.timestamp())
    log.record(origin="test", source="s", changes=[change])
    line = json.loads((tmp_path / "audit.jsonl").read_text())
    assert line["old_key_age"] is None and line["old_key_created"] is None
    assert datetime.fromisoformat(line["time"]).tzinfo == UTC
