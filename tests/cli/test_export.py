"""``export`` writes a config that works wherever it is carried together with its ``keys/``:
every file it references lives beside it, by relative path; a server profile holds only
the fields its kind takes."""

from __future__ import annotations

import shutil
import stat
import tomllib
from pathlib import Path
from typing import Any

from tests.cli.conftest import on_antmedia, on_theolive, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hostile.scripted import self_signed


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def test_an_export_with_rs256_keys_works_where_it_is_carried(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    state = tmp_path / "state"  # the console's state directory on the connected machine
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version="v2")
    env, server = theo.env, theo.args
    rotated = run_cli("rotate", "sports/sports-main", "--generate", "RS256", *server, env=env)
    assert rotated.returncode == 0, rotated.stderr
    out = tmp_path / "export" / "prod.toml"
    out.parent.mkdir()
    exported = run_cli("export", *server, "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr

    text = out.read_text()
    assert str(state) not in text  # nothing points into this machine's state directory
    key = read_toml(out)["applications"]["sports"]["aliases"]["sports-main"]["key"]
    assert key["algorithm"] == "RS256"
    assert key["key_file"].startswith("keys/")
    assert key["private_key_file"].startswith("keys/")
    assert mode(out.parent / "keys") == 0o700
    assert mode(out.parent / key["private_key_file"]) == 0o600

    # Carried to another machine: the file and keys/, and none of this console's state.
    carried = tmp_path / "carried"
    carried.mkdir()
    shutil.move(out, carried / "prod.toml")
    shutil.move(out.parent / "keys", carried / "keys")
    state.rename(tmp_path / "state-elsewhere")
    offline = {"XDG_STATE_HOME": str(tmp_path / "offline-state")}
    checked = run_cli("check", str(carried / "prod.toml"), env=offline)
    assert checked.returncode == 0, checked.stderr
    token = run_cli("token", "sports/sports-main", "-c", str(carried / "prod.toml"), env=offline)
    assert token.returncode == 0, token.stderr
    assert theolive.state.verify_viewer_token("sports-main", token.stdout.strip())

    # Back on the connected machine, the carried file plans against the server: in sync.
    (tmp_path / "state-elsewhere").rename(state)
    plan = run_cli("plan", "-c", str(carried / "prod.toml"), "--server", "theo", env=env)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "no differences" in plan.stdout


def test_export_into_a_directory_that_does_not_exist_creates_it(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    out = tmp_path / "new" / "deeper" / "prod.toml"
    result = on_antmedia(tmp_path, antmedia).run("export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"created {tmp_path / 'new' / 'deeper'} (0700)" in result.stdout
    assert mode(tmp_path / "new") == mode(out.parent) == 0o700
    assert run_cli("check", str(out)).returncode == 0


def test_an_ant_media_export_writes_only_what_the_kind_takes(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    """No api_version and no default auth; the profile's CA travels in keys/, and a
    relative credentials_file still points at the same file from the export's directory."""
    connected = tmp_path / "connected"
    connected.mkdir()
    certificate, _ = self_signed(connected)
    (connected / "lab.credentials").write_text(f"{antmedia.admin_email}:{antmedia.admin_password}")
    (connected / "lab.credentials").chmod(0o600)
    online = connected / "online.toml"
    online.write_text(
        f'[servers.prod]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        f'api_version = "v2"\ncredentials_file = "lab.credentials"\n'
        f'ca_file = "{certificate.name}"\n'
        f'[servers.proxy]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'auth = "proxy-jwt"\ncredentials_env = "SC_SERVER_SECRET"\n'
    )
    env = {"SC_SERVER_SECRET": antmedia.state.jwt_server_secret_key}
    outs = {name: tmp_path / "offline" / f"{name}.toml" for name in ("prod", "proxy")}
    for name, out in outs.items():
        result = run_cli("export", "-c", str(online), "--server", name, "--out", str(out), env=env)
        assert result.returncode == 0, result.stderr

    prod = read_toml(outs["prod"])["servers"]["prod"]
    assert "api_version" not in prod
    assert "auth" not in prod
    assert prod["ca_file"].startswith("keys/")
    carried_ca = outs["prod"].parent / prod["ca_file"]
    assert carried_ca.read_bytes() == certificate.read_bytes()
    proxy = read_toml(outs["proxy"])["servers"]["proxy"]
    assert proxy["auth"] == "proxy-jwt"
    assert "api_version" not in proxy

    assert run_cli("check", str(outs["prod"])).returncode == 0
    plan = run_cli("plan", "-c", str(outs["prod"]), "--server", "prod")
    assert plan.returncode == 0, plan.stdout + plan.stderr


def test_an_export_keeps_the_profile_s_wire_settings(tmp_path: Path) -> None:
    """The proxy, the plain-http permission, the listing cap and the most requests in flight
    travel with the profile."""
    from streamconsole.backends.toml_export import export_config
    from streamconsole.backends.toml_file import TomlSource
    from streamconsole.core.model import Config, ServerKind, ServerProfile

    profile = ServerProfile(
        "lan",
        ServerKind.THEOLIVE,
        "http://10.0.0.5:8080",
        credentials_env="SC_LAN",
        api_version="v2",
        auth="basic",
        allow_insecure_http=True,
        proxy="http://127.0.0.1:3128",
        max_items=500,
        concurrency=8,
    )
    out = tmp_path / "lan.toml"
    export_config(Config(), profile, out)
    carried = TomlSource(out, read_only=True).load_sync().servers["lan"]
    assert (carried.allow_insecure_http, carried.proxy, carried.max_items) == (
        True,
        "http://127.0.0.1:3128",
        500,
    )
    assert carried.concurrency == 8
    default = ServerProfile("d", ServerKind.ANTMEDIA, "https://h", credentials_env="SC_D")
    export_config(Config(), default, tmp_path / "d.toml")
    written = read_toml(tmp_path / "d.toml")["servers"]["d"]
    assert not {"allow_insecure_http", "proxy", "max_items", "concurrency"} & set(written)
