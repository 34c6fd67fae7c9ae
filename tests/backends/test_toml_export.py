"""``export_config``: key file names from server names, and what it refuses to replace."""

from __future__ import annotations

import hashlib
import json
import stat
import tomllib
from pathlib import Path

import pytest

from streamconsole.backends.toml_export import export_config
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Application, Config, ScopeSettings, ServerKind, ServerProfile

PROFILE = ServerProfile(
    "prod",
    ServerKind.ANTMEDIA,
    "https://ams.example.com",
    credentials_env="SC_PROD",
    api_version="v2",
    auth="password",
)


def with_secrets(secrets: dict[str, str]) -> Config:
    """A server's state: one Ant Media application per name, each with its own secret."""
    config = Config()
    for name, secret in secrets.items():
        entry = KeyEntry(shared_key(Algorithm.HS256, secret), KeyOrigin.REMOTE)
        config.applications[name] = Application(
            name, ServerKind.ANTMEDIA, ScopeSettings(publish=True, key=entry)
        )
    return config


def secret_of(n: int) -> str:
    return f"secret-number-{n:02d}-" + "abcdefghijklmnopqrstuvwxyz"[n:] + "0123456789"


def test_names_that_clean_alike_get_files_of_their_own(tmp_path: Path) -> None:
    """Cleaned alike, differing in case only, or looking like a name already tagged with
    a hash: every application reads back its own secret."""
    tagged = "Live_App-" + hashlib.sha256(json.dumps(["Live App"]).encode()).hexdigest()[:8]
    names = ["Live_App", "Live App", "live_app", "Live/App", tagged, "x" * 300, "x" * 301]
    secrets = {name: secret_of(n) for n, name in enumerate(names)}
    out = tmp_path / "prod.toml"
    written = export_config(with_secrets(secrets), PROFILE, out)

    assert len({path.name.casefold() for path in written}) == len(names)
    assert all(len(path.name) < 120 for path in written)
    loaded = TomlSource(out, environ={}).load_sync()
    for name, secret in secrets.items():
        entry = loaded.applications[name].settings.key
        assert entry is not None
        assert entry.fingerprint == shared_key(Algorithm.HS256, secret).fingerprint, name
    # A name that needs no cleaning keeps its plain file name.
    assert tomllib.loads(out.read_text())["applications"]["Live_App"]["key"]["key_file"] == (
        "keys/Live_App.secret"
    )


def test_comments_from_a_server_are_inert(tmp_path: Path) -> None:
    config = with_secrets({"LiveApp": secret_of(1)})
    config.applications["Broken\x1b[2J"] = Application(
        "Broken\x1b[2J",
        ServerKind.ANTMEDIA,
        problem='refused\x07\x00\r\n[applications.injected]\nkind = "generic"',
    )
    out = tmp_path / "prod.toml"
    export_config(config, PROFILE, out)
    data = out.read_bytes()
    assert not any(byte < 0x20 and byte != ord("\n") for byte in data)
    assert list(tomllib.loads(data.decode())["applications"]) == ["LiveApp"]
    assert "# Broken\\x1b[2J: not exported (refused\\x07\\x00\\r\\n[applications.injected]" in (
        data.decode()
    )
    TomlSource(out, environ={}).load_sync()


def test_a_key_file_with_other_content_is_not_replaced_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "prod.toml"
    first = export_config(with_secrets({"A": secret_of(1), "B": secret_of(2)}), PROFILE, out)
    assert stat.S_IMODE(first[0].stat().st_mode) == 0o600
    # The same keys again, beside the first export: shared, nothing to replace.
    export_config(with_secrets({"A": secret_of(1)}), PROFILE, tmp_path / "copy.toml")

    changed = with_secrets({"A": secret_of(1), "B": secret_of(3)})
    again = tmp_path / "again.toml"
    with pytest.raises(FileExistsError) as refused:
        export_config(changed, PROFILE, again)
    assert refused.value.filename == str(tmp_path / "keys" / "B.secret")
    assert (tmp_path / "keys" / "B.secret").read_text() == secret_of(2)
    assert not again.exists()  # nothing written: not even the key files that were new

    export_config(changed, PROFILE, again, replace=True)
    assert (tmp_path / "keys" / "B.secret").read_text() == secret_of(3)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://ams.example.com", "ams.example.com:443"),
        ("https://ams.example.com:5443", "ams.example.com:5443"),
        ("https://[2001:db8::1]:5443", "[2001:db8::1]:5443"),
        ("http://127.0.0.1:5080", None),  # a file's host means https: none rather than a wrong one
    ],
)
def test_the_server_address_goes_with_the_export(
    tmp_path: Path, url: str, host: str | None
) -> None:
    config = with_secrets({"LiveApp": secret_of(1)})
    config.applications["LiveApp"].delivery_url = url
    out = tmp_path / "prod.toml"
    export_config(config, PROFILE, out)
    assert tomllib.loads(out.read_text())["applications"]["LiveApp"].get("host") == host
    reread = TomlSource(out).load_sync().applications["LiveApp"]
    assert reread.delivery_url == (f"https://{host}" if host else "")
