"""Key rotation dialog: generate or import a new key for one scope; returns it, or None.

It only chooses a key: saving it (and with it the cut-over) is the caller's business.
Secrets stay masked: a pasted secret sits in a password field, a pasted PEM is never drawn,
a generated secret shows only its fingerprint until the operator asks to reveal it; then it
is shown whole, on its own line (wrapped where it is longer). The new secret can be copied
(OSC 52) without being shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from cryptography.exceptions import UnsupportedAlgorithm
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from streamconsole.core.entropy import MIN_NEW_SECRET_BITS
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import Algorithm, Key, KeyFamily, SharedKey, shared_key
from streamconsole.core.model import Alias, Application
from streamconsole.core.pem import pem_kind
from streamconsole.core.policy import EffectivePolicy, check_key_for, effective_policy
from streamconsole.core.text import inert
from streamconsole.tui.bindings import ROTATE_BINDINGS
from streamconsole.tui.rotate_paste import KeyPasteBox
from streamconsole.tui.rotate_text import current_key_text, scope_text, title, warning_text
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

RSA_SIZES = (2048, 3072, 4096)
DEFAULT_RSA_BITS = 3072
_GENERATION_GROUP = "rotate-generate"


class RotateKeyScreen(ModalScreen[Key | None]):
    """Choose the next key for an application or alias."""

    CSS_PATH = "rotate.tcss"
    AUTO_FOCUS = "#rotate-algorithm"
    BINDINGS: ClassVar[list[BindingType]] = ROTATE_BINDINGS

    def __init__(
        self,
        app: Application,
        alias: Alias | None,
        *,
        clock: Callable[[], float],
    ) -> None:
        super().__init__()
        # Not ``self.app``: that is the running Textual App.
        self._application = app
        self._alias = alias
        self._clock = clock
        # One key serves every direction of a scope, so any direction names it.
        self._current: EffectivePolicy = effective_policy(app, alias, app.kind.directions[0])
        current = self._current.key
        algorithms = app.kind.algorithms
        self._algorithm = (
            current.algorithm
            if current is not None and current.algorithm in algorithms
            else algorithms[0]
        )
        self._candidate: Key | None = None
        self._candidate_origin = ""
        self._revealed = False
        self._generation: Worker[Key] | None = None

    # --- state --------------------------------------------------------------------------

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    @property
    def candidate(self) -> Key | None:
        """The key that confirming would return, if any."""
        return self._candidate

    @property
    def generating(self) -> bool:
        return self._generation is not None

    @property
    def _hmac(self) -> bool:
        return self._algorithm.family is KeyFamily.HMAC

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self._application
        kind = app.kind
        with Vertical(id="rotate-dialog"):
            yield Static(title(app, self._alias), id="rotate-title")
            yield Static(scope_text(app, self._alias, self._current), id="rotate-scope")
            with Horizontal(id="rotate-algorithm-row"):
                yield Label("Algorithm", classes="rotate-label")
                yield Select(
                    [(a.value, a) for a in kind.algorithms],
                    value=self._algorithm,
                    allow_blank=False,
                    compact=True,
                    id="rotate-algorithm",
                )
                yield Label("RSA bits", classes="rotate-label rotate-rsa")
                yield Select(
                    [(str(bits), bits) for bits in RSA_SIZES],
                    value=DEFAULT_RSA_BITS,
                    allow_blank=False,
                    compact=True,
                    id="rotate-rsa-bits",
                    classes="rotate-rsa",
                )
            with Horizontal(id="rotate-source-row"):
                yield Button("Generate", id="rotate-generate", compact=True)
                yield Label("or import", classes="rotate-label")
                yield Input(
                    password=True,
                    placeholder="paste or type the shared secret",
                    id="rotate-secret",
                    compact=True,
                )
                yield KeyPasteBox(id="rotate-key-paste")
            yield Static(id="rotate-message")
            with Horizontal(id="rotate-keys"):
                yield Static(current_key_text(self._current, self._clock), id="rotate-old")
                yield Static(id="rotate-new")
            with Horizontal(id="rotate-secret-row"):
                yield Label("Secret", classes="rotate-label")
                yield Static(id="rotate-secret-shown")
            warning = warning_text(app, self._current, glyphs_of(self))
            yield Static(warning, id="rotate-warning")
            with Horizontal(id="rotate-buttons"):
                yield Button("Use new key", variant="primary", id="rotate-confirm", compact=True)
                yield Button("Cancel", id="rotate-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rotate-old", Static).border_title = "Current key"
        self.query_one("#rotate-new", Static).border_title = "New key"
        self._show_algorithm()

    def _show_algorithm(self) -> None:
        """Show the import field and options that fit the chosen algorithm."""
        hmac = self._hmac
        self.query_one("#rotate-secret", Input).display = hmac
        self.query_one("#rotate-key-paste", KeyPasteBox).display = not hmac
        for widget in self.query(".rotate-rsa"):
            widget.display = self._algorithm.family is KeyFamily.RSA
        self.refresh_bindings()

    def _show_candidate(self) -> None:
        panel = self.query_one("#rotate-new", Static)
        key = self._candidate
        self._show_secret(key if isinstance(key, SharedKey) and self._revealed else None)
        if key is None:
            panel.update(Text("none yet: generate one, or import one"))
            return
        text = Text.assemble((key.algorithm.value, "bold"), "\n", key.fingerprint, "\n")
        if isinstance(key, SharedKey) and self._candidate_origin == "generated":
            text.append(
                "generated; secret shown below" if self._revealed else "generated; secret hidden"
            )
        else:
            text.append(self._candidate_origin)
        panel.update(text)

    def _show_secret(self, key: SharedKey | None) -> None:
        """The revealed secret, whole, on a line of its own (none: hidden)."""
        self.query_one("#rotate-secret-row").display = key is not None
        shown = Text(inert(key.secret.reveal()), style="bold") if key is not None else Text()
        self.query_one("#rotate-secret-shown", Static).update(shown)

    def _say(self, message: str, *, error: bool = False) -> None:
        widget = self.query_one("#rotate-message", Static)
        widget.update(Text(inert(message)))
        widget.set_class(error, "-error")

    # --- choosing a key -----------------------------------------------------------------

    def _adopt(self, build: Callable[[], Key], origin: str, note: str = "") -> None:
        """Validate the key ``build`` makes and make it the candidate, or show why not."""
        try:
            key = build()
            check_key_for(self._application, key)
        except KeyValidationError as error:
            self._set_candidate(None)
            self._say(str(error), error=True)
            return
        except (ValueError, UnsupportedAlgorithm) as error:  # a key OpenSSL itself refuses
            self._set_candidate(None)
            self._say(f"the key could not be read: {error}", error=True)
            return
        current = self._current.key
        if current is not None and current.fingerprint == key.fingerprint:
            self._set_candidate(None)
            self._say("This is the key in use now: rotating to it changes nothing.", error=True)
            return
        self._set_candidate(key, origin)
        self._say(note)

    def _set_candidate(self, key: Key | None, origin: str = "") -> None:
        self._candidate = key
        self._candidate_origin = origin
        self._show_candidate()
        self.refresh_bindings()

    def _import_secret(self, text: str) -> None:
        if not text:
            self._set_candidate(None)
            self._say("")
            return
        algorithm, floor = self._algorithm, self._application.kind.min_secret_chars
        self._adopt(
            lambda: shared_key(
                algorithm, text, min_chars=floor, min_entropy_bits=MIN_NEW_SECRET_BITS
            ),
            "imported secret",
        )

    def _import_key_text(self, text: str) -> None:
        if not text:
            self._set_candidate(None)
            self._say("")
            return
        algorithm = self._algorithm
        if pem_kind(text) == "private":
            self._adopt(
                lambda: private_key_from_pem(algorithm, text),
                "imported private key",
                "Private key imported: its public key was derived from it. Only the public key "
                "goes to the server; the private key stays here to sign preview tokens.",
            )
        else:
            self._adopt(lambda: public_key_from_text(algorithm, text), "imported public key")

    def _reimport(self) -> None:
        """Re-read the import field for the chosen algorithm (after the choice changed)."""
        if self._hmac:
            self._import_secret(self.query_one("#rotate-secret", Input).value)
        else:
            self._import_key_text(self.query_one("#rotate-key-paste", KeyPasteBox).text)

    def _clear_import_fields(self) -> None:
        secret = self.query_one("#rotate-secret", Input)
        with secret.prevent(Input.Changed):
            secret.value = ""
        paste = self.query_one("#rotate-key-paste", KeyPasteBox)
        with paste.prevent(KeyPasteBox.Changed):
            paste.set_text("")

    @work(thread=True, exclusive=True, group=_GENERATION_GROUP, exit_on_error=False)
    def _generate_key_pair(self, algorithm: Algorithm, rsa_bits: int) -> Key:
        return generate_key(algorithm, rsa_bits=rsa_bits)

    # --- events -------------------------------------------------------------------------

    @on(Select.Changed, "#rotate-algorithm")
    def _algorithm_chosen(self, event: Select.Changed) -> None:
        if not isinstance(event.value, Algorithm) or event.value is self._algorithm:
            return
        self._algorithm = event.value
        self._stop_generation()
        self._show_algorithm()
        self._reimport()

    @on(Input.Changed, "#rotate-secret")
    def _secret_edited(self, event: Input.Changed) -> None:
        self._import_secret(event.value)

    @on(KeyPasteBox.Changed)
    def _key_pasted(self, event: KeyPasteBox.Changed) -> None:
        self._import_key_text(event.text)

    @on(Button.Pressed, "#rotate-generate")
    def _generate_pressed(self) -> None:
        self.action_generate()

    @on(Button.Pressed, "#rotate-confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#rotate-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Worker.StateChanged)
    def _generation_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is not self._generation or not worker.is_finished:
            return
        self._stop_generation()
        if event.state is WorkerState.SUCCESS and worker.result is not None:
            key: Key = worker.result
            self._adopt(lambda: key, "generated")
        elif event.state is WorkerState.ERROR:
            self._say(f"The key pair could not be generated: {worker.error}", error=True)

    def _stop_generation(self) -> None:
        if self._generation is not None:
            self._generation.cancel()
            self._generation = None
        self.query_one("#rotate-new", Static).loading = False

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self._hmac
        if action == "copy_secret":
            return isinstance(self._candidate, SharedKey) or (None if self._hmac else False)
        # "confirm" is always on: a refused ctrl+y says why (no key yet, one being generated,
        # or what is wrong with the one given) instead of doing nothing.
        return True

    def action_generate(self) -> None:
        algorithm = self._algorithm
        self._clear_import_fields()
        self._stop_generation()
        self._hide_secrets()
        if self._hmac:
            floor = self._application.kind.min_secret_chars
            self._adopt(lambda: generate_key(algorithm, min_chars=floor), "generated")
            return
        bits = self.query_one("#rotate-rsa-bits", Select).value
        rsa_bits = bits if isinstance(bits, int) else DEFAULT_RSA_BITS
        self._set_candidate(None)
        self.query_one("#rotate-new", Static).loading = True
        what = f"RSA {rsa_bits}" if algorithm.family is KeyFamily.RSA else str(algorithm)
        self._say(f"Generating an {what} key pair…")
        self._generation = self._generate_key_pair(algorithm, rsa_bits)

    def action_reveal(self) -> None:
        self._revealed = not self._revealed
        self.query_one("#rotate-secret", Input).password = not self._revealed
        self._show_candidate()

    def action_copy_secret(self) -> None:
        key = self._candidate
        if not isinstance(key, SharedKey):
            return  # not offered (check_action): nothing to copy
        self.app.copy_to_clipboard(key.secret.reveal())
        self._say("Secret copied to the clipboard (OSC 52; in tmux: set-clipboard on).")

    def _hide_secrets(self) -> None:
        self._revealed = False
        self.query_one("#rotate-secret", Input).password = True

    def action_confirm(self) -> None:
        if self.generating:
            self._say("Not yet: the key pair is still being generated.")
            self.app.bell()
            return
        if self._candidate is None:
            if not self.query_one("#rotate-message", Static).has_class("-error"):
                generate = key_of(self, "rotate-generate")
                self._say(f"No new key yet: generate one ({generate}) or import one.", error=True)
            self.app.bell()
            return
        self.dismiss(self._candidate)

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            # As on the token preview: the first escape leaves the field (where the keys,
            # v among them, type), the second closes the dialog.
            self.query_one("#rotate-algorithm", Select).focus()
            return
        self._stop_generation()
        self.dismiss(None)
