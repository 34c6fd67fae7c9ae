"""The CLI's command table: the README is generated from it, every entry leads to a command,
and a command's code (and the HTTP stack) is imported only when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import streamconsole
from streamconsole.cli.readme import command_table, key_table, with_current_tables
from streamconsole.cli.table import COMMANDS
from tests.cli.conftest import ROOT, cli_environment, copy_sample

README = ROOT / "README.md"


def test_the_readme_tables_are_generated_from_the_cli_table_and_the_bindings() -> None:
    readme = README.read_text(encoding="utf-8")
    assert with_current_tables(readme) == readme, "run: python -m streamconsole.cli.readme"


def test_a_readme_row_that_drifted_from_the_table_is_found() -> None:
    readme = README.read_text(encoding="utf-8")
    drifted = readme.replace("`streamconsole serve CONFIG", "`streamconsole serve FILE", 1)
    assert drifted != readme
    assert with_current_tables(drifted) == readme


def test_a_readme_key_that_drifted_from_the_bindings_is_found() -> None:
    readme = README.read_text(encoding="utf-8")
    drifted = readme.replace("| `v` | `reveal` |", "| `ctrl+r` | `reveal` |", 1)
    assert drifted != readme
    assert with_current_tables(drifted) == readme


def test_the_key_table_names_every_binding_id_a_keymap_takes() -> None:
    from streamconsole.tui.keymap import binding_ids

    table = key_table()
    assert all(f"| `{binding_id}` |" in table for binding_id in binding_ids())
    assert "| `?` | `help` |" in table  # keys as the keymap takes them, not "question_mark"


def test_the_readme_lists_the_console_and_every_command_once() -> None:
    rows = command_table().splitlines()[2:]
    names = [row.removeprefix("| `streamconsole ").split()[0] for row in rows]
    assert names == ["CONFIG", *COMMANDS]


def test_a_pipe_in_the_readme_table_is_escaped_so_it_stays_in_its_cell() -> None:
    toggle = next(row for row in command_table().splitlines() if "streamconsole toggle" in row)
    assert toggle.count(" | ") == 1
    assert "--publish on\\|off" in toggle


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_names_a_function_and_a_parser_of_its_own(name: str) -> None:
    command = COMMANDS[name]
    assert callable(command.runner())
    assert command.parser().prog == f"streamconsole {name}"


IMPORTED_AFTER = """
import sys
from streamconsole.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("modules:", *sorted(sys.modules), file=sys.stderr)
"""


def _reported_after(
    code: str, label: str, args: tuple[str, ...], cwd: Path
) -> tuple[set[str], str]:
    """What ``code`` (which runs ``streamconsole ARGS`` in a fresh interpreter) reports on
    stderr after ``label``, and what the command printed."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=cli_environment(),
        timeout=60,
        check=False,
    )
    return set(result.stderr.rsplit(label, 1)[1].split()), result.stdout


def imported_by(*args: str, cwd: Path = ROOT) -> tuple[set[str], str]:
    """The modules a fresh interpreter has imported after running ``streamconsole ARGS``,
    and what the command printed."""
    return _reported_after(IMPORTED_AFTER, "modules:", args, cwd)


def test_version_imports_no_command_no_parser_and_no_event_loop() -> None:
    modules, printed = imported_by("--version")
    assert printed == f"streamconsole {streamconsole.__version__}\n"
    commands = {m for m in modules if m.startswith("streamconsole.cli.")}
    assert commands == set()
    assert "argparse" not in modules
    assert "asyncio" not in modules
    assert "streamconsole.backends" not in modules


