"""The TOML file source: read fast with ``rtoml``/``tomllib``, edit in place with ``tomlkit``.

Reading uses ``rtoml`` where it agrees with ``tomllib``, else ``tomllib`` (see
:mod:`.toml_fast`; both far faster than tomlkit on big files); an edit runs
``tomlkit`` on the few lines that define the edited scope (see :mod:`.toml_edit`), so
comments, order and formatting elsewhere survive byte for byte. Saving refuses when the
file changed on disk since it was read, writes new key files (0600) before the config,
and replaces the config atomically with its mode kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from streamconsole.backends.atomic import atomic_write, write_new_file, write_private_file
from streamconsole.backends.base import (
    Closable,
    ConflictError,
    Problem,
    ReadOnlyError,
    SourceError,
)
from streamconsole.backends.key_places import KEY_DIRECTORY
from streamconsole.backends.safe_files import make_private_dirs
from streamconsole.backends.toml_config import parse_config
from streamconsole.backends.toml_reader import decode_config_bytes
from streamconsole.backends.toml_schema import KEY_MATERIAL_FIELDS
from streamconsole.core.key_age import age_warning
from streamconsole.core.key_records import KeyOrigin
from streamconsole.core.keys import AsymmetricKey, SecretEncoding, SharedKey
from streamconsole.core.model import Application, Config, ScopeRef
from streamconsole.core.policy_warnings import one_time_token_warning
from streamconsole.core.report import overdue_keys

if TYPE_CHECKING:  # annotations only: a command that reads the file builds no edit classes
    from streamconsole.backends.toml_scan import KeyPath
    from streamconsole.core.edits import Change, SetEnforcement, SetKey

# 100k aliases take ~5 MB; far beyond that a "config" is a mistake, not a config.
MAX_CONFIG_BYTES = 256 * 2**20
# A pattern: re compiles (and caches) it on first use; only a new key file is named.
_UNSAFE_FILENAME = r"[^A-Za-z0-9._-]+"

P = ParamSpec("P")
T = TypeVar("T")


class TomlSource(Closable):
    """A config file on disk. Thread-safe only in the sense the TUI needs: one writer."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.path = path
        self._read_only = read_only
        self._environ = environ
        self._now = clock or (lambda: datetime.now(UTC).timestamp())
        self._text = ""
        self._digest = b""
        self.warnings: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def status(self) -> str:
        return str(self.path)

    @property
    def read_only(self) -> bool:
        return self._read_only

    # --- reading -------------------------------------------------------------------------

    def load_sync(self) -> Config:
        try:
            info = self.path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise SourceError(f"{self.path}: is a directory, not a config file")
            # A FIFO or a device (/dev/zero) would block or never end.
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(f"{self.path}: is not a regular file")
            if info.st_size > MAX_CONFIG_BYTES:
                raise SourceError(
                    f"{self.path}: {info.st_size:,} bytes is more than a config can be "
                    f"({MAX_CONFIG_BYTES // 2**20} MiB)"
                )
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{self.path}: no such file") from None
        except OSError as error:
            raise SourceError(f"{self.path}: cannot be read: {error.strerror}") from None
        text, digest = decode_config_bytes(data, self.path), _digest(data)
        del data  # 4 MB at 100k aliases: not held through the parse, when memory peaks
        config, warnings = parse_config(text, self.path, self._environ)
        if config.settings.read_only:
            self._read_only = True
        self._text, self._digest = text, digest
        self.warnings = warnings
        return config

    async def load(self) -> Config:
        return await _in_thread(self.load_sync)

    def lines_of(self, paths: Iterable[KeyPath]) -> dict[KeyPath, int]:
        """The line of each key path in the text the last load read (those it finds)."""
        from streamconsole.backends.toml_scan import locate_all  # late: check alone asks

        return locate_all(self._text, paths)

    def scope_warnings(self, config: Config, now: datetime) -> list[Problem]:
        """What ``show`` warns about a scope that the file alone decides (one-time tokens
        beside JWT on one direction; a key past ``max_key_age`` at ``now``), each at the line
        that causes it, for the ``config`` the last load returned: for ``check``. Loading does
        not add these: the console shows them in each scope's detail already."""
        found: list[tuple[KeyPath, str]] = [
            (("applications", app.name, "one_time_token"), warning)
            for app in config.applications.values()
            for direction in app.kind.directions
            if (warning := one_time_token_warning(app, None, direction))
        ]
        found += [
            (
                (*_scope_path(ScopeRef(app.name, alias)), "key"),
                age_warning(entry.created, app.max_key_age, now),
            )
            for app, alias, entry in overdue_keys(config, now)
        ]
        lines = self.lines_of(place for place, _ in found)
        return [
            Problem(warning, ".".join(place), self.path, lines.get(place), warning=True)
            for place, warning in found
        ]

    async def load_aliases(self, app: Application) -> None:
        """A file's aliases are all loaded with it."""

    # --- writing -------------------------------------------------------------------------

    def apply_sync(self, changes: Sequence[Change]) -> None:
        # Here: the edits' classes (dataclasses, ~1 ms each to build) are for saving only.
        from streamconsole.core.edits import SetEnforcement, SetKey, SetTheme

        if self._read_only:
            raise ReadOnlyError(f"{self.path} is open read-only; nothing was written")
        if not changes:
            return
        self._check_unchanged()
        text = self._text
        written: list[Path] = []
        try:
            for change in changes:
                if isinstance(change, SetEnforcement):
                    text = _edit_scope(text, change.scope, _setter(change))
                elif isinstance(change, SetTheme):
                    text = _set_theme(text, change.theme)
                else:
                    try:
                        text = self._apply_key(text, change, written)
                    except OSError as error:  # disk full, read-only, `keys` not a directory
                        raise SourceError(
                            f"{change.scope}: the new key could not be written to "
                            f"{self.path.parent / KEY_DIRECTORY} ({error.strerror or error}); "
                            "nothing was saved"
                        ) from None
            self._write(text)
        except BaseException:
            for path in written:  # nothing references them now
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        for change in changes:
            if isinstance(change, SetKey):
                change.entry.origin = KeyOrigin.FILE

    async def apply(self, changes: Sequence[Change]) -> None:
        await _in_thread(self.apply_sync, list(changes))

    @property
    def defaults_place(self) -> str:
        """The ``[console]`` settings are this file's (:class:`.base.ConsoleDefaults`)."""
        return str(self.path)

    def _check_unchanged(self) -> None:
        try:
            current = self.path.read_bytes()
        except OSError as error:
            raise ConflictError(
                f"{self.path} cannot be read back before saving ({error.strerror}); "
                "nothing was written"
            ) from None
        if _digest(current) != self._digest:
            raise ConflictError(
                f"{self.path} changed on disk since it was loaded; nothing was written. "
                "Reload to see the other change, then edit again"
            )

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        try:
            atomic_write(self.path, data)
        except OSError as error:
            raise SourceError(
                f"{self.path} could not be saved ({error.strerror}); the file on disk is unchanged"
            ) from None
        self._text, self._digest = text, _digest(data)

    def _apply_key(self, text: str, change: SetKey, written: list[Path]) -> str:
        """Write the new key's files (appending them to ``written``); return the new text."""
        entry = change.entry
        stamp = datetime.fromtimestamp(self._now(), UTC).replace(microsecond=0)
        directory = self.path.parent / KEY_DIRECTORY
        scope = re.sub(_UNSAFE_FILENAME, "_", str(change.scope).replace("/", "."))
        stem = _free_stem(
            directory, f"{scope}.{entry.algorithm.value.lower()}.{stamp:%Y%m%dT%H%M%SZ}"
        )
        fields: dict[str, Any] = {"algorithm": entry.algorithm.value}
        key = entry.key
        if isinstance(key, SharedKey):
            secret_path = directory / f"{stem}.secret"
            write_private_file(secret_path, key.secret.reveal_bytes())
            written.append(secret_path)
            fields["key_file"] = self._relative(secret_path)
            if key.encoding is not SecretEncoding.UTF8:
                fields["encoding"] = key.encoding.value
        else:
            self._write_key_pair(key, directory, stem, fields, written)
        fields["created"] = stamp

        def replace_fields(table: Any) -> None:
            # Fields that stay are assigned in place, so the table keeps its order.
            for name in KEY_MATERIAL_FIELDS:
                if name in table and name not in fields:
                    del table[name]
            for name, value in fields.items():
                table[name] = value

        def add_key(table: Any) -> None:
            import tomlkit  # only for edits: ~20 ms to import, not needed to read

            inline = tomlkit.inline_table()
            inline.update(fields)
            table["key"] = inline

        key_path = (*_scope_path(change.scope), "key")
        try:
            text = _edit_table(text, key_path, replace_fields)
        except KeyError:
            text = _edit_scope(text, change.scope, add_key)
        entry.location = fields["key_file"]
        entry.private_location = fields.get("private_key_file", "")
        entry.created = stamp
        return text

    def _write_key_pair(
        self,
        key: AsymmetricKey,
        directory: Path,
        stem: str,
        fields: dict[str, Any],
        written: list[Path],
    ) -> None:
        public_path = directory / f"{stem}.pub.pem"
        make_private_dirs(directory)
        write_new_file(public_path, key.public_pem.encode("ascii"), mode=0o644)
        written.append(public_path)
        fields["key_file"] = self._relative(public_path)
        if key.private_pem is not None:
            private_path = directory / f"{stem}.pem"
            write_private_file(private_path, key.private_pem.reveal_bytes())
            written.append(private_path)
            fields["private_key_file"] = self._relative(private_path)

    def _relative(self, path: Path) -> str:
        return os.path.relpath(path, self.path.parent)


