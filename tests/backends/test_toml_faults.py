"""A process killed in the middle of saving never leaves a half-written config."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from streamconsole.backends.toml_file import TomlSource

# The child flips LiveApp's play switch and saves, as fast as it can, until killed.
CHILD = """
import sys
from pathlib import Path
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_enforcement
from streamconsole.core.model import Direction, ScopeRef

source = TomlSource(Path(sys.argv[1]))
config = source.load_sync()
enabled = False
print("ready", flush=True)
while True:
    enabled = not enabled
    source.apply_sync([set_enforcement(config, ScopeRef("App"), Direction.PLAY, enabled)])
"""


def big_config(aliases: int) -> str:
    lines = ['[applications.App]\nkind = "generic"\nplay = false   # flipped by the child\n']
    lines.append("[applications.App.aliases]\n")
    lines.extend(f'"stream-{i:06}" = {{ label = "camera {i}" }}\n' for i in range(aliases))
    return "".join(lines)


def test_sigkill_during_saves_leaves_old_or_new_file(tmp_path: Path) -> None:
    config_file = tmp_path / "big.toml"
    original = big_config(5_000)
    config_file.write_text(original)
    states = {original, original.replace("play = false", "play = true", 1)}
    assert len(states) == 2
    rng = random.Random(7)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(config_file)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        on_disk = config_file.read_text()
        assert on_disk in states
        # tomlkit's rendering of the flipped line must be what we expect too.
        assert TomlSource(config_file).load_sync().applications["App"].aliases
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "big.toml"]
    # A kill between mkstemp and rename can leave a dot-temp file, never a damaged config.
    assert all(name.startswith(".big.toml.") and name.endswith(".tmp") for name in leftovers)
