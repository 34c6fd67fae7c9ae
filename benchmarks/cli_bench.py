"""How fast the `streamconsole` command starts, against the least a process must do.

Each figure times whole processes from spawn to exit, baseline and command alternately
(paired.py), on the sample config as a fresh clone leaves it (fresh_clone.py):
  `streamconsole list -c sample_config.toml` ÷ `python -c pass`          (target ≤ 5×)
  `streamconsole --version` ÷ `python -c pass`                           (target ≤ 2×)
  `streamconsole token LiveApp/stream1 --type publish` ÷ pyjwt_token.py, a minimal PyJWT
      script reading the same config and key file                       (target ≤ 1.3×)
Every process runs in a venv holding the wheel built from this checkout (installed.py), as
users install it: the developer's editable install adds its finder's imports to every process,
the baseline's too (`list` measured 4.5x there was 8x over the wheel).
Run: python benchmarks/cli_bench.py [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fresh_clone import sample_as_cloned
from installed import wheel_install
from paired import Target, add_arguments, measure_pairs, pairs_wanted, process_seconds, ratio_line

import streamconsole

HERE = Path(__file__).resolve().parent
TARGETS = {"list": Target(5.0), "version": Target(2.0), "token": Target(1.3)}


def write_bytecode() -> None:
    """Compile the package's modules to bytecode, as installing a wheel does. An editable
    install writes it on its first run, but not where PYTHONDONTWRITEBYTECODE is set: there
    every run would compile each of our modules from source, while the baseline's PyJWT,
    installed with its bytecode, compiles nothing."""
    compileall.compile_dir(Path(streamconsole.__file__).parent, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_arguments(parser)
    pairs = pairs_wanted(parser.parse_args())
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        config = str(sample_as_cloned(workdir))
        installed = wheel_install(workdir / "install")
        python, streamconsole = str(installed / "python"), str(installed / "streamconsole")
        env = {**os.environ, "XDG_STATE_HOME": str(workdir / "state")}

        def timed(command: Sequence[str]) -> float:
            return process_seconds(command, cwd=workdir, env=env)

        bare = [python, "-c", "pass"]
        figures = [
            ("list", "`streamconsole list -c sample_config.toml` ÷ `python -c pass`",
             bare, [streamconsole, "list", "-c", config]),
            ("version", "`streamconsole --version` ÷ `python -c pass`",
             bare, [streamconsole, "--version"]),
            ("token", "`streamconsole token LiveApp/stream1` ÷ a minimal PyJWT script",
             [python, str(HERE / "pyjwt_token.py"), config, "LiveApp", "stream1", "publish"],
             [streamconsole, "token", "LiveApp/stream1", "--type", "publish", "-c", config]),
        ]  # fmt: skip
        for name, label, baseline, command in figures:
            measured = measure_pairs(lambda b=baseline: timed(b), lambda c=command: timed(c), pairs)
            print(ratio_line(label, measured, float, TARGETS[name], ("baseline", "command")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
