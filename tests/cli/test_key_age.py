"""The key age policy from the command line: ``max_key_age`` for the console, a server or
an application; ``check`` warns, ``list --overdue`` lists (exit 1), ``rotate`` audits the
replaced key's age."""

from __future__ import annotations

import json
from pathlib import Path

import streamconsole
from streamconsole.audit import AuditLog
from streamconsole.backends.toml_file import TomlSource
from tests.cli.conftest import run_cli
from tests.conftest import lab_config
from tests.emulators import AntMediaEmulator

SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
OLD = "2020-01-01T00:00:00Z"  # years old whenever the tests run
DAY = 86400


def _config(tmp_path: Path, console: str = "", live: str = "", news: str = "") -> Path:
    for name in ("a.secret", "b.secret"):
        (tmp_path / name).write_text(SECRET + name[0])
        (tmp_path / name).chmod(0o600)
    config = tmp_path / "c.toml"
    config.write_text(
        f"[console]\n{console}"
        f'[applications.LiveApp]\nkind = "antmedia"\n{live}'
        f'key = {{ algorithm = "HS256", key_file = "a.secret", created = {OLD} }}\n'
        "[applications.LiveApp.aliases]\nstream1 = {}\n"
        f'[applications.news]\nkind = "theolive"\n{news}'
        "[applications.news.aliases.evening]\n"
        f'key = {{ algorithm = "HS256", key_file = "b.secret", created = {OLD} }}\n'
        "[applications.news.aliases.morning]\n"
    )
    return config


def test_the_closest_max_key_age_wins(tmp_path: Path) -> None:
    config = _config(tmp_path, console='max_key_age = "90d"\n', news='max_key_age = "30d"\n')
    loaded = TomlSource(config).load_sync()
    assert loaded.settings.max_key_age == 90 * DAY
    assert loaded.applications["LiveApp"].max_key_age == 90 * DAY
    assert loaded.applications["news"].max_key_age == 30 * DAY


def test_a_server_profile_sets_it_for_its_applications(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    config = lab_config(tmp_path, antmedia, console='max_key_age = "90d"\n', max_key_age="7d")
    audit = AuditLog(tmp_path / "a.jsonl")
    with streamconsole.open_server(config, "lab", audit=audit) as console:
        assert console.config.applications["LiveApp"].max_key_age == 7 * DAY


def test_check_warns_at_the_overdue_key_and_refuses_a_bad_duration(tmp_path: Path) -> None:
    config = _config(tmp_path, console='max_key_age = "90d"\n')
    result = run_cli("check", str(config))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "overdue" in line]
    assert len(warnings) == 2
    assert warnings[0].startswith(f"{config}:5: applications.LiveApp.key: warning: the key is ")
    assert "past max_key_age (90d); rotate it" in warnings[0]
    assert f"{config}:11: applications.news.aliases.evening.key: warning:" in warnings[1]

    bad = _config(tmp_path, live='max_key_age = "soon"\n')
    refused = run_cli("check", str(bad))
    assert refused.returncode == 2
    assert "applications.LiveApp.max_key_age: error: 'soon' is not a duration" in refused.stderr


def test_check_without_a_policy_says_nothing_of_age(tmp_path: Path) -> None:
    result = run_cli("check", str(_config(tmp_path)))
    assert result.returncode == 0
    assert "overdue" not in result.stderr


def test_list_overdue_lists_each_key_once_and_exits_1(tmp_path: Path) -> None:
    config = _config(tmp_path, news='max_key_age = "30d"\n')
    listed = run_cli("list", "--overdue", "-c", str(config))
    assert listed.returncode == 1, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["SCOPE", "KIND", "ALGORITHM", "FINGERPRINT", "AGE", "MAX_KEY_AGE"]
    assert [line.split()[0] for line in lines[1:]] == ["news/evening"]  # LiveApp: no policy
    rows = json.loads(run_cli("list", "--overdue", "--json", "-c", str(config)).stdout)
    assert [(row["scope"], row["max_key_age"]) for row in rows] == [("news/evening", "30d")]


def test_list_overdue_exits_0_when_none_is(tmp_path: Path) -> None:
    config = _config(tmp_path, console='max_key_age = "366d"\n')
    (tmp_path / "c.toml").write_text(config.read_text().replace(OLD, "2099-01-01T00:00:00Z"))
    listed = run_cli("list", "--overdue", "-c", str(config))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
    unset = run_cli("list", "--overdue", "-c", str(_config(tmp_path)))
    assert unset.returncode == 0
    assert "no max_key_age is set" in unset.stderr


def test_rotate_audits_the_age_of_the_key_it_replaces(tmp_path: Path) -> None:
    config = _config(tmp_path)
    state = tmp_path / "state"
    rotated = run_cli(
        "rotate", "LiveApp", "--generate", "HS256", "-c", str(config),
        env={"XDG_STATE_HOME": str(state)},
    )  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    (line,) = (state / "streamconsole" / "audit.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert entry["change"] == "key"
    assert entry["old_key_created"] == "2020-01-01T00:00:00+00:00"
    assert entry["old_key_age_seconds"] > 5 * 365 * DAY
    assert entry["old_key_age"].endswith("d") or " " in entry["old_key_age"]


def test_list_overdue_is_for_one_source(tmp_path: Path) -> None:
    config = _config(tmp_path)
    servers = "".join(
        f'[servers.{name}]\nkind = "antmedia"\nurl = "https://{name}.example.com"\n'
        'credentials_env = "SC_X"\n'
        for name in ("a", "b")
    )
    config.write_text(servers + config.read_text())
    refused = run_cli("list", "--overdue", "--server", "a", "--server", "b", "-c", str(config))
    assert refused.returncode == 2
    assert "--overdue is for one server" in refused.stderr
