"""Starting the installed ``streamconsole`` (issue 12, item 14): with no argument or
``help`` it lists the commands; the console started without a terminal (stdin or stdout a
pipe or a file) says so and exits 2 instead of waiting for keys that never come."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from streamconsole.cli.table import COMMANDS
from tests.cli.conftest import ENTRY, cli_environment, run_cli
from tests.cli.test_terminal_io import on_a_terminal

# Far longer than a refusal takes even under load; the old console never ended at all.
REFUSAL_WAIT = 30


@pytest.mark.parametrize("args", [(), ("help",)])
def test_no_argument_and_help_list_the_commands(args: tuple[str, ...]) -> None:
    result = run_cli(*args, timeout=REFUSAL_WAIT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "usage: streamconsole" in result.stdout
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout, name
    assert "streamconsole help COMMAND" in result.stdout


def test_help_with_a_command_shows_its_options() -> None:
    result = run_cli("help", "rotate", timeout=REFUSAL_WAIT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_cli("rotate", "--help").stdout
    assert "--generate" in result.stdout


def test_help_with_an_unknown_command_is_a_usage_error() -> None:
    result = run_cli("help", "rotat", timeout=REFUSAL_WAIT)
    assert result.returncode == 2
    assert "no command named 'rotat'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_console_in_a_pipe_says_it_needs_a_terminal(sample_dir: Path) -> None:
    result = run_cli("streamconsole.toml", cwd=sample_dir, stdin="", timeout=REFUSAL_WAIT)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: the console runs in a terminal, but stdin, stdout and stderr are not."
    )


def test_the_console_with_its_output_redirected_says_so(sample_dir: Path) -> None:
    """Keys could come (stdin is a terminal), but the screen would go into pipes."""
    process, master = on_a_terminal("streamconsole.toml", cwd=sample_dir)
    try:
        out, err = process.communicate(timeout=REFUSAL_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the console waited instead of refusing")
    finally:
        os.close(master)
    assert process.returncode == 2
    assert out == b""
    assert b"error: the console runs in a terminal, but stdout and stderr are not." in err


def test_the_console_with_its_screen_redirected_says_so(sample_dir: Path) -> None:
    """Textual draws on stderr: into a file, the operator would see nothing at all."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(ENTRY), "streamconsole.toml"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=sample_dir,
        env=cli_environment(),
        start_new_session=True,
    )
    os.close(slave)
    try:
        _, err = process.communicate(timeout=REFUSAL_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the console drew into the pipe instead of refusing")
    finally:
        os.close(master)
    assert process.returncode == 2
    assert b"error: the console runs in a terminal, but stderr is not one." in err


def test_several_servers_are_checked_before_the_console_starts(sample_dir: Path) -> None:
    """``--server`` several times (or ``--all-servers``): a name the config does not define
    is refused, naming the ones it does, before any server is asked."""
    servers = [
        line[9:-1]
        for line in (sample_dir / "streamconsole.toml").read_text().splitlines()
        if line.startswith("[servers.")
    ]
    assert len(servers) >= 1
    result = run_cli(
        "streamconsole.toml",
        "--server",
        servers[0],
        "--server",
        "nowhere",
        cwd=sample_dir,
        stdin="",
        timeout=REFUSAL_WAIT,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: no server named 'nowhere' (configured: ")
    assert "Traceback" not in result.stderr


def test_all_servers_on_a_config_without_servers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text('[console]\nsave = "manual"\n')
    result = run_cli("empty.toml", "--all-servers", cwd=tmp_path, stdin="", timeout=REFUSAL_WAIT)
    assert result.returncode == 2
    assert result.stderr == "error: --all-servers: the config defines no [servers.NAME]\n"
    both = run_cli("empty.toml", "--all-servers", "--server", "a", cwd=tmp_path, stdin="")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
