"""streamconsole.fleet: plans carried out on several servers at once, at most ``jobs`` at a
time, never two saves at once on one server address, a failing or read-only server reported
while the others go on. The servers here are in-memory sources that count the saves in
flight; the emulators carry the same commands end to end in tests/cli/test_fleet.py."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from streamconsole.audit import AuditLog
from streamconsole.backends.base import RemoteError
from streamconsole.backends.toml_config import parse_config
from streamconsole.core.edits import Change
from streamconsole.core.fleet import Outcome, ServerResult
from streamconsole.core.model import Config
from streamconsole.core.plan import make_plan
from streamconsole.fleet import Member, address, apply_members

OLD = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
NEW = "Qm9v8d7c6b5a4Z3Y2X1W0V9U8T7S6R5Q4P3O2N1M"
URLS = {
    "eu": "http://127.0.0.1:5080",
    "eu-again": "HTTP://127.0.0.1:5080/",  # the same server, spelt otherwise
    "us": "http://127.0.0.1:5081",
    "ap": "http://127.0.0.1:5082",
    "sa": "http://127.0.0.1:5083",
}


def config(secret: str, play: bool) -> Config:
    apps = "".join(
        f'[applications.{name}]\nkind = "antmedia"\npublish = true\n'
        f'play = {str(play).lower()}\nkey = {{ algorithm = "HS256", secret = "{secret}" }}\n'
        for name in ("Live", "Vod")
    )
    servers = "".join(
        f'[servers.{name}]\nkind = "antmedia"\nurl = "{url}"\ncredentials_env = "SC_X"\n'
        for name, url in URLS.items()
    )
    parsed, _ = parse_config(apps + servers, Path("/virtual/c.toml"), environ={})
    return parsed


class Saves:
    """Saves in flight, per address and in all, and the most seen at once."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.total = self.most_total = 0
        self.made: list[str] = []


class Server:
    """A source that takes a few turns of the event loop per save."""

    def __init__(self, name: str, saves: Saves, *, read_only: bool = False, fail: bool = False):
        self.name, self.read_only = name, read_only
        self._saves, self._fail = saves, fail
        self._address = address(URLS[name])

    async def apply(self, changes: Sequence[Change]) -> None:
        saves = self._saves
        saves.now[self._address] += 1
        saves.total += 1
        saves.most[self._address] = max(saves.most[self._address], saves.now[self._address])
        saves.most_total = max(saves.most_total, saves.total)
        for _ in range(5):  # let every other task run in between
            await asyncio.sleep(0)
        saves.now[self._address] -= 1
        saves.total -= 1
        if self._fail:
            raise RemoteError("HTTP 500 from the server", status=500)
        saves.made.append(f"{self.name}:{changes[0].scope}")


def run(
    members: list[Member], jobs: int, tmp_path: Path, refused: dict[str, list[str]] | None = None
) -> list[ServerResult]:
    desired = config(NEW, True)
    plans = {m.name: make_plan(desired, m.config) for m in members if m.config is not None}
    audit = AuditLog(tmp_path / "audit.jsonl")
    return asyncio.run(apply_members(members, plans, desired, audit, jobs=jobs, refused=refused))


def member(name: str, saves: Saves, **kwargs: bool) -> Member:
    return Member(name, Server(name, saves, **kwargs), config(OLD, False))  # type: ignore[arg-type]


def test_at_most_jobs_servers_at_once_and_one_save_at_a_time_per_address(tmp_path: Path) -> None:
    saves = Saves()
    members = [member(name, saves) for name in URLS]
    results = run(members, 3, tmp_path)
    assert [r.outcome for r in results] == [Outcome.APPLIED] * len(URLS)
    assert saves.most_total == 3  # concurrent, up to the bound
    assert max(saves.most.values()) == 1  # "eu" and "eu-again" took turns
    assert sorted(saves.made) == sorted(f"{n}:{a}" for n in URLS for a in ("Live", "Vod"))


def test_one_server_at_a_time_with_one_job(tmp_path: Path) -> None:
    saves = Saves()
    run([member(name, saves) for name in URLS], 1, tmp_path)
    assert saves.most_total == 1


def test_a_failing_a_read_only_and_a_down_server_do_not_stop_the_others(tmp_path: Path) -> None:
    saves = Saves()
    members = [
        member("eu", saves, fail=True),
        member("us", saves, read_only=True),
        Member("ap", error=RemoteError("cannot connect")),
        member("sa", saves),
        member("eu-again", saves),
    ]
    refused = {"eu-again": ["Live: play stays on"]}
    eu, us, ap, sa, again = run(members, 4, tmp_path, refused)
    assert (eu.outcome, eu.remote, eu.error) == (Outcome.FAILED, True, "HTTP 500 from the server")
    assert len(eu.failed) == 2 and len(eu.skipped) == 2  # stopped at its first save
    assert (us.outcome, us.error, len(us.skipped)) == (
        Outcome.SKIPPED,
        "read-only: nothing was sent",
        4,
    )
    assert (ap.outcome, ap.error) == (Outcome.DOWN, "cannot connect")
    assert (ap.retry, eu.retry) == (True, True)  # unreachable, and a 5xx: worth another go
    assert sa.outcome is Outcome.APPLIED
    assert (again.outcome, again.error) == (
        Outcome.SKIPPED,
        "refused by the server: Live: play stays on",
    )
    # Nothing reached the read-only server, nor the one whose rules refuse its plan.
    assert sorted(saves.made) == ["sa:Live", "sa:Vod"]
    audit = (tmp_path / "audit.jsonl").read_text()
    assert audit.count('"result": "ok"') == 4  # sa's four changes; eu's save failed
    assert NEW not in audit


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://AMS.example.com/", "https://ams.example.com:443"),
        ("http://ams.example.com:80/api/", "http://ams.example.com/api"),
    ],
)
def test_an_address_is_the_server_whatever_the_spelling(url: str, same: str) -> None:
    assert address(url) == address(same)
    assert address(url) != address(same.replace("example", "example2"))
