"""What the console builds before its first frame with the list (issue 15: that frame within
1.3x a bare Textual app's): a fresh interpreter runs it headless on the sample config, as
benchmarks/tui_bench.py does, and reports what it had imported once the list was shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import cli_environment, copy_sample

FIRST_FRAME = """
import dataclasses, sys
from pathlib import Path
from textual.css.stylesheet import Stylesheet
from streamconsole.backends.toml_file import TomlSource
from streamconsole.tui.app import StreamConsoleApp

seen = []
styled = []  # the type of each node Textual styles, in order
apply = Stylesheet.apply


def counted_apply(stylesheet, node, *args, **kwargs):
    styled.append(type(node).__name__)
    return apply(stylesheet, node, *args, **kwargs)


Stylesheet.apply = counted_apply


def dataclasses_of(module):
    # The dataclasses the module defines, nested ones (a widget's messages) too.
    classes = [v for v in vars(module).values() if isinstance(v, type)]
    for cls in classes:
        classes += [v for v in vars(cls).values() if isinstance(v, type)]
    return {
        f"{module.__name__.removeprefix('streamconsole.')}.{cls.__qualname__}"
        for cls in classes
        if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
    }

class FirstFrame(StreamConsoleApp):
    # Textual calls every class's on_mount along the MRO: the console's runs as well.
    def on_mount(self) -> None:
        self._poll = self.set_interval(0.005, self._when_shown)

    def _when_shown(self) -> None:
        if self.session is not None and self.main_screen.scope_list.index is not None:
            self._poll.stop()
            self.call_after_refresh(self._shown)

    def _shown(self) -> None:
        seen.extend(sys.modules)
        ours = [m for n, m in list(sys.modules.items()) if n.startswith("streamconsole.")]
        built = set().union(*map(dataclasses_of, ours))
        print("dataclasses:", *sorted(built), file=sys.stderr)
        print("styled:", *styled, file=sys.stderr)
        self.exit()

FirstFrame(TomlSource(Path(sys.argv[1]))).run(headless=True)
print("modules:", *sorted(seen), file=sys.stderr)
"""


def first_frame_words(tmp_path: Path, label: str) -> list[str]:
    """The words :data:`FIRST_FRAME` reports after ``label`` on the sample config."""
    copy_sample(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, "streamconsole.toml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**cli_environment(), "TEXTUAL_ANIMATIONS": "none"},
        timeout=60,
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith(label)]
    assert lines, result.stderr[-2000:]
    return lines[-1].removeprefix(label).split()


def test_the_first_frame_imports_nothing_only_a_later_action_needs(tmp_path: Path) -> None:
    modules = set(first_frame_words(tmp_path, "modules:"))
    assert "streamconsole.tui.scope_list" in modules  # the list was shown
    # The themes are files on disk beside their package: importlib.resources would bring
    # zipfile and its readers (~10 ms). The audit log's user name is read with its first
    # entry (getpass).
    assert not {"importlib.resources", "zipfile", "getpass"} & modules


# On Python 3.11 building a dataclass compiles its methods, ~1.5 ms a class (issue 15). The
# console's own records and messages on the way to the first frame are built without: a
# message sets its fields in its __init__ (Textual's idiom), a small frozen record is a
# NamedTuple. Reading the file builds the backends' (tests/cli/test_table.py lists them).
def test_the_first_frame_builds_no_dataclass_of_the_console(tmp_path: Path) -> None:
    built = set(first_frame_words(tmp_path, "dataclasses:"))
    console = {name for name in built if name.startswith(("tui.", "core.glyphs.", "session."))}
    assert console == set()


# Each styling of the list computes its 11 component styles too. The list is styled once,
# focused already (the screen focuses it as soon as it is mounted), and the filter once, as
# it is mounted (its compact class, set as it is built, would style it before).
def test_the_first_frame_styles_the_list_and_the_filter_once(tmp_path: Path) -> None:
    styled = first_frame_words(tmp_path, "styled:")
    assert (styled.count("ScopeList"), styled.count("FilterInput")) == (1, 1)
