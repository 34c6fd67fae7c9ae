"""Secrets the CLI is given: a guessable new one is refused, one already in a config is
warned about; either way the estimate and its rule are named, never the secret.
Run as the installed entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run_cli

GUESSABLE = "abcdefgh" * 4  # 32 characters, 8 distinct: the length checks pass


@pytest.mark.parametrize("source", ["--secret-file", "--secret-env", "--secret-stdin"])
def test_rotate_refuses_a_guessable_secret_and_writes_nothing(
    sample_dir: Path, source: str
) -> None:
    (sample_dir / "new.secret").write_text(GUESSABLE)
    (sample_dir / "new.secret").chmod(0o600)
    given = {"--secret-file": ["new.secret"], "--secret-env": ["SC_NEW_SECRET"]}
    config = (sample_dir / "streamconsole.toml").read_bytes()
    result = run_cli(
        "rotate",
        "LiveApp",
        source,
        *given.get(source, []),
        cwd=sample_dir,
        env={"SC_NEW_SECRET": GUESSABLE},
        stdin=GUESSABLE if source == "--secret-stdin" else None,
    )
    assert result.returncode == 2, result.stderr
    assert "the secret looks guessable: an estimated 6 bits of entropy, under 64" in result.stderr
    assert "generate a secret instead" in result.stderr
    assert "abcdefgh" not in result.stdout + result.stderr
    assert (sample_dir / "streamconsole.toml").read_bytes() == config
    assert not (sample_dir / "keys").exists()  # where a rotation writes its key file


def test_check_warns_about_a_guessable_secret_in_use(tmp_path: Path) -> None:
    (tmp_path / "a.secret").write_text(GUESSABLE)
    (tmp_path / "a.secret").chmod(0o600)
    config = tmp_path / "c.toml"
    config.write_text(
        '[applications.LiveApp]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "a.secret" }\n'
    )
    result = run_cli("check", str(config))
    assert result.returncode == 0, result.stderr  # in use: a warning, not an error
    assert result.stderr.splitlines() == [
        f"{config}:3: applications.LiveApp.key.key_file: warning: the secret looks guessable: "
        "an estimated 6 bits of entropy, under 64 (rule: Shannon entropy per byte × the 2 of "
        "its 32 bytes that neither repeat an earlier 3-byte sequence nor continue a run like "
        "abc); rotate it to a generated secret"
    ]
