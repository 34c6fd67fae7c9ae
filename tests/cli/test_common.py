"""What every command shares (cli.common)."""

from __future__ import annotations

from streamconsole.cli.common import run_async


class Counted:
    """A result that counts how often it is formatted (a 100k-alias config's repr: ~0.2 s)."""

    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "Counted()"


def test_a_commands_result_comes_back_unformatted() -> None:
    # On Python 3.11 asyncio.run formats its main task, result included, when it puts the
    # SIGINT handler back: twice, for nothing.
    result = Counted()

    async def make() -> Counted:
        return result

    assert run_async(make) is result
    assert result.reprs == 0
