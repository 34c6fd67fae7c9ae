"""The installed command exits without the interpreter's teardown (issue 15), and loses
nothing by it: its status, its buffered output and the exit handlers a command registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streamconsole.cli import main
from tests.cli.conftest import cli_environment, run_cli

# A command (standing in for main) whose output is still buffered when it ends (stdout is
# a pipe), that registers an exit handler, and leaves an object whose teardown would show.
PROGRAM = """
import atexit, sys
import streamconsole.cli as cli

class Kept:
    def __del__(self):
        sys.stderr.write("torn down")

KEPT = Kept()

def command():
    atexit.register(sys.stdout.write, " +handler")
    sys.stdout.write("output")
    {ending}

cli.main = command
{exit}
"""


def run_program(ending: str, exit: str = "cli.entry()") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM.format(ending=ending, exit=exit)],
        capture_output=True,
        text=True,
        env=cli_environment(),
        timeout=60,
        check=False,
    )


def test_the_interpreter_would_tear_down_what_the_command_left() -> None:
    """The control: exiting as ``sys.exit(main())`` does, the teardown runs."""
    result = run_program("return 3", exit="sys.exit(cli.main())")
    assert result.returncode == 3
    assert result.stdout == "output +handler"
    assert result.stderr == "torn down"


@pytest.mark.parametrize(
    ("ending", "status", "stderr"),
    [
        ("return 0", 0, ""),
        ("return 3", 3, ""),
        ("raise SystemExit(2)", 2, ""),  # argparse's usage error
        ("raise SystemExit(None)", 0, ""),  # --help
        ("raise SystemExit('stopped')", 1, "stopped\n"),  # printed by the interpreter
        ("raise KeyboardInterrupt", 130, "KeyboardInterrupt"),
    ],
)
def test_the_command_exits_with_its_status_its_output_and_handlers_but_no_teardown(
    ending: str, status: int, stderr: str
) -> None:
    result = run_program(ending)
    assert result.returncode == status
    assert result.stdout == "output +handler"
    assert stderr in result.stderr
    assert "torn down" not in result.stderr


def test_an_uncaught_error_exits_1_with_its_traceback() -> None:
    result = run_program("raise RuntimeError('a bug')")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("RuntimeError: a bug")
    assert result.stdout == "output +handler"


def test_the_installed_command_prints_what_main_prints(
    sample_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(sample_dir)
    assert main(["list"]) == 0
    printed = capsys.readouterr().out
    result = run_cli("list", cwd=sample_dir, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == printed
    assert printed.count("\n") > 10
