"""The token preview's "Forms" tab: the issued token as each player or encoder takes it (the
RTMP URL, OBS's two fields, the HLS URL, ...: :mod:`streamconsole.core.delivery`), one
option per value to paste, copied over OSC 52 with enter or ``c``."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from streamconsole.core.delivery import DeliveryField, DeliveryForm, delivery_forms
from streamconsole.core.model import Application, Direction
from streamconsole.tui.user_keys import key_of


def _entries(form: DeliveryForm) -> list[tuple[str, DeliveryField]]:
    """One entry per value to paste: OBS's Server and Stream Key go to two fields."""
    if len(form.fields) == 1:
        return [(form.title, form.fields[0])]
    return [(f"{form.title}: {field.label}", field) for field in form.fields]


class DeliveryForms(Vertical):
    """The forms of one token; the highlighted one is copied on enter (or the screen's c)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values: list[tuple[str, str]] = []  # (title, value) per option

    def compose(self) -> ComposeResult:
        yield Static(id="delivery-note")
        yield OptionList(id="delivery-list")

    def show(self, app: Application, stream: str, direction: Direction, token: str) -> None:
        """The forms of ``token`` for ``stream``; those that need an unknown host are left
        out, and the note says which setting would give them."""
        found = delivery_forms(app, stream, direction, token)
        entries = [entry for form in found.forms for entry in _entries(form)]
        self._values = [(title, field.value) for title, field in entries]
        listing = self.query_one("#delivery-list", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(Text.assemble((title, "bold"), "\n", field.value)) for title, field in entries
        )
        if entries:
            listing.highlighted = 0
        hint = f"enter or {key_of(self, 'token-copy')} copies the highlighted form (OSC 52)"
        self._note(f"{found.missing}\n{hint}" if found.missing else hint)

    def clear(self, reason: str) -> None:
        """No token, no forms: say why (already made inert by the caller)."""
        self._values = []
        self.query_one("#delivery-list", OptionList).clear_options()
        self._note(reason)

    def _note(self, text: str) -> None:
        self.query_one("#delivery-note", Static).update(Text(text))

    @property
    def highlighted(self) -> tuple[str, str] | None:
        """The highlighted form's title and value."""
        index = self.query_one("#delivery-list", OptionList).highlighted
        return self._values[index] if index is not None and index < len(self._values) else None

    def copy_highlighted(self) -> None:
        chosen = self.highlighted
        if chosen is None:
            self.notify("There is no form to copy.", severity="warning")
            return
        title, value = chosen
        self.app.copy_to_clipboard(value)
        self.notify(f"{title} copied to the clipboard (OSC 52).")

    @on(OptionList.OptionSelected, "#delivery-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.copy_highlighted()
