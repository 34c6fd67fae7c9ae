"""A big Ant Media Server through the loopback emulator with injected latency.

The emulator (tests/emulators) runs standalone in its own process, so server and client do
not share one GIL. Prints, each a median with min–max (paired.py):
  listing every application with its JWT settings (1,000 at 20 ms; 200 with --quick) ÷
      (N × latency), the sequential client's time, over repeated runs after a warm-up
      (target ≤ 0.05), with the requests per application
  client CPU per remote request in those runs (target ≤ 0.8 ms)
  the console on that server (1,000 applications at 50 ms latency), spawn to the first
      application's name on its terminal ÷ the same for a bare Textual app that logs in and
      lists the names (target ≤ 1.5×), the two alternately
Run from the repository root:
    python benchmarks/remote_bench.py [--apps 1000] [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from idle_bench import Terminal
from paired import Spread, Target, add_arguments, measure_pairs, pairs_wanted, ratio_line, repeat

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.core.model import ServerKind, ServerProfile
from streamconsole.core.secret import Secret

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "listing": Target(0.05),  # the listing's time ÷ N × latency
    "cpu": Target(0.0008),  # client CPU seconds per request
    "console": Target(1.5),  # names on screen ÷ (bare start + login + list)
}
LISTING_LATENCY, CONSOLE_LATENCY = 0.020, 0.050
CREDENTIALS_ENV = "STREAMCONSOLE_BENCH"

# Serves until its stdin closes; answers each line read with the number of requests so far.
SERVER = """
import json, sys
from tests.emulators import AntMediaEmulator
emulator = AntMediaEmulator()
emulator.state.seed(int(sys.argv[1]), 3)
emulator.faults.latency = float(sys.argv[2])
url = emulator.start()
print(json.dumps({"url": url, "email": emulator.admin_email,
                  "password": emulator.admin_password}), flush=True)
for _ in sys.stdin:
    print(len(emulator.log.records), flush=True)
emulator.stop()
"""

# The least a console on a server must do: start Textual, log in, list, show the names.
BARE_CLIENT = """
import hashlib, os, sys
import httpx
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App[None]):
    def compose(self):
        yield Static("loading", id="names")
        yield Footer()

    async def on_mount(self) -> None:
        self.run_worker(self.list_names())

    async def list_names(self) -> None:
        email, password = os.environ[sys.argv[2]].split(":", 1)
        async with httpx.AsyncClient(base_url=sys.argv[1]) as client:
            digest = hashlib.md5(password.encode()).hexdigest()
            reply = await client.post("/rest/v2/users/authenticate",
                                      json={"email": email, "password": digest})
            reply.raise_for_status()
            names = (await client.get("/rest/v2/applications")).json()["applications"]
        self.query_one("#names", Static).update("\\n".join(names))

Bare().run()
"""


@dataclass(frozen=True)
class Emulator:
    url: str
    credentials: str
    server: subprocess.Popen[str]

    def requests(self) -> int:
        """How many requests the emulator has answered so far."""
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write("count\n")
        self.server.stdin.flush()
        return int(self.server.stdout.readline())


@contextmanager
def emulator(apps: int, latency: float) -> Iterator[Emulator]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(apps), str(latency)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        hello = json.loads(server.stdout.readline())
        yield Emulator(hello["url"], f"{hello['email']}:{hello['password']}", server)
    finally:
        server.stdin.close()
        server.wait(timeout=30)


@dataclass(frozen=True)
class Listing:
    seconds: float
    cpu: float  # this process's CPU seconds
    requests: int
    applications: int


async def list_everything(url: str, credentials: str) -> tuple[float, float, int]:
    profile = ServerProfile("bench", ServerKind.ANTMEDIA, url, auth="password")
    source = AntMediaSource(profile, Secret(credentials))
    started, cpu_started = time.perf_counter(), time.process_time()
    config = await source.load()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await source.aclose()
    return elapsed, cpu, len(config.applications)


def listing(server: Emulator) -> Listing:
    before = server.requests()
    elapsed, cpu, listed = asyncio.run(list_everything(server.url, server.credentials))
    return Listing(elapsed, cpu, server.requests() - before, listed)


def measure_listing(apps: int, runs: int) -> None:
    with emulator(apps, LISTING_LATENCY) as server:
        results = repeat(lambda: listing(server), runs)
    if any(result.applications != apps for result in results):
        raise RuntimeError(f"a listing did not return all {apps} applications")
    sequential = apps * LISTING_LATENCY
    ratio = Spread.of([result.seconds / sequential for result in results])
    seconds = Spread.of([result.seconds for result in results])
    target = TARGETS["listing"]
    print(
        f"{apps:,} Ant Media apps at {LISTING_LATENCY * 1000:.0f} ms ÷ sequential "
        f"({sequential:.1f} s): {ratio.show(digits=3)} over {runs} runs; "
        f"{seconds.show(1, 2, ' s')}  ({target.describe()})  {target.verdict(ratio.median)}"
    )
    per_app = Spread.of([result.requests / apps for result in results])
    print(
        f"  requests per application: {per_app.show(digits=3)} "
        "(login + list + one settings GET each; broadcasts on demand)"
    )
    cpu = Spread.of([result.cpu / result.requests for result in results])
    target = TARGETS["cpu"]
    print(
        f"client CPU per remote request: {cpu.show(1000, 2, ' ms')} over {runs} runs  "
        f"(target <= {target.limit * 1000:g} ms)  {target.verdict(cpu.median)}"
    )


def names_on_screen(command: list[str], env: dict[str, str], name: bytes) -> float:
    """Seconds from spawn until ``name`` is on the process's terminal (80×24)."""
    started = time.perf_counter()
    terminal = Terminal(command, env)
    try:
        terminal.wait_for(name, timeout=120)
        return time.perf_counter() - started
    finally:
        terminal.close()


def measure_console(apps: int, pairs: int) -> None:
    first = f"App{0:0{len(str(apps - 1))}d}".encode()  # the emulator's seed names
    with tempfile.TemporaryDirectory() as directory, emulator(apps, CONSOLE_LATENCY) as server:
        workdir = Path(directory)
        config = workdir / "console.toml"
        config.write_text(
            f'[servers.bench]\nkind = "antmedia"\nurl = "{server.url}"\n'
            f'credentials_env = "{CREDENTIALS_ENV}"\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "HOME": directory,
            "XDG_STATE_HOME": str(workdir / "state"),
            CREDENTIALS_ENV: server.credentials,
        }
        bare = [sys.executable, "-c", BARE_CLIENT, server.url, CREDENTIALS_ENV]
        console = [sys.executable, "-m", "streamconsole", str(config), "--server", "bench"]
        measured = measure_pairs(
            lambda: names_on_screen(bare, env, first),
            lambda: names_on_screen(console, env, first),
            pairs,
        )
    print(
        ratio_line(
            f"console on a server ({apps:,} apps, {CONSOLE_LATENCY * 1000:.0f} ms): names on "
            "screen ÷ (bare start + login + list)",
            measured,
            float,
            TARGETS["console"],
            ("bare", "console"),
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--apps", type=int, default=None, help="applications (1000; 200 quick)")
    add_arguments(parser)
    options = parser.parse_args()
    apps = options.apps or (200 if options.quick else 1000)
    pairs = pairs_wanted(options)
    measure_listing(apps, pairs)
    measure_console(apps, pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
