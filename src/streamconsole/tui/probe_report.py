"""The probe in the console: ``e`` asks the server's delivery endpoint whether the
selection's enforcement is live as configured, in a worker, and shows the table.

The requests are the backend's (:mod:`streamconsole.backends.delivery_probe`: a fresh client
per request, tokens only); this screen only starts the worker and draws what comes back.
The worker belongs to the screen: closing it (escape) cancels a probe still running.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from streamconsole.backends.base import OnServer
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.probe import Outcome, ProbeResult, overall, table_lines
from streamconsole.core.text import inert
from streamconsole.tui.bindings import CLOSE_ID, PROBE_BINDINGS
from streamconsole.tui.messages import Noted
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Config, ScopeRef

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent
SUMMARIES = {
    Outcome.AS_CONFIGURED: "Enforcement is live as configured.",
    Outcome.MISMATCH: "MISMATCH: the server does not enforce what is configured.",
    Outcome.INCONCLUSIVE: "Inconclusive: an answer said nothing about tokens.",
    Outcome.NOT_PROBED: "Nothing could be probed over HTTP.",
}


class ProbeReport(ModalScreen[None]):
    CSS_PATH = HERE / "probe_report.tcss"
    BINDINGS: ClassVar[list[BindingType]] = PROBE_BINDINGS

    def __init__(self, source: Source, config: Config, ref: ScopeRef) -> None:
        super().__init__()
        self._source = source
        self._config = config
        self._ref = ref
        self.results: list[ProbeResult] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="probe-dialog"):
            yield Static(
                Content(f"Probe of {inert(str(self._ref))} on {inert(self._source.name)}"),
                id="probe-title",
            )
            yield Static(Content("Asking the delivery endpoint…"), id="probe-summary")
            with VerticalScroll(id="probe-scroll"):
                yield Static(Content(""), id="probe-table")
            yield Static(f"{key_of(self, CLOSE_ID)} closes", id="probe-hint")

    def on_mount(self) -> None:
        self.run_worker(self._probe(), exclusive=True, group="probe")

    async def _probe(self) -> None:
        # Here: httpx (~0.3 s to import) only once a probe runs.
        from streamconsole.backends.delivery_probe import probe_source

        summary = self.query_one("#probe-summary", Static)
        try:
            results = await probe_source(self._source, self._config, str(self._ref))
        except StreamconsoleError as error:
            summary.update(Content(f"Not probed: {inert(str(error))}"))
            summary.add_class("-failed")
            return
        self.results = results
        outcome = overall(results)
        summary.update(Content(SUMMARIES[outcome]))
        summary.add_class(f"-{outcome.value.replace(' ', '-')}")
        self.query_one("#probe-table", Static).update(Content("\n".join(table_lines(results))))


def start_probe(host: App[None], source: Source, config: Config, ref: ScopeRef | None) -> None:
    """Probe ``ref`` on ``source``'s server, showing the report; or say why not."""
    if ref is None:
        host.post_message(Noted("Nothing is selected.", warning=True))
    elif not isinstance(source, OnServer):
        host.post_message(
            Noted(
                "A probe asks a server's delivery endpoint: open one of the config's servers "
                f"({key_of(host, 'open-source')}) first.",
                warning=True,
            )
        )
    else:
        host.push_screen(ProbeReport(source, config, ref))
