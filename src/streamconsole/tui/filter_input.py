"""The name filter above the list: escape clears it, down keeps it; either way the keys go
back to the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    """The name filter; escape clears it and hands the keys back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "clear",
            "Clear",
            id="filter-clear",
            tooltip="Clear the filter and go back to the list",
        ),
        Binding(
            "down",
            "leave",
            "To list",
            show=False,
            id="filter-leave",
            tooltip="Keep the filter and go to the list",
        ),
    ]

    @dataclass
    class Left(Message):
        """The operator is done with the filter (cleared or kept)."""

        filter_input: FilterInput

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Left(self))

    def action_leave(self) -> None:
        self.post_message(self.Left(self))