def _free_stem(directory: Path, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when a key file by that name exists (two
    rotations of one scope within a second)."""
    candidate, number = stem, 1
    while any(directory.glob(f"{candidate}.*")):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _scope_path(scope: ScopeRef) -> tuple[str, ...]:
    if scope.alias is None:
        return ("applications", scope.application)
    return ("applications", scope.application, "aliases", scope.alias)


def _setter(change: SetEnforcement) -> Callable[[Any], None]:
    def set_field(table: Any) -> None:
        if change.inherits:  # the scope's own setting goes: it inherits again
            table.pop(str(change.direction), None)
        else:
            table[str(change.direction)] = change.enabled

    return set_field


def _edit_table(text: str, path: KeyPath, mutate: Callable[[Any], None]) -> str:
    # Imported on a first edit: reading a config (every command, the console's start) needs
    # none of the editing modules.
    from streamconsole.backends.toml_edit import edit_table

    return edit_table(text, path, mutate)


def _edit_scope(text: str, scope: ScopeRef, mutate: Callable[[Any], None]) -> str:
    try:
        return _edit_table(text, _scope_path(scope), mutate)
    except KeyError:
        raise ConflictError(f"{scope} is no longer in the file; reload it") from None


def _set_theme(text: str, theme: str) -> str:
    """``text`` with ``[console] theme`` set, the table added where there is none."""

    def set_theme(table: Any) -> None:
        table["theme"] = theme

    try:
        return _edit_table(text, ("console",), set_theme)
    except KeyError:
        import tomlkit  # only for edits: ~20 ms to import, not needed to read

        document = tomlkit.parse(text)
        document.add("console", tomlkit.table().add("theme", theme))
        return tomlkit.dumps(document)


async def _in_thread(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    # asyncio imported here, not at the top: the CLI reads a file in its own thread, with no
    # event loop, and asyncio alone costs more than Python's own start-up.
    import asyncio

    return await asyncio.to_thread(function, *args, **kwargs)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
