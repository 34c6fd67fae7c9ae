"""Hostile TOML configs, through ``TomlSource.load_sync`` and ``streamconsole check``.

Every bad case must end in a ConfigError whose problem names the file, the line and the
key path (``file:line: path: error: ...``), and ``check`` must print that line and exit 2,
never a traceback, never a hang, never a raw escape sequence. Each case is written once
per module; the ``check`` runs go a few at a time, in parallel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from streamconsole.backends.base import ConfigError
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.model import Config
from tests.cli.conftest import run_cli
from tests.hostile.support import (
    FIXTURE_KEYS,
    completed,
    in_parallel,
    unblock_fifos,
    unsafe_bytes_in,
)

CONFIG = "config.toml"
UNSET_ENV = "STREAMCONSOLE_HOSTILE_UNSET"  # run_cli drops every STREAMCONSOLE_* variable
LOAD_TIMEOUT = 20.0
APP = '[applications.A]\nkind = "generic"\n'


@cache
def ten_megabytes() -> str:
    return "x" * (10 * 1024 * 1024)


def nested(opening: str, closing: str, inner: str = "", depth: int = 10_000) -> str:
    return opening * depth + inner + closing * depth


# --- key-file set-ups ------------------------------------------------------------------------


def hs256_file(name: str, mode: int = 0o600) -> Callable[[Path], None]:
    def setup(directory: Path) -> None:
        target = directory / name
        shutil.copy(FIXTURE_KEYS / "hs256.secret", target)
        target.chmod(mode)

    return setup


def symlinked_secret(directory: Path) -> None:
    hs256_file("real.secret")(directory)
    (directory / "app.secret").symlink_to(directory / "real.secret")


def directory_secret(directory: Path) -> None:
    (directory / "app.secret").mkdir()


def fifo_secret(directory: Path) -> None:
    os.mkfifo(directory / "app.secret", 0o600)


def binary_secret(directory: Path) -> None:
    (directory / "app.secret").write_bytes(b"\xff\xfe" + os.urandom(40))


def sparse_ten_megabyte_secret(directory: Path) -> None:
    with (directory / "app.secret").open("wb") as handle:
        handle.truncate(10 * 1024 * 1024)


def secret_outside(directory: Path) -> None:
    """A secret beside the config's directory, not in it: ``../outside/app.secret``."""
    outside = directory.parent / "outside"
    outside.mkdir()
    hs256_file("app.secret")(outside)


def keys_linked_elsewhere(directory: Path) -> None:
    """``keys/`` is a link to a directory the config does not hold."""
    (directory / "real-keys").mkdir()
    hs256_file("app.secret")(directory / "real-keys")
    (directory / "keys").symlink_to(directory / "real-keys")


def keys_writable_by_others(directory: Path) -> None:
    (directory / "keys").mkdir()
    hs256_file("app.secret")(directory / "keys")
    (directory / "keys").chmod(0o777)


def empty_keys_linked_elsewhere(directory: Path) -> None:
    """No key file in ``keys/`` yet, but rotations would write theirs into the link's target."""
    hs256_file("app.secret")(directory)
    (directory / "real-keys").mkdir()
    (directory / "keys").symlink_to(directory / "real-keys")


KEY_FILE_APP = APP + 'key = { algorithm = "HS256", key_file = "app.secret" }\n'
KEYS_DIR_APP = APP + 'key = { algorithm = "HS256", key_file = "keys/app.secret" }\n'
INLINE_KEY = 'key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"'


@dataclass(frozen=True)
class Case:
    """A config and the problem it must produce: ``{file}:{line}: {path}: {level}: ...``."""

    id: str
    text: str | bytes | Callable[[], str]
    line: int | None
    path: str
    message: str
    setup: Callable[[Path], None] | None = None
    warning: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        text = self.text() if callable(self.text) else self.text
        return text if isinstance(text, bytes) else text.encode("utf-8")

    def expected_prefix(self, file: Path) -> str:
        place = str(file) + (f":{self.line}" if self.line is not None else "")
        place += f": {self.path}" if self.path else ""
        return f"{place}: {'warning' if self.warning else 'error'}: "


