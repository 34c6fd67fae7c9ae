"""Small modal questions: what to do with unsaved changes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from streamconsole.core.text import inert
from streamconsole.tui.terminal import glyphs_of

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent

UnsavedChoice = Literal["save", "discard", "cancel"]


class UnsavedChangesScreen(ModalScreen[UnsavedChoice]):
    """Save, discard or cancel, before something that would lose unsaved edits."""

    CSS_PATH = HERE / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save", id="unsaved-save", tooltip="Save, then go on"),
        Binding(
            "d",
            "choose('discard')",
            "Discard",
            id="unsaved-discard",
            tooltip="Drop the unsaved edits, then go on",
        ),
        Binding(
            "escape,c",
            "choose('cancel')",
            "Cancel",
            id="unsaved-cancel",
            tooltip="Go back; nothing is lost",
        ),
    ]

    def __init__(self, question: str, changes: list[str]) -> None:
        """``question`` and ``changes`` name what a server sent: shown inert."""
        super().__init__()
        self._question = inert(question)
        self._changes = [inert(change) for change in changes]

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-dialog"):
            yield Static(self._question, id="unsaved-question", markup=False)
            shown = self._changes[:8]
            more = len(self._changes) - len(shown)
            glyphs = glyphs_of(self)
            listing = "\n".join(f"  {glyphs.bullet} {line}" for line in shown)
            if more:
                listing += f"\n  {glyphs.ellipsis} and {more} more"
            yield Static(listing, id="unsaved-list", markup=False)
            with Horizontal(id="unsaved-buttons"):
                yield Button("Save", id="unsaved-save", variant="primary")
                yield Button("Discard", id="unsaved-discard", variant="error")
                yield Button("Cancel", id="unsaved-cancel")

    def on_mount(self) -> None:
        self.query_one("#unsaved-save", Button).focus()

    def action_choose(self, choice: UnsavedChoice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed, "#unsaved-save")
    def _save(self) -> None:
        self.dismiss("save")

    @on(Button.Pressed, "#unsaved-discard")
    def _discard(self) -> None:
        self.dismiss("discard")

    @on(Button.Pressed, "#unsaved-cancel")
    def _cancel(self) -> None:
        self.dismiss("cancel")
