"""Which of the main screen's keys apply here and now: the footer shows only those."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from streamconsole.tui.bindings import WRITE_ACTIONS

if TYPE_CHECKING:
    from streamconsole.core.model import ScopeRef
    from streamconsole.session import EditSession

# The keys that act on a loaded config.
_NEED_A_CONFIG = frozenset(
    {
        "focus_filter",
        "toggle_publish",
        "toggle_play",
        "rotate_key",
        "token_preview",
        "probe",
        "reveal",
        "toggle_detail",
        "toggle_full_detail",
        "clear",
    }
)


def key_applies(
    action: str,
    session: EditSession | None,
    refs: Sequence[ScopeRef | None],
    *,
    broken: bool,
) -> bool:
    """Whether ``action`` applies to the rows ``refs`` (the marked ones, else the cursor's)
    of ``session``. ``broken``: the config failed to load, and leaves nothing to act on
    (while it loads the keys stay, so the first paint needs no second footer). Read-only
    mode hides the writes (pressed anyway, the edit flows say why: ``UserKeys``)."""
    if broken:
        return action not in _NEED_A_CONFIG
    if session is None:
        return True
    if action in WRITE_ACTIONS and session.read_only:
        return False
    if action == "toggle_publish":
        return _publish_applies(session, refs)
    return True


def _publish_applies(session: EditSession, refs: Sequence[ScopeRef | None]) -> bool:
    """Whether a row ``p`` acts on has publish JWT (THEOlive has none)."""
    # Imported with the first check, not with this module: start-up time.
    from streamconsole.core.model import Direction

    apps = session.config.applications
    chosen = [apps[ref.application] for ref in refs if ref is not None and ref.application in apps]
    return not chosen or any(Direction.PUBLISH in app.kind.directions for app in chosen)