ERRORS = [
    # structure and encoding
    Case("nested-arrays-10k", "x = " + nested("[", "]"), None, "", "nested too deeply"),
    Case("nested-inline-tables-10k", "x = " + nested("{a=", "}", "1"), None, "", "nested too"),
    Case(
        "nested-arrays-in-a-label",
        APP + "label = " + nested("[", "]"),
        None,
        "",
        "nested too deeply to be a config",
    ),
    Case(
        "string-10mb-as-kind",
        lambda: f'[applications.A]\nkind = "{ten_megabytes()}"\n',
        2,
        "applications.A.kind",
        "more characters) is not one of antmedia, theolive, generic",
    ),
    Case(
        "invalid-utf8-in-a-value",
        APP.encode() + b'label = "caf\xe9"\n',
        3,
        "",
        "not UTF-8 text (byte",
    ),
    Case("invalid-utf8-in-a-comment", b"# \xc3\x28\n" + APP.encode(), 1, "", "not UTF-8 text"),
    Case(
        "duplicate-key",
        APP + 'kind = "antmedia"\n',
        3,
        "",
        "Cannot overwrite a value: a name is defined twice",
    ),
    Case(
        "duplicate-table",
        APP + APP,
        3,
        "",
        "Cannot declare ('applications', 'A') twice: a name is defined twice",
    ),
    Case(
        "duplicate-alias-inline-and-header",
        APP + "aliases = { cam = {} }\n[applications.A.aliases.cam]\n",
        4,
        "",
        "a name is defined twice",
    ),
    Case("nul-in-a-string", '[applications.A]\nkind = "gen\x00eric"\n', 2, "", "Illegal character"),
    Case("nul-on-its-own-line", APP + "\x00\n", 3, "", "invalid TOML"),
    Case(
        "bom-then-error-line-2",
        "\ufeff" + APP.replace("generic", "genric"),
        2,
        "applications.A.kind",
        "did you mean 'generic'?",
    ),
    # environment
    Case(
        "missing-env-var",
        APP + f'key = {{ algorithm = "HS256", key_env = "{UNSET_ENV}" }}\n',
        3,
        "applications.A.key.key_env",
        f"environment variable {UNSET_ENV} is not set",
    ),
    # wrong types everywhere
    Case(
        "publish-string",
        APP + 'publish = "yes"\n',
        3,
        "applications.A.publish",
        "expected a boolean, got a string",
    ),
    Case(
        "play-integer",
        APP + "play = 1\n",
        3,
        "applications.A.play",
        "expected a boolean, got an integer",
    ),
    Case(
        "label-integer",
        APP + "label = 5\n",
        3,
        "applications.A.label",
        "expected a string, got an integer",
    ),
    Case(
        "applications-array",
        "applications = [1, 2]\n",
        1,
        "applications",
        "expected a table, got an array",
    ),
    Case(
        "application-string",
        'applications.A = "x"\n',
        1,
        "applications.A",
        "expected a table, got a string",
    ),
    Case(
        "aliases-array",
        APP + "aliases = [1]\n",
        3,
        "applications.A.aliases",
        "expected a table, got an array",
    ),
    Case(
        "alias-integer",
        APP + "aliases = { cam = 1 }\n",
        3,
        "applications.A.aliases.cam",
        "expected a table (e.g. cam = {}), got an integer",
    ),
    Case(
        "key-string",
        APP + 'key = "abc"\n',
        3,
        "applications.A.key",
        "expected a table, got a string",
    ),
    Case(
        "algorithm-integer",
        APP + 'key = { algorithm = 256, key_env = "X" }\n',
        3,
        "applications.A.key.algorithm",
        "expected a string, got an integer",
    ),
    Case("console-array", "console = []\n", 1, "console", "expected a table, got an array"),
    Case(
        "token-ttl-boolean",
        "[console]\ntoken_ttl = true\n",
        2,
        "console.token_ttl",
        "expected a duration such as '10m', got True",
    ),
    Case(
        "read-only-string",
        '[console]\nread_only = "no"\n',
        2,
        "console.read_only",
        "expected a boolean, got a string",
    ),
    Case(
        "server-url-integer",
        '[servers.s]\nkind = "antmedia"\nurl = 5\ncredentials_env = "X"\n',
        3,
        "servers.s.url",
        "expected a string, got an integer",
    ),
    Case(
        "one-time-token-string",
        '[applications.A]\nkind = "antmedia"\none_time_token = "play"\n',
        3,
        "applications.A.one_time_token",
        "expected an array, got a string",
    ),
    Case(
        "one-time-token-table-inside",
        '[applications.A]\nkind = "antmedia"\none_time_token = [1, { a = 1 }]\n',
        3,
        "applications.A.one_time_token",
        "expected 'publish' and/or 'play', got [1, {'a': 1}]",
    ),
    # unknown keys, with the nearest valid name
    Case(
        "unknown-key-plya",
        APP + "plya = true\n",
        3,
        "applications.A.plya",
        "unknown key 'plya'; did you mean 'play'?",
    ),
    Case(
        "unknown-section-consol", '[consol]\ntheme = "x"\n', 1, "consol", "did you mean 'console'?"
    ),
    Case(
        "unknown-key-field-keyfile",
        APP + 'key = { algorithm = "HS256", keyfile = "k" }\n',
        3,
        "applications.A.key.keyfile",
        "did you mean 'key_file'?",
    ),
    Case(
        "unknown-server-field",
        '[servers.s]\nkind = "antmedia"\nurl = "https://h"\ncredential_env = "X"\n',
        4,
        "servers.s.credential_env",
        "did you mean 'credentials_env'?",
    ),
    Case(
        "kind-typo",
        '[applications.A]\nkind = "antmdia"\n',
        2,
        "applications.A.kind",
        "did you mean 'antmedia'?",
    ),
    # huge numbers
    Case(
        "token-ttl-huge-integer",
        "[console]\ntoken_ttl = 99999999999999999999999999\n",
        2,
        "console.token_ttl",
        "is out of range: between 1s and 366d",
    ),
    Case(
        "publish-huge-integer",
        APP + "publish = 99999999999999999999999999\n",
        3,
        "applications.A.publish",
        "expected a boolean, got an integer",
    ),
    Case(
        "play-infinite-float",
        APP + "play = 1e999\n",
        3,
        "applications.A.play",
        "expected a boolean, got a float",
    ),
    Case(
        "created-huge-integer",
        APP + INLINE_KEY + ", created = 99999999999999999999 }\n",
        3,
        "applications.A.key.created",
        "expected a date-time",
    ),
    # dates where strings belong, strings where dates belong
    Case(
        "theme-date",
        "[console]\ntheme = 2026-01-01\n",
        2,
        "console.theme",
        "expected a string, got a date",
    ),
    Case(
        "label-date-time",
        APP + "label = 2026-01-01T00:00:00Z\n",
        3,
        "applications.A.label",
        "expected a string, got a date-time",
    ),
    Case(
        "label-time",
        APP + "label = 10:00:00\n",
        3,
        "applications.A.label",
        "expected a string, got a time",
    ),
    Case(
        "kind-date",
        "[applications.A]\nkind = 1979-05-27\n",
        2,
        "applications.A.kind",
        "expected a string, got a date",
    ),
    Case(
        "created-string",
        APP + INLINE_KEY + ', created = "yesterday" }\n',
        3,
        "applications.A.key.created",
        "expected a date-time such as",
    ),
    # key files
    Case("key-file-missing", KEY_FILE_APP, 3, "applications.A.key.key_file", "does not exist"),
    Case(
        "key-file-is-a-directory",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "is a directory",
        setup=directory_secret,
    ),
    Case(
        "key-file-is-a-fifo",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "is not a regular file",
        setup=fifo_secret,
    ),
    Case(
        "key-file-not-utf8",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "is not UTF-8 text",
        setup=binary_secret,
    ),
    Case(
        "key-file-10mb-sparse",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "is 10,485,760 bytes: too large for a key",
        setup=sparse_ten_megabyte_secret,
    ),
    # names and values that would drive a terminal
    Case(
        "escape-sequence-in-key-file-name",
        APP + 'key = { algorithm = "HS256", key_file = "\\u001b]0;owned\\u0007.secret" }\n',
        3,
        "applications.A.key.key_file",
        "\\x1b]0;owned\\x07.secret",
    ),
    Case(
        "bidi-override-in-application-name",
        '[applications."live\u202eppa"]\nkind = "antmdia"\n',
        2,
        "applications.live\\u202eppa.kind",
        "did you mean 'antmedia'?",
    ),
    # A quoted key with an escape defeats the line scanner (it falls back to no line); the
    # path must still be shown inert.
    Case(
        "escape-sequence-in-unknown-key",
        APP + '"\\u001b[2J" = 1\n',
        None,
        "applications.A.\\x1b[2J",
        "unknown key '\\x1b[2J'",
    ),
    # names a server would get in a URL path: one segment each, or refused by name
    Case(
        "application-named-dot-dot",
        '[applications.".."]\nkind = "antmedia"\n',
        1,
        "applications...",
        "the name '..' is '..', which a URL reads as a directory, not a name: no server can",
    ),
    Case(
        "application-named-dot",
        '[applications."."]\nkind = "theolive"\n',
        1,
        "applications..",
        "the name '.' is '.', which a URL reads as a directory",
    ),
    Case(
        "application-named-empty",
        '[applications.""]\nkind = "antmedia"\n',
        1,
        "applications.",
        "the name '' is empty: no server can be asked for it",
    ),
    Case(
        "alias-named-dot-dot",
        '[applications.news]\nkind = "theolive"\n[applications.news.aliases]\n".." = {}\n',
        4,
        "applications.news.aliases...",
        "the name '..' is '..'",
    ),
    Case(
        "alias-with-a-carriage-return",
        '[applications.news]\nkind = "theolive"\n[applications.news.aliases]\n"a\\rb" = {}\n',
        None,
        "applications.news.aliases.a\\rb",
        "the name 'a\\rb' holds a control character",
    ),
    Case(
        "application-with-an-escape-sequence",
        '[applications."live\\u001b]52;c;eA==\\u0007"]\nkind = "antmedia"\n',
        None,
        "applications.live\\x1b]52;c;eA==\\x07",
        "holds a control character",
    ),
    # server profiles: the proxy it names, the listing cap
    Case(
        "proxy-not-a-url",
        '[servers.s]\nkind = "antmedia"\nurl = "https://h"\ncredentials_env = "X"\n'
        'proxy = "socks5://127.0.0.1:1080"\n',
        5,
        "servers.s.proxy",
        "'socks5://127.0.0.1:1080' is not an http(s) proxy URL",
    ),
    Case(
        "max-items-zero",
        '[servers.s]\nkind = "theolive"\nurl = "https://h"\ncredentials_env = "X"\nmax_items = 0\n',
        5,
        "servers.s.max_items",
        "expected at least 1, got 0",
    ),
    Case(
        "concurrency-zero",
        '[servers.s]\nkind = "antmedia"\nurl = "https://h"\ncredentials_env = "X"\n'
        "concurrency = 0\n",
        5,
        "servers.s.concurrency",
        "expected at least 1, got 0",
    ),
    Case(
        "concurrency-past-the-most",
        '[servers.s]\nkind = "antmedia"\nurl = "https://h"\ncredentials_env = "X"\n'
        "concurrency = 100000\n",
        5,
        "servers.s.concurrency",
        "expected at most 256, got 100000",
    ),
    Case(
        "allow-insecure-http-a-string",
        '[servers.s]\nkind = "theolive"\nurl = "http://h"\ncredentials_env = "X"\n'
        'allow_insecure_http = "yes"\n',
        5,
        "servers.s.allow_insecure_http",
        "expected a boolean, got a string",
    ),
]

