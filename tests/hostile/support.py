"""Helpers shared by the hostile-input and fault suites."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

K = TypeVar("K")
T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_KEYS = ROOT / "tests" / "fixtures" / "keys"

# What must never reach a terminal raw: ESC (starts every escape sequence), the C1 CSI,
# and the bidirectional controls of "Trojan Source" (UTF-8 encoded).
UNSAFE_BYTES = (
    b"\x1b",
    "\x9b".encode(),
    *(chr(c).encode() for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)),
)


def unsafe_bytes_in(data: bytes) -> list[bytes]:
    return [raw for raw in UNSAFE_BYTES if raw in data]


def in_parallel(jobs: Mapping[K, Callable[[], T]], workers: int = 4) -> dict[K, T | Exception]:
    """Run ``jobs`` (subprocesses, mostly) a few at a time; a job's exception is its result,
    so one hang or crash fails its own test and not the whole module."""

    def attempt(job: Callable[[], T]) -> T | Exception:
        try:
            return job()
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(attempt, job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def completed(result: object) -> subprocess.CompletedProcess[str]:
    """A result of :func:`in_parallel` that must be a finished process."""
    if isinstance(result, Exception):
        raise result
    assert isinstance(result, subprocess.CompletedProcess)
    return result


def unblock_fifos(directory: Path) -> None:
    """Let a reader stuck on a FIFO in ``directory`` go (it reads end-of-file)."""
    for path in directory.iterdir():
        if path.is_fifo():
            with contextlib.suppress(OSError):  # OSError: no reader is waiting
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
