"""``probe``: ask a server's delivery endpoint whether it enforces tokens as configured, and
the report that ``apply --verify`` prints too.

Exit codes: 0 every probed direction as configured, 1 any mismatch, 3 an answer that says
nothing (a 5xx, no connection), 2 when nothing could be probed over HTTP (publish only).
On several servers (:func:`streamconsole.cli.fleet.run_probe`) the same, over them all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from streamconsole.backends.delivery_probe import probe_source
from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    EXIT_USAGE,
    close,
    command,
    emit,
    open_loaded,
    run_async,
)
from streamconsole.core.model import Direction
from streamconsole.core.probe import Outcome, ProbeResult, overall, table_lines

EXIT_CODES = {
    Outcome.AS_CONFIGURED: EXIT_OK,
    Outcome.MISMATCH: EXIT_REJECTED,
    Outcome.INCONCLUSIVE: EXIT_REMOTE,
    Outcome.NOT_PROBED: EXIT_USAGE,
}


def report(server: str, results: Sequence[ProbeResult], as_json: bool) -> int:
    """Print ``server``'s results, a table or JSON; the exit code their worst outcome calls
    for."""
    outcome = overall(results)
    if as_json:
        rows = [result.to_dict() for result in results]
        emit({"server": server, "outcome": str(outcome), "results": rows})
    else:
        for line in table_lines(results):
            print(line)
    return exit_code(outcome)


def exit_code(outcome: Outcome) -> int:
    """The exit code ``outcome`` calls for; where nothing could be probed, says so."""
    if outcome is Outcome.NOT_PROBED:
        print("error: nothing could be probed over HTTP (see the table)", file=sys.stderr)
    return EXIT_CODES[outcome]


@command
def run_probe(args: argparse.Namespace) -> int:
    directions = [Direction(args.direction)] if args.direction else None

    async def probe() -> list[ProbeResult]:
        source, config = await open_loaded(args, aliases=False)
        try:
            return await probe_source(source, config, args.scope, directions)
        finally:
            await close(source)

    return report(args.server, run_async(probe), args.json)
