"""Loopback emulators of the remote admin APIs, for backend tests and benchmarks.

Each emulator is a real HTTP server (starlette + uvicorn on 127.0.0.1) with in-memory state
that tests read and set, fault injection, and a request log. See ``tests/conftest.py`` for
the ``antmedia`` and ``theolive`` fixtures.
"""

from .antmedia import AntMediaEmulator
from .faults import FaultKind, FaultPlan, RequestLog, RequestRecord
from .jwscheck import ManualClock
from .theolive import TheoLiveEmulator

__all__ = [
    "AntMediaEmulator",
    "FaultKind",
    "FaultPlan",
    "ManualClock",
    "RequestLog",
    "RequestRecord",
    "TheoLiveEmulator",
]
