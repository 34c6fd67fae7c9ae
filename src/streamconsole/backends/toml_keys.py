"""A config's ``key`` tables → :class:`~streamconsole.core.key_records.KeyEntry`.

Key files are read relative to the config file with :func:`.key_files.read_key_file`; each
file is read and each key parsed once per load, however many scopes reference it (parsing a
public key costs far more than looking it up).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamconsole.backends.key_files import KeyFileError, read_vetted, vet_key_file
from streamconsole.backends.key_places import KeyPlaces, variable_warning
from streamconsole.backends.toml_reader import TomlReader
from streamconsole.backends.toml_schema import KEY, KEY_SOURCES, PRIVATE_KEY_SOURCES
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import (
    Algorithm,
    AsymmetricKey,
    Key,
    KeyFamily,
    SecretEncoding,
    SharedKey,
    guessable,
    parse_algorithm,
    shared_key,
)
from streamconsole.core.model import Application
from streamconsole.core.policy import check_key_for

if TYPE_CHECKING:
    from streamconsole.backends.toml_scan import KeyPath


class KeyReader:
    """One load's key tables: the key files already read and the keys already parsed."""

    def __init__(self, reader: TomlReader) -> None:
        self.reader = reader
        self.places = KeyPlaces(reader.file.parent)  # where the key files are, judged
        self._files: dict[Path, str] = {}
        self._keys: dict[tuple[str, str, str], Key] = {}

    def entry(self, app: Application, data: dict[str, Any], path: KeyPath) -> KeyEntry | None:
        """The key ``data`` describes for ``app``; None when it has problems (reported)."""
        reader = self.reader
        reader.known_keys(data, KEY, path)
        algorithm_text = reader.get(data, KEY, "algorithm", path)
        if algorithm_text is None:
            if "algorithm" not in data:
                reader.error(path, "a key needs an 'algorithm' (e.g. HS256, RS256)")
            return None
        try:
            algorithm = parse_algorithm(algorithm_text)
        except KeyValidationError as error:
            reader.error((*path, "algorithm"), str(error))
            return None
        if algorithm not in app.kind.algorithms:
            allowed = ", ".join(app.kind.algorithms)
            reader.error(
                (*path, "algorithm"), f"{app.kind.display_name} accepts {allowed}; not {algorithm}"
            )
            return None
        sources = [name for name in KEY_SOURCES if name in data]
        if len(sources) != 1:
            listed = ", ".join(KEY_SOURCES)
            found = f"found {', '.join(sources)}" if sources else "found none"
            reader.error(path, f"a key needs exactly one of {listed}; {found}")
            return None
        source = sources[0]
        hmac = algorithm.family is KeyFamily.HMAC
        if hmac and source == "public_key":
            reader.error((*path, source), f"{algorithm} needs a shared secret, not 'public_key'")
            return None
        if not hmac and source == "secret":
            reader.error((*path, source), f"{algorithm} needs a public key, not 'secret'")
            return None
        location = reader.get(data, KEY, source, path)
        if location is None:
            return None
        if source == "key_file":
            origin, text = KeyOrigin.FILE, self._read_file(location, (*path, source), private=hmac)
        elif source == "key_env":
            origin, text = KeyOrigin.ENV, self._read_env(location, (*path, source))
        else:
            origin, text, location = KeyOrigin.INLINE, location, ""
            if hmac:
                reader.warn((*path, source), "the secret is written inline; move it to a key_file")
        if text is None:
            return None
        encoding_text = reader.get(data, KEY, "encoding", path)
        encoding = SecretEncoding(encoding_text) if encoding_text else SecretEncoding.UTF8
        if encoding_text and not hmac:
            reader.error((*path, "encoding"), "'encoding' applies to shared secrets only")
        try:
            key = self._parsed(text, algorithm, encoding)
            check_key_for(app, key)
        except KeyValidationError as error:
            reader.error((*path, source), str(error))
            return None
        if isinstance(key, SharedKey) and (why := guessable(key)):
            reader.warn((*path, source), f"{why}; rotate it to a generated secret")
        private_location = ""
        if not hmac:
            key, private_location = self._private_key(algorithm, key, data, path)
        created = self._created(data, path)
        return KeyEntry(key, origin, location, private_location, created)

    def _private_key(
        self, algorithm: Algorithm, key: Key, data: dict[str, Any], path: KeyPath
    ) -> tuple[Key, str]:
        reader = self.reader
        sources = [name for name in PRIVATE_KEY_SOURCES if name in data]
        if not sources:
            return key, ""
        if len(sources) > 1:
            reader.error(path, "give one of private_key_file, private_key_env, not both")
            return key, ""
        name = sources[0]
        location = reader.get(data, KEY, name, path)
        if location is None:
            return key, ""
        text = (
            self._read_file(location, (*path, name), private=True)
            if name == "private_key_file"
            else self._read_env(location, (*path, name))
        )
        if text is None:
            return key, ""
        try:
            private = private_key_from_pem(algorithm, text, check_rsa_math=False)
        except KeyValidationError as error:
            reader.error((*path, name), str(error))
            return key, ""
        if not isinstance(key, AsymmetricKey) or private.fingerprint != key.fingerprint:
            reader.error(
                (*path, name), "the private key does not belong to the configured public key"
            )
            return key, ""
        return private, location if name == "private_key_file" else f"${location}"

    def _created(self, data: dict[str, Any], path: KeyPath) -> datetime | None:
        value = data.get("created")
        if value is None:
            return None
        if isinstance(value, datetime):
            offset = value.utcoffset()
            # tomllib's time zone, whichever parser read it (rtoml has a class of its own).
            return value.replace(tzinfo=UTC if offset is None else timezone(offset))
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        self.reader.error((*path, "created"), "expected a date-time such as 2026-09-01T10:00:00Z")
        return None

    def _read_file(self, relative: str, path: KeyPath, *, private: bool) -> str | None:
        """A key file's text, relative to the config; None when it cannot be used (reported)."""
        reader = self.reader
        file = reader.file.parent / relative
        cache_key = file.resolve()
        if cache_key in self._files:
            return self._files[cache_key]
        try:
            vetted = vet_key_file(file, relative, private=private, warn=partial(reader.warn, path))
            about_file, about_directory = self.places.warnings_for(relative)
            for warning in about_file:
                reader.warn(path, warning)
            for warning in about_directory:  # about every key there, not this one alone
                reader.warn((), warning)
            text = read_vetted(vetted)
        except KeyFileError as error:
            reader.error(path, str(error))
            return None
        self._files[cache_key] = text
        return text

    def _read_env(self, name: str, path: KeyPath) -> str | None:
        """A key variable's value; a warning when the variable is not one of ours."""
        if warning := variable_warning(path[-1], name):
            self.reader.warn(path, warning)
        return self.reader.read_env(name, path)

    def _parsed(self, text: str, algorithm: Algorithm, encoding: SecretEncoding) -> Key:
        """Parse a key once per load, however many scopes reference it."""
        cache_key = (text, algorithm.value, encoding.value)
        key = self._keys.get(cache_key)
        if key is None:
            if algorithm.family is KeyFamily.HMAC:
                key = shared_key(algorithm, text, encoding)
            else:
                key = public_key_from_text(algorithm, text)
            self._keys[cache_key] = key
        return key
