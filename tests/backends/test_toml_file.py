"""TomlSource: loading, one-field saves, conflicts, atomicity, key files."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.base import (
    ConfigError,
    ConflictError,
    Problem,
    ReadOnlyError,
    SourceError,
)
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_enforcement, set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_records import KeyOrigin
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import Direction, ScopeRef

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_config.toml"
NOW = 1_800_000_000.0
NOW_DT = datetime.fromtimestamp(NOW, UTC)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample config and its demo keys."""
    shutil.copytree(ROOT / "sample_keys", tmp_path / "sample_keys")
    for key_file in (tmp_path / "sample_keys").iterdir():
        key_file.chmod(0o600)
    target = tmp_path / "config.toml"
    shutil.copy(SAMPLE, target)
    return target


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_sample_config_loads_with_every_kind(sample: Path) -> None:
    source = TomlSource(sample)
    config = source.load_sync()
    kinds = {app.kind.value for app in config.applications.values()}
    assert kinds == {"antmedia", "theolive"}
    assert source.warnings == ()
    evening = config.applications["news-channel"].aliases["evening"]
    assert evening.settings is not None and evening.settings.key is not None
    assert evening.settings.key.algorithm is Algorithm.RS256
    assert evening.settings.key.key.can_sign


def test_one_toggle_changes_exactly_one_line(sample: Path) -> None:
    before = sample.read_text()
    source = TomlSource(sample)
    config = source.load_sync()
    change = set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)
    source.apply_sync([change])
    after = sample.read_text()
    assert changed_lines(before, after) == [
        "-play = false                   # viewers do not need a token",
        "+play = true                   # viewers do not need a token",
    ]
    reloaded = TomlSource(sample).load_sync()
    assert reloaded.applications["LiveApp"].settings.play is True


def test_alias_override_edits_its_inline_table_only(sample: Path) -> None:
    before = sample.read_text()
    source = TomlSource(sample)
    config = source.load_sync()
    source.apply_sync(
        [set_enforcement(config, ScopeRef("sports", "match-day"), Direction.PLAY, False)]
    )
    diff = changed_lines(before, sample.read_text())
    assert len(diff) == 2
    assert diff[0].startswith("-match-day = ")
    assert diff[1].startswith("+match-day = ") and "play = false" in diff[1]
    alias = TomlSource(sample).load_sync().applications["sports"].aliases["match-day"]
    assert alias.settings is not None and alias.settings.play is False
    assert alias.label == "Match day"


