"""The sample config and its key files as a fresh ``git clone`` leaves them.

Git records a file's mode only as 100644 or 100755, and a checkout creates it with that mode
less the umask: with the usual umask 022 the sample's key files arrive rw-r--r-- (0644),
readable by everyone. The console warns about such key files, and that warning costs work
(a toast, its dismissal, a repaint): a benchmark run on a developer's chmod-ed copy would
not see it, a new user does. So benchmarks copy the sample to a directory of their own with
the modes a clone gives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLONE_FILE_MODE = 0o644  # git's 100644 under umask 022
CLONE_DIRECTORY_MODE = 0o755


def sample_as_cloned(directory: Path) -> Path:
    """Copy sample_config.toml and sample_keys/ into ``directory``; the config's path."""
    keys = directory / "sample_keys"
    keys.mkdir(mode=CLONE_DIRECTORY_MODE)
    keys.chmod(CLONE_DIRECTORY_MODE)  # mkdir's mode is masked by this process's umask
    for key_file in sorted((ROOT / "sample_keys").iterdir()):
        shutil.copyfile(key_file, keys / key_file.name)
        (keys / key_file.name).chmod(CLONE_FILE_MODE)
    config = directory / "sample_config.toml"
    shutil.copyfile(ROOT / "sample_config.toml", config)
    config.chmod(CLONE_FILE_MODE)
    return config
