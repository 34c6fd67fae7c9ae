"""The audit log: one JSON line per change, from the console, the CLI and the API alike.

Each line says when, who (user@host), from where (tui/cli/api), on which source, what
changed in which scope, the old and new key fingerprints, and the result. It never holds a
secret or a token: keys appear as fingerprints only. The file is created 0600 (its missing
directories 0700) and only ever appended to, never through a symbolic link.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamconsole.backends.base import SourceError
from streamconsole.backends.safe_files import make_private_dirs, open_for_append, reason
from streamconsole.core.durations import format_duration
from streamconsole.core.edits import Change, SetEnforcement, SetTheme
from streamconsole.core.key_age import key_age
from streamconsole.core.model import ConsoleSettings

DEFAULT_NAME = "audit.jsonl"


def audit_log_for(settings: ConsoleSettings) -> AuditLog:
    """The config's ``console.audit_log``, or the platform's state directory."""
    if settings.audit_log:
        return AuditLog(Path(settings.audit_log))
    from platformdirs import user_state_path

    return AuditLog(user_state_path("streamconsole") / DEFAULT_NAME)


def _who() -> str:
    import getpass  # here, with the first entry written: the console opens a log at start

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def change_entry(change: Change, when: datetime) -> dict[str, Any]:
    """The audit fields of one change at ``when`` (no secret material); a replaced key's age
    where its creation time is known (None where not)."""
    if isinstance(change, SetEnforcement):
        return {
            "scope": str(change.scope),
            "change": f"{change.direction} jwt {'on' if change.enabled else 'off'}",
            "previous": change.previous,
            **({"inherited": True} if change.inherits else {}),
        }
    if isinstance(change, SetTheme):
        return {"scope": "console", "change": f"theme {change.theme}", "previous": change.previous}
    created = change.previous_created
    age = key_age(created, when)
    return {
        "scope": str(change.scope),
        "change": "key",
        "algorithm": change.entry.algorithm.value,
        "old_fingerprint": change.previous_fingerprint,
        "new_fingerprint": change.entry.fingerprint,
        "old_key_created": created.isoformat() if created else None,
        "old_key_age": format_duration(age) if age is not None else None,
        "old_key_age_seconds": int(age) if age is not None else None,
    }


class AuditLog:
    def __init__(self, path: Path, *, clock: Callable[[], float] | None = None) -> None:
        self.path = path
        self._clock = clock

    def record(
        self,
        *,
        origin: str,
        source: str,
        changes: Sequence[Change],
        error: BaseException | None = None,
    ) -> None:
        """Append one line per change; ``error`` set means none of them was applied."""
        when = self._now()
        self._append(origin, source, [change_entry(c, when) for c in changes], error, when)

    def record_action(
        self,
        *,
        origin: str,
        source: str,
        scope: str,
        action: str,
        error: BaseException | None = None,
    ) -> None:
        """Append one line for an action that is not a model edit (e.g. retiring a key)."""
        entry = {"scope": scope, "change": action}
        self._append(origin, source, [entry], error, self._now())

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC) if self._clock else datetime.now(UTC)

    def _append(
        self,
        origin: str,
        source: str,
        entries: list[dict[str, Any]],
        error: BaseException | None,
        when: datetime,
    ) -> None:
        if not entries:
            return
        common = {
            "time": when.isoformat(timespec="seconds"),
            "who": _who(),
            "origin": origin,
            "source": source,
            "result": "ok" if error is None else f"failed: {type(error).__name__}: {error}",
        }
        lines = [json.dumps({**common, **entry}, ensure_ascii=True) for entry in entries]
        try:
            make_private_dirs(self.path.parent)
            fd = open_for_append(self.path)
        except OSError as error:
            raise SourceError(f"audit log: {reason(error)}") from None
        try:
            os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
        finally:
            os.close(fd)
