"""The name filter above the list: escape clears it, down keeps it; either way the keys go
back to the list."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input

from streamconsole.tui.bindings import FILTER_BINDINGS


class FilterInput(Input):
    """The name filter; escape clears it and hands the keys back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = FILTER_BINDINGS

    class Left(Message):
        """The operator is done with the filter (cleared or kept)."""

        def __init__(self, filter_input: FilterInput) -> None:
            self.filter_input = filter_input
            super().__init__()

    def update_node_styles(self, animate: bool = True) -> None:
        # Not before it is mounted, where it is styled: Input's __init__ (compact=True) would
        # style it for nothing.
        if self.parent is not None:
            super().update_node_styles(animate)

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Left(self))

    def action_leave(self) -> None:
        self.post_message(self.Left(self))
