"""benchmarks/paired.py: the order A B A B after a warm-up pair, and the arithmetic of the
figures (per-pair ratio, median, min–max, verdict), with deterministic fake measurements."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

PAIRED_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "paired.py"


def _load_paired() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_paired", PAIRED_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


paired = _load_paired()


def scripted(name: str, values: list[float], calls: list[str]) -> Callable[[], float]:
    """A fake measurement: returns ``values`` in turn and records each call in ``calls``."""
    remaining = iter(values)

    def measure() -> float:
        calls.append(name)
        return next(remaining)

    return measure


def test_pairs_alternate_after_one_discarded_warm_up_pair() -> None:
    calls: list[str] = []
    a = scripted("A", [100.0, 1.0, 2.0, 3.0], calls)
    b = scripted("B", [900.0, 10.0, 20.0, 30.0], calls)

    pairs = paired.measure_pairs(a, b, pairs=3)

    assert calls == ["A", "B"] * 4
    assert pairs.a == (1.0, 2.0, 3.0)  # the warm-up's 100 and 900 are gone
    assert pairs.b == (10.0, 20.0, 30.0)


def test_the_default_is_seven_measured_pairs() -> None:
    calls: list[str] = []
    pairs = paired.measure_pairs(scripted("A", [1.0] * 8, calls), scripted("B", [2.0] * 8, calls))
    assert len(pairs.a) == len(pairs.b) == 7
    assert len(calls) == 16


def test_ratio_is_taken_per_pair_then_summarised() -> None:
    # Pair ratios 3, 1.5, 2, 4, 1: median 2, min 1, max 4. The ratio of the medians
    # (3 ÷ 2 = 1.5) would differ: the figure must be the median of the pairs' ratios.
    pairs = paired.Pairs(a=(1.0, 2.0, 4.0, 1.0, 3.0), b=(3.0, 3.0, 8.0, 4.0, 3.0))

    ratio = pairs.ratio(float)

    assert ratio == paired.Spread(median=2.0, low=1.0, high=4.0)
    assert pairs.side_a(float) == paired.Spread(median=2.0, low=1.0, high=4.0)
    assert pairs.side_b(float) == paired.Spread(median=3.0, low=3.0, high=8.0)
    assert pairs.difference(float) == paired.Spread(median=2.0, low=0.0, high=4.0)


def test_an_even_count_takes_the_mean_of_the_middle_two() -> None:
    assert paired.Spread.of([4.0, 1.0, 3.0, 2.0]) == paired.Spread(2.5, 1.0, 4.0)


def test_a_figure_is_read_out_of_richer_results() -> None:
    pairs = paired.Pairs(a=({"t": 2.0}, {"t": 4.0}), b=({"t": 3.0}, {"t": 4.0}))
    assert pairs.ratio(lambda result: result["t"]) == paired.Spread(1.25, 1.0, 1.5)


def test_repeat_discards_one_warm_up_run() -> None:
    calls: list[str] = []
    runs = paired.repeat(scripted("R", [50.0, 1.0, 2.0], calls), runs=2)
    assert runs == (1.0, 2.0)
    assert calls == ["R"] * 3


@pytest.mark.parametrize("count", [0, -1])
def test_no_measured_pairs_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        paired.measure_pairs(lambda: 1.0, lambda: 1.0, pairs=count)
    with pytest.raises(ValueError, match="at least one"):
        paired.repeat(lambda: 1.0, runs=count)


def test_verdicts_against_upper_and_lower_limits() -> None:
    at_most = paired.Target(1.3)
    assert (at_most.verdict(1.3), at_most.verdict(1.31)) == ("PASS", "MISS")
    at_least = paired.Target(0.9, at_least=True)
    assert (at_least.verdict(0.9), at_least.verdict(0.89)) == ("PASS", "MISS")
    assert at_most.describe("x") == "target <= 1.3x"
    assert at_least.describe(" ms") == "target >= 0.9 ms"


def test_the_ratio_line_judges_the_median_not_the_best_pair() -> None:
    # Ratios 1.0, 1.5, 1.6: the best pair would pass a 1.3 target, the median does not.
    pairs = paired.Pairs(a=(0.100, 0.100, 0.100), b=(0.100, 0.150, 0.160))

    line = paired.ratio_line("start", pairs, float, paired.Target(1.3), ("bare", "ours"))

    assert line == (
        "start: 1.50x (1.00–1.60) over 3 pairs; bare 100 ms, ours 150 ms  (target <= 1.3x)  MISS"
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [([], 7), (["--quick"], 3), (["--pairs", "11"], 11), (["--quick", "--pairs", "5"], 5)],
)
def test_pairs_wanted_from_the_command_line(arguments: list[str], expected: int) -> None:
    parser = argparse.ArgumentParser()
    paired.add_arguments(parser)
    assert paired.pairs_wanted(parser.parse_args(arguments)) == expected
