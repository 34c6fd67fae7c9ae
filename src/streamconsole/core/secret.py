"""A holder for secret text whose ``repr``/``str`` never shows the value.

Tracebacks, Textual's crash screen, logs and f-strings all go through ``repr`` or
``str``; keeping the value behind :meth:`Secret.reveal` means none of them can leak it.
"""

from __future__ import annotations

import hmac
from typing import NoReturn


class Secret:
    """Secret text (a shared secret or a private key PEM)."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        """The secret itself: call only where it must leave the process."""
        return self.__value

    def reveal_bytes(self) -> bytes:
        return self.__value.encode("utf-8")

    def __len__(self) -> int:
        return len(self.__value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self.reveal_bytes(), other.reveal_bytes())

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
