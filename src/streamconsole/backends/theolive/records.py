"""What this machine knows about the keys it put on a THEOlive server.

THEOlive never returns a key once it holds it, so the console keeps, per server profile, a
small JSON file of records: for each (profile, channel, alias, key id) the key's
fingerprint, algorithm and creation time, and where its material lives. The records file
never holds key material, not even a public key: the shared secret, the public key PEM and
the private key PEM each go to a file of their own (mode 0600) in a directory beside it,
and the record names that file. Everything is written atomically and created 0600 (each
directory 0700), and never read or written through a symbolic link.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_state_path

from streamconsole.backends.atomic import PRIVATE_MODE, write_new_file, write_private_file
from streamconsole.backends.base import Problem, SourceError, scope_path
from streamconsole.backends.safe_files import file_name_part, make_private_dirs, read_no_follow
from streamconsole.backends.theolive.rules import NOTHING_WRITTEN, AliasState
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import (
    Algorithm,
    AsymmetricKey,
    Key,
    KeyFamily,
    SharedKey,
    parse_algorithm,
)
from streamconsole.core.model import ScopeSettings
from streamconsole.core.secret import Secret

RECORDS_VERSION = 1
_TEXT_FIELDS = ("profile", "channel", "alias", "key_id", "fingerprint")
_FILE_FIELDS = ("material_file", "private_key_file")


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key this console uploaded: identified by where it is and the server's key id."""

    profile: str
    channel: str
    alias: str
    key_id: str
    fingerprint: str
    algorithm: Algorithm
    created: datetime
    # The shared secret's text or the public key PEM, and the private key PEM (asymmetric
    # keys, when known): absolute paths of 0600 files. "" when not kept on this machine.
    material_file: str = ""
    private_key_file: str = ""

    def place(self) -> tuple[str, str, str, str]:
        return (self.profile, self.channel, self.alias, self.key_id)

    def mark_installed(self, entry: KeyEntry) -> None:
        """``entry``'s key now lives on the server, its material where this record says."""
        entry.origin = KeyOrigin.REMOTE
        entry.location = self.material_file
        entry.private_location = self.private_key_file
        entry.created = self.created

    def to_json(self) -> dict[str, str]:
        data = {name: getattr(self, name) for name in _TEXT_FIELDS}
        data["algorithm"] = self.algorithm.value
        data["created"] = self.created.isoformat(timespec="seconds")
        data.update({name: getattr(self, name) for name in _FILE_FIELDS if getattr(self, name)})
        return data

    @classmethod
    def from_json(cls, data: Any) -> KeyRecord:
        """Raises ValueError naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError("a record must be an object")
        fields: dict[str, Any] = {}
        for name in (*_TEXT_FIELDS, "algorithm", "created"):
            value = data.get(name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
            fields[name] = value
        for name in _FILE_FIELDS:
            value = data.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string")
            fields[name] = value
        try:
            fields["algorithm"] = parse_algorithm(fields["algorithm"])
        except KeyValidationError as error:
            raise ValueError(f"algorithm: {error}") from None
        created = datetime.fromisoformat(fields["created"])
        fields["created"] = created if created.tzinfo else created.replace(tzinfo=UTC)
        return cls(**fields)


class KeyRecords:
    """The records file at ``path``; key material goes to ``<path stem>.keys/`` beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys_dir = path.parent / f"{path.stem}.keys"
        self._cache: tuple[tuple[int, int, int], tuple[KeyRecord, ...]] | None = None

    @classmethod
    def for_profile(cls, profile: str) -> KeyRecords:
        """The default place: the user's state directory, one file per server profile."""
        directory = user_state_path("streamconsole") / "theolive"
        return cls(directory / f"{file_name_part(profile)}.json")

    # --- reading --------------------------------------------------------------------------

    def read(self) -> tuple[KeyRecord, ...]:
        """Every record, oldest first; raises SourceError naming the file when it is damaged."""
        try:
            info = self.path.lstat()
        except FileNotFoundError:
            return ()
        except OSError as error:
            raise SourceError(f"key records {self.path}: {error.strerror}") from None
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        try:
            data = json.loads(read_no_follow(self.path))
        except OSError as error:
            raise SourceError(f"key records {self.path}: {error.strerror}") from None
        except (ValueError, RecursionError):
            raise SourceError(f"key records {self.path}: not valid JSON") from None
        if not isinstance(data, dict) or data.get("version") != RECORDS_VERSION:
            raise SourceError(
                f"key records {self.path}: expected an object with version {RECORDS_VERSION}"
            )
        entries = data.get("keys")
        if not isinstance(entries, list):
            raise SourceError(f"key records {self.path}: 'keys' must be a list")
        records = []
        for index, entry in enumerate(entries):
            try:
                records.append(KeyRecord.from_json(entry))
            except ValueError as error:
                raise SourceError(f"key records {self.path}: keys[{index}]: {error}") from None
        result = tuple(sorted(records, key=lambda r: r.created))
        self._cache = (stamp, result)
        return result

    def of_alias(self, profile: str, channel: str, alias: str) -> list[KeyRecord]:
        return [
            r for r in self.read() if (r.profile, r.channel, r.alias) == (profile, channel, alias)
        ]

    def load_entry(self, record: KeyRecord) -> KeyEntry:
        """The key a record points at, checked against its fingerprint; SourceError if not."""
        where = f"key {record.key_id} of {record.channel}/{record.alias}"
        if not record.material_file:
            raise SourceError(f"{where}: its material is not kept on this machine")
        try:
            text = read_no_follow(Path(record.material_file)).decode("utf-8")
            key: Key
            if record.algorithm.family is KeyFamily.HMAC:
                key = SharedKey(record.algorithm, Secret(text))
            else:
                key = public_key_from_text(record.algorithm, text)
                if record.private_key_file:
                    private_text = read_no_follow(Path(record.private_key_file)).decode("utf-8")
                    private = private_key_from_pem(record.algorithm, private_text)
                    if private.public_pem != key.public_pem:
                        raise KeyValidationError("the private key does not match the public key")
                    key = private
        except OSError as error:
            raise SourceError(f"{where}: {error.filename}: {error.strerror}") from None
        except (KeyValidationError, UnicodeDecodeError) as error:
            reason = error if isinstance(error, KeyValidationError) else "not UTF-8 text"
            raise SourceError(f"{where}: its key file cannot be used ({reason})") from None
        if key.fingerprint != record.fingerprint:
            raise SourceError(
                f"{where}: its key file holds key {key.fingerprint}, not {record.fingerprint}"
            )
        return KeyEntry(
            key,
            KeyOrigin.REMOTE,
            location=record.material_file,
            private_location=record.private_key_file,
            created=record.created,
        )

    def alias_settings(
        self, profile: str, channel: str, states: Sequence[tuple[str, AliasState]], where: str
    ) -> tuple[dict[str, ScopeSettings], list[Problem]]:
        """Each alias's settings: the server's state (``states``) plus what the records know
        of its keys. Blocking (it reads the records file and key files); problems are
        warnings, placed at ``where`` when they concern the records file itself."""
        warnings: list[Problem] = []
        try:
            records = [r for r in self.read() if (r.profile, r.channel) == (profile, channel)]
        except SourceError as error:
            records = []
            warning = f"{error}; keys are shown by id only"
            warnings.append(Problem(warning, where, warning=True))
        by_alias: dict[str, list[KeyRecord]] = {}
        for record in records:
            by_alias.setdefault(record.alias, []).append(record)
        settings: dict[str, ScopeSettings] = {}
        for alias, state in states:
            active = state.active_keys()
            active_ids = {k.id for k in active}
            known = {r.key_id: r for r in by_alias.get(alias, []) if r.key_id in active_ids}
            # Every key whose material is kept here, newest first (two made in one second:
            # the server lists the later one last): tokens signed with any of them are
            # accepted, and the newest is the one that signs.
            position = {k.id: index for index, k in enumerate(active)}
            entries: dict[str, KeyEntry] = {}
            newest_first = sorted(
                known.values(), key=lambda r: (r.created, position[r.key_id]), reverse=True
            )
            for record in newest_first:
                if not record.material_file:
                    continue
                try:
                    entries[record.key_id] = self.load_entry(record)
                except SourceError as error:
                    warnings.append(Problem(str(error), scope_path(channel, alias), warning=True))
            remote = tuple(
                RemoteKey(k.id, k.name, known[k.id].fingerprint, entries.get(k.id))
                if k.id in known
                else k
                for k in active
            )
            newest = next(iter(entries.values()), None)
            settings[alias] = ScopeSettings(play=state.enforced, key=newest, remote_keys=remote)
        return settings, warnings

    # --- writing --------------------------------------------------------------------------

    def keep_material(
        self, profile: str, channel: str, alias: str, key: Key, created: datetime
    ) -> tuple[str, str]:
        """Write ``key``'s material to new 0600 files, before it is sent to the server:
        (material file, private key file or ""). SourceError when they cannot be written."""
        try:
            return self._write_material(profile, channel, alias, key, created)
        except OSError as error:
            raise SourceError(
                f"{channel}/{alias}: the key could not be kept on this machine "
                f"({error.strerror}), so it was not sent{NOTHING_WRITTEN}"
            ) from None

    def _write_material(
        self, profile: str, channel: str, alias: str, key: Key, created: datetime
    ) -> tuple[str, str]:
        stem = ".".join(
            (
                file_name_part(channel),
                file_name_part(alias),
                key.algorithm.value.lower(),
                f"{created.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                secrets.token_hex(3),  # two rotations in one second must not collide
            )
        )
        directory = self.keys_dir / file_name_part(profile)
        if isinstance(key, SharedKey):
            material = directory / f"{stem}.secret"
            write_private_file(material, key.secret.reveal_bytes())
            return str(material.absolute()), ""
        public = directory / f"{stem}.pub.pem"
        write_private_file(public, key.public_pem.encode("ascii"))
        if not isinstance(key, AsymmetricKey) or key.private_pem is None:
            return str(public.absolute()), ""
        private = directory / f"{stem}.pem"
        try:
            write_private_file(private, key.private_pem.reveal_bytes())
        except OSError:
            self.discard([str(public)])
            raise
        return str(public.absolute()), str(private.absolute())

    def discard(self, files: Iterable[str]) -> None:
        """Delete key files this object wrote; paths outside its directory are left alone."""
        root = self.keys_dir.absolute()
        for name in files:
            path = Path(name).absolute()
            if name and path.is_relative_to(root):
                path.unlink(missing_ok=True)

    def add(self, record: KeyRecord) -> KeyRecord | None:
        """Add ``record`` of a key the server now holds; return the one it replaced (same
        place and key id), if any, whose key files are left for the caller to discard.
        SourceError, saying where the material is, when the records cannot be written."""
        try:
            records = self.read()
            replaced = next((r for r in records if r.place() == record.place()), None)
            self._write([*(r for r in records if r is not replaced), record])
        except (OSError, SourceError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise SourceError(
                f"{record.channel}/{record.alias}: the server now holds key {record.key_id}, "
                f"but its local record could not be written ({reason}); its material is in "
                f"{record.material_file}"
            ) from None
        return replaced

    def remove(
        self, profile: str, channel: str, alias: str, key_ids: Collection[str]
    ) -> tuple[KeyRecord, ...]:
        """Drop the records of ``key_ids`` there and delete their key files; return them."""
        records = self.read()
        gone = tuple(
            r
            for r in records
            if (r.profile, r.channel, r.alias) == (profile, channel, alias) and r.key_id in key_ids
        )
        if gone:
            self._write([r for r in records if r not in gone])
            self.discard(f for r in gone for f in (r.material_file, r.private_key_file))
        return gone

    def _write(self, records: list[KeyRecord]) -> None:
        data = {
            "version": RECORDS_VERSION,
            "about": "keys streamconsole put on THEOlive; no key material here, only where it is",
            "keys": [r.to_json() for r in records],
        }
        text = json.dumps(data, indent=2, ensure_ascii=True) + "\n"
        make_private_dirs(self.path.parent)
        write_new_file(self.path, text.encode("ascii"), mode=PRIVATE_MODE, replace=True)
        self._cache = None
