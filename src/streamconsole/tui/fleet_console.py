"""The console over several servers (``streamconsole CONFIG --server a --server b``, or
``--all-servers``): the app's part, mixed into :class:`~.app.StreamConsoleApp`.

Once the config file is read, its servers are opened and loaded concurrently
(:func:`streamconsole.fleet.load_members`); each server's row fills in as it answers, in the
order named, and one that cannot be read is marked in place while the others work. Each
server is a :class:`.ConsoleMember` of its own: its session (audited under its own name),
its alias loader (on a node of its own: :class:`.MemberHost`). Requests from the screen name
the server they are about. ctrl+s saves every server with edits, one at a time, and says how
each went; a failure keeps that server's edits and undoes nothing elsewhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.message import Message

from streamconsole.core.text import counted
from streamconsole.tui.console_member import (
    ConsoleMember,
    save_in_turn,
    saved_summary,
    unsaved_then,
)
from streamconsole.tui.messages import (
    Noted,
    ProbeRequested,
    RotateRequested,
    ToggleRequested,
    TokenPreviewRequested,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Config
    from streamconsole.fleet import Member
    from streamconsole.session import EditSession
    from streamconsole.tui.alias_loader import AliasesArrived
    from streamconsole.tui.edit_flows import EditFlows
    from streamconsole.tui.fleet_screen import FleetScreen
    from streamconsole.tui.main_screen import MainScreen
    from streamconsole.tui.sources import SourceSwitcher


# Longest a server still listing holds the others' off-screen fetches (a hung one must not
# keep them waiting for its timeout).
LISTING_HOLD = 3.0  # seconds from the start of the load


class MemberLoaded(Message):
    """One server of the tree was read, or could not be (``member.error``), after
    ``latency`` seconds; ``load`` tells a reload's from an older one's."""

    def __init__(self, load: int, member: Member, latency: float) -> None:
        self.load = load
        self.member = member
        self.latency = latency
        super().__init__()


class FleetConsole(App[None]):
    """The app's members, and what it does with several of them."""

    members: list[ConsoleMember]
    source: Source  # over several servers: the config file
    switcher: SourceSwitcher | None
    clock: Callable[[], float]
    timer: Callable[[], float]
    read_only: bool
    _main_screen: MainScreen | None
    _load = 0  # the servers' current load (a reload starts another)
    _listed: asyncio.Event | None = None  # every server of the load listed or failed

    @property
    def fleet(self) -> bool:
        """Several servers in one tree."""
        return len(self.members) > 1

    @property
    def current(self) -> ConsoleMember:
        """The member whose rows the cursor is on (on one source: that one)."""
        screen = self._main_screen
        return self.member_named(screen.server if screen is not None else None)

    @property
    def pending(self) -> int:
        """Unsaved edits, on every member."""
        return sum(member.pending for member in self.members)

    def member_named(self, server: str | None) -> ConsoleMember:
        """The member of ``server`` (on one source, None: that one)."""
        return next((m for m in self.members if m.server == server), self.members[0])

    @property
    def session(self) -> EditSession | None:
        return self.current.session

    @property
    def flows(self) -> EditFlows | None:  # the session's edits
        return self.current.flows

    def _edits(self, server: str | None) -> EditFlows | None:
        """The edit flows of ``server`` (the one source: None); None, saying so, while it is
        not loaded."""
        member = self.member_named(server)
        if member.flows is None:
            what = f"Server {member.server} is" if self.fleet else "The config is"
            self.post_message(Noted(f"{what} not loaded.", warning=True))
        return member.flows

    # --- what the screen asks of the member of its rows -----------------------------------

    @on(ToggleRequested)
    def _toggle_requested(self, request: ToggleRequested) -> None:
        if (flows := self._edits(request.server)) is None:
            return
        went_ahead = flows.toggle(request.direction, request.current, request.marked)
        if went_ahead and request.marked and self._main_screen is not None:
            self._main_screen.marks_used()

    @on(RotateRequested)
    def _rotate_requested(self, request: RotateRequested) -> None:
        if (flows := self._edits(request.server)) is not None:
            flows.rotate(request.current)

    @on(TokenPreviewRequested)
    def _token_preview_requested(self, request: TokenPreviewRequested) -> None:
        flows = self.member_named(request.server).flows
        if flows is not None:
            flows.preview_token(request.current)
        else:  # nothing loaded yet
            self.post_message(Noted("Nothing is selected.", warning=True))

    @on(ProbeRequested)
    def _probe_requested(self, request: ProbeRequested) -> None:
        member = self.member_named(request.server)
        if member.source is None or member.session is None:
            self.post_message(Noted("The config is not loaded.", warning=True))
            return
        from streamconsole.tui.probe_report import start_probe  # with the first probe

        start_probe(self, member.source, member.session.config, request.current)

    def _unsaved_then(self, question: str, proceed: Callable[[], object]) -> None:
        """Run ``proceed`` now, or after asking what to do with every unsaved edit."""
        unsaved_then(self, self.members, question, proceed)

    def _pending(self) -> str:  # in words: "1 unsaved change"
        return counted(self.pending, "unsaved change")

    async def close_sources(self) -> None:
        """Close every member's connections (and, over several servers, the file's)."""
        sources = {id(m.source): m.source for m in self.members if m.source is not None}
        sources[id(self.source)] = self.source
        for source in sources.values():
            await source.aclose()

    # --- loading -------------------------------------------------------------------------

    def fleet_screen(self) -> FleetScreen:
        # Imported with the screen, once the load has begun: start-up time.
        from streamconsole.tui.fleet_screen import FleetScreen

        return FleetScreen(self.source, clock=self.clock, members=self.members)

    @property
    def _screen(self) -> FleetScreen:
        from streamconsole.tui.fleet_screen import FleetScreen

        screen = self._main_screen
        if not isinstance(screen, FleetScreen):
            raise RuntimeError("the console shows one source")
        return screen

    def fleet_file_loaded(self, config: Config) -> None:
        """The config file is read: load its servers, each into its row as it answers."""
        if self.switcher is None:  # the launcher gives several servers an opener
            raise RuntimeError("several servers need the config file's opener")
        old = []
        for member in self.members:
            member.stop_loading()
            # What was loaded stays (stale if its refresh fails) unless its edits were just
            # discarded for the reload: they must not seem to be still there.
            if member.flows is None or member.flows.session.pending:
                old += [member.source] if member.source is not None else []
                member.source = member.flows = None
            member.error = member.latency = None
            profile = config.servers.get(member.server or "")
            member.kind = profile.kind if profile is not None else None
            member.read_only = self.read_only or bool(profile and profile.read_only)
        self._load += 1
        self._listed = listed = asyncio.Event()
        self.set_timer(LISTING_HOLD, listed.set)
        self._screen.show_fleet()
        work = self._load_members(self._load, config, self.switcher, old)
        self.run_worker(work, group="members", exclusive=True)

    async def _load_members(
        self, load: int, config: Config, switcher: SourceSwitcher, old: Sequence[Source]
    ) -> None:
        # Here: the fleet pulls in the backends, which importing the app must not.
        from streamconsole.fleet import load_members

        for source in old:  # a reload's: the new load opens its own
            await source.aclose()
        names = [member.server or "" for member in self.members]
        started = self.timer()

        def loaded(member: Member) -> None:
            self.post_message(MemberLoaded(load, member, self.timer() - started))

        await load_members(
            config,
            switcher.opener.config_path,
            names,
            jobs=len(names),  # every server at once: the tree waits for the slowest only
            read_only=self.read_only,
            on_loaded=loaded,
            environ=switcher.opener.environ,
            names_first=True,  # the names at once; the loaders read the settings after
        )

    @on(MemberLoaded)
    async def _member_loaded(self, loaded: MemberLoaded) -> None:
        # Imported with the first server, not with the app: start-up time.
        from streamconsole.tui.alias_loader import loader_for
        from streamconsole.tui.edit_flows import EditFlows

        source, config = loaded.member.source, loaded.member.config
        if loaded.load != self._load:  # a reload replaced it
            if source is not None:
                await source.aclose()
            return
        member = self.member_named(loaded.member.name)
        member.error, member.latency = loaded.member.error, loaded.latency
        # A refresh failed for the server or the way to it: what was loaded stays, marked
        # stale (as on one source). Never loaded, or the config's fault: it is down.
        member.stale = member.flows is not None and loaded.member.down
        unused, member.source = (source, member.source) if member.stale else (member.source, source)
        if unused is not None:
            await unused.aclose()
        if not member.stale:
            member.flows = None
        screen = self._screen
        if source is not None and config is not None:
            member.flows = EditFlows.open(
                self, source, config, read_only=self.read_only, clock=self.clock
            )
        if member.flows is not None:  # loaded, or kept (stale): what it lacks is still fetched
            if member.host is None:  # on the app, it would cancel the other servers' fetches
                raise RuntimeError(f"server {member.server}: no node for its alias fetches")
            on_screen = partial(screen.applications_on_screen_of, member)
            shown = member.flows.session
            member.loader = loader_for(
                member.host, shown.source, shown.config, on_screen, self._listed
            )
        if self._listed is not None and all(m.latency is not None for m in self.members):
            self._listed.set()
        screen.member_loaded(member)
        if member.loader is not None:
            if config is not None:  # a stale one's were told of when it was loaded
                member.loader.report([a for a in config.applications.values() if a.problem])
            self.call_after_refresh(member.loader.start)

    def fleet_aliases_arrived(self, arrived: AliasesArrived) -> None:
        member = next((m for m in self.members if m.loader is arrived.loader), None)
        if member is not None:  # else from a load replaced since
            self._screen.member_aliases_arrived(member, arrived.application)

    # --- saving --------------------------------------------------------------------------

    def save_fleet(self) -> None:
        """Save every server with edits, one at a time, each reported."""
        flows = [m.flows for m in self.members if m.flows is not None and m.flows.session.pending]
        if not flows:
            self.post_message(Noted("Nothing to save."))
            return
        self.run_worker(self._save_fleet(flows), group="save-all", exclusive=True)

    async def _save_fleet(self, flows: Sequence[EditFlows]) -> None:
        tried = [each.session.source.name for each in flows]
        not_saved = await save_in_turn(flows)
        self.post_message(Noted(saved_summary(tried, not_saved), warning=bool(not_saved)))
