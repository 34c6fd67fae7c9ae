"""The console on several servers at once: five Ant Media emulators of 200 applications each,
20 ms latency each, every emulator in its own process.

Prints, a median with min–max over interleaved pairs (paired.py): spawn until every server's
applications are listed on the console's terminal (the status line counts all 1,000) ÷ spawn
until one server's are (200), that server opened alone (target ≤ 1.5×). The server opened
alone takes each of the five in turn, so the baseline is not one lucky emulator.
Run from the repository root:
    python benchmarks/fleet_bench.py [--servers 5] [--apps 200] [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from paired import Target, add_arguments, measure_pairs, pairs_wanted, ratio_line
from remote_bench import Emulator, emulator, names_on_screen

TARGETS = {"fleet": Target(1.5)}  # every server's list ÷ the slowest single server's
LATENCY = 0.020


def credentials_env(index: int) -> str:
    return f"STREAMCONSOLE_BENCH_{index}"


def write_config(path: Path, servers: list[Emulator]) -> None:
    tables = [
        f'[servers.s{i}]\nkind = "antmedia"\nurl = "{server.url}"\n'
        f'credentials_env = "{credentials_env(i)}"\n'
        for i, server in enumerate(servers)
    ]
    path.write_text("\n".join(tables), encoding="utf-8")


def listed(count: int) -> bytes:
    """What the status line says once ``count`` applications are listed."""
    return f"{count:,} applications".encode()


def measure(server_count: int, apps: int, pairs: int) -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as directory:
        servers = [stack.enter_context(emulator(apps, LATENCY)) for _ in range(server_count)]
        workdir = Path(directory)
        config = workdir / "fleet.toml"
        write_config(config, servers)
        env = {
            **os.environ,
            "HOME": directory,
            "XDG_STATE_HOME": str(workdir / "state"),
            "XDG_CONFIG_HOME": str(workdir / "config"),
            **{credentials_env(i): server.credentials for i, server in enumerate(servers)},
        }
        console = [sys.executable, "-m", "streamconsole", str(config)]
        every = [*console, "--all-servers"]
        alone = itertools.cycle(range(server_count))
        measured = measure_pairs(
            lambda: names_on_screen([*console, "--server", f"s{next(alone)}"], env, listed(apps)),
            lambda: names_on_screen(every, env, listed(apps * server_count)),
            pairs,
        )
    print(
        ratio_line(
            f"console on {server_count} servers × {apps:,} apps at {LATENCY * 1000:.0f} ms: "
            "every server listed ÷ one server alone",
            measured,
            float,
            TARGETS["fleet"],
            ("one", "all"),
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--servers", type=int, default=5, help="emulators (5)")
    parser.add_argument("--apps", type=int, default=200, help="applications on each (200)")
    add_arguments(parser)
    options = parser.parse_args()
    measure(options.servers, options.apps, pairs_wanted(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
