"""Faults: a kill during a key rotation, a full disk, a read-only place, concurrent edits on
disk and on the server, and the network dropping during a session.

What must hold each time: the config on disk is the old one or the new one, it references
only key files that exist and are whole, the error is typed and names what failed, and the
other party's change survives a conflict.
"""

from __future__ import annotations

import errno
import os
import random
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import ConflictError, RemoteError, SourceError
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import Change, set_enforcement, set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Config, Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from tests.cli.conftest import ENTRY, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hostile.support import FIXTURE_KEYS

FAST = HttpSettings(timeout=1.0, connect_timeout=0.5, retries=1, backoff=0.01)
APP = ScopeRef("App")


def write_config(directory: Path, aliases: int = 50) -> Path:
    """A generic application with a key file and ``aliases`` aliases."""
    (directory / "keys").mkdir(mode=0o700)
    key = directory / "keys" / "initial.secret"
    key.write_bytes((FIXTURE_KEYS / "hs256.secret").read_bytes())
    key.chmod(0o600)
    lines = [
        "# a comment that must survive\n",
        "[applications.App]\n",
        'kind = "generic"\n',
        "publish = true\n",
        "play = false\n",
        'key = { algorithm = "HS256", key_file = "keys/initial.secret" }\n',
        "\n[applications.App.aliases]\n",
        *(f'"stream-{i:05}" = {{ label = "camera {i}" }}\n' for i in range(aliases)),
    ]
    config = directory / "config.toml"
    config.write_text("".join(lines))
    return config