WARNINGS = [
    Case(
        "key-file-symlink",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "key file 'app.secret' is a symbolic link to ",  # then the target, checked below
        setup=symlinked_secret,
        warning=True,
    ),
    Case(
        "key-file-world-readable",
        KEY_FILE_APP,
        3,
        "applications.A.key.key_file",
        "is readable by other users (mode 0644); run: chmod 600 app.secret",
        setup=hs256_file("app.secret", 0o644),
        warning=True,
    ),
    # places from which a config could take what is not its own
    Case(
        "key-file-outside-the-config-directory",
        APP + 'key = { algorithm = "HS256", key_file = "../outside/app.secret" }\n',
        3,
        "applications.A.key.key_file",
        "is outside the config's directory",
        setup=secret_outside,
        warning=True,
    ),
    Case(
        "keys-directory-a-symlink",
        KEYS_DIR_APP,
        None,
        "",
        "the directory 'keys' of key files is a symbolic link to ",
        setup=keys_linked_elsewhere,
        warning=True,
    ),
    Case(
        "keys-directory-writable-by-others",
        KEYS_DIR_APP,
        None,
        "",
        "the directory 'keys' of key files is writable by other users (mode 0777)",
        setup=keys_writable_by_others,
        warning=True,
    ),
    Case(
        "keys-directory-a-symlink-before-any-key",
        KEY_FILE_APP,
        None,
        "",
        "the directory 'keys' of key files is a symbolic link to ",
        setup=empty_keys_linked_elsewhere,
        warning=True,
    ),
    Case(
        "key-variable-of-another-program",
        APP + 'key = { algorithm = "HS256", key_env = "AWS_SECRET_ACCESS_KEY" }\n',
        3,
        "applications.A.key.key_env",
        "key_env 'AWS_SECRET_ACCESS_KEY' is not a streamconsole variable",
        environ={"AWS_SECRET_ACCESS_KEY": (FIXTURE_KEYS / "hs256.secret").read_text().strip()},
        warning=True,
    ),
    # plain http to a host that is not a literal loopback address (once a prefix match)
    Case(
        "plain-http-to-a-lookalike-of-localhost",
        KEY_FILE_APP + '[servers.s]\nkind = "antmedia"\nurl = "http://localhost.attacker.example"\n'
        'credentials_env = "X"\n',
        6,
        "servers.s.url",
        "plain http to localhost.attacker.example, which is not this machine",
        setup=hs256_file("app.secret"),
        warning=True,
    ),
    Case(
        "plain-http-with-loopback-as-user-info",
        KEY_FILE_APP + '[servers.s]\nkind = "theolive"\nurl = "http://127.0.0.1@10.0.0.5"\n'
        'credentials_env = "X"\n',
        6,
        "servers.s.url",
        "plain http to 10.0.0.5, which is not this machine",
        setup=hs256_file("app.secret"),
        warning=True,
    ),
]


