"""Saves keep the file's style: inline tables an edit writes use the file's spacing, and a
switch turned back to what the alias inherits removes the alias's own setting.

Real files through the edit session, compared byte for byte after the save."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import SetEnforcement
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Direction, ScopeRef
from streamconsole.core.policy import PolicySource, effective_policy
from streamconsole.session import EditSession

KEYS = Path(__file__).resolve().parents[1] / "fixtures" / "keys"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
PLAY = Direction.PLAY
CAM = ScopeRef("api", "cam")
HALL = ScopeRef("api", "hall")

SPACED = """\
# the spaced style, as in TOML's examples
[applications.api]
kind = "generic"   # aliases may override
play = true
key = { algorithm = "HS256", key_file = "keys/hs256.secret" }

[applications.api.aliases]
cam = {}  # the lobby
hall = { label = "Main hall", play = false }
"""

COMPACT = """\
# the compact style
[applications.api]
kind="generic"
play=true
key={algorithm="HS256",key_file="keys/hs256.secret"}

[applications.api.aliases]
cam={}  # the lobby
hall={label="Main hall",play=false}
"""

# Commas followed by a space, no space inside the braces.
MIXED = COMPACT.replace('{algorithm="HS256",key_file', '{algorithm="HS256", key_file').replace(
    '"Main hall",play', '"Main hall", play'
)


def _clock() -> float:
    return NOW


WriteConfig = Callable[[str], Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    shutil.copytree(KEYS, tmp_path / "keys")
    for key_file in (tmp_path / "keys").iterdir():
        key_file.chmod(0o600)

    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


async def _session(path: Path) -> EditSession:
    source = TomlSource(path, clock=_clock)
    return EditSession(source, await source.load(), read_only=False)


@pytest.mark.parametrize(
    ("text", "cam"),
    [
        (SPACED, "cam = { play = false }  # the lobby"),
        (COMPACT, "cam={play=false}  # the lobby"),
        (MIXED, "cam={play=false}  # the lobby"),
    ],
    ids=["spaced", "compact", "mixed"],
)
async def test_an_empty_inline_table_takes_the_files_spacing(
    write_config: WriteConfig, text: str, cam: str
) -> None:
    path = write_config(text)
    session = await _session(path)
    session.set_enforcement(CAM, PLAY, False)
    assert await session.save() == 1
    expected = text.replace(text.splitlines()[7], cam)
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("text", "hall"),
    [
        (SPACED, 'hall = { label = "Main hall", play = false, publish = true }'),
        (COMPACT, 'hall={label="Main hall",play=false,publish=true}'),
        (MIXED, 'hall={label="Main hall", play=false, publish=true}'),
    ],
    ids=["spaced", "compact", "mixed"],
)
async def test_a_key_added_to_an_inline_table_keeps_its_spacing(
    write_config: WriteConfig, text: str, hall: str
) -> None:
    path = write_config(text)
    session = await _session(path)
    session.set_enforcement(HALL, Direction.PUBLISH, True)
    await session.save()
    assert path.read_text(encoding="utf-8") == text.replace(text.splitlines()[8], hall)


@pytest.mark.parametrize(
    ("text", "cam"),
    [
        (
            SPACED,
            'cam = { key = { algorithm = "HS256", key_file = "keys/api.cam.hs256.20270115T080000Z'
            '.secret", created = 2027-01-15T08:00:00Z } }  # the lobby',
        ),
        (
            COMPACT,
            'cam={key={algorithm="HS256",key_file="keys/api.cam.hs256.20270115T080000Z.secret",'
            "created=2027-01-15T08:00:00Z}}  # the lobby",
        ),
    ],
    ids=["spaced", "compact"],
)
async def test_a_rotated_key_is_written_in_the_files_spacing(
    write_config: WriteConfig, text: str, cam: str
) -> None:
    path = write_config(text)
    session = await _session(path)
    secret = (KEYS / "hs512.secret").read_text(encoding="utf-8").strip()[:40]
    session.set_key(CAM, shared_key(Algorithm.HS256, secret), datetime.fromtimestamp(NOW, UTC))
    await session.save()
    assert path.read_text(encoding="utf-8") == text.replace(text.splitlines()[7], cam)


async def test_turning_back_to_the_inherited_value_removes_the_override(
    write_config: WriteConfig,
) -> None:
    text = SPACED.replace(
        'hall = { label = "Main hall", play = false }\n',
        'hall = { label = "Main hall", play = false }\n\n'
        "[applications.api.aliases.stage]\n"
        'label = "Stage"\n'
        "play = false  # during the rehearsal\n"
        "# the end\n",
    )
    path = write_config(text)
    session = await _session(path)
    for alias in ("hall", "stage"):
        change = session.set_enforcement(ScopeRef("api", alias), PLAY, True)
        assert isinstance(change, SetEnforcement) and change.inherits
        app, own = session.config.resolve(ScopeRef("api", alias))
        assert effective_policy(app, own, PLAY).enforced_from is PolicySource.APPLICATION
    assert await session.save() == 2
    expected = text.replace(
        'hall = { label = "Main hall", play = false }', 'hall = { label = "Main hall" }'
    ).replace("play = false  # during the rehearsal\n", "")
    assert path.read_text(encoding="utf-8") == expected


async def test_an_inline_override_removed_keeps_the_tables_style(write_config: WriteConfig) -> None:
    path = write_config(COMPACT)
    session = await _session(path)
    session.set_enforcement(HALL, PLAY, True)
    await session.save()
    expected = COMPACT.replace('hall={label="Main hall",play=false}', 'hall={label="Main hall"}')
    assert path.read_text(encoding="utf-8") == expected


async def test_toggling_an_inheriting_alias_twice_leaves_nothing_to_save(
    write_config: WriteConfig,
) -> None:
    path = write_config(SPACED)
    session = await _session(path)
    session.set_enforcement(CAM, PLAY, False)
    session.set_enforcement(CAM, PLAY, True)
    assert session.pending == ()
    app, cam = session.config.resolve(CAM)
    assert cam is not None and cam.settings is not None and cam.settings.play is None
    assert effective_policy(app, cam, PLAY).enforced_from is PolicySource.APPLICATION


async def test_an_explicit_copy_in_the_file_survives_toggling_twice(
    write_config: WriteConfig,
) -> None:
    text = SPACED.replace("cam = {}", "cam = { play = true }")
    path = write_config(text)
    session = await _session(path)
    session.set_enforcement(CAM, PLAY, False)
    session.set_enforcement(CAM, PLAY, True)
    assert session.pending == ()
    assert await session.save() == 0
    assert path.read_text(encoding="utf-8") == text


async def test_a_switch_already_inherited_writes_nothing(write_config: WriteConfig) -> None:
    path = write_config(SPACED)
    session = await _session(path)
    session.set_enforcement(CAM, PLAY, True)  # it inherits play = true already
    assert session.pending == ()
    assert await session.save() == 0
    assert path.read_text(encoding="utf-8") == SPACED
