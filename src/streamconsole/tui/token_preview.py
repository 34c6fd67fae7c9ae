"""Token preview: issue a token for the selected scope, or check a pasted one.

The second tab is the "why was my stream refused?" tool: paste any token and see, check by
check, what the server behind the selected alias and direction would make of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import jwt
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Footer,
    Input,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from streamconsole.core.durations import format_duration, parse_duration
from streamconsole.core.errors import DurationError, StreamconsoleError
from streamconsole.core.keys import Key
from streamconsole.core.model import Alias, Application, Direction, ServerKind
from streamconsole.core.policy import EffectivePolicy, effective_policy
from streamconsole.core.text import inert
from streamconsole.core.tokens import build_claims, sign
from streamconsole.tui.bindings import TOKEN_PREVIEW_BINDINGS
from streamconsole.tui.delivery_forms import DeliveryForms
from streamconsole.tui.token_paste import TokenPasteArea
from streamconsole.tui.token_report import TokenReport
from streamconsole.tui.user_keys import key_of

_ISSUED_TAB = "token-issued-tab"
_PASTED_TAB = "token-pasted-tab"
_FORMS_TAB = "token-forms-tab"


def _ttl_text(ttl: int) -> str:
    shown = format_duration(ttl)
    # format_duration keeps two units; fall back to seconds where that would round.
    try:
        exact = parse_duration(shown) == ttl
    except DurationError:
        exact = False
    return shown if exact else f"{ttl}s"


class TokenPreviewScreen(Screen[None]):
    """Issue and check tokens for one application or alias."""

    CSS_PATH = "token_preview.tcss"
    AUTO_FOCUS = "#token-issued"
    BINDINGS: ClassVar[list[BindingType]] = TOKEN_PREVIEW_BINDINGS

    def __init__(
        self,
        app: Application,
        alias: Alias | None,
        *,
        clock: Callable[[], float],
        ttl: int,
    ) -> None:
        super().__init__()
        # Not ``self.app``: that is the running Textual App.
        self._application = app
        self._alias = alias
        self._clock = clock
        self._ttl = ttl
        self._direction = self._first_direction()
        self._token: str | None = None
        self._pasted = ""

    # --- state --------------------------------------------------------------------------

    def _first_direction(self) -> Direction:
        """The first enforced direction: the one an operator most likely came to debug."""
        directions = self._application.kind.directions
        for direction in directions:
            if effective_policy(self._application, self._alias, direction).enforced:
                return direction
        return directions[0]

    @property
    def direction(self) -> Direction:
        return self._direction

    @property
    def ttl(self) -> int:
        return self._ttl

    @property
    def token(self) -> str | None:
        """The issued token, or ``None`` when nothing can sign one."""
        return self._token

    @property
    def _stream(self) -> str | None:
        return self._alias.name if self._alias is not None else None

    def _policy(self) -> EffectivePolicy:
        return effective_policy(self._application, self._alias, self._direction)

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="token-title")
        with Horizontal(id="token-controls"):
            yield Label("Direction", classes="token-control-label")
            yield Static(id="token-direction")
            yield Label("TTL", classes="token-control-label")
            yield Input(_ttl_text(self._ttl), id="token-ttl", compact=True)
            yield Static(id="token-ttl-note")
        yield Static(id="token-policy")
        with TabbedContent(id="token-tabs", initial=_ISSUED_TAB):
            with TabPane("Issued token", id=_ISSUED_TAB), VerticalScroll(id="token-issued"):
                yield Static(id="token-text")
                yield TokenReport(self._clock, token_ttl=self._ttl, id="token-issued-report")
            with TabPane(f"Forms ({key_of(self, 'token-forms')})", id=_FORMS_TAB):
                yield DeliveryForms(id="token-forms")
            with TabPane("Check a pasted token", id=_PASTED_TAB):
                yield TokenPasteArea(
                    id="token-paste",
                    soft_wrap=True,
                    tab_behavior="focus",
                    placeholder="Paste a token here (your terminal's paste, or ctrl+v)",
                )
                with VerticalScroll(id="token-pasted"):
                    yield TokenReport(self._clock, token_ttl=self._ttl, id="token-pasted-report")
        yield Footer()

    def on_mount(self) -> None:
        self._show_direction()
        self._issue()

    def _title(self) -> Text:
        app = self._application
        scope = app.name if self._alias is None else f"{app.name} / {self._alias.name}"
        return Text.assemble(
            ("Token preview", "bold"), "  ", inert(scope), f"  ({app.kind.display_name})"
        )

    def _show_direction(self) -> None:
        choices = Text()
        for direction in self._application.kind.directions:
            style = "bold reverse" if direction is self._direction else "dim"
            choices.append(f" {direction} ", style)
        self.query_one("#token-direction", Static).update(choices)
        self.query_one("#token-policy", Static).update(self._policy_text(self._policy()))

    def _policy_text(self, policy: EffectivePolicy) -> Text:
        state = "enforced" if policy.enforced else "not enforced"
        text = Text(f"{policy.direction} JWT {state} ({inert(policy.reason)}). ")
        if policy.key is None:
            text.append("No key set.")
        else:
            key = policy.key
            text.append(f"Key {key.algorithm} {key.fingerprint} from the {policy.key_from}.")
        return text

    # --- issuing ------------------------------------------------------------------------

    def _signer(self, policy: EffectivePolicy) -> Key | str:
        """The key to sign with, or the plain reason why nothing can sign."""
        kind = self._application.kind
        if policy.key is None:
            return (
                "No key is set for this scope, so no token can be signed. "
                "Rotate in a key first; pasted tokens can still be checked."
            )
        if not policy.key.key.can_sign:
            return (
                f"Only the public key is configured ({policy.key.algorithm}, "
                f"{policy.key.fingerprint}): the console can check tokens against it but "
                "cannot sign one. Add its private key (private_key_file) to issue preview "
                "tokens; pasted tokens can still be checked."
            )
        if self._alias is None and kind is not ServerKind.THEOLIVE:
            noun = kind.alias_noun
            return f"Select a {noun} to issue a token: {kind.display_name} tokens name the {noun}."
        return policy.key.key

    def _issue(self) -> None:
        """Sign a fresh token (now, current TTL and direction) and check it."""
        policy = self._policy()
        signer = self._signer(policy)
        token: str | None = None
        problem = ""
        if isinstance(signer, str):
            problem = signer
        else:
            try:
                claims = build_claims(
                    self._application.kind,
                    self._direction,
                    self._stream or "",
                    now=self._clock(),
                    ttl=self._ttl,
                )
                token = sign(claims, signer)
            except (StreamconsoleError, jwt.PyJWTError, ValueError) as error:
                problem = f"The token could not be signed: {error}"
        self._token = token
        token_text = self.query_one("#token-text", Static)
        token_text.set_class(token is None, "-problem")
        report = self.query_one("#token-issued-report", TokenReport)
        forms = self.query_one("#token-forms", DeliveryForms)
        if token is None:
            token_text.update(Text(inert(problem)))
            report.clear()
            forms.clear(inert(problem))
        else:
            token_text.update(Text(token))
            report.check(token, policy, self._stream)
            self._show_forms(forms, token)
        self.refresh_bindings()

    def _show_forms(self, forms: DeliveryForms, token: str) -> None:
        if self._stream is None:
            noun = self._application.kind.alias_noun
            forms.clear(f"The forms name the {noun}: open the preview on one.")
        else:
            forms.show(self._application, self._stream, self._direction, token)

    def _check_pasted(self) -> None:
        report = self.query_one("#token-pasted-report", TokenReport)
        if self._pasted.strip():
            report.check(self._pasted, self._policy(), self._stream)
        else:
            report.clear()

    # --- events -------------------------------------------------------------------------

    @on(TextArea.Changed, "#token-paste")
    def _paste_edited(self, event: TextArea.Changed) -> None:
        self._pasted = event.text_area.text
        self._check_pasted()

    @on(TokenPasteArea.Oversized)
    def _paste_oversized(self, event: TokenPasteArea.Oversized) -> None:
        self._pasted = event.text
        self._check_pasted()

    @on(Input.Changed, "#token-ttl")
    def _ttl_edited(self, event: Input.Changed) -> None:
        note = self.query_one("#token-ttl-note", Static)
        try:
            ttl = parse_duration(event.value)
        except DurationError as error:
            note.update(Text(inert(str(error))))
            note.set_class(True, "-error")
            return
        note.set_class(False, "-error")
        note.update("" if ttl == self._ttl else "enter applies")

    @on(Input.Submitted, "#token-ttl")
    def _ttl_submitted(self, event: Input.Submitted) -> None:
        try:
            ttl = parse_duration(event.value)
        except DurationError:
            return  # the note already says why
        self._ttl = ttl
        self.query_one("#token-ttl-note", Static).update("")
        self._issue()
        self.action_show_issued()

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_direction":
            return len(self._application.kind.directions) > 1
        if action == "copy_token":
            return self._token is not None or None
        return True

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input | TextArea):
            # The first escape leaves the text field (dropping an unapplied TTL), the second
            # leaves the screen.
            if isinstance(focused, Input):
                focused.value = _ttl_text(self._ttl)
            self._focus_tab()
            return
        self.dismiss()

    def action_toggle_direction(self) -> None:
        directions = self._application.kind.directions
        self._direction = directions[(directions.index(self._direction) + 1) % len(directions)]
        self._show_direction()
        self._issue()
        self._check_pasted()

    def action_edit_ttl(self) -> None:
        self.query_one("#token-ttl", Input).focus()

    def action_copy_token(self) -> None:
        if self.query_one(TabbedContent).active == _FORMS_TAB:
            self.query_one("#token-forms", DeliveryForms).copy_highlighted()
            return
        if self._token is None:
            self.notify("There is no token to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(self._token)
        self.notify("Token copied to the clipboard (OSC 52).")

    def action_reissue(self) -> None:
        self._issue()
        self.action_show_issued()

    def action_show_issued(self) -> None:
        self.query_one(TabbedContent).active = _ISSUED_TAB
        self._focus_tab()

    def action_show_forms(self) -> None:
        self.query_one(TabbedContent).active = _FORMS_TAB
        self._focus_tab()

    def action_check_pasted(self) -> None:
        self.query_one(TabbedContent).active = _PASTED_TAB
        self._focus_tab(paste_box=True)

    def _focus_tab(self, *, paste_box: bool = False) -> None:
        """Focus the active tab: its scrolling body (the forms' list), or on request the
        paste box."""
        active = self.query_one(TabbedContent).active
        if active == _FORMS_TAB:
            self.query_one("#delivery-list", OptionList).focus()
        elif active != _PASTED_TAB:
            self.query_one("#token-issued", VerticalScroll).focus()
        elif paste_box:
            self.query_one("#token-paste", TokenPasteArea).focus()
        else:
            self.query_one("#token-pasted", VerticalScroll).focus()
