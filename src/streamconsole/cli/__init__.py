"""The ``streamconsole`` command: the console by default, headless commands by name;
with no argument, or ``help [COMMAND]``, what there is to run.

Exit codes: 0 ok, 1 rejected or differences found, 2 usage or input error, 3 remote error,
141 when the output's reader has gone (``| head``). Errors go to stderr and never as a
traceback: every expected failure is a typed error. The commands are listed in
:mod:`streamconsole.cli.table`; a command's module is imported only when it runs.
"""

from __future__ import annotations

import atexit
import os
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


class _ExitStatus:
    """What the process exits with: an uncaught error's 1 until :func:`main` has ended."""

    code = 1

    def leave(self) -> None:
        """Exit now, after every other exit handler, without the interpreter's teardown.

        Tearing down the modules a command loaded is most of its exit: ~25 M instructions
        for ``list`` (9 % of it), ~37 M for ``token``, time a script calling the command in
        a loop waits for while nothing is left to do (issue 15). What a teardown would still
        do for us is done here first: the other exit handlers ran (registered later, they
        run earlier), threads were joined, and the output is flushed.
        """
        for stream in (sys.stdout, sys.stderr):
            # A reader gone, or a stream closed: nothing left to keep. (Not contextlib's
            # suppress: --version, which exits here too, does not load contextlib.)
            try:  # noqa: SIM105
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(self.code)


def entry() -> None:
    """The installed ``streamconsole`` command and ``python -m streamconsole``: :func:`main`,
    then the process's exit with its status (see :meth:`_ExitStatus.leave`)."""
    status = _ExitStatus()
    atexit.register(status.leave)  # the first registered: it runs after all the others
    try:
        status.code = main()
    except SystemExit as stop:  # argparse's usage errors and --help
        # As the interpreter turns the code into a status (it prints a text code first).
        status.code = 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
        raise
    except KeyboardInterrupt:
        status.code = 130
        raise
    sys.exit(status.code)
