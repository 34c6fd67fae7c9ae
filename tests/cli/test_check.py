"""`streamconsole check`, `--version` and `--help`, run as the installed entry point."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import run_cli as run


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("streamconsole ")


def test_help_lists_commands_and_exit_codes() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "check CONFIG" in result.stdout
    assert "Exit codes" in result.stdout


def test_check_sample_config_is_clean(sample_dir: Path) -> None:
    result = run("check", "streamconsole.toml", cwd=sample_dir)
    assert result.returncode == 0, result.stderr
    assert "4 applications, 10 aliases, 2 servers, 0 warning(s)" in result.stdout
    assert result.stderr == ""


def test_check_reports_every_problem_with_place_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[applications.A]\n"
        'kind = "antmedia"\n'
        "publsh = true\n"
        'key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPm" }\n'
    )
    result = run("check", str(bad))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert f"{bad}:3: applications.A.publsh: error: unknown key 'publsh'; did you mean" in lines[0]
    assert any(":4: applications.A.key.secret: error:" in line for line in lines)
    assert "Traceback" not in result.stderr
    # The weak secret is named by its length, never printed.
    assert "zautXStXM9iW3aD3FuyPH0TdK4GHPm" not in result.stdout + result.stderr


def test_check_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "absent.toml"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_warnings_alone_exit_0(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[applications.A]\nkind = "generic"\n'
        'key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq" }\n'
    )
    result = run("check", str(config))
    assert result.returncode == 0
    assert "warning: the secret is written inline" in result.stderr


def test_usage_error_exits_2() -> None:
    result = run("check")
    assert result.returncode == 2
    assert "usage:" in result.stderr
