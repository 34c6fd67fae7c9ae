"""The console's speed, against a bare Textual app measured in the same run.

Every figure is a fresh process timed from spawn, the bare app and the console alternately
(paired.py: a warm-up pair, then --pairs pairs; the median of the pairs' ratios, min–max):
  first frame with the list: the console on the sample config (as a fresh clone leaves it)
      ÷ a bare Textual app (a Static and a Footer) (target ≤ 1.3×); also the console's first
      frame (still loading) and the processes' CPU time (steadier on a shared machine)
  a generated 100k-alias config (toml_bench.py's generator; 10k with --quick) opened to
      interactive ÷ the bare app's start (target ≤ 3×), with the source's load in it
  filter keystroke latency on that config, all expanded: the work one keystroke does (filter,
      status line, redraw of the visible rows), worst and median (target ≤ 50 ms); and per
      key through the pilot, with the list ÷ the Input alone, alternately
Our modules are compiled to bytecode first, as installing the wheel does (cli_bench.py).
Run: python benchmarks/tui_bench.py [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_bench import write_bytecode
from fresh_clone import sample_as_cloned
from paired import (
    Pairs,
    Target,
    add_arguments,
    measure_pairs,
    pairs_wanted,
    ratio_line,
)
from toml_bench import generate

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "first frame": Target(1.3),  # console showing the sample ÷ bare Textual (Static + Footer)
    "big": Target(3.0),  # 100k aliases to interactive ÷ bare Textual start
    "filter": Target(0.05),  # seconds, the worst keystroke
}

# Each child prints "MARK <name> <seconds>" at the moments that count, then exits; the parent
# times each moment from the spawn, so interpreter start-up and imports are included.
BARE_APP = """
import time
T0 = time.perf_counter()
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App[None]):
    def compose(self):
        yield Static("hello")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._report_ready)

    def _report_ready(self) -> None:
        print("MARK shown", time.perf_counter() - T0, flush=True)
        self.exit()

Bare().run(headless=True)
"""

CONSOLE_APP = """
import sys, time
T0 = time.perf_counter()
from pathlib import Path
from streamconsole.backends.toml_file import TomlSource
from streamconsole.tui.app import StreamConsoleApp

class TimedSource(TomlSource):
    async def load(self):
        start = time.perf_counter()
        try:
            return await super().load()
        finally:
            print("MARK load", time.perf_counter() - start, flush=True)

class Timed(StreamConsoleApp):
    # Textual calls every class's on_mount along the MRO: the console's runs as well.
    def on_mount(self) -> None:
        self._bench_painted = False
        self._bench_timer = self.set_interval(0.002, self._bench_poll)

    def _bench_poll(self) -> None:
        if not self._bench_painted and self._screen_ready.is_set():
            self._bench_painted = True
            self.call_after_refresh(self._bench_mark, "painted", False)
        if self.session is not None and self.main_screen.scope_list.index is not None:
            self._bench_timer.stop()
            self.call_after_refresh(self._bench_mark, "shown", True)

    def _bench_mark(self, name: str, last: bool) -> None:
        print("MARK", name, time.perf_counter() - T0, flush=True)
        if last:
            self.exit()

Timed(TimedSource(Path(sys.argv[1]))).run(headless=True)
"""


@dataclass
class Run:
    marks: dict[str, float]  # seconds from spawn (load: its own duration)
    cpu: float  # the child's CPU seconds, all threads


def run_child(code: str, *args: str) -> Run:
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    marks: dict[str, float] = {}
    with subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            words = line.split()
            if len(words) == 3 and words[0] == "MARK":
                # A duration for "load"; otherwise a moment, on our clock (from spawn).
                now = time.perf_counter() - start
                marks[words[1]] = float(words[2]) if words[1] == "load" else now
        if child.wait(timeout=120) != 0 or "shown" not in marks:
            raise RuntimeError("the child exited without showing its screen")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(marks, cpu)


def shown(run: Run) -> float:
    return run.marks["shown"]


def painted(run: Run) -> float:
    """The first frame: the bare app's first is the one it shows."""
    return run.marks.get("painted", run.marks["shown"])


