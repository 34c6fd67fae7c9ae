"""The TOML file source: read fast with ``tomllib``, edit in place with ``tomlkit``.

Reading uses ``tomllib`` (≈11× faster than tomlkit on big files); the ``tomlkit``
document that keeps comments, order and formatting is parsed only when a first edit is
saved. Saving refuses when the file changed on disk since it was read, writes new key
files (0600) before the config, and replaces the config atomically with its mode kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.items

from streamconsole.backends.atomic import atomic_write, write_private_file
from streamconsole.backends.base import ConflictError, Problem, ReadOnlyError, SourceError
from streamconsole.backends.toml_config import decode_config_bytes, parse_config
from streamconsole.core.edits import Change, SetEnforcement, SetKey
from streamconsole.core.keys import AsymmetricKey, SecretEncoding, SharedKey
from streamconsole.core.model import Config, KeyOrigin, ScopeRef

KEY_DIRECTORY = "keys"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_KEY_MATERIAL_FIELDS = (
    "key_file",
    "key_env",
    "secret",
    "public_key",
    "private_key_file",
    "private_key_env",
    "encoding",
)


class TomlSource:
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
        self._document: tomlkit.TOMLDocument | None = None
        self.warnings: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def read_only(self) -> bool:
        return self._read_only

    # --- reading -------------------------------------------------------------------------

    def load_sync(self) -> Config:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise SourceError(f"{self.path}: is a directory, not a config file") from None
        except OSError as error:
            raise SourceError(f"{self.path}: cannot be read: {error.strerror}") from None
        text = decode_config_bytes(data, self.path)
        config, warnings = parse_config(text, self.path, self._environ)
        if config.settings.read_only:
            self._read_only = True
        self._text, self._digest, self._document = text, _digest(data), None
        self.warnings = warnings
        return config

    async def load(self) -> Config:
        return await asyncio.to_thread(self.load_sync)

    # --- writing -------------------------------------------------------------------------

    def apply_sync(self, changes: Sequence[Change]) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self.path} is open read-only; nothing was written")
        if not changes:
            return
        document = self._editable_document()
        written: list[Path] = []
        try:
            for change in changes:
                if isinstance(change, SetEnforcement):
                    _scope_table(document, change.scope)[str(change.direction)] = change.enabled
                else:
                    written += self._apply_key(document, change)
            self._write(document)
        except BaseException:
            # The document holds edits that are not on disk: drop it, and the key files
            # that nothing references now.
            self._document = None
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        for change in changes:
            if isinstance(change, SetKey):
                change.entry.origin = KeyOrigin.FILE

    async def apply(self, changes: Sequence[Change]) -> None:
        await asyncio.to_thread(self.apply_sync, list(changes))

    def remember_theme_sync(self, theme: str) -> None:
        if self._read_only:
            return
        document = self._editable_document()
        console = document.get("console")
        if console is None:
            console = tomlkit.table()
            document.add("console", console)
        console["theme"] = theme
        self._write(document)

    async def remember_theme(self, theme: str) -> None:
        await asyncio.to_thread(self.remember_theme_sync, theme)

    def _editable_document(self) -> tomlkit.TOMLDocument:
        self._check_unchanged()
        if self._document is None:
            self._document = tomlkit.parse(self._text)
        return self._document

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

    def _write(self, document: tomlkit.TOMLDocument) -> None:
        text = tomlkit.dumps(document)
        data = text.encode("utf-8")
        try:
            atomic_write(self.path, data)
        except OSError as error:
            raise SourceError(
                f"{self.path} could not be saved ({error.strerror}); the file on disk is unchanged"
            ) from None
        self._text, self._digest = text, _digest(data)

    def _apply_key(self, document: tomlkit.TOMLDocument, change: SetKey) -> list[Path]:
        entry = change.entry
        stamp = datetime.fromtimestamp(self._now(), UTC).replace(microsecond=0)
        stem = _UNSAFE_FILENAME.sub("_", str(change.scope).replace("/", "."))
        stem = f"{stem}.{entry.algorithm.value.lower()}.{stamp:%Y%m%dT%H%M%SZ}"
        directory = self._key_directory(document, change.scope)
        fields: dict[str, Any] = {"algorithm": entry.algorithm.value}
        written: list[Path] = []
        key = entry.key
        if isinstance(key, SharedKey):
            secret_path = directory / f"{stem}.secret"
            write_private_file(secret_path, key.secret.reveal_bytes())
            written.append(secret_path)
            fields["key_file"] = self._relative(secret_path)
            if key.encoding is not SecretEncoding.UTF8:
                fields["encoding"] = key.encoding.value
        else:
            written += self._write_key_pair(key, directory, stem, fields)
        fields["created"] = stamp
        table = _scope_table(document, change.scope)
        existing = table.get("key")
        if isinstance(existing, tomlkit.items.Table | tomlkit.items.InlineTable):
            for name in _KEY_MATERIAL_FIELDS:
                if name in existing:
                    del existing[name]
            for name, value in fields.items():
                existing[name] = value
        else:
            inline = tomlkit.inline_table()
            inline.update(fields)
            table["key"] = inline
        entry.location = fields["key_file"]
        entry.private_location = fields.get("private_key_file", "")
        entry.created = stamp
        return written

    def _write_key_pair(
        self, key: AsymmetricKey, directory: Path, stem: str, fields: dict[str, Any]
    ) -> list[Path]:
        written: list[Path] = []
        public_path = directory / f"{stem}.pub.pem"
        if public_path.exists():
            raise FileExistsError(f"{public_path} already exists; refusing to overwrite it")
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(public_path, key.public_pem.encode("ascii"), mode=0o644)
        written.append(public_path)
        fields["key_file"] = self._relative(public_path)
        if key.private_pem is not None:
            private_path = directory / f"{stem}.pem"
            try:
                write_private_file(private_path, key.private_pem.reveal_bytes())
            except BaseException:
                public_path.unlink()
                raise
            written.append(private_path)
            fields["private_key_file"] = self._relative(private_path)
        return written

    def _key_directory(self, document: tomlkit.TOMLDocument, scope: ScopeRef) -> Path:
        """Next to the scope's current key file if it has one, else ``keys/`` by the config."""
        current = _scope_table(document, scope).get("key")
        key_file = current.get("key_file") if isinstance(current, dict) else None
        if isinstance(key_file, str):
            return (self.path.parent / key_file).parent
        return self.path.parent / KEY_DIRECTORY

    def _relative(self, path: Path) -> str:
        return os.path.relpath(path, self.path.parent)


def _scope_table(document: tomlkit.TOMLDocument, scope: ScopeRef) -> Any:
    try:
        table = document["applications"][scope.application]
        if scope.alias is not None:
            table = table["aliases"][scope.alias]
    except KeyError:
        raise ConflictError(f"{scope} is no longer in the file; reload it") from None
    return table


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
