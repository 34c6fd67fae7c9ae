"""Listing a big Ant Media Server through the loopback emulator with injected latency.

Prints: time to list every application with its JWT settings ÷ (N × latency), the
sequential baseline (target ≤ 0.075, i.e. ≤ 1.5 s for 1,000 applications at 20 ms), and
requests per application. Run from the repository root:
    python benchmarks/remote_bench.py [--apps 1000] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.core.model import ServerKind, ServerProfile
from streamconsole.core.secret import Secret

ROOT = Path(__file__).resolve().parents[1]

# The emulator runs in its own process, so server and client do not share one GIL.
SERVER = """
import json, sys, threading
from tests.emulators import AntMediaEmulator
emulator = AntMediaEmulator()
emulator.state.seed(int(sys.argv[1]), 3)
emulator.faults.latency = float(sys.argv[2])
url = emulator.start()
print(json.dumps({"url": url, "email": emulator.admin_email,
                  "password": emulator.admin_password}), flush=True)
sys.stdin.read()  # serve until the parent closes our stdin
emulator.stop()
print(len(emulator.log.records), flush=True)
"""


async def list_everything(url: str, credentials: str) -> tuple[float, float, int]:
    profile = ServerProfile("bench", ServerKind.ANTMEDIA, url, auth="password")
    source = AntMediaSource(profile, Secret(credentials))
    started, cpu_started = time.perf_counter(), time.process_time()
    config = await source.load()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await source.aclose()
    return elapsed, cpu, len(config.applications)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.apps), str(args.latency_ms / 1000)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    hello = json.loads(server.stdout.readline())
    try:
        elapsed, cpu, listed = asyncio.run(
            list_everything(hello["url"], f"{hello['email']}:{hello['password']}")
        )
    finally:
        server.stdin.close()
    requests = int(server.stdout.readline())
    server.wait(timeout=30)
    baseline = args.apps * args.latency_ms / 1000
    ratio = elapsed / baseline
    print(f"listed {listed:,} applications in {elapsed:.2f} s at {args.latency_ms:.0f} ms latency")
    print(
        f"ratio to sequential ({baseline:.1f} s): {ratio:.3f}  (target <= 0.075)  "
        f"{'PASS' if ratio <= 0.075 else 'MISS'}"
    )
    print(
        f"requests: {requests:,} = {requests / args.apps:.3f} per application "
        "(login + list + one settings GET each; broadcasts on demand)"
    )
    print(f"client CPU: {cpu:.2f} s = {cpu / requests * 1000:.2f} ms per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