def first_screen(config: Path, pairs: int) -> None:
    measured = measure_pairs(
        lambda: run_child(BARE_APP), lambda: run_child(CONSOLE_APP, str(config)), pairs
    )
    print(
        ratio_line(
            "first frame with the list ÷ bare Textual (Static + Footer)",
            measured,
            shown,
            TARGETS["first frame"],
            ("bare", "console"),
        )
    )
    first = measured.ratio(painted)
    load = measured.side_b(lambda run: run.marks["load"])
    cpu = measured.ratio(lambda run: run.cpu)
    print(
        f"  console's first frame (loading) ÷ bare: {first.show(unit='x')}; config load "
        f"{load.show(1000, 0, ' ms')} (in a thread, while the screen is built)\n"
        f"  CPU time, console ÷ bare: {cpu.show(unit='x')}"
    )


def open_big(path: Path, aliases: int, pairs: int) -> None:
    measured = measure_pairs(
        lambda: run_child(BARE_APP), lambda: run_child(CONSOLE_APP, str(path)), pairs
    )
    print(
        ratio_line(
            f"{aliases // 1000}k aliases to interactive ÷ bare Textual start",
            measured,
            shown,
            TARGETS["big"],
            ("bare", "console"),
        )
    )
    load = measured.side_b(lambda run: run.marks["load"])
    rest = measured.side_b(lambda run: shown(run) - run.marks["load"])
    print(
        f"  of which the source's load {load.show(1, 2, ' s')}; the console's own part "
        f"{rest.show(1, 2, ' s')} (start-up, index, first frame)"
    )


async def filter_latency(path: Path, pairs: int) -> None:
    from textual.widgets import Input

    from streamconsole.backends.toml_file import TomlSource
    from streamconsole.tui.app import StreamConsoleApp

    app = StreamConsoleApp(TomlSource(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.main_screen
        widget = screen.scope_list
        widget.set_all_expanded(True)  # the worst case: every alias is a row
        typed = ["s", "st", "str", "stre", "strea", "stream", "stream-", "stream-0",
                 "stream-00", "stream-001", "stream-0012", "stream-001", "stream-00",
                 "stream", "", "9", "99", "999", "zzz", ""]  # fmt: skip
        latencies: list[tuple[float, str]] = []
        for query in typed:
            start = time.perf_counter()
            screen.apply_filter(query)
            for y in range(widget.size.height):
                widget.render_line(y)
            latencies.append((time.perf_counter() - start, query))
            await pilot.pause()  # the detail follows (a message), as between two keys
        worst, worst_query = max(latencies)
        median = statistics.median(seconds for seconds, _ in latencies)
        target = TARGETS["filter"]
        count = widget.index.alias_count if widget.index else 0
        print(
            f"filter keystroke on {count:,} aliases, all expanded: worst {worst * 1000:.1f} ms "
            f"({worst_query!r}), median {median * 1000:.1f} ms  "
            f"(target <= {target.limit * 1000:g} ms)  {target.verdict(worst)}"
        )
        # End to end through the real Input (key event, message, handler, paint), against
        # the same keys typed into the same Input with the list detached from it, the two
        # alternately (the same order as paired.measure_pairs, which cannot await).
        filter_input = screen.query_one("#filter", Input)
        filter_input.focus()
        keys = "stream-0012"

        async def per_key(detached: bool) -> float:
            filter_input.value = ""
            await pilot.pause()
            with screen.prevent(Input.Changed) if detached else contextlib.nullcontext():
                start = time.perf_counter()
                await pilot.press(*keys)
                return (time.perf_counter() - start) / len(keys)

        alone: list[float] = []
        with_list: list[float] = []
        for _ in range(pairs + 1):  # the first pair warms up
            alone.append(await per_key(detached=True))
            with_list.append(await per_key(detached=False))
        through = Pairs(tuple(alone[1:]), tuple(with_list[1:]))
        print(
            f"  through the pilot, per key: with the list ÷ the Input alone "
            f"{through.ratio(float).show(unit='x')}; with the list "
            f"{through.side_b(float).show(1000, 1, ' ms')}, alone "
            f"{through.side_a(float).show(1000, 1, ' ms')}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_arguments(parser)
    options = parser.parse_args()
    pairs = pairs_wanted(options)
    aliases = 10_000 if options.quick else 100_000
    write_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        first_screen(sample_as_cloned(Path(tmp)), pairs)
        path = Path(tmp) / f"tui-bench-{aliases}.toml"
        path.write_text(generate(aliases), encoding="utf-8")
        open_big(path, aliases, pairs)
        asyncio.run(filter_latency(path, pairs))


if __name__ == "__main__":
    main()
