"""Every command of the installed ``streamconsole``, stdout and stderr, on a config and servers
holding known secrets: tokens are printed where asked for, secrets and private keys never,
on success and on every error path."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.keys import Algorithm, shared_key
from tests.cli.conftest import run_cli, serving
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hygiene.canaries import (
    ADMIN_EMAIL,
    API_KEY,
    CONFIG_NAME,
    KEYS,
    Canaries,
    Planted,
    assert_clean,
    assert_shows,
    broken_config,
    canary,
    environment,
    planted_pem,
    planted_text,
    planted_token,
    write_config,
    write_private,
)
from tests.hygiene.files import assert_key_files_private, assert_state_clean

SERVERS = """
[servers.ams]
kind = "antmedia"
url = "{ams}"
credentials_env = "HYGIENE_AMS"

[servers.theo]
kind = "theolive"
url = "{theo}"
api_version = "v2"
credentials_env = "HYGIENE_THEO"
"""


@dataclass
class Cli:
    """The installed command in one config directory, with the servers' credentials set.

    Every run's stdout and stderr are checked against every planted secret."""

    directory: Path
    env: dict[str, str]
    planted: tuple[Planted, ...]

    @property
    def state(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"])

    def __call__(self, *args: str, stdin: str | None = None, code: int = 0) -> str:
        result = run_cli(*args, cwd=self.directory, stdin=stdin, env=self.env)
        return self._checked(args, result, code)

    def side_by_side(self, *runs: tuple[str, ...], code: int = 0) -> list[str]:
        """Commands that write nothing, run at once (each checked alike): on two cores
        this halves the wait for interpreters to start."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(
                pool.map(lambda args: run_cli(*args, cwd=self.directory, env=self.env), runs)
            )
        return [
            self._checked(args, result, code) for args, result in zip(runs, results, strict=True)
        ]

    def _checked(
        self, args: tuple[str, ...], result: subprocess.CompletedProcess[str], code: int
    ) -> str:
        output = result.stdout + result.stderr
        assert_clean(output, self.planted, f"'streamconsole {' '.join(args)}'")
        assert result.returncode == code, f"{args}: exit {result.returncode}: {output}"
        return result.stdout if code == 0 else output

    def config_text(self, name: str = CONFIG_NAME) -> str:
        return (self.directory / name).read_text(encoding="utf-8")


@pytest.fixture
def ams(antmedia: AntMediaEmulator, canaries: Canaries) -> AntMediaEmulator:
    antmedia.state.add_user(ADMIN_EMAIL, canaries.password)
    antmedia.state.jwt_server_secret_key = canaries.server_secret
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.stream_secret)
    return antmedia


@pytest.fixture
def theo(theolive: TheoLiveEmulator, canaries: Canaries) -> TheoLiveEmulator:
    theolive.state.api_keys[API_KEY] = canaries.api_secret
    return theolive


@pytest.fixture
def cli(tmp_path: Path, canaries: Canaries, ams: AntMediaEmulator, theo: TheoLiveEmulator) -> Cli:
    directory = tmp_path / "work"
    write_config(directory, canaries, servers=SERVERS.format(ams=ams.base_url, theo=theo.base_url))
    write_private(directory / "incoming" / "new.secret", canaries.new_secret + "\n")
    env = {
        **environment(canaries),
        "HYGIENE_AMS": f"{ADMIN_EMAIL}:{canaries.password}",
        "HYGIENE_THEO": f"{API_KEY}:{canaries.api_secret}",
        "HYGIENE_ROTATED": canaries.rotated,
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    return Cli(directory, env, canaries.all)


def fingerprint(secret: str, algorithm: Algorithm = Algorithm.HS256) -> str:
    return shared_key(algorithm, secret).fingerprint


# --- reading --------------------------------------------------------------------------------


def test_check_list_show(cli: Cli, canaries: Canaries) -> None:
    config = ("-c", CONFIG_NAME)
    checked, listed, *_ = cli.side_by_side(
        ("check", CONFIG_NAME),
        ("list", *config),
        ("list", *config, "--json"),
        ("show", "LiveApp/stream1", *config),
        ("show", "news/evening", *config),
        ("show", "lab/bench", *config),
        ("show", "news/sports", *config, "--json"),
    )
    assert "ok: 3 applications" in checked
    assert fingerprint(canaries.stream_secret) in listed
    assert fingerprint(canaries.hs512_secret, Algorithm.HS512) in listed


def test_remote_list_and_show(cli: Cli, canaries: Canaries) -> None:
    config = ("-c", CONFIG_NAME)
    listed, *_ = cli.side_by_side(
        ("list", *config, "--server", "ams", "--json"),
        ("show", "LiveApp/stream1", *config, "--server", "ams"),
        ("list", *config, "--server", "theo"),
    )
    assert fingerprint(canaries.stream_secret) in listed


# --- tokens ---------------------------------------------------------------------------------


def test_token_and_decode(cli: Cli) -> None:
    config = ("-c", CONFIG_NAME)
    scopes = {
        "LiveApp/stream1": "publish",
        "news/evening": "play",
        "news/sports": "play",
        "lab/bench": "play",
    }
    *printed, as_json = cli.side_by_side(
        *(("token", scope, "--type", direction, *config) for scope, direction in scopes.items()),
        ("token", "news/evening", *config, "--json"),
    )
    assert json.loads(as_json)["verdict"] == "accepted"
    tokens = {scope: text.strip() for scope, text in zip(scopes, printed, strict=True)}
    for scope, text in zip(scopes, printed, strict=True):
        assert_shows(text, planted_token("the token", tokens[scope]), f"'token {scope}'")
    checked = cli(
        "decode", "-", "--against", "LiveApp/stream1", "--type", "publish", *config,
        stdin=tokens["LiveApp/stream1"],
    )  # fmt: skip
    assert "verdict: accepted" in checked.lower()
    decoded, checked = cli.side_by_side(
        ("decode", tokens["news/evening"]),
        ("decode", tokens["news/sports"], "--against", "news/sports", *config),
    )
    assert "verdict: accepted" in checked.lower()
    assert "not verified" in decoded
    # Signed with another alias's secret: refused, and the explanation names no key.
    refused = cli(
        "decode", tokens["news/sports"], "--against", "LiveApp/stream1", "--type", "publish",
        *config, code=1,
    )  # fmt: skip
    assert "not accepted" in refused


# --- writing: toggle and every rotation route -----------------------------------------------


def test_toggle_and_rotate_every_route(cli: Cli, canaries: Canaries) -> None:
    cli("toggle", "LiveApp", "--play", "on", "-c", CONFIG_NAME)
    rotated = cli("rotate", "LiveApp", "--secret-file", "incoming/new.secret", "-c", CONFIG_NAME)
    assert fingerprint(canaries.new_secret) in rotated
    out = cli("rotate", "news/sports", "--secret-env", "HYGIENE_ROTATED", "-c", CONFIG_NAME)
    assert fingerprint(canaries.rotated, Algorithm.HS512) in out
    cli(
        "rotate", "lab", "--secret-stdin", "--algorithm", "HS512", "-c", CONFIG_NAME,
        stdin=canaries.rotated + "\n",
    )  # fmt: skip
    pair = private_key_from_pem(Algorithm.RS256, canaries.private_pem)
    out = cli(
        "rotate", "news/morning", "--private-key-file", "keys/rs256.pem",
        "--algorithm", "RS256", "-c", CONFIG_NAME,
    )  # fmt: skip
    assert pair.fingerprint in out

    # Generated keys: read back from the files the rotation wrote, then checked too.
    generated = cli("rotate", "LiveApp", "--generate", "HS256", "-c", CONFIG_NAME)
    secret_file = cli.directory / generated.split("key written to ")[1].strip()
    made = planted_text("the generated secret", secret_file.read_text(encoding="utf-8").strip())
    cli("rotate", "news/evening", "--generate", "RS256", "--rsa-bits", "2048", "-c", CONFIG_NAME)
    pem_file = next(
        p for p in (cli.directory / "keys").glob("news.evening.*.pem") if ".pub." not in p.name
    )
    made_pem = planted_pem("the generated private key", pem_file.read_text(encoding="utf-8"))
    assert "PRIVATE KEY" in pem_file.read_text(encoding="utf-8")

    planted = (*canaries.all, made, made_pem)
    cli.planted = planted
    *_, token = cli.side_by_side(
        ("list", "-c", CONFIG_NAME),
        ("show", "news/evening", "-c", CONFIG_NAME),
        ("token", "news/evening", "-c", CONFIG_NAME),
    )
    assert_clean(cli.config_text(), planted, "the rotated config")
    assert canaries.inline_secret not in cli.config_text()  # rotated out of the file
    assert_key_files_private(cli.directory / "keys")
    audit = assert_state_clean(cli.state, canaries, tokens=[planted_token("a token", token)])
    assert_clean(audit, planted, "the audit log")
    assert fingerprint(canaries.new_secret) in audit


# --- the offline workflow against Ant Media -------------------------------------------------


def test_export_plan_apply(cli: Cli, canaries: Canaries, ams: AntMediaEmulator) -> None:
    out = cli("export", "-c", CONFIG_NAME, "--server", "ams", "--out", "offline/prod.toml")
    assert "(0600)" in out
    offline = "offline/prod.toml"
    assert_clean(cli.config_text(offline), canaries.all, "the exported config")
    assert_key_files_private(cli.directory / "offline" / "keys")
    cli("rotate", "LiveApp", "--secret-file", "incoming/new.secret", "-c", offline)
    cli("toggle", "LiveApp", "--play", "on", "-c", offline)
    cli("plan", "-c", offline, "--server", "ams", "--out", "plan.json", "--json", code=1)
    plan_text = (cli.directory / "plan.json").read_text(encoding="utf-8")
    assert json.loads(plan_text)["steps"]
    assert_clean(plan_text, canaries.all, "plan.json")
    cli("apply", "-c", offline, "--server", "ams", "--plan", "plan.json", "--yes")
    assert ams.state.settings("LiveApp")["jwtStreamSecretKey"] == canaries.new_secret
    assert "no differences" in cli("plan", "-c", offline, "--server", "ams")
    assert_state_clean(cli.state, canaries)


def test_remote_rotation_on_theolive_keeps_records_clean(
    cli: Cli, canaries: Canaries, theo: TheoLiveEmulator
) -> None:
    out = cli(
        "rotate", "sports/sports-main", "--secret-env", "HYGIENE_ROTATED",
        "--algorithm", "HS512", "-c", CONFIG_NAME, "--server", "theo",
    )  # fmt: skip
    assert "retire" in out
    cli("retire", "sports/sports-main", "key-sports-2026", "-c", CONFIG_NAME, "--server", "theo")
    cli(
        "rotate", "sports/sports-main", "--private-key-file", "keys/rs256.pem",
        "--algorithm", "RS256", "-c", CONFIG_NAME, "--server", "theo",
    )  # fmt: skip
    cli("show", "sports/sports-main", "-c", CONFIG_NAME, "--server", "theo")
    token = cli("token", "sports/sports-main", "-c", CONFIG_NAME, "--server", "theo")
    assert any(k.material == canaries.rotated for k in theo.state.aliases["sports-main"].keys)
    records = list(cli.state.rglob("theolive/*.json"))
    assert records, "no THEOlive key records"
    assert_state_clean(cli.state, canaries, tokens=[planted_token("the token", token)])


# --- serve ----------------------------------------------------------------------------------


def test_serve_startup(cli: Cli, canaries: Canaries) -> None:
    with serving(cli.directory, CONFIG_NAME, env=cli.env) as served:
        page = httpx.get(served.url, timeout=10)
        assert page.status_code == 200
    assert f"127.0.0.1:{served.port}" in served.output()  # the startup lines were captured
    assert_clean(page.text, canaries.all, "the served page")
    assert_clean(served.output(), canaries.all, "'streamconsole serve'")


# --- error paths ----------------------------------------------------------------------------


def test_refused_inputs_name_no_secret(cli: Cli, canaries: Canaries) -> None:
    weak = canary("weak", 26)
    es256 = (KEYS / "es256.pem").read_text(encoding="utf-8")
    cli.planted = (
        *canaries.all,
        planted_text("the weak secret", weak),
        planted_pem("the EC private key", es256, minus=(KEYS / "es256.pub.pem").read_text()),
    )
    write_private(cli.directory / "incoming" / "es256.pem", es256)
    cli.env["HYGIENE_WEAK"] = weak
    cli.env["HYGIENE_SPACED"] = f" {canaries.rotated}"
    config = ("-c", CONFIG_NAME)
    short, spaced, family, curve, private = cli.side_by_side(
        ("rotate", "LiveApp", "--secret-env", "HYGIENE_WEAK", *config),
        ("rotate", "LiveApp", "--secret-env", "HYGIENE_SPACED", *config),
        ("rotate", "lab", "--secret-env", "HYGIENE_ROTATED", "--algorithm", "RS256", *config),
        ("rotate", "news/evening", "--private-key-file", "incoming/es256.pem",
         "--algorithm", "RS256", *config),
        ("rotate", "news/evening", "--public-key", "keys/rs256.pem", *config),
        code=2,
    )  # fmt: skip
    assert "characters" in short
    assert "white space" in spaced
    assert "needs a public key" in family
    assert "RSA" in curve
    assert "PRIVATE" in private
    assert "characters" in cli("rotate", "LiveApp", "--secret-stdin", *config, stdin=weak, code=2)


def test_wrong_credentials_name_no_secret(cli: Cli, canaries: Canaries) -> None:
    wrong = canary("wrongpw", 36)
    cli.planted = (*canaries.all, planted_text("the wrong password", wrong))
    config = ("-c", CONFIG_NAME)
    cli.env["HYGIENE_AMS"] = f"{ADMIN_EMAIL}:{wrong}"
    assert "refused" in cli("list", *config, "--server", "ams", code=3)
    cli.env["HYGIENE_THEO"] = f"{API_KEY}:{wrong}"
    assert "HTTP 401" in cli("list", *config, "--server", "theo", code=3)
    cli.env["HYGIENE_THEO"] = wrong
    assert "tokenKey:tokenSecret" in cli("list", *config, "--server", "theo", code=2)


def test_a_server_that_echoes_the_request_gets_no_secret_into_stderr_or_the_audit_log(
    cli: Cli, canaries: Canaries, ams: AntMediaEmulator, theo: TheoLiveEmulator
) -> None:
    """Each server quotes back what it was sent (the session cookie or the Basic pair, and
    the new secret): every secret of the session is masked in the message and the audit."""
    config = ("-c", CONFIG_NAME)
    ams.faults.echo(
        500,
        path="/rest/v2/applications/settings/LiveApp",
        method="POST",
        headers=("cookie",),
        fields=("jwtStreamSecretKey",),
    )
    out = cli(
        "rotate", "LiveApp", "--secret-file", "incoming/new.secret", *config,
        "--server", "ams", code=3,
    )  # fmt: skip
    assert 'bad request: cookie: JSESSIONID=********; jwtStreamSecretKey=\\"********\\"' in out
    theo.faults.echo(
        400, path="/v2/distributions/*/security/keys", method="POST", headers=("authorization",)
    )
    out = cli(
        "rotate", "sports/sports-main", "--secret-env", "HYGIENE_ROTATED", "--algorithm",
        "HS512", *config, "--server", "theo", code=3,
    )  # fmt: skip
    assert "bad request: authorization: ********; " in out
    assert any(record.fault for record in ams.log.records + theo.log.records)
    audit = assert_state_clean(cli.state, canaries)
    assert audit.count("failed: ") == 2


def test_a_broken_config_names_places_not_secrets(cli: Cli, canaries: Canaries) -> None:
    weak = canary("weak", 26)
    cli.planted = (*canaries.all, planted_text("the weak secret", weak))
    (cli.directory / "broken.toml").write_text(
        broken_config(weak, "HYGIENE_ROTATED"), encoding="utf-8"
    )
    cli.env["HYGIENE_ROTATED"] = f"{canaries.rotated} "
    out = cli("check", "broken.toml", code=2)
    assert "applications.news.aliases.evening.key.key_file" in out
    assert "white space" in out
    cli("list", "-c", "broken.toml", code=2)
