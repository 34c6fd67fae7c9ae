"""Config load and save, against plain ``tomllib`` measured in the same run.

Prints, for generated configs of 10k and 100k aliases:
  load ÷ tomllib.loads   (target ≤ 3×)
  one-toggle save time, first and warm, with its diff size (target ≤ 0.2 s at 10k)
Run: python benchmarks/toml_bench.py
"""

from __future__ import annotations

import difflib
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_enforcement
from streamconsole.core.model import Direction, ScopeRef

SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"


def generate(aliases: int, applications: int = 20) -> str:
    """A realistic big config: a few apps with keys, many aliases, some overrides."""
    per_app = aliases // applications
    out = ['# generated benchmark config\n[console]\ntoken_ttl = "10m"\n\n']
    for a in range(applications):
        kind = "antmedia" if a % 2 == 0 else "theolive"
        out.append(f'[applications.app-{a:03}]\nkind = "{kind}"\nlabel = "Application {a}"\n')
        if kind == "antmedia":
            out.append("publish = true   # publishers need a token\nplay = false\n")
        else:
            out.append("play = true\n")
        out.append(f'key = {{ algorithm = "HS256", secret = "{SECRET}" }}\n\n')
        out.append(f"[applications.app-{a:03}.aliases]\n")
        for i in range(per_app):
            if kind == "theolive" and i % 50 == 0:
                out.append(f'"stream-{i:06}" = {{ label = "Camera {i}", play = false }}\n')
            else:
                out.append(f'"stream-{i:06}" = {{ label = "Camera {i}" }}\n')
        out.append("\n")
    return "".join(out)


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(aliases: int, directory: Path) -> None:
    text = generate(aliases)
    path = directory / f"bench-{aliases}.toml"
    path.write_text(text)
    runs = 5 if aliases <= 10_000 else 3
    baseline = best_of(runs, lambda: tomllib.loads(path.read_text()))
    load = best_of(runs, lambda: TomlSource(path).load_sync())
    print(
        f"{aliases:>7,} aliases  tomllib {baseline * 1000:7.1f} ms  load {load * 1000:7.1f} ms"
        f"  ratio {load / baseline:4.2f}x  (target <= 3x)  "
        + ("PASS" if load <= 3 * baseline else "MISS")
    )
    source = TomlSource(path)
    config = source.load_sync()
    saves: list[float] = []
    enabled = True
    for _ in range(runs):
        before = path.read_text()
        change = set_enforcement(config, ScopeRef("app-000"), Direction.PLAY, enabled)
        start = time.perf_counter()
        source.apply_sync([change])
        saves.append(time.perf_counter() - start)
        enabled = not enabled
        diff = [
            line
            for line in difflib.unified_diff(
                before.splitlines(), path.read_text().splitlines(), n=0, lineterm=""
            )
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
    line = (
        f"{aliases:>7,} aliases  save first {saves[0] * 1000:7.1f} ms  warm median "
        f"{statistics.median(saves[1:]) * 1000:7.1f} ms  diff {len(diff)} lines"
    )
    if aliases == 10_000:  # the target is set for the 10k file
        ok = max(saves) <= 0.2 and len(diff) == 2
        line += f"  (target <= 200 ms, 2-line diff)  {'PASS' if ok else 'MISS'}"
    print(line)


def main() -> int:
    print(f"python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as directory:
        for aliases in (10_000, 100_000):
            measure(aliases, Path(directory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
