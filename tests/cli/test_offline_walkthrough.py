"""The README's offline walkthrough, replayed command for command on each kind of server.

export → rotate (a THEOlive alias that has no key: ``rotate --play on``) → toggle → check →
``plan --out`` → ``apply --plan --yes`` → ``plan`` in sync → a token from ``streamconsole
token`` gets a viewer in at the emulator's play gate, and a token signed with the key that
was replaced does not: on Ant Media at once (one key per application, a hard cut-over), on
THEOlive once the old key is retired (two keys live side by side until then).

Every command line run here is one the README shows, to the character (``readme``), or one
made from such a line by naming another scope; so a README that stops working fails here.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from pathlib import Path

import httpx
import jwt
import pytest

from tests.cli.conftest import ROOT, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.emulators.antmedia_state import VENDOR_EXAMPLE_SECRET
from tests.emulators.theolive_state import SPORTS_SECRET

CREDENTIALS_ENV = "STREAMCONSOLE_PROD"  # the README's `export STREAMCONSOLE_PROD=...`


def walkthrough_commands() -> list[str]:
    """The ``streamconsole`` lines of the README's "Offline key rotation, end to end", each
    without its trailing comment and with single spaces."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Offline key rotation, end to end", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = (line.split("  #", 1)[0] for block in blocks for line in block.splitlines())
    return [" ".join(line.split()) for line in lines if line.startswith("streamconsole ")]


WALKTHROUGH = walkthrough_commands()


def readme(line: str) -> str:
    """``line``, which must be a command of the README's walkthrough as printed there."""
    assert line in WALKTHROUGH, f"not in the README's offline walkthrough: {line}"
    return line


def antmedia_viewer(emulator: AntMediaEmulator, token: str | None) -> int:
    """What Ant Media answers a viewer of LiveApp/stream1 (HLS) with ``token`` or none."""
    params = {"token": token} if token else {}
    url = f"{emulator.base_url}/LiveApp/streams/stream1.m3u8"
    return httpx.get(url, params=params).status_code


def theolive_viewer(emulator: TheoLiveEmulator, alias: str, token: str | None) -> int:
    """What THEOlive's CDN answers a viewer of ``alias`` with ``token`` or none."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{emulator.base_url}/play/{alias}", headers=headers).status_code


class Operator:
    """Runs command lines in one directory as the README's reader would: ``online.toml``
    names the server ``prod``, whose credentials are in ``STREAMCONSOLE_PROD``."""

    def __init__(self, directory: Path, server: str, credentials: str) -> None:
        self.directory = directory
        self.env = {CREDENTIALS_ENV: credentials}
        (directory / "online.toml").write_text(
            f'[servers.prod]\n{server}credentials_env = "{CREDENTIALS_ENV}"\n'
        )

    def run(self, line: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        program, *args = shlex.split(line)
        assert program == "streamconsole"
        result = run_cli(*args, cwd=self.directory, env=self.env)
        assert result.returncode == expect, f"$ {line}\n{result.stdout}{result.stderr}"
        return result

    def walk_through(self, edits: list[str]) -> None:
        """export, the offline ``edits``, check, plan, apply that plan, plan again."""
        self.run(readme("streamconsole export -c online.toml --server prod --out prod.toml"))
        for line in edits:
            self.run(line)
        self.run(readme("streamconsole check prod.toml"))  # warnings allowed
        self.run(readme("streamconsole plan -c prod.toml --server prod --out plan.json"), 1)
        applied = self.run(
            readme("streamconsole apply -c prod.toml --server prod --plan plan.json --yes")
        )
        assert applied.stdout.splitlines()[-1].startswith("all ")
        assert applied.stdout.rstrip().endswith(" applied")
        in_sync = self.run(readme("streamconsole plan -c prod.toml --server prod"))
        assert "no differences" in in_sync.stdout

    def token(self, scope: str) -> str:
        """A play token for ``scope``, issued from the file as the README shows."""
        line = readme("streamconsole token LiveApp/stream1 --type play -c prod.toml")
        return self.run(line.replace("LiveApp/stream1", scope)).stdout.strip()


def _expires_soon() -> int:
    return int(time.time()) + 600


def test_antmedia(tmp_path: Path, antmedia: AntMediaEmulator) -> None:
    server = f'kind = "antmedia"\nurl = "{antmedia.base_url}"\n'
    operator = Operator(tmp_path, server, f"{antmedia.admin_email}:{antmedia.admin_password}")
    old_token = jwt.encode(
        {"streamId": "stream1", "type": "play", "exp": _expires_soon()},
        VENDOR_EXAMPLE_SECRET,  # LiveApp's secret before the rotation
        algorithm="HS256",
    )
    assert antmedia_viewer(antmedia, None) == 200  # play is not enforced yet

    operator.walk_through(
        [
            readme("streamconsole rotate LiveApp --generate HS256 -c prod.toml"),
            readme("streamconsole toggle LiveApp --play on -c prod.toml"),
        ]
    )
    # The key and the switch went in one save.
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1

    assert antmedia_viewer(antmedia, operator.token("LiveApp/stream1")) == 200
    assert antmedia_viewer(antmedia, None) == 403
    assert antmedia_viewer(antmedia, old_token) == 403  # hard cut-over: the old secret is gone


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_theolive(tmp_path: Path, theolive: TheoLiveEmulator, version: str) -> None:
    """sports/sports-main holds a key installed elsewhere: the rotation adds a second one,
    and tokens of either pass until the old one is retired. news-channel/morning has no key:
    ``rotate --play on`` secures it in one command; conference/hall-00 the long way, rotate
    then toggle."""
    server = f'kind = "theolive"\nurl = "{theolive.base_url}"\napi_version = "{version}"\n'
    operator = Operator(tmp_path, server, f"{theolive.api_key}:{theolive.api_secret}")
    [installed_elsewhere] = [key.id for key in theolive.state.aliases["sports-main"].keys]
    old_token = jwt.encode({"exp": _expires_soon()}, SPORTS_SECRET, algorithm="HS512")
    assert theolive_viewer(theolive, "sports-main", old_token) == 200
    for alias in ("morning", "hall-00"):
        assert theolive_viewer(theolive, alias, None) == 200  # open to every viewer

    rotate = readme("streamconsole rotate LiveApp --generate HS256 -c prod.toml")
    toggle = readme("streamconsole toggle LiveApp --play on -c prod.toml")
    operator.walk_through(
        [
            rotate.replace("LiveApp", "sports/sports-main"),
            readme(
                "streamconsole rotate news-channel/morning --generate HS256 --play on -c prod.toml"
            ),
            rotate.replace("LiveApp", "conference/hall-00"),
            toggle.replace("LiveApp", "conference/hall-00"),
        ]
    )
    for alias in ("morning", "hall-00"):
        assert theolive_viewer(theolive, alias, None) == 403
    assert theolive_viewer(theolive, "morning", operator.token("news-channel/morning")) == 200

    # Two keys side by side: tokens signed with either pass, until the old one is retired.
    new_token = operator.token("sports/sports-main")
    assert theolive_viewer(theolive, "sports-main", new_token) == 200
    assert theolive_viewer(theolive, "sports-main", old_token) == 200
    operator.run(
        readme("streamconsole retire APP/ALIAS KEY_ID -c prod.toml --server prod")
        .replace("APP/ALIAS", "sports/sports-main")
        .replace("KEY_ID", installed_elsewhere)
    )
    assert theolive_viewer(theolive, "sports-main", old_token) == 403
    assert theolive_viewer(theolive, "sports-main", new_token) == 200
