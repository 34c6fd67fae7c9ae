"""What a server would make of one token: countdown, verdict, checklist, decoded parts.

Used twice by the token preview: for the token it issues and for a token the operator
pastes. Every piece of token text is shown through :func:`core.text.inert` as a Rich
``Text`` (never markup), so hostile claims cannot style, move or hide anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from streamconsole.core.explain import Check, Explanation, Verdict, explain
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.text import inert, inert_lines, pretty_json
from streamconsole.core.token_times import expiry_reason, expiry_words
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.token_countdown import ExpiryCountdown


class _ChecklistPart(Widget):
    """One part of the checklist (the verdict, or some of its rows), drawn by the checklist:
    a part redraws alone, so the exp line can move on each second without the rest."""

    DEFAULT_CSS = """
    _ChecklistPart {
        height: auto;
    }
    """

    def __init__(self, draw: Callable[[], RenderableType]) -> None:
        super().__init__()
        self._draw = draw
        self.auto_links = False  # none here: no link styling on each draw

    def render(self) -> RenderableType:
        return self._draw()


class TokenChecklist(Vertical):
    """The verdict and every check with its mark and reason; the exp line's reason follows
    the countdown (:meth:`tick`), in the same words.

    The rows before the exp line, the exp line and the rows after it are parts of their own,
    grids with the same column widths (they read as one table): a tick redraws the exp line
    alone, and only when its words change.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "token-checklist--passed",
        "token-checklist--failed",
        "token-checklist--skipped",
        "token-checklist--accepted",
        "token-checklist--rejected",
        "token-checklist--not-checked",
        "token-checklist--unknown",
    }
    # Its parts cover it whole: nothing of its own to draw. Each second's frame redraws every
    # widget around the countdown, a blank one at next to no cost.
    BLANK = True

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._explanation: Explanation | None = None
        self._checked_at = ""
        self._now = 0.0
        self._exp_reason = ""  # what the exp line says now
        self._widths: tuple[int, int] | None = None  # of the mark and name columns
        # The explanation's checks around the exp check (all in ``_before`` if it has none).
        self._before: tuple[Check, ...] = ()
        self._exp: tuple[Check, ...] = ()
        self._after: tuple[Check, ...] = ()
        self._verdict_part = _ChecklistPart(self._render_verdict)
        self._before_part = _ChecklistPart(lambda: self._grid(self._before))
        self._exp_part = _ChecklistPart(lambda: self._grid(self._exp))
        self._after_part = _ChecklistPart(lambda: self._grid(self._after))

    def compose(self) -> ComposeResult:
        yield self._verdict_part
        yield self._before_part
        yield self._exp_part
        yield self._after_part

    def show(self, explanation: Explanation | None, checked_at: float = 0.0) -> None:
        """Show ``explanation``, made at ``checked_at`` (the checks are not re-run each second,
        so the time they describe is stated)."""
        self._explanation = explanation
        self._widths = None
        self._checked_at = datetime.fromtimestamp(checked_at, UTC).strftime("%H:%M:%SZ")
        self._now = checked_at
        checks = explanation.checks if explanation is not None else []
        at = next((n for n, check in enumerate(checks) if check.name == "exp"), len(checks))
        self._before, self._exp = tuple(checks[:at]), tuple(checks[at : at + 1])
        self._after = tuple(checks[at + 1 :])
        self._exp_reason = self._reason(self._exp[0]) if self._exp else ""
        self._verdict_part.display = explanation is not None
        for part, rows in (
            (self._before_part, self._before),
            (self._exp_part, self._exp),
            (self._after_part, self._after),
        ):
            part.display = bool(rows)
            part.refresh(layout=True)
        self._verdict_part.refresh(layout=True)

    def tick(self, now: float) -> None:
        """The countdown moved on: the exp line says how the token stands at ``now``; it
        redraws if its words changed, and lays the screen out again only if they changed
        its height (a layout costs more than everything else a tick does)."""
        self._now = now
        if not self._exp:
            return
        reason = self._reason(self._exp[0])
        if reason == self._exp_reason:
            return
        self._exp_reason = reason
        part = self._exp_part
        height, width = part.size.height, part.size.width
        part.refresh()  # also forgets the height measured for the old words
        if self._grid(self._exp).fits(width):
            new_height = len(self._exp)  # a line each: known without drawing them
        else:
            new_height = part.get_content_height(self.size, self.screen.size, width)
        if new_height != height:
            part.refresh(layout=True)

    def _reason(self, check: Check) -> str:
        """The check's reason; the exp check's as of now, where the token has a usable exp
        (its pass or fail is re-checked when the token expires)."""
        exp = self._explanation.expires_at if self._explanation is not None else None
        if check.name == "exp" and exp is not None and expiry_words(exp, self._now):
            return expiry_reason(exp, self._now)
        return check.reason

    def _style(self, name: str) -> Any:
        return self.get_component_rich_style(f"token-checklist--{name}")

    def _render_verdict(self) -> Text:
        explanation = self._explanation
        if explanation is None:
            return Text("")
        verdict_style = {
            Verdict.ACCEPTED: "accepted",
            Verdict.REJECTED: "rejected",
            Verdict.LIKELY_REJECTED: "rejected",
            Verdict.NOT_CHECKED: "not-checked",
            Verdict.UNKNOWN: "unknown",
        }[explanation.verdict]
        return Text.assemble(
            (f" {explanation.verdict.value.upper()} ", self._style(verdict_style)),
            " ",
            inert(explanation.summary),
            (f" (checked at {self._checked_at})", self._style("skipped")),
        )

    def _grid(self, rows: tuple[Check, ...]) -> ChecklistRows:
        """``rows`` with their marks and reasons, in columns as wide as the whole checklist's."""
        glyphs = glyphs_of(self)
        if self._widths is None:  # the same for every part, and every second
            checks = self._explanation.checks if self._explanation is not None else []
            marks = [Text(glyphs.check(check.status.value)) for check in checks]
            self._widths = (
                max((mark.cell_len for mark in marks), default=1),
                max((len(check.name) for check in checks), default=1),
            )
        cells = [
            (
                Text(glyphs.check(check.status.value), self._style(check.status.value)),
                Text(check.name),
                Text(inert(self._reason(check))),
            )
            for check in rows
        ]
        return ChecklistRows(cells, self._widths)


