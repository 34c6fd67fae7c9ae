"""The compare view (``c``): the selection on every server of the config, side by side — kind,
publish, play, key algorithm and fingerprint (never a secret), key age — with what differs
highlighted. Drift between staging and production is what operators miss.

The servers are read in a worker, concurrently and bounded
(:func:`streamconsole.fleet.load_members`), each row drawn as its server answers: a server
that is down is marked in its row while the others show. The rows and what differs are the
core's (:func:`.drift.compare_row`, :func:`.drift.differing`, as ``Fleet.compare`` and
``diff`` have them); this screen only starts the worker and draws, every name and error
made inert. ctrl+r reads every server again; closing it (escape) cancels a read still
running and closes its connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.drift import compare_row, compared_aliases, differing
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import ServerKind
from streamconsole.core.text import counted, inert
from streamconsole.fleet import Member, close_members, load_members
from streamconsole.tui.bindings import CLOSE_ID, COMPARE_BINDINGS
from streamconsole.tui.messages import Noted
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.core.glyphs import Glyphs
    from streamconsole.core.model import Config, ScopeRef
    from streamconsole.tui.sources import SourceSwitcher

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent
# Heading → the field of a compare row it shows.
COLUMNS = (
    ("SERVER", "server"),
    ("KIND", "kind"),
    ("PUBLISH", "publish"),
    ("PLAY", "play"),
    ("KEY", "algorithm"),
    ("FINGERPRINT", "fingerprint"),
    ("KEY AGE", "key_age"),
)
SERVER_WIDTH = 16  # a longer server name is cut (with …): the other columns stay in view
GAP = "  "
Row = dict[str, Any]
Clock = Callable[[], float]


def cell(row: Row, field: str, glyphs: Glyphs) -> str:
    """One field of a compare row as the table shows it."""
    value = row[field]
    if field == "kind":
        return ServerKind(value).display_name
    if field in ("publish", "play"):
        return {True: "on", False: "off", None: glyphs.unsupported}[value]
    if field == "fingerprint" and row["unknown_keys"]:
        return "cannot tell: key held by the server only"
    if field == "server":
        name = inert(value)
        cut = SERVER_WIDTH - len(glyphs.ellipsis)
        return name if len(name) <= SERVER_WIDTH else name[:cut] + glyphs.ellipsis
    if value is None:
        return "unknown" if field == "key_age" else "none"  # no creation date recorded
    return inert(str(value))


def table(
    servers: list[str], rows: Mapping[str, Row], odd: Mapping[str, frozenset[str]], glyphs: Glyphs
) -> Content:
    """The table: a line per server, in the config's order; one not read yet says so, one
    that failed says why in its row. Cells that differ from most servers are highlighted."""
    lines = {name: rows.get(name) for name in servers}
    widths = [
        max([len(heading)] + [len(cell(r, field, glyphs)) for r in lines.values() if r is not None])
        for heading, field in COLUMNS
    ]
    names = {name: cell({"server": name}, "server", glyphs) for name in servers}
    widths[0] = max([widths[0]] + [len(name) for name in names.values()])
    heading_parts: list[str | tuple[str, str]] = []
    for (heading, field), width in zip(COLUMNS, widths, strict=True):
        style = "bold $text-error" if field in odd else "bold $text-muted"
        heading_parts += [(f"{heading:<{width}}", style), GAP]
    out = [Content.assemble(*heading_parts[:-1]).rstrip()]
    for name, row in lines.items():
        server = f"{names[name]:<{widths[0]}}{GAP}"
        if row is None:
            out.append(Content.assemble(server, (f"reading{glyphs.ellipsis}", "$text-muted")))
        elif "error" in row:
            out.append(Content.assemble(server, (inert(row["error"]), "$text-warning")))
        else:
            parts: list[str | tuple[str, str]] = []
            for (_, field), width in zip(COLUMNS, widths, strict=True):
                text = f"{cell(row, field, glyphs):<{width}}"
                differs = name in odd.get(field, frozenset())
                parts += [(text, "bold reverse $text-error") if differs else text, GAP]
            out.append(Content.assemble(*parts[:-1]).rstrip())
    return Content("\n").join(out)


def summary(
    ref: ScopeRef,
    servers: list[str],
    rows: Mapping[str, Row],
    odd: Mapping[str, frozenset[str]],
    glyphs: Glyphs,
) -> str:
    """What the table says, in one line: how far the read is, what differs, what failed."""
    failed = [name for name in servers if name in rows and "error" in rows[name]]
    if len(rows) < len(servers):
        said = f"reading {len(servers) - len(rows)} of {counted(len(servers), 'server')}"
        said += glyphs.ellipsis
    elif odd:
        verb = "differs" if len(odd) == 1 else "differ"
        said = f"{', '.join(field for field in odd)} {verb} (highlighted)"
    else:
        said = f"the same on the {counted(len(servers) - len(failed), 'server')} read"
    if failed:
        listed = ", ".join(inert(name) for name in failed)
        said += f" {glyphs.dot} missing or unread on {len(failed)}: {listed}"
    return f"{inert(str(ref))} on {counted(len(servers), 'server')}: {said}"


class CompareScreen(Screen[None]):
    CSS_PATH = HERE / "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = COMPARE_BINDINGS

    def __init__(
        self,
        config_path: Path,
        ref: ScopeRef,
        now: datetime,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._config_path = config_path
        self._ref = ref
        self._now = now
        self._environ = environ
        self.servers: list[str] = []
        self.rows: dict[str, Row] = {}  # server → its compare row, as each is read

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-view"):
            yield Static(
                Content(f"Compare {inert(str(self._ref))} across the servers"),
                id="compare-title",
            )
            yield Static(
                Content(f"Reading the config{glyphs_of(self).ellipsis}"), id="compare-summary"
            )
            with ScrollableContainer(id="compare-scroll"):
                yield Static(Content(""), id="compare-table")
            again, close = key_of(self, "reload"), key_of(self, CLOSE_ID)
            yield Static(
                f"{again} reads again {glyphs_of(self).dot} {close} closes", id="compare-hint"
            )

    def on_mount(self) -> None:
        self.action_refresh_compare()

    def action_refresh_compare(self) -> None:
        self.rows = {}
        # Exclusive: a read still running is cancelled, and closes its connections.
        self.run_worker(self._compare(), exclusive=True, group="compare")

    async def _compare(self) -> None:
        source = TomlSource(self._config_path, environ=self._environ)
        try:
            local = await asyncio.to_thread(source.load_sync)
        except StreamconsoleError as error:
            self._say(f"Cannot read {self._config_path}: {inert(str(error))}", failed=True)
            return
        self.servers = list(local.servers)
        if not self.servers:
            self._say(f"{self._config_path} has no [servers.NAME] to compare.", failed=True)
            return
        self._draw()
        members = await load_members(
            local,
            self._config_path,
            self.servers,
            aliases=compared_aliases(self._ref.application),
            on_loaded=lambda member: self._loaded(local, member),
            environ=self._environ,
        )
        await close_members(members)

    def _loaded(self, local: Config, member: Member) -> None:
        kind = local.servers[member.name].kind
        row = compare_row(member.name, kind, member.config, member.problem, self._ref, self._now)
        self.rows[member.name] = row
        self._draw()

    def _draw(self) -> None:
        odd = differing([self.rows[name] for name in self.servers if name in self.rows])
        glyphs = glyphs_of(self)
        self._say(summary(self._ref, self.servers, self.rows, odd, glyphs), failed=False)
        self.query_one("#compare-summary").set_class(bool(odd), "-differ")
        self.query_one("#compare-table", Static).update(table(self.servers, self.rows, odd, glyphs))

    def _say(self, text: str, *, failed: bool) -> None:
        said = self.query_one("#compare-summary", Static)
        said.update(Content(text))
        said.set_class(failed, "-failed")


def start_compare(
    host: App[None], switcher: SourceSwitcher | None, ref: ScopeRef | None, clock: Clock
) -> None:
    """Compare ``ref`` across the config's servers on a screen of its own, from the main
    screen only (not over a dialog or another view); or say why not."""
    if len(host.screen_stack) > 1:
        return
    if ref is None:
        host.post_message(Noted("Nothing is selected.", warning=True))
    elif switcher is None or not switcher.server_names:
        host.post_message(
            Noted("Compare needs a config file with [servers.NAME] to compare.", warning=True)
        )
    else:
        opener = switcher.opener
        now = datetime.fromtimestamp(clock(), UTC)
        host.push_screen(CompareScreen(opener.config_path, ref, now, environ=opener.environ))
