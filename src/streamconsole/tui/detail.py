"""The detail of the selected scope: effective policy and where each part comes from.

It takes the focus (tab, or ``d`` full screen) and scrolls: at 80×24 most of it is below
the fold. Revealing the secret scrolls it into view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.reactive import var
from textual.widgets import Static

from streamconsole.backends.base import Problem
from streamconsole.core.durations import format_duration
from streamconsole.core.glyphs import Glyphs
from streamconsole.core.key_age import is_overdue
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import SharedKey
from streamconsole.core.model import Alias, Application, Direction
from streamconsole.core.policy import EffectivePolicy, PolicySource, effective_policy
from streamconsole.core.text import counted, inert
from streamconsole.tui.scope_warnings import ScopeWarnings
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

MASK_LENGTH = 8  # whatever the secret's length
_DIRECTIONS = (Direction.PUBLISH, Direction.PLAY)
_LABEL_WIDTH = 13

Part = str | tuple[str, str]


def _line(label: str, *parts: Part) -> Content:
    return Content.assemble((f"{label:<{_LABEL_WIDTH}}", "$text-muted"), *parts, end="\n")


def _where_key(entry: KeyEntry | None, source: PolicySource, app: Application) -> str:
    if entry is None:
        return "no key configured"
    if source is PolicySource.ALIAS:
        return f"set on this {app.kind.alias_noun}"
    return f"from application {app.name}"


def _location(entry: KeyEntry) -> str:
    origin = entry.origin
    if origin is KeyOrigin.FILE:
        return f"file {entry.location}"
    if origin is KeyOrigin.ENV:
        return f"environment variable {entry.location}"
    if origin is KeyOrigin.INLINE:
        return "inline in the config file"
    if origin is KeyOrigin.REMOTE:
        return "held by the server (write-only)"
    return "new in this session, not saved yet"


def _age_lines(entry: KeyEntry, now: datetime, max_age: int | None) -> list[Content]:
    created = entry.created
    if created is None:
        return [_line("Age", ("unknown: no creation date recorded", "$text-muted"))]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    seconds = (now - created).total_seconds()
    age = format_duration(seconds) if seconds >= 0 else "created in the future (clock skew?)"
    policy: Part = ""
    if max_age is not None and is_overdue(created, max_age, now):
        policy = (f"  OVERDUE: past max_key_age {format_duration(max_age)}", "bold $text-error")
    elif max_age is not None:
        policy = (f"  max_key_age {format_duration(max_age)}", "$text-muted")
    return [
        _line("Age", age, policy),
        _line("Created", created.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


_SECRET_LABEL = f"{'Secret':<{_LABEL_WIDTH}}"


class ScopeDetail(VerticalScroll, can_focus=True):
    """Shows one application or alias; the secret stays masked until revealed."""

    revealed: var[bool] = var(False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._scope: tuple[Application, Alias | None] | None = None
        self._problems: Sequence[Problem] = ()
        self._now = datetime.fromtimestamp(0, UTC)
        # Why an application's aliases could not be loaded, by name (shared with the loader).
        self.alias_failures: Mapping[str, str] = {}

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="detail-body")

    def show(
        self,
        scope: tuple[Application, Alias | None] | None,
        problems: Sequence[Problem],
        now: datetime,
    ) -> None:
        if scope != self._scope:
            self.revealed = False  # a revealed secret never follows the cursor
            self.scroll_home(animate=False, immediate=True)
        self._scope, self._problems, self._now = scope, problems, now
        self._draw()

    def show_hint(self, *, full: bool) -> None:
        """In the top border: the key to the full detail, or the keys back from it."""
        detail, glyphs = key_of(self, "full-detail"), glyphs_of(self)
        back = f"{detail} or {key_of(self, 'clear')}: back to the list"
        hint = f"{glyphs.up_down} scroll {glyphs.dot} {back}" if full else f"{detail} full screen"
        self.border_title = hint

    def show_message(self, message: Content) -> None:
        self._scope = None
        self.revealed = False
        self.query_one("#detail-body", Static).update(message)

    @property
    def shared_key(self) -> SharedKey | None:
        """The shared secret the selection uses, if any (the only kind that can be revealed)."""
        if self._scope is None:
            return None
        app, alias = self._scope
        policy = effective_policy(app, alias, app.kind.directions[0])
        key = policy.key.key if policy.key is not None else None
        return key if isinstance(key, SharedKey) else None

    def watch_revealed(self, revealed: bool) -> None:
        self._draw()
        if revealed:
            self.call_after_refresh(self._scroll_to_secret)

    def _draw(self) -> None:
        if self._scope is None:
            return
        app, alias = self._scope
        self.query_one("#detail-body", Static).update(self.describe(app, alias))

    def _scroll_to_secret(self) -> None:
        """Bring the secret's line into view (in a short panel it is below the fold)."""
        body = self.query_one("#detail-body", Static)
        content, width = body.visual, body.content_region.width
        if not isinstance(content, Content) or width <= 0:
            return
        for row, line in enumerate(content.wrap(width)):
            if line.plain.startswith(_SECRET_LABEL):
                self.scroll_to_region(Region(0, row, width, 1), animate=False, immediate=True)
                return

    def describe(self, app: Application, alias: Alias | None) -> Content:
        glyphs, reload = glyphs_of(self), key_of(self, "reload")
        parts: list[Content] = [self._heading(app, alias, glyphs)]
        if app.policy_unknown:  # the settings are unknown: a policy shown would be a guess
            return Content("").join([*parts, self._unknown(app, glyphs, reload)])
        failure = self.alias_failures.get(app.name)
        if failure is not None and alias is None:
            noun = app.kind.alias_noun
            parts.append(
                self._failure(f"Its {noun}s could not be loaded", app, glyphs, reload, failure)
            )
        policies = [effective_policy(app, alias, direction) for direction in _DIRECTIONS]
        parts.extend(self._policy_line(policy, glyphs) for policy in policies)
        parts.append(Content("\n"))
        supported = [p for p in policies if p.supported]
        parts.extend(self._key_lines(app, supported[0] if supported else policies[0], glyphs))
        warnings = [inert(w) for w in ScopeWarnings(self._problems, self._now).lines(app, alias)]
        if warnings:
            parts.append(Content.assemble("\n", ("Warnings", "bold $warning"), "\n"))
            parts.extend(Content.assemble((" ! ", "bold $warning"), w, "\n") for w in warnings)
        return Content("").join(parts)

    def _unknown(self, app: Application, glyphs: Glyphs, reload: str) -> Content:
        """Why ``app``'s policy is not shown: unreadable, or not read yet."""
        if app.problem:
            return self._failure(f"{inert(app.name)} could not be read", app, glyphs, reload)
        return Content.assemble(
            (f"{glyphs.unread} Settings not read yet", "bold $text-secondary"),
            "\n",
            (
                f"Being fetched from the server{glyphs.ellipsis} shown as they arrive;",
                "$text-muted",
            ),
            "\n",
            ("edits are refused until then.", "$text-muted"),
            "\n\n",
        )

    @staticmethod
    def _failure(
        title: str, app: Application, glyphs: Glyphs, reload: str, message: str = ""
    ) -> Content:
        return Content.assemble(
            (f"{glyphs.failed} {title}", "bold $text-error"),
            "\n",
            inert(message or app.problem),
            "\n",
            (f"Refresh ({reload}) to try again.", "$text-muted"),
            "\n\n",
        )

    def _heading(self, app: Application, alias: Alias | None, glyphs: Glyphs) -> Content:
        kind, dot = app.kind.display_name, glyphs.dot
        if alias is None:
            title = Content.assemble((inert(app.name), "bold"), "\n")
            noun = app.kind.alias_noun
            if app.aliases_loaded:
                what = f"{kind} application {dot} {counted(len(app.aliases), noun)}"
            elif app.problem or app.name in self.alias_failures:
                what = f"{kind} application {dot} {noun}s not loaded"
            else:
                what = f"{kind} application {dot} {noun}s loading{glyphs.ellipsis}"
            label = app.label
        else:
            title = Content.assemble(
                (inert(app.name), "bold"),
                (f" {glyphs.pointer} ", "$text-muted"),
                (inert(alias.name), "bold"),
                "\n",
            )
            what = f"{kind} {app.kind.alias_noun}"
            label = alias.label
        lines = [title, Content.assemble((what, "$text-muted"), "\n")]
        if label:
            lines.append(Content.assemble((inert(label), "italic"), "\n"))
        if alias is not None and not app.kind.alias_overrides:
            lines.append(
                Content.assemble(
                    (
                        f"{kind} enforces JWT per application: edits here change {inert(app.name)} "
                        f"and all of its {counted(len(app.aliases), app.kind.alias_noun)}",
                        "$text-muted",
                    ),
                    "\n",
                )
            )
        lines.append(Content("\n"))
        return Content("").join(lines)

    def _policy_line(self, policy: EffectivePolicy, glyphs: Glyphs) -> Content:
        label = f"{policy.direction.value.capitalize()} JWT"
        if not policy.supported:
            state: Part = (f"{glyphs.unsupported} not supported by this server", "$text-muted")
        elif policy.enforced and policy.key is None:
            state = (f"{glyphs.enforced} enforced, NO KEY", "bold $text-error")
        elif policy.enforced:
            state = (f"{glyphs.enforced} enforced", "bold $text-success")
        else:
            state = (f"{glyphs.off} off", "bold")
        why = "" if not policy.supported else inert(policy.reason)
        return _line(label, state) + (_line("", (why, "$text-muted")) if why else Content(""))

    def _key_lines(
        self, app: Application, policy: EffectivePolicy, glyphs: Glyphs
    ) -> list[Content]:
        entry = policy.key
        where = _where_key(entry, policy.key_from, app)
        if entry is None:
            return [_line("Key", ("none", "bold"), "  ", (where, "$text-muted"))]
        lines = [
            _line("Key", (entry.algorithm.value, "bold"), "  ", (inert(where), "$text-muted")),
            _line("Fingerprint", entry.fingerprint),
            *_age_lines(entry, self._now, app.max_key_age),
            _line("Stored in", inert(_location(entry))),
        ]
        key = entry.key
        if isinstance(key, SharedKey):
            mask = (glyphs.mask * MASK_LENGTH, "$text-muted")
            secret: Part = inert(key.secret.reveal()) if self.revealed else mask
            hint = "shown: hide it before sharing the screen" if self.revealed else "masked"
            lines.append(_line("Secret", secret, "  ", (hint, "dim")))
        else:
            if entry.private_location:
                lines.append(_line("Private key", inert(f"file {entry.private_location}")))
            signs = "yes" if key.can_sign else "no: no private key, tokens cannot be issued"
            lines.append(_line("Signs tokens", signs))
        return lines