@dataclass(frozen=True)
class Accepted:
    id: str
    text: bytes
    check: Callable[[Config], bool]


ACCEPTED = [
    Accepted("utf8-bom", b"\xef\xbb\xbf" + APP.encode(), lambda c: "A" in c.applications),
    Accepted(
        "crlf-line-ends",
        APP.replace("\n", "\r\n").encode() + b'label = "CR LF"\r\n',
        lambda c: c.applications["A"].label == "CR LF",
    ),
    Accepted("empty-file", b"", lambda c: not c.applications and not c.servers),
    Accepted("only-comments", b"# nothing here\n\n   # at all\n", lambda c: not c.applications),
    Accepted(
        "names-that-travel-percent-encoded",
        b'[applications."b#frag"]\nkind = "antmedia"\n[applications."Decoy/../Other App"]\n'
        b'kind = "theolive"\naliases = { "..." = {}, "a?b" = {} }\n',
        lambda c: list(c.applications["Decoy/../Other App"].aliases) == ["...", "a?b"],
    ),
    Accepted(
        "server-profile-with-proxy-cap-and-loopback-http",
        b'[servers.s]\nkind = "theolive"\nurl = "https://h"\ncredentials_env = "X"\n'
        b'proxy = "http://proxy.example:3128"\nmax_items = 100\nconcurrency = 4\n'
        b'[servers.t]\nkind = "antmedia"\nurl = "http://127.0.0.2:5080"\ncredentials_env = "X"\n'
        b'[servers.u]\nkind = "antmedia"\nurl = "http://[::1]:5080"\ncredentials_env = "X"\n',
        lambda c: (
            (
                c.servers["s"].proxy,
                c.servers["s"].max_items,
                c.servers["t"].max_items,
                c.servers["s"].concurrency,
                c.servers["t"].concurrency,
            )
            == ("http://proxy.example:3128", 100, 20_000, 4, 64)
        ),
    ),
]

