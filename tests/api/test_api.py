"""The Python API on a TOML file and on the Ant Media emulator."""

from __future__ import annotations

import json
import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import streamconsole
from streamconsole.api import Console
from streamconsole.audit import AuditLog
from streamconsole.backends.base import RemoteError
from streamconsole.backends.key_files import KeyFileError
from streamconsole.backends.registry import open_source
from streamconsole.core.errors import KeyValidationError, PolicyError
from tests.conftest import lab_config, server_table
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hostile.support import unblock_fifos

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "sample_keys", tmp_path / "sample_keys")
    for key_file in (tmp_path / "sample_keys").glob("*"):
        key_file.chmod(0o600)
    target = tmp_path / "console.toml"
    shutil.copy(ROOT / "sample_config.toml", target)
    return target


def audit_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_package_exports_the_api_lazily() -> None:
    assert streamconsole.open_config.__module__ == "streamconsole.api"
    with pytest.raises(AttributeError):
        streamconsole.no_such_name  # noqa: B018


def test_toggle_rotate_save_audit(config_file: Path, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    with streamconsole.open_config(config_file, audit=audit) as console:
        assert [row["scope"] for row in console.applications][:1] == ["LiveApp"]
        changes = console.toggle("LiveApp/stream1", play=True)  # lands on the application
        assert [str(c.scope) for c in changes] == ["LiveApp"]
        rotated = console.rotate("sports/match-day", generate="HS512")
        assert console.pending == [
            "LiveApp: play JWT on",
            f"sports/match-day: key {rotated.previous_fingerprint} → "
            f"{rotated.entry.fingerprint} (HS512)",
        ]
        assert console.save() == 2
        assert console.pending == []
        secret = rotated.entry.key.secret.reveal()  # type: ignore[union-attr]
    reopened = streamconsole.open_config(config_file, audit=audit)
    assert reopened.show("LiveApp").data["policies"]["play"]["enforced"] is True
    alias_key = reopened.show("sports/match-day").data["policies"]["play"]["key"]
    assert alias_key["fingerprint"] == rotated.entry.fingerprint
    reopened.close()
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert [(line["scope"], line["change"], line["result"]) for line in lines] == [
        ("LiveApp", "play jwt on", "ok"),
        ("sports/match-day", "key", "ok"),
    ]
    assert lines[1]["old_fingerprint"] == "hs:sV9LNSCbxKI570mfWAQWIg"
    assert lines[0]["origin"] == "api"
    assert secret not in (tmp_path / "audit.jsonl").read_text()
    assert stat.S_IMODE((tmp_path / "audit.jsonl").stat().st_mode) == 0o600


def test_failed_save_is_audited_as_failed(config_file: Path, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    console = streamconsole.open_config(config_file, audit=audit)
    console.toggle("LiveApp", play=True)
    config_file.write_text(config_file.read_text() + "\n# edited elsewhere\n")
    with pytest.raises(Exception, match="changed on disk"):
        console.save()
    console.close()
    (line,) = audit_lines(tmp_path / "audit.jsonl")
    assert str(line["result"]).startswith("failed: ConflictError")


def test_read_only_console_refuses_edits(config_file: Path, tmp_path: Path) -> None:
    console = streamconsole.open_config(
        config_file, read_only=True, audit=AuditLog(tmp_path / "a.jsonl")
    )
    with pytest.raises(Exception, match="read-only"):
        console.toggle("LiveApp", play=True)
    console.close()


def test_enforcing_without_a_key_is_refused(config_file: Path, tmp_path: Path) -> None:
    console = streamconsole.open_config(config_file, audit=AuditLog(tmp_path / "a.jsonl"))
    with pytest.raises(PolicyError, match="no key"):
        console.toggle("news-channel/morning", play=True)
    with pytest.raises(KeyValidationError, match="31"):
        console.rotate("LiveApp", secret="zautXStXM9iW3aD3FuyPH0TdK4GHPmH")
    assert console.pending == []
    console.close()


def test_rotate_reads_a_key_file_given_as_a_path_like_a_config_does(
    config_file: Path, tmp_path: Path
) -> None:
    console = streamconsole.open_config(config_file, audit=AuditLog(tmp_path / "a.jsonl"))
    fifo = tmp_path / "incoming.secret"
    os.mkfifo(fifo, 0o600)
    with ThreadPoolExecutor(1) as pool:
        attempt = pool.submit(console.rotate, "LiveApp", secret=fifo)
        try:
            error = attempt.exception(timeout=20)  # opening the FIFO would block
        finally:
            unblock_fifos(tmp_path)
    assert isinstance(error, KeyFileError)
    assert "is not a regular file" in str(error)
    pem = config_file.parent / "sample_keys" / "evening-news.pem"
    pem.chmod(0o644)
    with pytest.warns(UserWarning, match=r"is readable by other users \(mode 0644\)"):
        change = console.rotate("news-channel/evening", private_key=pem, algorithm="RS256")
    assert change.entry.key.can_sign
    console.close()


def test_token_and_explain(config_file: Path, tmp_path: Path) -> None:
    console = streamconsole.open_config(config_file, audit=AuditLog(tmp_path / "a.jsonl"))
    issued = console.token("news-channel/evening", ttl="2m", claims={"sub": "viewer"})
    assert issued.accepted
    assert issued.data["claims"]["sub"] == "viewer"
    assert "<table>" in issued._repr_html_()
    wrong_alias = console.explain(issued.token, "sports/match-day")
    assert not wrong_alias.accepted
    failed = [c["name"] for c in wrong_alias.data["checks"] if c["status"] == "failed"]
    assert failed == ["algorithm"]
    console.close()


def test_html_repr_escapes_hostile_names(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications."<script>x</script>"]\nkind = "generic"\n')
    console = streamconsole.open_config(config, audit=AuditLog(tmp_path / "a.jsonl"))
    assert "<script>" not in console.applications._repr_html_()
    assert "&lt;script&gt;" in console.applications._repr_html_()
    console.close()


def test_api_on_the_ant_media_emulator(tmp_path: Path, antmedia: AntMediaEmulator) -> None:
    config = lab_config(tmp_path, antmedia)
    audit = AuditLog(tmp_path / "audit.jsonl")
    with streamconsole.open_server(config, "lab", audit=audit) as console:
        assert len(console.aliases("LiveApp")) == 120
        console.toggle("LiveApp", play=True)
        console.rotate("LiveApp", generate="HS256")
        console.save()
        token = console.token("LiveApp/stream1", "play", ttl="1m").token
    settings = antmedia.state.settings("LiveApp")
    assert settings["playJwtControlEnabled"] is True
    assert antmedia.state.verify_stream_token("LiveApp", "stream1", "play", token)
    assert antmedia.admin_password not in (tmp_path / "audit.jsonl").read_text()
    assert {line["source"] for line in audit_lines(tmp_path / "audit.jsonl")} == {"lab"}


def test_api_saves_one_application_twice_in_one_session(
    tmp_path: Path, antmedia: AntMediaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "servers.toml"
    config.write_text(server_table("lab", "antmedia", antmedia.base_url, credentials_env="LAB_AMS"))
    monkeypatch.setenv("LAB_AMS", f"{antmedia.admin_email}:{antmedia.admin_password}")
    audit = AuditLog(tmp_path / "audit.jsonl")
    with streamconsole.open_server(config, "lab", audit=audit) as console:
        console.toggle("LiveApp", play=True)
        assert console.save() == 1
        console.toggle("LiveApp", publish=False)
        assert console.save() == 1
    settings = antmedia.state.settings("LiveApp")
    assert (settings["publishJwtControlEnabled"], settings["playJwtControlEnabled"]) == (
        False,
        True,
    )
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert [(line["change"], line["result"]) for line in lines] == [
        ("play jwt on", "ok"),
        ("publish jwt off", "ok"),
    ]


def test_world_readable_credentials_file_is_refused(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    config = lab_config(tmp_path, antmedia)
    (tmp_path / "lab.credentials").chmod(0o644)
    with pytest.raises(Exception, match="chmod 600"):
        streamconsole.open_server(config, "lab")


def test_explain_accepts_a_token_of_the_older_key_during_a_rotation(
    tmp_path: Path, theolive: TheoLiveEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "servers.toml"
    config.write_text(
        server_table(
            "theo", "theolive", theolive.base_url, api_version="v2", credentials_env="SC_THEO"
        )
    )
    monkeypatch.setenv("SC_THEO", f"{theolive.api_key}:{theolive.api_secret}")
    scope = "news-channel/morning"
    with streamconsole.open_server(config, "theo", audit=AuditLog(tmp_path / "a.jsonl")) as console:
        first = console.rotate(scope, generate="HS256")
        console.toggle(scope, play=True)  # the key turns security on: say so in the same save
        console.save()
        old_token = console.token(scope, ttl="5m").token
        second = console.rotate(scope, generate="HS256")
        console.save()
        keys = [k.id for k in theolive.state.aliases["morning"].keys]
        assert len(keys) == 2
        assert theolive.state.verify_viewer_token("morning", old_token)

        older = console.explain(old_token, scope)
        assert older.accepted
        (signature,) = [c for c in older.data["checks"] if c["name"] == "signature"]
        assert signature["reason"].startswith(
            f'valid for key {first.entry.fingerprint} (id "{keys[0]}"), an older key: retire after '
        )
        newest = console.explain(console.token(scope).token, scope)
        assert f"valid for key {second.entry.fingerprint}" in newest.data["checks"][3]["reason"]


def test_an_application_the_server_could_not_read_is_unknown_not_off(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    config = tmp_path / "servers.toml"
    config.write_text(
        server_table("lab", "antmedia", antmedia.base_url, credentials_env="SC_API_AMS")
    )
    antmedia.faults.fail(500, times=None, path="*/LiveApp")
    environ = {"SC_API_AMS": f"{antmedia.admin_email}:{antmedia.admin_password}"}
    source = open_source(config, server="lab", environ=environ)
    with Console(source, audit=AuditLog(tmp_path / "audit.jsonl")) as console:
        row = next(row for row in console.applications if row["scope"] == "LiveApp")
        assert (row["publish"], row["play"]) == (None, None)
        assert "HTTP 500" in row["error"]
        report = console.show("LiveApp/stream1")
        assert report.data["policies"] is None
        assert "policies unknown" in report._repr_html_()
        for edit in (
            lambda: console.toggle("LiveApp", play=False),
            lambda: console.rotate("LiveApp", generate="HS256"),
            lambda: console.token("LiveApp/stream1", "play"),
        ):
            with pytest.raises(RemoteError, match="LiveApp: could not be read"):
                edit()
        assert console.pending == []
