"""Writing a server's state as a config file that ``streamconsole check`` accepts.

Secrets never go into the TOML text: each goes to a key file beside it (0600) that the
config references. Every file the export references is in ``keys/`` next to it, by relative
path, so the file and ``keys/`` work wherever they are carried. Write-only keys (THEOlive)
are exported where this machine holds their material, and listed by id in a comment where
it does not.

Names come from the server: each key file gets a name of its own even where cleaning a name
for the file system merges two ('Live App' and 'Live_App') or the file system ignores case,
and text from the server goes into comments made inert (TOML comments have no escapes).
Nothing is written until every file is known not to replace another (unless ``replace``)
and none is a symbolic link.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
import tomlkit.items

from streamconsole.backends.atomic import PRIVATE_MODE, write_new_file
from streamconsole.backends.safe_files import file_name_part, make_private_dirs, refuse_symlink
from streamconsole.backends.toml_schema import SERVER_CHOICES
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_records import KeyEntry
from streamconsole.core.keys import AsymmetricKey, SharedKey, shared_key
from streamconsole.core.model import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ITEMS,
    Alias,
    Application,
    Config,
    ScopeSettings,
    ServerProfile,
)
from streamconsole.core.text import inert


def _comment(text: str) -> tomlkit.items.Comment:
    """A TOML comment of ``text`` (server names and errors in it), control characters
    escaped: raw ones make the file invalid, a newline would start a line of TOML."""
    return tomlkit.comment(inert(text))


def _server_table(profile: ServerProfile, exporter: _Exporter) -> tomlkit.items.Table:
    """The profile as its kind takes it, with paths that hold wherever the export goes: the
    CA certificate travels in keys/ (``check`` wants it); the credentials file, a secret
    that stays on the connected machine, is named by its absolute path."""
    table = tomlkit.table()
    table["kind"] = profile.kind.value
    table["url"] = profile.url
    if profile.credentials_env:
        table["credentials_env"] = profile.credentials_env
    if profile.credentials_file:
        table["credentials_file"] = _anchored(profile, profile.credentials_file)
    if profile.ca_file:
        certificate = Path(_anchored(profile, profile.ca_file)).expanduser().read_bytes()
        table["ca_file"] = exporter.write((profile.name,), ".ca.pem", certificate, private=False)
    choices = SERVER_CHOICES[profile.kind]
    if len(choices["api_version"]) > 1:  # THEOlive's v1 and v2 are different APIs: say which
        table["api_version"] = profile.api_version
    if profile.auth != choices["auth"][0]:  # the kind's default is left unsaid
        table["auth"] = profile.auth
    if profile.read_only:
        table["read_only"] = True
    if profile.allow_insecure_http:
        table["allow_insecure_http"] = True
    if profile.proxy:
        table["proxy"] = profile.proxy
    if profile.max_items != DEFAULT_MAX_ITEMS:
        table["max_items"] = profile.max_items
    if profile.concurrency != DEFAULT_CONCURRENCY:
        table["concurrency"] = profile.concurrency
    return table


def _anchored(profile: ServerProfile, path: str) -> str:
    """A path of the profile, as written (``~/...`` or absolute) or made absolute from the
    directory of the config it came from."""
    if path.startswith("~") or Path(path).is_absolute():
        return path
    return str((Path(profile.base_dir) / path).absolute())


class _Exporter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.keys_dir = out.parent / "keys"
        self.files: dict[Path, tuple[bytes, int]] = {}  # to write: content and mode
        self._taken: set[str] = set()  # the names given, case-folded

    def key_table(self, stem: tuple[str, ...], entry: KeyEntry, table: Any) -> None:
        key = entry.key
        fields: dict[str, Any] = {"algorithm": entry.algorithm.value}
        if isinstance(key, SharedKey):
            try:
                shared_key(key.algorithm, key.secret.reveal(), key.encoding)
            except KeyValidationError as error:
                table.add(_comment(f"key not exported: the server's secret is weak ({error})"))
                return
            secret = key.secret.reveal_bytes()
            fields["key_file"] = self.write(stem, ".secret", secret, private=True)
        elif isinstance(key, AsymmetricKey):
            # Written beside the export even where this machine keeps them elsewhere (the
            # THEOlive key records): the file and keys/ must be enough wherever they go.
            public = key.public_pem.encode("ascii")
            fields["key_file"] = self.write(stem, ".pub.pem", public, private=False)
            if key.private_pem is not None:
                fields["private_key_file"] = self.write(
                    stem, ".pem", key.private_pem.reveal_bytes(), private=True
                )
        if entry.created is not None:
            fields["created"] = entry.created
        inline = tomlkit.inline_table()
        inline.update(fields)
        table["key"] = inline

    def write(self, names: tuple[str, ...], suffix: str, data: bytes, *, private: bool) -> str:
        """Plan ``data`` for a file in keys/ (0600 if ``private``) named after ``names`` (a
        profile, or an application and alias); return its path from the export."""
        path = self.keys_dir / self._file_name(names, suffix)
        self.files[path] = (data, PRIVATE_MODE if private else 0o644)
        return str(path.relative_to(self.out.parent))

    def _file_name(self, names: tuple[str, ...], suffix: str) -> str:
        """``names`` joined by dots, each cleaned for a file name; with a short hash of the
        exact names where cleaning changed them or the name is taken (in any case)."""
        plain = ".".join(file_name_part(name) for name in names)
        name = plain + suffix
        if plain != ".".join(names) or name.casefold() in self._taken:
            tagged = f"{plain}-{hashlib.sha256(json.dumps(names).encode()).hexdigest()[:8]}"
            name = tagged + suffix
            for number in itertools.count(2):  # a server's name may look tagged too
                if name.casefold() not in self._taken:
                    break
                name = f"{tagged}-{number}{suffix}"
        self._taken.add(name.casefold())
        return name

    def save(self, document: str, *, replace: bool) -> list[Path]:
        """Write the key files, then the config; return the key files. Refused (an
        ``OSError`` naming the file) before anything is written when one is a symbolic link,
        or, unless ``replace``, is there already with other content."""
        for path in (*self.files, self.out):
            refuse_symlink(path)
            if not replace and path.exists() and not self._holds_already(path):
                raise FileExistsError(errno.EEXIST, "exists: refusing to replace it", str(path))
        if self.files:
            make_private_dirs(self.keys_dir)
        for path, (data, mode) in self.files.items():
            write_new_file(path, data, mode=mode, replace=True)
        write_new_file(self.out, document.encode("utf-8"), mode=0o644, replace=True)
        return list(self.files)

    def _holds_already(self, path: Path) -> bool:
        """``path`` is a key file holding what this export writes there (exported before)."""
        planned = self.files.get(path)
        return planned is not None and path.is_file() and path.read_bytes() == planned[0]

    def scope(
        self, stem: tuple[str, ...], settings: ScopeSettings | None, table: Any, kind: Any
    ) -> None:
        if settings is None:
            return
        for direction in kind.directions:
            value = settings.enforcement(direction)
            if value is not None:
                table[direction.value] = value
        if settings.key is not None:
            self.key_table(stem, settings.key, table)
        unknown = [k for k in settings.remote_keys if not k.fingerprint]
        if unknown:
            ids = ", ".join(f"{k.id} ({k.name})" if k.name else k.id for k in unknown)
            table.add(_comment(f"on the server, not known here (write-only): {ids}"))

    def application(self, app: Application) -> tomlkit.items.Table:
        table = tomlkit.table()
        table["kind"] = app.kind.value
        if app.label:
            table["label"] = app.label
        delivery = urlsplit(app.delivery_url)
        if delivery.scheme == "https" and delivery.hostname:  # a file's host is https
            name = f"[{delivery.hostname}]" if ":" in delivery.hostname else delivery.hostname
            table["host"] = f"{name}:{delivery.port or 443}"  # explicit: 5443 is the default
        if app.one_time_token:
            table["one_time_token"] = sorted(d.value for d in app.one_time_token)
        self.scope((app.name,), app.settings, table, app.kind)
        if app.kind.policy_per_alias and app.aliases:
            aliases = tomlkit.table(is_super_table=True)
            for alias in app.aliases.values():
                aliases[alias.name] = self.alias(app, alias)
            table["aliases"] = aliases
        return table

    def alias(self, app: Application, alias: Alias) -> tomlkit.items.Table:
        table = tomlkit.table()
        if alias.label:
            table["label"] = alias.label
        self.scope((app.name, alias.name), alias.settings, table, app.kind)
        return table


def export_config(
    config: Config, profile: ServerProfile, out: Path, *, replace: bool = False
) -> list[Path]:
    """Write ``config`` (a server's state) to ``out``; return the key files written.
    ``replace``: files there already (``out``, key files with other content) are replaced;
    without it they are refused, and nothing is written."""
    exporter = _Exporter(out)
    document = tomlkit.document()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    document.add(
        _comment(f"Exported by streamconsole from {profile.name} ({profile.url}), {stamp}.")
    )
    document.add(
        tomlkit.comment("Secrets are in the key files under keys/ (mode 0600): keep them private.")
    )
    document.add(
        _comment(
            "Edit the switches and keys, then: streamconsole plan / apply --server " + profile.name
        )
    )
    servers = tomlkit.table(is_super_table=True)
    servers[profile.name] = _server_table(profile, exporter)
    document["servers"] = servers
    applications = tomlkit.table(is_super_table=True)
    for app in config.applications.values():
        if app.problem:
            applications.add(_comment(f"{app.name}: not exported ({app.problem})"))
            continue
        applications[app.name] = exporter.application(app)
    document["applications"] = applications
    return exporter.save(tomlkit.dumps(document), replace=replace)
