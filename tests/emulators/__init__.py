"""Loopback emulators of the remote admin APIs, for backend tests and benchmarks.

Each emulator is a real HTTP server (starlette + uvicorn on 127.0.0.1) with in-memory state
that tests read and set, fault injection, and a request log. See ``tests/conftest.py`` for
the ``antmedia`` and ``theolive`` fixtures.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .antmedia import AntMediaEmulator
    from .faults import FaultKind, FaultPlan, RequestLog, RequestRecord
    from .jwscheck import ManualClock
    from .theolive import TheoLiveEmulator

# Imported on first use, so that `python -m tests.emulators.antmedia` does not import the
# module it is about to run (runpy warns about that).
_HOMES = {
    "AntMediaEmulator": "antmedia",
    "FaultKind": "faults",
    "FaultPlan": "faults",
    "ManualClock": "jwscheck",
    "RequestLog": "faults",
    "RequestRecord": "faults",
    "TheoLiveEmulator": "theolive",
}
__all__ = [
    "AntMediaEmulator",
    "FaultKind",
    "FaultPlan",
    "ManualClock",
    "RequestLog",
    "RequestRecord",
    "TheoLiveEmulator",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
