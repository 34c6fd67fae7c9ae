"""The wheel carries everything the console reads at run time.

Editable installs read the checkout, so they cannot tell whether a file ships: these tests
build the wheel from a copy of the checkout, install it into a bare directory and run it
from there, with the dependencies taken from the test environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_SOURCE = ROOT / "src" / "streamconsole"
PIP: Final = (sys.executable, "-m", "pip", "--disable-pip-version-check")
# Build artefacts, caches and environments of the checkout: never part of a build. A stale
# build/ could otherwise lend the wheel files the configuration no longer ships.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)
# Python's warnings print as "file:line: SomethingWarning: message".
WARNING_LINE = re.compile(r"\b\w*Warning: .*")


@dataclass(frozen=True)
class Build:
    wheel: Path
    output: str


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    checkout = tmp_path_factory.mktemp("checkout") / "streamconsole"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheelhouse")
    # No build isolation: the dev extra installs the build backend, so this works offline.
    done = subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(out), str(checkout)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    (wheel,) = out.glob("streamconsole-*.whl")
    return Build(wheel, output)


@pytest.fixture(scope="module")
def installed(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("installed")
    subprocess.run(
        [*PIP, "install", "--no-deps", "--no-index", "-q", "-t", str(target), str(build.wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def run_installed(target: Path, *command: str) -> str:
    """Runs ``command`` with the installed copy first on the path, outside the checkout."""
    environment = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=target.parent, env=environment, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def shipped_theme_names() -> set[str]:
    names = set()
    for path in (ROOT / "themes").glob("*.toml"):
        with path.open("rb") as file:
            names.add(tomllib.load(file)["name"])
    return names


def test_the_build_prints_no_warning(build: Build) -> None:
    assert "deprecat" not in build.output.lower(), build.output
    assert WARNING_LINE.findall(build.output) == []


def test_the_wheel_holds_every_module_data_file_and_theme(build: Build) -> None:
    # pyproject.toml lists the packages one by one: a new subpackage left out shows here.
    package_files = {
        "streamconsole/" + path.relative_to(PACKAGE_SOURCE).as_posix()
        for pattern in ("*.py", "*.tcss", "*.html", "py.typed")
        for path in PACKAGE_SOURCE.rglob(pattern)
    }
    themes = {"streamconsole/themes/" + path.name for path in (ROOT / "themes").glob("*.toml")}
    assert {"streamconsole/web.html", "streamconsole/tui/app.tcss"} <= package_files
    assert len(themes) >= 3
    with zipfile.ZipFile(build.wheel) as wheel:
        names = set(wheel.namelist())
    assert package_files - names == set()
    assert themes - names == set()


INSPECT_THEMES = """
import json, pathlib, streamconsole
from importlib.resources import files
from streamconsole.backends.toml_file import TomlSource
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.themes import load_themes

loaded = load_themes()
app = StreamConsoleApp(TomlSource(pathlib.Path("absent.toml")))
print(json.dumps({
    "package": streamconsole.__file__,
    "themes_folder": str(files("streamconsole.themes")),
    "themes": [theme.name for theme in loaded.themes],
    "problems": list(loaded.problems),
    "theme": app.theme,
}))
"""


def test_the_installed_console_uses_its_own_themes(installed: Path) -> None:
    seen = json.loads(run_installed(installed, sys.executable, "-c", INSPECT_THEMES))
    assert Path(seen["package"]).is_relative_to(installed)  # not the checkout
    assert Path(seen["themes_folder"]).is_relative_to(installed)
    assert seen["problems"] == []
    assert set(seen["themes"]) == shipped_theme_names()
    assert seen["theme"] == "streamconsole-dark"  # not Textual's fallback


def test_the_installed_command_prints_its_version(build: Build, installed: Path) -> None:
    version = build.wheel.name.split("-")[1]  # the version the wheel's metadata carries
    printed = run_installed(installed, str(installed / "bin" / "streamconsole"), "--version")
    assert printed == f"streamconsole {version}\n"