ALL_BAD = ERRORS + WARNINGS


@pytest.fixture(scope="module")
def case_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case in its own directory (key files sit next to their config)."""
    root = tmp_path_factory.mktemp("toml-cases")
    files: dict[str, Path] = {}
    for case in ALL_BAD:
        directory = root / case.id
        directory.mkdir()
        (directory / CONFIG).write_bytes(case.content())
        if case.setup is not None:
            case.setup(directory)
        files[case.id] = directory / CONFIG
    for accepted in ACCEPTED:
        directory = root / accepted.id
        directory.mkdir()
        (directory / CONFIG).write_bytes(accepted.text)
        files[accepted.id] = directory / CONFIG
    return files


@pytest.fixture(scope="module")
def checked(case_files: dict[str, Path], request: pytest.FixtureRequest) -> dict[str, object]:
    """``streamconsole check`` on every selected case, four at a time."""
    selected = {
        param.id
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.module is request.module
        and item.name.startswith("test_check")
        for param in item.callspec.params.values()
    }
    environments = {case.id: case.environ for case in ALL_BAD}

    def check(name: str) -> subprocess.CompletedProcess[str]:
        path = case_files[name]
        return run_cli("check", str(path), cwd=path.parent, env=environments.get(name))

    return in_parallel(
        {name: (lambda name=name: check(name)) for name in case_files if name in selected}
    )


def load_within_timeout(path: Path) -> tuple[Config | None, BaseException | None]:
    """``load_sync`` on a daemon thread: a hang fails the test instead of the whole run."""
    outcome: list[Config | BaseException] = []

    def load() -> None:
        try:
            outcome.append(TomlSource(path, read_only=True, environ={}).load_sync())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(LOAD_TIMEOUT)
    if thread.is_alive():
        unblock_fifos(path.parent)
        thread.join(LOAD_TIMEOUT)
        pytest.fail(f"loading {path} hung")
    result = outcome[0]
    return (None, result) if isinstance(result, BaseException) else (result, None)


def assert_named(lines: list[str], case: Case, file: Path) -> str:
    """The one line that names the case's place and message."""
    prefix = case.expected_prefix(file)
    matching = [line for line in lines if line.startswith(prefix) and case.message in line]
    assert matching, f"no line starts with {prefix!r} and holds {case.message!r}:\n" + "\n".join(
        line[:300] for line in lines
    )
    return matching[0]


