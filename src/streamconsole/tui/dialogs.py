"""Small modal questions: what to do with unsaved changes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from streamconsole.core.text import inert
from streamconsole.tui.bindings import UNSAVED_BINDINGS
from streamconsole.tui.terminal import glyphs_of

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent

UnsavedChoice = Literal["save", "discard", "cancel"]


class UnsavedChangesScreen(ModalScreen[UnsavedChoice]):
    """Save, discard or cancel, before something that would lose unsaved edits."""

    CSS_PATH = HERE / "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = UNSAVED_BINDINGS

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
        yield Footer(compact=True)  # its keys, as the operator may have remapped them

    def on_mount(self) -> None:
        # Enter, typed a moment too late for the screen below, must not save or discard.
        self.query_one("#unsaved-cancel", Button).focus()

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
