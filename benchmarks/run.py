"""Run every benchmark and write benchmarks/RESULTS.md.

Each benchmark is its own script that measures its baseline alternately with the subject
(paired.py: A B A B … after a warm-up pair; the median of the pairs' ratios, with min–max)
and prints one line per figure, ending in PASS or MISS against the target the issues set.
This script runs them one after another (never in parallel: they would measure each other),
each with the Python of a venv holding the wheel built from this checkout (installed.py: as
users install it, not the editable install), and records the machine, the versions, every
line, and a summary of the verdicts.
`--quick` (fewer pairs, smaller sizes) only checks that the scripts work: its figures are
not worth recording, so it writes a file only when given --out.
Run: python benchmarks/run.py [--quick] [--pairs N] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from installed import wheel_install

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = ("textual", "httpx", "PyJWT", "cryptography", "tomlkit")

# (title, script, what it measures)
BENCHMARKS = [
    ("Config load and save", "toml_bench.py", "TomlSource vs tomllib, 10k and 100k aliases"),
    ("Tokens", "token_bench.py", "core sign + explain vs PyJWT, HS256 and RS256"),
    ("CLI start", "cli_bench.py", "list, --version, token vs python -c pass and PyJWT"),
    ("Console speed", "tui_bench.py", "first frame, 100k open, filter latency"),
    ("Memory and UI responsiveness", "resources_bench.py", "RSS at 100k, RSA frame gap"),
    ("Idle cost", "idle_bench.py", "CPU and terminal bytes with the countdown running"),
    ("Remote", "remote_bench.py", "1,000 Ant Media apps: listing, CPU, console on it"),
    ("Several servers", "fleet_bench.py", "console on 5 Ant Media servers × 200 apps"),
]


def machine() -> list[str]:
    load = os.getloadavg()
    return [
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; load average at start {load[0]:.2f}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        "- " + ", ".join(f"{name} {version(name)}" for name in PACKAGES),
        "- streamconsole: the wheel built from this checkout, in a venv of its own",
    ]


def run(python: str, script: str, options: list[str]) -> tuple[list[str], float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        [python, str(HERE / script), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
        check=False,
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0:
        tail = " ".join(result.stderr.split())[-400:]  # one line: it goes into the table too
        lines.append(f"FAILED (exit {result.returncode}): {tail}")
    return lines, time.perf_counter() - started, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="default: RESULTS.md (not quick)")
    parser.add_argument("--quick", action="store_true", help="fewer pairs, smaller sizes")
    parser.add_argument("--pairs", type=int, default=None, help="measured pairs per figure")
    options = parser.parse_args()
    out = options.out or (None if options.quick else HERE / "RESULTS.md")
    passed_on = [
        *(["--quick"] if options.quick else []),
        *(["--pairs", str(options.pairs)] if options.pairs is not None else []),
    ]
    report = ["# Benchmark results", "", *machine(), ""]
    if options.quick:
        report[-1:-1] = ["- QUICK RUN (fewer pairs, smaller sizes): indicative only"]
    table_at = len(report)
    verdicts: list[str] = []
    failed = 0
    with tempfile.TemporaryDirectory() as installing:
        python = str(wheel_install(Path(installing)) / "python")
        for title, script, what in BENCHMARKS:
            print(f"running {script} ...", flush=True)
            lines, seconds, code = run(python, script, passed_on)
            failed += code != 0
            report += [f"## {title}", "", f"`{script}` — {what} ({seconds:.0f} s)", "", "```"]
            report += [*lines, "```", ""]
            for line in lines:
                verdict = line.split()[-1] if line.strip() else ""
                if line.startswith("FAILED"):
                    verdict = "FAILED"
                if verdict in ("PASS", "MISS", "FAILED"):
                    verdicts.append(f"| {title} | {line.strip()} | {verdict} |")
            print("\n".join(lines), flush=True)
    report[table_at:table_at] = ["| benchmark | figure | verdict |", "|---|---|---|", *verdicts, ""]
    report.insert(table_at - 1, f"- load average at the end {os.getloadavg()[0]:.2f}")
    if out is not None:
        out.write_text("\n".join(report) + "\n")
        print(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