def test_save_keeps_file_mode(sample: Path) -> None:
    sample.chmod(0o640)
    source = TomlSource(sample)
    config = source.load_sync()
    source.apply_sync([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
    assert stat.S_IMODE(sample.stat().st_mode) == 0o640


def test_file_changed_on_disk_is_refused_and_left_alone(sample: Path) -> None:
    source = TomlSource(sample)
    config = source.load_sync()
    edited_elsewhere = sample.read_text().replace("Main live app", "Edited by a colleague")
    sample.write_text(edited_elsewhere)
    change = set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)
    with pytest.raises(ConflictError, match="changed on disk"):
        source.apply_sync([change])
    assert sample.read_text() == edited_elsewhere


def test_failed_rename_leaves_original_intact_and_no_temp_files(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sample.read_bytes()
    source = TomlSource(sample)
    config = source.load_sync()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(SourceError, match="unchanged"):
        source.apply_sync([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
    monkeypatch.undo()
    assert sample.read_bytes() == before
    assert [p.name for p in sample.parent.iterdir() if p.name.endswith(".tmp")] == []
    # The source is still usable: the next save works and writes one change.
    source.apply_sync([set_enforcement(config, ScopeRef("LiveApp"), Direction.PUBLISH, False)])
    assert TomlSource(sample).load_sync().applications["LiveApp"].settings.publish is False


def test_read_only_source_refuses_to_write(sample: Path) -> None:
    source = TomlSource(sample, read_only=True)
    config = source.load_sync()
    before = sample.read_bytes()
    with pytest.raises(ReadOnlyError):
        source.apply_sync([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
    assert sample.read_bytes() == before


def test_config_read_only_flag_makes_source_read_only(sample: Path) -> None:
    sample.write_text(sample.read_text().replace("read_only = false ", "read_only = true  "))
    source = TomlSource(sample)
    source.load_sync()
    assert source.read_only


def test_rotating_a_shared_secret_writes_a_0600_file_and_updates_the_reference(
    sample: Path,
) -> None:
    source = TomlSource(sample, clock=lambda: NOW)
    config = source.load_sync()
    old = config.applications["LiveApp"].settings.key
    assert old is not None
    new_key = generate_key(Algorithm.HS256, min_chars=32)
    change = set_key(config, ScopeRef("LiveApp"), new_key, now=NOW_DT)
    source.apply_sync([change])
    reloaded = TomlSource(sample).load_sync().applications["LiveApp"].settings.key
    assert reloaded is not None
    assert reloaded.fingerprint == new_key.fingerprint != old.fingerprint
    written = sample.parent / reloaded.location
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert written.parent == sample.parent / "keys"
    assert change.entry.origin is KeyOrigin.FILE
    assert new_key.secret.reveal() not in sample.read_text()


def test_rotating_to_a_key_pair_writes_public_and_private_files(sample: Path) -> None:
    source = TomlSource(sample, clock=lambda: NOW)
    config = source.load_sync()
    pair = generate_key(Algorithm.RS256, rsa_bits=2048)
    source.apply_sync([set_key(config, ScopeRef("news-channel", "morning"), pair, NOW_DT)])
    alias = TomlSource(sample).load_sync().applications["news-channel"].aliases["morning"]
    assert alias.settings is not None and alias.settings.key is not None
    entry = alias.settings.key
    assert entry.fingerprint == pair.fingerprint
    assert entry.key.can_sign
    assert stat.S_IMODE((sample.parent / entry.private_location).stat().st_mode) == 0o600
    assert "PRIVATE" not in (sample.parent / entry.location).read_text()


def test_inline_secret_is_moved_to_a_file_on_rotation(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
    config_file.write_text(
        '[applications.A]\nkind = "antmedia"\n'
        f'key = {{ algorithm = "HS256", secret = "{secret}" }}\n'
    )
    source = TomlSource(config_file, clock=lambda: NOW)
    config = source.load_sync()
    assert [w.path for w in source.warnings] == ["applications.A.key.secret"]
    source.apply_sync([set_key(config, ScopeRef("A"), generate_key(Algorithm.HS256), NOW_DT)])
    text = config_file.read_text()
    assert secret not in text and "secret =" not in text and "key_file" in text
    assert (tmp_path / "keys").is_dir()


def test_a_loads_warnings_are_located_only_when_asked(tmp_path: Path) -> None:
    """The console shows key paths, not lines: a load does not scan a 100k-line file for
    the lines of its warnings. ``check``, asking, gets each warning's exact line."""
    config_file = tmp_path / "c.toml"
    secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
    config_file.write_text(
        '[applications.A]\nkind = "antmedia"\n\n[applications.B]\nkind = "antmedia"\n'
        f'key = {{ algorithm = "HS256", secret = "{secret}" }}\n'
    )
    source = TomlSource(config_file)
    source.load_sync()
    [warning] = source.warnings
    assert callable(warning.at_line)  # not located by the load
    assert warning.line == 6
    assert str(warning).startswith(f"{config_file}:6: applications.B.key.secret: warning:")
    # Equal to the same problem with its line known, as a set or a dict.fromkeys sees it.
    known = Problem(warning.message, warning.path, config_file, 6, warning=True)
    assert warning == known and hash(warning) == hash(known)
    assert warning != Problem(warning.message, warning.path, config_file, 5, warning=True)


def test_failed_save_removes_the_new_key_files(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = TomlSource(sample, clock=lambda: NOW)
    config = source.load_sync()
    before = set(os.listdir(sample.parent / "sample_keys"))
    real_replace = os.replace

    def fail_on_config(src: str, dst: str) -> None:
        if Path(dst) == sample:
            raise OSError(30, "Read-only file system")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_config)
    with pytest.raises(SourceError):
        source.apply_sync(
            [set_key(config, ScopeRef("LiveApp"), generate_key(Algorithm.HS256), NOW_DT)]
        )
    assert set(os.listdir(sample.parent / "sample_keys")) == before


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("[console]\ntheme = 3\n", 2, "console.theme: error: expected a string, got an integer"),
        ("[console]\nthem = 'x'\n", 2, "did you mean 'theme'?"),
        ("[console]\ntoken_ttl = 'soon'\n", 2, "is not a duration"),
        ("[console.keys]\nreveal = 'w'\nhelp = 1\n", 3, "expected keys such as 'ctrl+r,f5'"),
        ("[console.keys]\nhelp = 'f1, '\n", 2, "console.keys.help: error: 'f1, ' names an empty"),
        ("[console]\nkeys = 'ctrl+r'\n", 2, "console.keys: error: expected a table"),
        ("[applications.A]\nkind = 'antmedai'\n", 2, "did you mean 'antmedia'?"),
        ("[applications.A]\nlabel = 'x'\n", 1, "needs a 'kind'"),
        ("[a]\nb = \n", 2, "invalid TOML"),
        ("[applications.A]\nkind='generic'\n[applications.A]\n", 3, "defined twice"),
        (
            "[applications.A]\nkind='antmedia'\n[applications.A.aliases]\ns = { play = true }\n",
            4,
            "enforces JWT per application",
        ),
        (
            "[applications.A]\nkind='antmedia'\nkey={algorithm='RS256', public_key='x'}\n",
            3,
            "Ant Media accepts HS256",
        ),
        (
            "[applications.A]\nkind='antmedia'\nkey={algorithm='HS256', key_file='nope.secret'}\n",
            3,
            "key file 'nope.secret'",
        ),
        (
            "[applications.A]\nkind='antmedia'\nkey={algorithm='HS256', key_env='SC_MISSING'}\n",
            3,
            "environment variable SC_MISSING is not set",
        ),
        (
            "[applications.A]\nkind='generic'\nkey={algorithm='HS256', secret='x', key_env='Y'}\n",
            3,
            "exactly one of",
        ),
    ],
)
def test_config_errors_name_file_line_and_path(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_text(text)
    with pytest.raises(ConfigError) as caught:
        TomlSource(config_file, environ={}).load_sync()
    errors = [p for p in caught.value.problems if not p.warning]
    assert any(fragment in str(p) for p in errors), [str(p) for p in errors]
    assert errors[0].line == line
    assert str(errors[0]).startswith(f"{config_file}:{line}")


def test_antmedia_secret_floor_is_32_characters(tmp_path: Path) -> None:
    vendor = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
    config_file = tmp_path / "c.toml"
    template = (
        '[applications.A]\nkind = "antmedia"\nkey = {{ algorithm = "HS256", key_env = "S" }}\n'
    )
    config_file.write_text(template.format())
    config = TomlSource(config_file, environ={"S": vendor}).load_sync()
    assert config.applications["A"].settings.key is not None
    with pytest.raises(ConfigError, match="31"):
        TomlSource(config_file, environ={"S": vendor[:-1]}).load_sync()


def test_key_file_problems(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    (tmp_path / "dir.secret").mkdir()
    (tmp_path / "latin1.secret").write_bytes(b"\xe9" * 40)
    (tmp_path / "huge.secret").write_bytes(b"a" * 100_000)
    (tmp_path / "open.secret").write_text("zautXStXM9iW3aD3FuyPH0TdK4GHPmHq\n")
    (tmp_path / "open.secret").chmod(0o644)
    body = "".join(
        f'[applications.{name}]\nkind = "generic"\n'
        f'key = {{ algorithm = "HS256", key_file = "{name}.secret" }}\n'
        for name in ("dir", "latin1", "huge")
    )
    config_file.write_text(body)
    with pytest.raises(ConfigError) as caught:
        TomlSource(config_file).load_sync()
    messages = [p.message for p in caught.value.problems]
    assert any("is a directory" in m for m in messages)
    assert any("is not UTF-8" in m for m in messages)
    assert any("too large" in m for m in messages)
    config_file.write_text(
        '[applications.open]\nkind = "generic"\n'
        'key = { algorithm = "HS256", key_file = "open.secret" }\n'
    )
    source = TomlSource(config_file)
    source.load_sync()
    assert ["chmod 600" in w.message for w in source.warnings] == [True]


VENDOR_SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"


def private_secret(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(VENDOR_SECRET)
    path.chmod(0o600)
    return path


def warnings_of(config_file: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    config_file.write_text(text)
    source = TomlSource(config_file, environ=environ or {})
    source.load_sync()
    return [str(warning) for warning in source.warnings]


def test_key_files_outside_the_config_directory_are_warned_about(tmp_path: Path) -> None:
    """Links followed: a key file inside the tree that points out of it is outside too."""
    config_dir = tmp_path / "config"
    outside = {name: tmp_path / "elsewhere" / f"{name}.secret" for name in "ABC"}
    for path in outside.values():
        private_secret(path)
    private_secret(config_dir / "keys" / "inside.secret")
    (config_dir / "keys" / "a.secret").symlink_to(outside["A"])
    warnings = warnings_of(
        config_dir / "c.toml",
        '[applications.A]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "keys/a.secret" }\n'
        '[applications.B]\nkind = "antmedia"\n'
        f'key = {{ algorithm = "HS256", key_file = "{outside["B"]}" }}\n'
        '[applications.C]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "../elsewhere/C.secret" }\n'
        '[applications.D]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "keys/../keys/inside.secret" }\n',
    )
    outside_warnings = [w for w in warnings if "is outside the config's directory" in w]
    assert [w.split(": warning: ")[0].rsplit(": ", 1)[1] for w in outside_warnings] == [
        f"applications.{name}.key.key_file" for name in "ABC"
    ]
    for name, warning in zip("ABC", outside_warnings, strict=True):
        assert f"(it is {outside[name]})" in warning


def test_a_key_directory_others_can_write_is_warned_about_once(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        private_secret(tmp_path / "keys" / f"{name}.secret")
    text = "".join(
        f'[applications.{name}]\nkind = "antmedia"\n'
        f'key = {{ algorithm = "HS256", key_file = "keys/{name}.secret" }}\n'
        for name in ("a", "b", "c")
    )
    (tmp_path / "keys").chmod(0o750)
    assert warnings_of(tmp_path / "c.toml", text) == []
    (tmp_path / "keys").chmod(0o770)
    assert warnings_of(tmp_path / "c.toml", text) == [
        f"{tmp_path / 'c.toml'}: warning: the directory 'keys' of key files is writable by "
        "other users (mode 0770): they could replace the keys; run: chmod go-w keys"
    ]


@pytest.mark.parametrize(
    ("variable", "warned"),
    [
        ("AWS_SECRET_ACCESS_KEY", True),
        ("HOME_SECRET", True),
        ("streamconsole_lower_case", True),
        ("STREAMCONSOLE_LIVEAPP_KEY", False),
        ("SC_LIVEAPP_KEY", False),
    ],
)
def test_key_variables_must_be_the_consoles_own(
    variable: str, warned: bool, tmp_path: Path
) -> None:
    warnings = warnings_of(
        tmp_path / "c.toml",
        '[applications.A]\nkind = "antmedia"\n'
        f'key = {{ algorithm = "HS256", key_env = "{variable}" }}\n',
        environ={variable: VENDOR_SECRET},
    )
    expected = [
        f"{tmp_path / 'c.toml'}:3: applications.A.key.key_env: warning: key_env {variable!r} is "
        "not a streamconsole variable: name key variables STREAMCONSOLE_... or SC_..., so that "
        "a config cannot take another program's secret as a key"
    ]
    assert warnings == (expected if warned else [])


def test_private_key_variables_must_be_the_consoles_own(tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "keys"
    shutil.copy(fixtures / "rs256.pub.pem", tmp_path / "rs256.pub.pem")
    warnings = warnings_of(
        tmp_path / "c.toml",
        '[applications.T]\nkind = "theolive"\n[applications.T.aliases.a]\n'
        'key = { algorithm = "RS256", key_file = "rs256.pub.pem", '
        'private_key_env = "SIGNING_KEY" }\n',
        environ={"SIGNING_KEY": (fixtures / "rs256.pem").read_text()},
    )
    assert len(warnings) == 1
    assert "private_key_env 'SIGNING_KEY' is not a streamconsole variable" in warnings[0]


def test_private_key_given_as_public_key_is_refused(tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "keys"
    config_file = tmp_path / "c.toml"
    config_file.write_text(
        '[applications.T]\nkind = "theolive"\n[applications.T.aliases.a]\n'
        f'key = {{ algorithm = "RS256", key_file = "{fixtures / "rs256.pem"}" }}\n'
    )
    with pytest.raises(ConfigError, match="PRIVATE key"):
        TomlSource(config_file).load_sync()


def test_mismatched_private_key_is_refused(tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "keys"
    other = generate_key(Algorithm.RS256)
    assert other.private_pem is not None  # a pair always carries its private key
    (tmp_path / "other.pem").write_text(other.private_pem.reveal())
    (tmp_path / "other.pem").chmod(0o600)
    config_file = tmp_path / "c.toml"
    config_file.write_text(
        '[applications.T]\nkind = "theolive"\n[applications.T.aliases.a]\n'
        f'key = {{ algorithm = "RS256", key_file = "{fixtures / "rs256.pub.pem"}", '
        'private_key_file = "other.pem" }\n'
    )
    with pytest.raises(ConfigError, match="does not belong"):
        TomlSource(config_file).load_sync()


def test_bom_and_crlf_are_read(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_bytes('\ufeff[applications.A]\r\nkind = "generic"\r\n'.encode())
    assert list(TomlSource(config_file).load_sync().applications) == ["A"]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_bytes(b'[applications.A]\nkind = "generic"\nlabel = "\xff"\n')
    with pytest.raises(ConfigError) as caught:
        TomlSource(config_file).load_sync()
    assert caught.value.problems[0].line == 3


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        TomlSource(tmp_path / "absent.toml").load_sync()


def test_same_key_file_is_parsed_once_per_load(sample: Path) -> None:
    text = sample.read_text() + (
        '\n[applications.Copy]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "sample_keys/liveapp.secret" }\n'
    )
    sample.write_text(text)
    config = TomlSource(sample).load_sync()
    first = config.applications["LiveApp"].settings.key
    second = config.applications["Copy"].settings.key
    assert first is not None and second is not None
    assert first.key is second.key


def test_rotation_keeps_the_key_table_order(sample: Path) -> None:
    source = TomlSource(sample, clock=lambda: NOW)
    config = source.load_sync()
    source.apply_sync([set_key(config, ScopeRef("LiveApp"), generate_key(Algorithm.HS256), NOW_DT)])
    (line,) = [
        x for x in sample.read_text().splitlines() if x.startswith("key = ") and "LiveApp" in x
    ]
    assert line.startswith('key = { algorithm = "HS256", key_file = "keys/LiveApp.hs256.')
    assert line.endswith(", created = 2027-01-15T08:00:00Z }")


def test_two_rotations_in_one_second_get_their_own_files(sample: Path) -> None:
    source = TomlSource(sample, clock=lambda: NOW)  # a frozen clock: the same second twice
    config = source.load_sync()
    for _ in range(2):
        source.apply_sync(
            [set_key(config, ScopeRef("LiveApp"), generate_key(Algorithm.HS256), NOW_DT)]
        )
    names = sorted(p.name for p in (sample.parent / "keys").iterdir())
    assert names == [
        "LiveApp.hs256.20270115T080000Z-2.secret",
        "LiveApp.hs256.20270115T080000Z.secret",
    ]
    entry = TomlSource(sample).load_sync().applications["LiveApp"].settings.key
    assert entry is not None
    assert entry.location == "keys/LiveApp.hs256.20270115T080000Z-2.secret"


def test_a_config_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        TomlSource(fifo).load_sync()  # would block forever if it were read
    with pytest.raises(SourceError, match="not a regular file"):
        TomlSource(Path("/dev/zero")).load_sync()
