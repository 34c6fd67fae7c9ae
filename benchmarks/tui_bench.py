"""The console's speed, against a bare Textual app measured in the same run.

Prints:
  time to first screen: the console on sample_config.toml ÷ a bare Textual app (a Static
      and a Footer), each a fresh process timed from spawn, median of --runs (target ≤ 1.3×);
      for the console both its first frame and the frame that shows the config, and the
      processes' CPU time too (steadier than wall time on a shared machine)
  a generated 100k-alias config (benchmarks/toml_bench.py's generator) opened to interactive
      in a fresh process (target ≤ 2 s), split into the source's load and the rest
  filter keystroke latency on 100k aliases, all expanded: the work one keystroke does (filter,
      status line, redraw of the visible rows), worst and median (target ≤ 50 ms)
Run: python benchmarks/tui_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
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
from toml_bench import generate

ROOT = Path(__file__).resolve().parent.parent

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


def _median(runs: list[Run], mark: str) -> float:
    return statistics.median(run.marks[mark] for run in runs)


def first_screen(runs: int) -> None:
    run_child(BARE_APP)  # warm the OS file cache for both
    run_child(CONSOLE_APP, "sample_config.toml")
    bare = [run_child(BARE_APP) for _ in range(runs)]
    ours = [run_child(CONSOLE_APP, "sample_config.toml") for _ in range(runs)]
    bare_shown = _median(bare, "shown")
    shown, painted = _median(ours, "shown"), _median(ours, "painted")
    ratio = shown / bare_shown
    verdict = "target <= 1.3x: " + ("PASS" if ratio <= 1.3 else "MISS")
    bare_cpu = statistics.median(run.cpu for run in bare)
    our_cpu = statistics.median(run.cpu for run in ours)
    print(
        f"time to first screen: console showing the config {shown * 1000:.0f} ms ÷ bare "
        f"Textual {bare_shown * 1000:.0f} ms = {ratio:.2f}x  ({verdict})\n"
        f"  console's first frame (loading) {painted * 1000:.0f} ms = "
        f"{painted / bare_shown:.2f}x; config load {_median(ours, 'load') * 1000:.0f} ms "
        f"(in a thread, while the screen is built)\n"
        f"  CPU time: console {our_cpu * 1000:.0f} ms ÷ bare {bare_cpu * 1000:.0f} ms = "
        f"{our_cpu / bare_cpu:.2f}x"
    )


def open_big(path: Path, runs: int) -> None:
    results = [run_child(CONSOLE_APP, str(path)) for _ in range(runs)]
    shown, load = _median(results, "shown"), _median(results, "load")
    verdict = "target <= 2 s: " + ("PASS" if shown <= 2 else "MISS")
    print(
        f"100k aliases to interactive (fresh process): {shown:.2f} s  ({verdict})\n"
        f"  of which the source's load {load:.2f} s; the console's own part "
        f"{shown - load:.2f} s (start-up, index, first frame)"
    )


async def filter_latency(path: Path) -> None:
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
        verdict = "target <= 50 ms: " + ("PASS" if worst <= 0.05 else "MISS")
        count = widget.index.alias_count if widget.index else 0
        print(
            f"filter keystroke on {count:,} aliases, all expanded: worst {worst * 1000:.1f} ms "
            f"({worst_query!r}), median {median * 1000:.1f} ms  ({verdict})"
        )
        # End to end through the real Input (key event, message, handler, paint), against
        # the same keys typed into the same Input with the list detached from it.
        filter_input = screen.query_one("#filter", Input)
        filter_input.focus()
        keys = "stream-0012"
        start = time.perf_counter()
        await pilot.press(*keys)
        with_list = (time.perf_counter() - start) / len(keys)
        filter_input.value = ""
        await pilot.pause()
        with screen.prevent(Input.Changed):
            start = time.perf_counter()
            await pilot.press(*keys)
            alone = (time.perf_counter() - start) / len(keys)
        print(
            f"  through the pilot: {with_list * 1000:.1f} ms per key, of which the pilot and the "
            f"Input alone take {alone * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    first_screen(args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tui-bench-100k.toml"
        path.write_text(generate(100_000), encoding="utf-8")
        open_big(path, max(1, args.runs // 2))
        asyncio.run(filter_latency(path))


if __name__ == "__main__":
    main()
