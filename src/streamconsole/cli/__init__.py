"""The ``streamconsole`` command: the console by default, headless commands by name;
with no argument, or ``help [COMMAND]``, what there is to run.

Exit codes: 0 ok, 1 rejected or differences found, 2 usage or input error, 3 remote error,
141 when the output's reader has gone (``| head``). Errors go to stderr and never as a
traceback: every expected failure is a typed error. The commands are listed in
:mod:`streamconsole.cli.table`; a command's module is imported only when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence  # loaded with the interpreter: typing is not (~3 ms)


def version_line() -> str:
    """What ``--version`` prints."""
    from streamconsole import __version__

    return f"streamconsole {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--version"]:  # alone: answered before argparse and the command table
        print(version_line())
        return 0
    from streamconsole.cli.launch import run  # late: --version, above, needs none of it

    return run(arguments)
