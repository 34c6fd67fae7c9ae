"""What the emulated delivery endpoints (where players fetch streams) received, whole.

The request log (:mod:`.faults`) keeps no query string and no header, by design: it is
echoed to a terminal, and tokens travel in queries. Tests that must see everything a
player or the probe sent (no password, no session cookie, no key reached the delivery
endpoint) read this record instead; it is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request to a delivery endpoint: its path with the query, and its headers."""

    target: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, request: Request) -> Delivery:
        query = request.url.query
        target = request.url.path + (f"?{query}" if query else "")
        return cls(target, tuple(request.headers.items()))

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        """Everything received, as one string: to look for what must not be there."""
        return "\n".join([self.target, *(f"{k}: {v}" for k, v in self.headers)])
