"""What the console holds per source: the file or one server, or each of several servers.

A :class:`ConsoleMember` is one source's state: the source, its edit flows (and so its
session, audited under the source's own name), the loader of its aliases, and how its load
went. The app keeps one per source it shows; edits, saves and probes act on the member of the
row they are about. Saving several members goes one at a time (:func:`save_in_turn`): a
failure keeps that member's edits pending and does not undo the others'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.widget import Widget

from streamconsole.core.text import counted

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.backends.base import Source
    from streamconsole.core.model import ServerKind
    from streamconsole.session import EditSession
    from streamconsole.tui.alias_loader import AliasLoader
    from streamconsole.tui.dialogs import UnsavedChoice
    from streamconsole.tui.edit_flows import EditFlows


class MemberHost(Widget):
    """Where one member's alias fetches run. A worker group is exclusive per DOM node: on a
    node of its own, one server's fetches never cancel another's. Draws nothing."""

    DEFAULT_CSS = "MemberHost { display: none; }"


class ConsoleMember:
    """One source of the console and its state. (Not a dataclass: building one costs
    ~1.5 ms of the console's start.)"""

    flows: EditFlows | None = None  # the loaded session's edits; None: nothing loaded
    loader: AliasLoader | None = None  # a remote source's aliases, still coming
    kind: ServerKind | None = None  # a server's, from its profile
    read_only: bool = False  # a server's profile says so (shown even if it cannot be opened)
    load_failed: bool = False
    stale: bool = False  # the last refresh failed: what is shown is from before
    error: Exception | None = None  # why it could not be loaded (several servers)
    latency: float | None = None  # seconds its load took (several servers)

    def __init__(
        self, server: str | None, source: Source | None = None, *, host: MemberHost | None = None
    ) -> None:
        self.server = server  # the [servers.NAME]; None: the config file itself
        self.source = source  # None: a server not opened (yet, or it could not be)
        self.host = host  # runs its loader's workers (several servers)

    @property
    def session(self) -> EditSession | None:
        return self.flows.session if self.flows is not None else None

    @property
    def pending(self) -> int:
        session = self.session
        return len(session.pending) if session is not None else 0

    @property
    def account(self) -> str:
        """Who the server is signed in as, where a login names one ("" where it does not, as
        with a shared secret); never a secret."""
        # Here: the remote backends import httpx, which a file's console never needs.
        from streamconsole.backends.remote import RemoteSource

        source = self.source
        if not isinstance(source, RemoteSource) or source.profile.auth == "proxy-jwt":
            return ""
        return source.user

    def stop_loading(self) -> None:
        """Stop fetching aliases (a reload or another source replaces this load)."""
        if self.loader is not None:
            self.loader.cancel()
            self.loader = None


def unsaved_then(
    host: App[None],
    members: Sequence[ConsoleMember],
    question: str,
    proceed: Callable[[], object],
) -> None:
    """Run ``proceed`` now, or after asking what to do with the members' unsaved edits
    (over several servers, each edit named by its server); saved, it runs only once every
    member saved."""
    # Loaded when first asked: the question is no part of start-up.
    from streamconsole.tui.dialogs import UnsavedChangesScreen

    flows = [m.flows for m in members if m.flows is not None and m.flows.session.pending]
    if not flows:
        proceed()
        return

    def answered(choice: UnsavedChoice | None) -> None:
        if choice == "discard":
            proceed()
        elif choice == "save":
            host.run_worker(_save_then(flows, proceed), group="save-all", exclusive=True)

    named = len(members) > 1
    changes = [
        f"{f.session.source.name}: {change.describe()}" if named else change.describe()
        for f in flows
        for change in f.session.pending
    ]
    host.push_screen(UnsavedChangesScreen(question, changes), answered)


async def _save_then(flows: Sequence[EditFlows], proceed: Callable[[], object]) -> None:
    if not await save_in_turn(flows, failed="Not saved; staying here"):
        proceed()


async def save_in_turn(flows: Sequence[EditFlows], *, failed: str = "Not saved") -> list[str]:
    """Save each of ``flows`` with pending edits, one at a time, each saying how it went;
    the sources that could not be saved (their edits stay pending)."""
    not_saved: list[str] = []
    for each in flows:
        if each.session.pending and not await each.save_now(failed=failed):
            not_saved.append(each.session.source.name)
    return not_saved


def saved_summary(tried: Sequence[str], not_saved: Sequence[str]) -> str:
    """One line after saving several servers: which saved, which did not."""
    saved = [name for name in tried if name not in not_saved]
    said = f"Saved on {', '.join(saved)}" if saved else "Nothing saved"
    if not_saved:
        said += f"; not saved on {', '.join(not_saved)} (edits kept: ctrl+s tries again)"
    return f"{said} ({counted(len(tried), 'server')} with edits)."
