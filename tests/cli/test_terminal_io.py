"""The CLI on a terminal and in a pipe, as the installed entry point.

- ``--secret-stdin`` on a terminal does not echo the secret (it did: the secret stayed on
  screen and in the scrollback); from a pipe it reads the stream as before.
- ``decode`` reads the token from stdin when none is given, with a prompt on a terminal;
  a token in the arguments gets a one-line note that other users can see it (``ps``).
- Output into a pipe whose reader has gone (``list | head -1``) ends quietly, exit 141
  (128 + SIGPIPE, as a shell reports it), never with a traceback.

A terminal here is a pseudo-terminal as stdin, in a session of its own (no other
controlling terminal), so what the terminal would show is exactly what its master reads.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import jwt

from tests.cli.conftest import ENTRY, cli_environment, run_cli

# A secret that passes every check, and a token that decodes: neither protects anything.
SECRET = "Jq8vN2cR7xK4mT9wZ3bF6hL1pD5sG0yE"
TOKEN = jwt.encode({"sub": "viewer", "exp": 2_000_000_000}, "k" * 40, algorithm="HS256")
# Under load a start of the program can take seconds: wait this long for a prompt.
PROMPT_WAIT = 30.0


def on_a_terminal(*args: str, cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    """The program with a pseudo-terminal as stdin, stdout and stderr piped; and the
    terminal's master side, which reads what the terminal would show."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(ENTRY), *args],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=cli_environment(),
        start_new_session=True,
    )
    os.close(slave)
    return process, master


def read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    """What ``fd`` gives until ``wanted`` appears, it ends, or ``timeout`` passes."""
    got, deadline = b"", time.monotonic() + timeout
    while wanted not in got and (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: a terminal's other side closed
            break
        if not chunk:
            break
        got += chunk
    return got


def type_line(
    process: subprocess.Popen[bytes], master: int, prompt: bytes, line: str
) -> tuple[bytes, bytes, bytes]:
    """Wait for ``prompt`` on stderr, type ``line`` and Enter (then end-of-input, for a
    reader that reads to the end), and return stdout, stderr and what the terminal shows."""
    assert process.stderr is not None and process.stdout is not None
    before = read_until(process.stderr.fileno(), prompt, PROMPT_WAIT)
    os.write(master, line.encode() + b"\n\x04")
    out, err = process.communicate(timeout=60)
    shown = read_until(master, b"\x00", 1.0)  # everything echoed, up to the end
    os.close(master)
    return out, before + err, shown


def test_secret_stdin_on_a_terminal_is_not_echoed(sample_dir: Path) -> None:
    config = sample_dir / "streamconsole.toml"
    before = config.read_text()
    process, master = on_a_terminal("rotate", "LiveApp", "--secret-stdin", cwd=sample_dir)
    out, err, shown = type_line(process, master, b"(not shown)", SECRET)
    assert process.returncode == 0, err
    assert SECRET.encode() not in shown + out + err
    assert b"the secret for LiveApp (not shown): " in err
    assert config.read_text() != before  # the secret typed is the one installed


def test_secret_stdin_from_a_pipe_reads_the_stream(sample_dir: Path) -> None:
    result = run_cli("rotate", "LiveApp", "--secret-stdin", cwd=sample_dir, stdin=SECRET + "\n")
    assert result.returncode == 0, result.stderr
    assert "not shown" not in result.stderr  # no prompt where no one types


def test_decode_without_a_token_prompts_on_a_terminal_and_reads_a_line(tmp_path: Path) -> None:
    process, master = on_a_terminal("decode", cwd=tmp_path)
    out, err, _ = type_line(process, master, b"then Enter", TOKEN)
    assert process.returncode == 0, err
    assert b"paste the token, then Enter: " in err
    assert b'"sub": "viewer"' in out


def test_decode_reads_a_piped_token_without_a_note() -> None:
    result = run_cli("decode", stdin=TOKEN)
    assert result.returncode == 0, result.stderr
    assert '"sub": "viewer"' in result.stdout
    assert result.stderr == ""


def test_decode_with_the_token_in_the_arguments_notes_that_ps_shows_it() -> None:
    result = run_cli("decode", TOKEN)
    assert result.returncode == 0, result.stderr
    assert '"sub": "viewer"' in result.stdout
    assert result.stderr.splitlines() == [
        "note: a token in the arguments is visible to other users (ps, shell history); "
        "give it on stdin instead: streamconsole decode < token.txt"
    ]


def test_output_into_a_pipe_whose_reader_has_gone_ends_quietly(sample_dir: Path) -> None:
    """The reader closes its end before the program writes: every write fails (EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [str(ENTRY), "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=sample_dir,
            env=cli_environment(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 141


def test_list_into_head_prints_one_line_and_no_traceback(sample_dir: Path) -> None:
    shell = f"set -o pipefail; {ENTRY} list | head -1"
    result = subprocess.run(
        ["bash", "-c", shell],
        capture_output=True,
        text=True,
        cwd=sample_dir,
        env=cli_environment(),
        timeout=60,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""
    assert result.returncode in (0, 141)  # 141 when head left before list had written all