class ChecklistRows:
    """Checklist rows as a grid of three columns: the mark and the name as wide as given,
    the reason in the rest, wrapped in its column.

    Where every reason fits its column on one line (nearly always), each row is drawn as one
    line of text, cell for cell what the grid draws: a Rich table costs several times as
    much to lay out, and the exp line is drawn every second."""

    _GAPS = 2  # the grid's padding: one cell after each column but the last (collapsed)

    def __init__(self, cells: list[tuple[Text, Text, Text]], widths: tuple[int, int]) -> None:
        self._cells = cells
        self._widths = widths

    def grid(self) -> Table:
        mark_width, name_width = self._widths
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True, width=mark_width)
        grid.add_column(no_wrap=True, width=name_width)
        grid.add_column(ratio=1)
        for cells in self._cells:
            grid.add_row(*cells)
        return grid

    def _reason_width(self, width: int) -> int:
        mark_width, name_width = self._widths
        return width - mark_width - name_width - self._GAPS

    def fits(self, width: int) -> bool:
        """Whether every reason fits its column on one line, ``width`` cells wide."""
        reason_width = self._reason_width(width)
        return reason_width >= 1 and all(r.cell_len <= reason_width for *_, r in self._cells)

    def lines(self, width: int) -> list[Text]:
        """Each row as one line ``width`` cells wide, where they :meth:`fit`."""
        widths = (*self._widths, self._reason_width(width))
        lines = []
        for cells in self._cells:
            line = Text()
            for cell, cell_width, gap in zip(cells, widths, (" ", " ", ""), strict=True):
                cell = cell.copy()
                cell.truncate(cell_width, pad=True)  # as the grid's left-justified column
                line.append_text(cell)
                line.append(gap)
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.fits(options.max_width):
            yield from self.lines(options.max_width)
        else:
            yield self.grid()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.grid())


def _json_text(value: dict[str, Any]) -> Text:
    return Text(inert_lines(pretty_json(value)))


class TokenReport(Vertical):
    """Checks one token against one policy and shows the result.

    The check re-runs only when the token changes (:meth:`check`) or when it expires (the
    countdown reports that); each second only the countdown and the exp line redraw.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        token_ttl: int | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        # The longest token lifetime in use: when an older key of a rotation can go.
        self._token_ttl = token_ttl
        self._subject: tuple[str, EffectivePolicy, str | None] | None = None
        self._explanation: Explanation | None = None

    def compose(self) -> ComposeResult:
        checklist = TokenChecklist(classes="token-checklist")
        yield ExpiryCountdown(self._clock, checklist.tick, classes="token-countdown")
        yield checklist
        with Horizontal(classes="token-decoded"):
            yield Static(classes="token-header")
            yield Static(classes="token-claims")

    def on_mount(self) -> None:
        self.query_one(".token-header", Static).border_title = "header"
        self.query_one(".token-claims", Static).border_title = "claims"
        self.clear()

    @property
    def explanation(self) -> Explanation | None:
        return self._explanation

    @property
    def countdown(self) -> ExpiryCountdown:
        return self.query_one(ExpiryCountdown)

    def check(self, token: str, policy: EffectivePolicy, stream: str | None) -> Explanation:
        """Explain ``token`` as the server behind ``policy`` would see it for ``stream``."""
        self._subject = (token, policy, stream)
        return self._evaluate(token, policy, stream)

    def clear(self) -> None:
        self._subject = None
        self._explanation = None
        self.countdown.clear()
        self.query_one(TokenChecklist).show(None)
        self.set_class(True, "-empty")

    def _evaluate(self, token: str, policy: EffectivePolicy, stream: str | None) -> Explanation:
        now = self._clock()
        explanation = explain(token, policy, stream=stream, now=now, token_ttl=self._token_ttl)
        self._explanation = explanation
        self.set_class(False, "-empty")
        self.query_one(TokenChecklist).show(explanation, now)
        decoded = explanation.decoded
        self.set_class(decoded is None, "-undecoded")
        if decoded is None:
            self.countdown.clear()
            return explanation
        self.query_one(".token-header", Static).update(_json_text(decoded.header))
        self.query_one(".token-claims", Static).update(_json_text(decoded.claims))
        self.countdown.show(explanation.expires_at)
        return explanation

    @on(ExpiryCountdown.Expired)
    def _recheck_on_expiry(self, event: ExpiryCountdown.Expired) -> None:
        event.stop()
        if self._subject is not None:
            self._evaluate(*self._subject)