def test_list_on_a_local_file_imports_its_command_only_and_no_http(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    modules, printed = imported_by("list", cwd=tmp_path)
    assert "LiveApp" in printed
    assert "streamconsole.cli.listing" in modules
    assert not {"streamconsole.cli.edit", "streamconsole.cli.workflow"} & modules
    # Nor what tokens and deliveries need: list is the command scripts run most.
    assert not {"streamconsole.cli.inspect", "streamconsole.core.tokens"} & modules
    assert not {"streamconsole.core.delivery", "streamconsole.core.token_times"} & modules
    assert not {"httpx", "streamconsole.backends.http", "streamconsole.tui"} & modules
    # The sample's RSA key pair is read for its fingerprint without cryptography (core.pem).
    assert "cryptography" not in modules
    # The fleet form (several servers) is imported only when several servers are named.
    assert not {"streamconsole.cli.fleet", "streamconsole.fleet"} & modules
    assert "streamconsole.core.fleet" not in modules  # --jobs' default is the model's
    # Nor shutil (with zlib, bz2, lzma), which argparse imports for the terminal's width, nor
    # json, which only --json and a JWK read in need.
    assert not {"shutil", "json"} & modules


DATACLASSES_AFTER = """
import sys
from streamconsole.cli import main
main(sys.argv[1:])
import dataclasses  # after the command: whether it imports dataclasses is imported_by's to say
built = {
    f"{name.removeprefix('streamconsole.')}.{value.__name__}"
    for name, module in list(sys.modules.items())
    if name.startswith("streamconsole.")
    for value in vars(module).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name
}
print("dataclasses:", *sorted(built), file=sys.stderr)
"""


def dataclasses_built_by(*args: str, cwd: Path) -> set[str]:
    """The dataclasses (``module.Class``) of ours that ``streamconsole ARGS`` built."""
    return _reported_after(DATACLASSES_AFTER, "dataclasses:", args, cwd)[0]


# On Python 3.11 building a dataclass compiles each of its methods: 1.2-1.9 ms a class of a
# dozen fields (issue 15). What reading a file builds (the model, its keys, a reader and its
# problems) are plain classes (core.record); finding the problems' lines
# (backends.toml_scan, asked by check and the console, not by list or token), editing
# (core.edits), several servers (core.fleet) and a remote save's steps and listing cap
# (backends.remote) build their dataclasses when they run. The bare token (--format jwt,
# the default) is no delivery form to build (core.delivery).
TOKEN_DATACLASSES = {"core.tokens.DecodedToken"}


@pytest.mark.parametrize(
    ("args", "built"),
    [
        (("list",), set()),
        (("token", "LiveApp/stream1", "--type", "publish"), TOKEN_DATACLASSES),
    ],
    ids=["list", "token"],
)
def test_a_command_on_a_file_builds_only_the_dataclasses_it_uses(
    tmp_path: Path, args: tuple[str, ...], built: set[str]
) -> None:
    copy_sample(tmp_path)
    assert dataclasses_built_by(*args, cwd=tmp_path) == built


# Each of these costs about as much as Python's own start-up, or more (issue 15): a command
# imports those it uses, no other. Nothing here is timed; what is loaded is the cause.
# (dataclasses brings inspect, ast, dis and tokenize: 32 M instructions to Python's 36 M.)
HEAVY = {
    "asyncio",
    "httpx",
    "jwt",
    "cryptography",
    "textual",
    "tomlkit",
    "importlib.metadata",
    "dataclasses",
}


@pytest.mark.parametrize(
    ("args", "uses"),
    [
        (("--version",), set()),
        # The sample's RS256 key pair is read without cryptography (core.pem).
        (("list",), set()),
        # show's report and token's decoded form are dataclasses (and PyJWT imports it).
        (("show", "LiveApp/stream1"), {"dataclasses"}),
        (("token", "LiveApp/stream1", "--type", "publish"), {"cryptography", "jwt", "dataclasses"}),
    ],
    ids=["version", "list", "show", "token"],
)
def test_a_command_on_a_file_imports_only_the_heavy_modules_it_uses(
    tmp_path: Path, args: tuple[str, ...], uses: set[str]
) -> None:
    copy_sample(tmp_path)
    modules, printed = imported_by(*args, cwd=tmp_path)
    assert printed.strip(), "the command printed nothing: it failed"
    assert modules & (HEAVY - uses) == set()


def test_token_imports_no_parser_editor_or_printer_it_does_not_use(tmp_path: Path) -> None:
    # `token` must start within 1.3x of a minimal PyJWT script (issue 15). The sample is
    # small: rtoml (with the fast path's screening) pays off on big configs only; the editing
    # modules and rich print nothing here; the checklist is for --json.
    copy_sample(tmp_path)
    modules, printed = imported_by("token", "LiveApp/stream1", "--type", "publish", cwd=tmp_path)
    assert printed.strip().count(".") == 2, "the command printed no JWT"
    unused = {
        "rtoml",
        "rich",
        "streamconsole.backends.toml_fast",
        "streamconsole.backends.toml_edit",
        "streamconsole.backends.toml_style",
        "streamconsole.core.explain",
        # show and decode's module, and the token times decode prints (cli/issuing.py: token's)
        "streamconsole.cli.inspect",
        "streamconsole.core.token_times",
    }
    assert modules & unused == set()
