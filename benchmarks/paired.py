"""Interleaved A/B measurement, shared by every benchmark script.

A baseline (A) and the thing measured (B) run alternately, A B A B …, after one warm-up pair
that is thrown away, so that a change in the machine's load or caches hits both sides alike
and decides no ratio. Each pair gives one ratio B ÷ A; a figure is the median of those ratios
with their min–max, never the best of N. The verdict comes from that median against the
target, which each script keeps in one ``TARGETS`` table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

PAIRS = 7  # measured pairs by default: fewer cannot show a median with a meaningful spread
QUICK_PAIRS = 3  # --quick: enough to see that a script works, not to judge a figure


@dataclass(frozen=True)
class Target:
    """A limit a figure must stay within: at most ``limit``, or at least it."""

    limit: float
    at_least: bool = False

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value <= self.limit

    def verdict(self, value: float) -> str:
        return "PASS" if self.met(value) else "MISS"

    def describe(self, unit: str = "") -> str:
        return f"target {'>=' if self.at_least else '<='} {self.limit:g}{unit}"


@dataclass(frozen=True)
class Spread:
    """The median of some measurements, with their smallest and largest."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no measurements")
        return cls(statistics.median(values), min(values), max(values))

    def show(self, scale: float = 1.0, digits: int = 2, unit: str = "") -> str:
        def number(value: float) -> str:
            return f"{value * scale:,.{digits}f}"

        return f"{number(self.median)}{unit} ({number(self.low)}–{number(self.high)})"


@dataclass(frozen=True)
class Pairs(Generic[T]):
    """The measured pairs, in order: ``a[i]`` ran just before ``b[i]``."""

    a: tuple[T, ...]
    b: tuple[T, ...]

    def ratio(self, figure: Callable[[T], float]) -> Spread:
        """Each pair's B ÷ A of ``figure``, summarised."""
        return Spread.of([figure(b) / figure(a) for a, b in zip(self.a, self.b, strict=True)])

    def difference(self, figure: Callable[[T], float]) -> Spread:
        """Each pair's B − A of ``figure``, summarised."""
        return Spread.of([figure(b) - figure(a) for a, b in zip(self.a, self.b, strict=True)])

    def side_a(self, figure: Callable[[T], float]) -> Spread:
        return Spread.of([figure(a) for a in self.a])

    def side_b(self, figure: Callable[[T], float]) -> Spread:
        return Spread.of([figure(b) for b in self.b])


def measure_pairs(a: Callable[[], T], b: Callable[[], T], pairs: int = PAIRS) -> Pairs[T]:
    """Run ``a`` and ``b`` alternately: one warm-up pair (discarded), then ``pairs`` pairs."""
    if pairs < 1:
        raise ValueError("at least one measured pair is needed")
    a()
    b()
    measured_a: list[T] = []
    measured_b: list[T] = []
    for _ in range(pairs):
        measured_a.append(a())
        measured_b.append(b())
    return Pairs(tuple(measured_a), tuple(measured_b))


def repeat(measure: Callable[[], T], runs: int = PAIRS) -> tuple[T, ...]:
    """For a figure with no baseline to pair with: one warm-up run (discarded), then ``runs``."""
    if runs < 1:
        raise ValueError("at least one measured run is needed")
    measure()
    return tuple(measure() for _ in range(runs))


def ratio_line(
    label: str,
    pairs: Pairs[T],
    figure: Callable[[T], float],
    target: Target,
    sides: tuple[str, str] = ("A", "B"),
    scale: float = 1000.0,
    unit: str = " ms",
) -> str:
    """One line: the median ratio with min–max, each side's median, and the verdict."""
    ratio = pairs.ratio(figure)
    a, b = pairs.side_a(figure).median * scale, pairs.side_b(figure).median * scale
    return (
        f"{label}: {ratio.show(unit='x')} over {len(pairs.a)} pairs; "
        f"{sides[0]} {a:,.0f}{unit}, {sides[1]} {b:,.0f}{unit}  "
        f"({target.describe('x')})  {target.verdict(ratio.median)}"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--pairs N`` and ``--quick`` (fewer pairs, smaller sizes: to check a script works)."""
    parser.add_argument("--pairs", type=int, default=None, help=f"measured pairs ({PAIRS})")
    parser.add_argument("--quick", action="store_true", help="fewer pairs, smaller sizes")


def pairs_wanted(options: argparse.Namespace) -> int:
    if options.pairs is not None:
        return int(options.pairs)
    return QUICK_PAIRS if options.quick else PAIRS


def process_seconds(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> float:
    """Wall time of one process from spawn to exit (its output discarded); it must succeed."""
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return time.perf_counter() - started