def files_in(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


def assert_whole_keys(config_file: Path) -> Config:
    """The config loads, its key file exists, and every key file on disk is whole and 0600
    (a kill between writing a key and the config may leave an unreferenced one)."""
    config = TomlSource(config_file, read_only=True).load_sync()
    entry = config.applications["App"].settings.key
    assert entry is not None and (config_file.parent / entry.location).is_file()
    for path in (config_file.parent / "keys").iterdir():
        if path.name.startswith("."):
            assert path.name.endswith(".tmp"), path  # an atomic write's temp, never renamed
            continue
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        shared_key(Algorithm.HS256, path.read_text().removesuffix("\n"))
    return config


# --- killed during key rotations ------------------------------------------------------------------

ROTATOR = """
import itertools, sys
from datetime import UTC, datetime
from pathlib import Path
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import ScopeRef

seconds = itertools.count(int(sys.argv[2]))  # a second per rotation: distinct key file names
source = TomlSource(Path(sys.argv[1]), clock=lambda: float(next(seconds)))
config = source.load_sync()
for rotation in itertools.count():
    key = generate_key(Algorithm.HS256)
    source.apply_sync([set_key(config, ScopeRef("App"), key, datetime.now(UTC))])
    if rotation == 0:
        print("rotated", flush=True)
"""


def test_sigkill_during_key_rotations_leaves_a_config_with_whole_keys(tmp_path: Path) -> None:
    config_file = write_config(tmp_path, aliases=2_000)
    rng = random.Random(11)
    locations = set()
    for run in range(4):
        clock_start = str(1_800_000_000 + run * 1_000_000)
        child = subprocess.Popen(
            [sys.executable, "-c", ROTATOR, str(config_file), clock_start],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "rotated"  # then kill one of the next
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        config = assert_whole_keys(config_file)
        entry = config.applications["App"].settings.key
        assert entry is not None
        assert entry.location != "keys/initial.secret"
        assert "# a comment that must survive" in config_file.read_text()
        locations.add(entry.location)
    assert len(locations) == 4  # each child saved at least once over the last one's key


# --- a full disk ----------------------------------------------------------------------------------


@contextmanager
def failing(
    monkeypatch: pytest.MonkeyPatch, name: str, code: int, when: Callable[[str], bool]
) -> Iterator[list[str]]:
    """``os.<name>`` raises OSError(``code``) when ``when(path)`` holds for the path (or the
    file behind the descriptor) it is given; the paths it refused are listed."""
    real = getattr(os, name)
    refused: list[str] = []

    def fake(target: object, *args: object, **kwargs: object) -> object:
        path = os.readlink(f"/proc/self/fd/{target}") if isinstance(target, int) else str(target)
        # os.replace(source, destination): the destination is the file being replaced.
        paths = [path, *(str(a) for a in args if isinstance(a, str | Path))]
        if any(when(p) for p in paths):
            refused.append(paths[-1])
            raise OSError(code, os.strerror(code), paths[-1])
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, name, fake)
    yield refused
    monkeypatch.setattr(os, name, real)


def is_config_temp(path: str) -> bool:
    return Path(path).name.startswith(".config.toml.")


def is_key_temp(path: str) -> bool:
    return Path(path).parent.name == "keys" and Path(path).name.startswith(".")


def toggle_play(source: TomlSource, config: Config) -> None:
    source.apply_sync([set_enforcement(config, APP, Direction.PLAY, True)])


def rotate(source: TomlSource, config: Config) -> None:
    source.apply_sync([set_key(config, APP, generate_key(Algorithm.HS256), datetime.now(UTC))])


DISK_FULL = [
    pytest.param("fsync", is_config_temp, toggle_play, "could not be saved", id="config-write"),
    pytest.param("fsync", is_key_temp, rotate, "the new key could not be written", id="key-write"),
    pytest.param("replace", lambda p: p.endswith("config.toml"), rotate, "could not be saved",
                 id="config-rename-after-the-key-was-written"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "when", "edit", "message"), DISK_FULL)
def test_disk_full_keeps_the_original_and_says_so(
    call: str,
    when: Callable[[str], bool],
    edit: Callable[[TomlSource, Config], None],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config_file = write_config(tmp_path)
    original, before = config_file.read_bytes(), files_in(tmp_path)
    source = TomlSource(config_file)
    config = source.load_sync()
    with (
        failing(monkeypatch, call, errno.ENOSPC, when) as refused,
        pytest.raises(SourceError) as caught,
    ):
        edit(source, config)
    assert refused, "the disk never filled up"
    assert message in str(caught.value)
    assert "No space left on device" in str(caught.value)
    assert config_file.read_bytes() == original
    assert files_in(tmp_path) == before  # no temp file, no key file nothing refers to
    # Space is back: the same source saves (its view of the file is still right).
    edit(source, source.load_sync())
    assert config_file.read_bytes() != original
    assert_whole_keys(config_file)


def run_with_file_size_limit(
    limit: int, *args: str, cwd: Path, state: Path
) -> subprocess.CompletedProcess[str]:
    """The installed program with RLIMIT_FSIZE: writing past ``limit`` bytes fails (EFBIG),
    as a full disk would fail it, without root or a small filesystem."""

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("STREAMCONSOLE_")}
    environment["XDG_STATE_HOME"] = str(state)  # a fresh audit log, under the limit
    return subprocess.run(
        [str(ENTRY), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
        check=False,
        preexec_fn=limit_file_size,
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["toggle", "App", "--play", "on"], id="toggle"),
        pytest.param(["rotate", "App", "--generate", "HS256"], id="rotate"),
    ],
)
def test_file_size_limit_fails_the_save_cleanly(command: list[str], tmp_path: Path) -> None:
    config_file = write_config(tmp_path, aliases=300)
    assert config_file.stat().st_size > 8192
    original, before = config_file.read_bytes(), files_in(tmp_path)
    result = run_with_file_size_limit(
        4096, *command, "-c", str(config_file), cwd=tmp_path, state=tmp_path.parent / "state"
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert "could not be saved (File too large); the file on disk is unchanged" in result.stderr
    assert config_file.read_bytes() == original
    assert files_in(tmp_path) == before


# --- a read-only place ----------------------------------------------------------------------------


@contextmanager
def read_only_directory(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """New files cannot be created in ``directory``. Root ignores directory permissions, so
    as root the creating open(2) fails with EROFS, as on a read-only mount; the message the
    save should show is yielded."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            directory.chmod(0o755)
        return

    def creates_here(path: str) -> bool:
        return Path(path).parent == directory

    real_open = os.open

    def fake_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT and creates_here(str(path)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    try:
        yield "Read-only file system"
    finally:
        monkeypatch.setattr(os, "open", real_open)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(toggle_play, "could not be saved", id="toggle"),
        pytest.param(rotate, "the new key could not be written", id="rotate"),
    ],
)
def test_read_only_directory_refuses_the_save_cleanly(
    edit: Callable[[TomlSource, Config], None],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config_file = write_config(tmp_path)
    original, before = config_file.read_bytes(), files_in(tmp_path)
    source = TomlSource(config_file)
    config = source.load_sync()
    where = tmp_path / "keys" if edit is rotate else tmp_path
    with read_only_directory(where, monkeypatch) as reason, pytest.raises(SourceError) as caught:
        edit(source, config)
    assert message in str(caught.value)
    assert reason in str(caught.value)
    assert config_file.read_bytes() == original
    assert files_in(tmp_path) == before


def test_rename_refused_read_only_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = write_config(tmp_path)
    original, before = config_file.read_bytes(), files_in(tmp_path)
    source = TomlSource(config_file)
    config = source.load_sync()
    with (
        failing(monkeypatch, "replace", errno.EROFS, lambda p: p.endswith("config.toml")),
        pytest.raises(SourceError, match=r"could not be saved \(Read-only file system\)"),
    ):
        toggle_play(source, config)
    assert config_file.read_bytes() == original
    assert files_in(tmp_path) == before


def test_keys_path_that_is_a_file_refuses_a_rotation(tmp_path: Path) -> None:
    """Works as root too: nothing can make a directory where a file is."""
    config_file = write_config(tmp_path)
    (tmp_path / "keys" / "initial.secret").rename(tmp_path / "initial.secret")
    (tmp_path / "keys").rmdir()
    (tmp_path / "keys").write_text("not a directory\n")
    text = config_file.read_text().replace("keys/initial.secret", "initial.secret")
    config_file.write_text(text)
    before = files_in(tmp_path)
    source = TomlSource(config_file)
    with pytest.raises(SourceError, match=r"the new key could not be written to .*keys"):
        rotate(source, source.load_sync())
    assert config_file.read_text() == text
    assert files_in(tmp_path) == before


def test_config_replaced_by_a_directory_before_the_save(tmp_path: Path) -> None:
    config_file = write_config(tmp_path)
    source = TomlSource(config_file)
    config = source.load_sync()
    config_file.rename(tmp_path / "moved.toml")
    config_file.mkdir()
    with pytest.raises(ConflictError, match="cannot be read back before saving"):
        toggle_play(source, config)
    assert config_file.is_dir() and not any(config_file.iterdir())


# --- concurrent edits -----------------------------------------------------------------------------


def test_concurrent_edit_on_disk_is_not_lost(tmp_path: Path) -> None:
    config_file = write_config(tmp_path)
    ours = TomlSource(config_file)
    config = ours.load_sync()
    # Another operator switches publish off from the command line while we edit.
    theirs = run_cli("toggle", "App", "--publish", "off", "-c", str(config_file), cwd=tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    with pytest.raises(ConflictError, match="changed on disk since it was loaded"):
        toggle_play(ours, config)
    assert "publish = false" in config_file.read_text()
    assert "play = false" in config_file.read_text()
    # Reloaded, our edit goes on top of theirs.
    toggle_play(ours, ours.load_sync())
    settings = TomlSource(config_file).load_sync().applications["App"].settings
    assert (settings.publish, settings.play) == (False, True)


def ams_session(emulator: AntMediaEmulator) -> AntMediaSource:
    profile = ServerProfile("fault-ams", ServerKind.ANTMEDIA, emulator.base_url, auth="password")
    credentials = Secret(f"{emulator.admin_email}:{emulator.admin_password}")
    return AntMediaSource(profile, credentials, settings=FAST)


async def test_concurrent_edits_of_different_fields_on_ant_media_both_land(
    antmedia: AntMediaEmulator,
) -> None:
    first, second = ams_session(antmedia), ams_session(antmedia)
    first_config, second_config = await first.load(), await second.load()
    live = ScopeRef("LiveApp")
    await first.apply([set_enforcement(first_config, live, Direction.PLAY, True)])
    # Not a field the second session changes: merged onto the server's object, not refused.
    await second.apply([set_enforcement(second_config, live, Direction.PUBLISH, False)])
    settings = antmedia.state.settings("LiveApp")
    assert (settings["playJwtControlEnabled"], settings["publishJwtControlEnabled"]) == (
        True,
        False,
    )
    await first.aclose()
    await second.aclose()


async def test_concurrent_rotations_on_ant_media_keep_the_first(
    antmedia: AntMediaEmulator,
) -> None:
    first, second = ams_session(antmedia), ams_session(antmedia)
    first_config, second_config = await first.load(), await second.load()
    live = ScopeRef("LiveApp")
    first_key, second_key = (generate_key(Algorithm.HS256, min_chars=32) for _ in range(2))
    await first.apply([set_key(first_config, live, first_key, datetime.now(UTC))])
    kept = antmedia.state.settings("LiveApp")["jwtStreamSecretKey"]
    rotate = set_key(second_config, live, second_key, datetime.now(UTC))
    with pytest.raises(ConflictError, match=r"jwtStreamSecretKey: changed \(value hidden\)"):
        await second.apply([rotate])
    assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == kept
    # The refused session now knows the server's state: asked again, it replaces the key.
    await second.apply([rotate])
    assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] != kept
    await first.aclose()
    await second.aclose()


def theo_session(emulator: TheoLiveEmulator, records: Path) -> TheoLiveSource:
    profile = ServerProfile(
        "fault-theo", ServerKind.THEOLIVE, emulator.base_url, api_version="v2", auth="basic"
    )
    credentials = Secret(f"{emulator.api_key}:{emulator.api_secret}")
    return TheoLiveSource(profile, credentials, settings=FAST, key_records=KeyRecords(records))


async def test_concurrent_key_uploads_on_theolive_keep_the_first(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    morning = ScopeRef("news-channel", "morning")
    sessions = [theo_session(theolive, tmp_path / f"records-{i}.json") for i in (1, 2)]
    configs = []
    for session in sessions:
        config = await session.load()
        await session.load_aliases(config.applications["news-channel"])
        configs.append(config)

    def upload(config: Config) -> list[Change]:
        key = generate_key(Algorithm.HS256)
        return [
            set_enforcement(config, morning, Direction.PLAY, True),
            set_key(config, morning, key, datetime.now(UTC)),
        ]

    await sessions[0].apply(upload(configs[0]))
    first_keys = [k.id for k in theolive.state.aliases["morning"].keys]
    assert len(first_keys) == 1
    with pytest.raises(ConflictError, match="changed on the server since it was loaded"):
        await sessions[1].apply(upload(configs[1]))
    assert [k.id for k in theolive.state.aliases["morning"].keys] == first_keys
    for session in sessions:
        await session.aclose()


# --- the network drops during a session -----------------------------------------------------------


@pytest.fixture
def own_antmedia() -> Iterator[AntMediaEmulator]:
    """An emulator this test may stop and start again (the shared one must stay up)."""
    emulator = AntMediaEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


async def test_ant_media_going_away_mid_session_then_coming_back(
    own_antmedia: AntMediaEmulator,
) -> None:
    port = int(own_antmedia.base_url.rsplit(":", 1)[1])
    source = ams_session(own_antmedia)
    config = await source.load()
    before = own_antmedia.state.settings("LiveApp")
    own_antmedia.stop()
    with pytest.raises(RemoteError, match="cannot connect"):
        await source.load_aliases(config.applications["LiveApp"])
    change = set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)
    with pytest.raises(RemoteError, match="GET /rest/v2/applications/settings/LiveApp: cannot"):
        await source.apply([change])
    assert own_antmedia.state.settings("LiveApp") == before  # nothing was written
    own_antmedia.start(port=port)
    config = await source.load()  # a reload works once it is back
    await source.load_aliases(config.applications["LiveApp"])
    assert len(config.applications["LiveApp"].aliases) == 120
    await source.apply([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
    assert own_antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is True
    await source.aclose()


def test_cli_against_a_server_that_is_down_exits_3(
    own_antmedia: AntMediaEmulator, tmp_path: Path
) -> None:
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.lab]\nkind = "antmedia"\nurl = "{own_antmedia.base_url}"\n'
        'credentials_env = "STREAMCONSOLE_HOSTILE_LAB"\n'
    )
    credentials = f"{own_antmedia.admin_email}:{own_antmedia.admin_password}"
    env = {"STREAMCONSOLE_HOSTILE_LAB": credentials}
    up = run_cli("list", "--applications-only", "--server", "lab", "-c", str(config), env=env)
    assert up.returncode == 0, up.stderr
    own_antmedia.stop()
    down = run_cli("list", "--applications-only", "--server", "lab", "-c", str(config), env=env)
    assert "Traceback" not in down.stderr
    assert down.returncode == 3
    assert down.stderr.startswith("error: remote error: POST /rest/v2/users/authenticate: ")
    assert "cannot connect" in down.stderr
    assert own_antmedia.admin_password not in down.stderr