# --- through the API ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.id)
def test_load_sync_raises_config_error_naming_the_place(
    case: Case, case_files: dict[str, Path]
) -> None:
    path = case_files[case.id]
    config, error = load_within_timeout(path)
    assert config is None, "a bad config loaded"
    assert isinstance(error, ConfigError), repr(error)
    lines = [str(problem) for problem in error.problems]
    assert_named(lines, case, path)
    text = str(error)
    assert not unsafe_bytes_in(text.encode("utf-8", "surrogatepass"))
    assert len(text) < 4096 * 2, "a problem quotes a huge value whole"


@pytest.mark.parametrize("case", WARNINGS, ids=lambda c: c.id)
def test_load_sync_warns_naming_the_place(case: Case, case_files: dict[str, Path]) -> None:
    path = case_files[case.id]
    source = TomlSource(path, read_only=True, environ=case.environ)
    config = source.load_sync()
    assert config.applications["A"].settings.key is not None
    line = assert_named([str(w) for w in source.warnings], case, path)
    if case.id == "key-file-symlink":
        assert line.endswith(str((path.parent / "real.secret").resolve()))


@pytest.mark.parametrize("accepted", ACCEPTED, ids=lambda a: a.id)
def test_load_sync_accepts(accepted: Accepted, case_files: dict[str, Path]) -> None:
    source = TomlSource(case_files[accepted.id], read_only=True, environ={})
    assert accepted.check(source.load_sync())
    assert source.warnings == ()


# --- through `streamconsole check` ----------------------------------------------------------


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    assert not unsafe_bytes_in((result.stdout + result.stderr).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.id)
def test_check_exits_2_naming_the_place(
    case: Case, case_files: dict[str, Path], checked: dict[str, object]
) -> None:
    result = completed(checked[case.id])
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert_named(lines, case, case_files[case.id])
    assert lines[-1].endswith(("error", "errors"))
    assert len(result.stderr) < 4096 * 4


@pytest.mark.parametrize("case", WARNINGS, ids=lambda c: c.id)
def test_check_warns_and_exits_0(
    case: Case, case_files: dict[str, Path], checked: dict[str, object]
) -> None:
    result = completed(checked[case.id])
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert_named(result.stderr.splitlines(), case, case_files[case.id])
    assert result.stdout.rstrip().endswith(", 1 warning")


@pytest.mark.parametrize("accepted", ACCEPTED, ids=lambda a: a.id)
def test_check_accepts(accepted: Accepted, checked: dict[str, object]) -> None:
    result = completed(checked[accepted.id])
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert ": ok: " in result.stdout
