"""What the console leaves on disk in its state directory: the audit log and THEOlive's key
records must hold no secret and no token; every file there is private (0600)."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

from tests.hygiene.canaries import Canaries, Planted, assert_clean


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_state_clean(
    state_dir: Path, canaries: Canaries, *, tokens: Iterable[Planted] = ()
) -> str:
    """Check every file under ``state_dir``; return the audit log's text (for the caller's
    positive checks). Key material files (``*.keys/``) hold keys by design: mode only."""
    __tracebackhide__ = True
    planted = (*canaries.all, *tokens)
    files = sorted(p for p in state_dir.rglob("*") if p.is_file())
    audit = [p for p in files if p.suffix == ".jsonl"]
    assert audit, f"no audit log under {state_dir}"
    for path in files:
        assert mode(path) == 0o600, f"{path} is mode {mode(path):04o}, not 0600"
        if not any(part.endswith(".keys") for part in path.relative_to(state_dir).parts):
            assert_clean(path.read_text(encoding="utf-8"), planted, str(path))
    return "\n".join(p.read_text(encoding="utf-8") for p in audit)


def assert_key_files_private(directory: Path) -> None:
    """Files that hold secrets or private keys by design: readable by their owner only."""
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix in (".secret", ".pem") and ".pub." not in path.name:
            assert mode(path) == 0o600, f"{path} is mode {mode(path):04o}, not 0600"
