"""streamconsole as users install it: the wheel, in a virtual environment of its own.

A benchmark that times whole processes must not time them in the developer's editable
install. There, setuptools' editable finder (a ``.pth`` file) runs at the start of every
process of the venv, the baseline's ``python -c pass`` included, and imports ``pathlib``,
``importlib.util`` and more before the process's first line: ~20 ms added to both sides of a
ratio, and imports the command needs already paid for (``list`` measured 4.5x there was 8x
over the wheel). So the wheel is built from this checkout and installed, without its
dependencies, into a new venv whose one ``.pth`` line points at this venv's packages for
those (the same versions; of the project, the editable install left only its finder there).
run.py runs every benchmark with that venv's Python.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import streamconsole

ROOT = Path(__file__).resolve().parent.parent
PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def runs_the_wheel() -> bool:
    """Whether this interpreter imports streamconsole from an install, not the checkout."""
    return not Path(streamconsole.__file__).resolve().is_relative_to(ROOT)


def wheel_install(directory: Path) -> Path:
    """The bin folder (``python``, the ``streamconsole`` entry point) of a venv holding the
    wheel: this interpreter's own where it runs one, else a new one under ``directory``."""
    if runs_the_wheel():
        return Path(sys.executable).parent
    wheels, venv = directory / "wheels", directory / "venv"
    quiet = {"check": True, "capture_output": True}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(ROOT)],
        **quiet,
    )  # fmt: skip
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **quiet)
    bin_dir = venv / "bin"
    site = subprocess.run(
        [str(bin_dir / "python"), "-c", PURELIB], check=True, capture_output=True, text=True
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (wheel,) = wheels.glob("streamconsole-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install",
         "--no-deps", "--no-index", str(wheel)],
        **quiet,
    )  # fmt: skip
    return bin_dir
