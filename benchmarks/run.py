"""Run every benchmark and write benchmarks/RESULTS.md.

Each benchmark is its own script that measures its baseline in the same run and prints
one line per figure, ending in PASS or MISS against the target the issues set. This script
runs them one after another (never in parallel: they would measure each other), and
records the machine, the versions, every line, and a summary of the verdicts.
Run: python benchmarks/run.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = ("textual", "httpx", "PyJWT", "cryptography", "tomlkit")

# (title, script, arguments, what it measures)
BENCHMARKS = [
    ("Config load and save", "toml_bench.py", [], "TomlSource vs tomllib, 10k and 100k aliases"),
    ("Tokens", "token_bench.py", [], "core sign + explain vs PyJWT, HS256 and RS256"),
    ("Console speed", "tui_bench.py", ["--runs", "5"], "start-up, 100k open, filter latency"),
    ("Memory and UI responsiveness", "resources_bench.py", [], "RSS at 100k, RSA frame gap"),
    ("Idle cost", "idle_bench.py", [], "CPU and terminal bytes with the countdown running"),
    ("Remote listing", "remote_bench.py", [], "1,000 Ant Media apps at 20 ms latency"),
]


def machine() -> list[str]:
    load = os.getloadavg()
    return [
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; load average at start {load[0]:.2f}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        "- " + ", ".join(f"{name} {version(name)}" for name in PACKAGES),
    ]


def run(script: str, arguments: list[str]) -> tuple[list[str], float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(HERE / script), *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
        check=False,
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0:
        lines.append(f"FAILED (exit {result.returncode}): {result.stderr.strip()[-400:]}")
    return lines, time.perf_counter() - started, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    options = parser.parse_args()
    report = ["# Benchmark results", "", *machine(), ""]
    table_at = len(report)
    verdicts: list[str] = []
    failed = 0
    for title, script, arguments, what in BENCHMARKS:
        print(f"running {script} ...", flush=True)
        lines, seconds, code = run(script, arguments)
        failed += code != 0
        report += [f"## {title}", "", f"`{script}` — {what} ({seconds:.0f} s)", "", "```"]
        report += [*lines, "```", ""]
        for line in lines:
            if "PASS" in line or "MISS" in line or "FAILED" in line:
                verdict = "PASS" if "PASS" in line else "MISS"
                verdicts.append(f"| {title} | {line.strip()} | {verdict} |")
        print("\n".join(lines), flush=True)
    report[table_at:table_at] = ["| benchmark | figure | verdict |", "|---|---|---|", *verdicts, ""]
    options.out.write_text("\n".join(report) + "\n")
    print(f"wrote {options.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
