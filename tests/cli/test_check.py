"""`streamconsole check`, `--version` and `--help`, run as the installed entry point."""

from __future__ import annotations

from pathlib import Path

from streamconsole.cli.table import COMMANDS
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


def test_help_lists_every_registered_command() -> None:
    listing = run("--help").stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    listed = [line.split()[0] for line in listing.splitlines()]
    assert sorted(listed) == sorted(COMMANDS)


def test_check_sample_config_has_no_errors_and_one_warning(sample_dir: Path) -> None:
    result = run("check", "streamconsole.toml", cwd=sample_dir)
    assert result.returncode == 0, result.stderr
    assert "4 applications, 10 aliases, 2 servers, 1 warning" in result.stdout
    # WebRTCAppEE has one-time tokens on beside play JWT, on purpose: the sample shows it.
    assert result.stderr.splitlines() == [
        "streamconsole.toml:48: applications.WebRTCAppEE.one_time_token: warning: play: "
        "one-time tokens and JWT are both on; use one token type per direction (Ant Media "
        "Server 2.9 and later refuses every save of the application until one is off)"
    ]


def test_check_reports_a_missing_ca_file_naming_file_and_server(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[servers.prod]\nkind = "antmedia"\nurl = "https://ams.example.com"\n'
        'credentials_env = "SC_PROD"\nca_file = "certs/corp-ca.pem"\n'
    )
    result = run("check", str(config))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"{config}:5: servers.prod.ca_file: error: ca_file 'certs/corp-ca.pem' "
        f"({tmp_path / 'certs' / 'corp-ca.pem'}) does not exist"
    )


def test_check_warns_about_one_time_tokens_and_jwt_on_one_direction(tmp_path: Path) -> None:
    (tmp_path / "a.secret").write_text("zautXStXM9iW3aD3FuyPH0TdK4GHPmHq")
    (tmp_path / "a.secret").chmod(0o600)
    config = tmp_path / "c.toml"
    config.write_text(
        '[applications.A]\nkind = "antmedia"\npublish = true\nplay = false\n'
        'one_time_token = ["publish", "play"]\n'
        'key = { algorithm = "HS256", key_file = "a.secret" }\n'
    )
    result = run("check", str(config))
    assert result.returncode == 0, result.stderr
    # Play JWT is off, so one-time play tokens alone are fine: one warning, for publish.
    assert result.stderr.splitlines() == [
        f"{config}:5: applications.A.one_time_token: warning: publish: one-time tokens and "
        "JWT are both on; use one token type per direction (Ant Media Server 2.9 and later "
        "refuses every save of the application until one is off)"
    ]


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


def test_check_accepts_a_keymap_and_names_each_bad_entry_by_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[console.keys]\nreveal = "w"\nquit = "ctrl+x,q"\n')
    assert run("check", str(config)).returncode == 0

    config.write_text(
        '[console.keys]\nreveal = "w"\nrevael = "y"\nsave = "ctrl+q"\nmark = "v,w"\nhelp = 1\n'
    )
    result = run("check", str(config))
    assert result.returncode == 2
    # The form first (help), as every other field's; the ids once the form is right.
    assert result.stderr.splitlines()[0] == (
        f"{config}:6: console.keys.help: error: expected keys such as 'ctrl+r,f5', got an integer"
    )
    config.write_text(config.read_text().replace("help = 1\n", ""))
    lines = run("check", str(config)).stderr.splitlines()
    assert lines == [
        f"{config}:2: console.keys.reveal: error: 'w' is already the key of 'mark' on the "
        "main screen",
        f"{config}:3: console.keys.revael: error: no binding has the id 'revael'; "
        "did you mean 'reveal'?",
        f"{config}:4: console.keys.save: error: 'ctrl+q' is already the key of Textual's quit "
        "on the main screen",
        f"{config}:5: console.keys.mark: error: 'w' is already the key of 'reveal' on the "
        "main screen",
        f"{config}: 4 error(s)",
    ]


def test_check_warns_of_the_users_own_keys_the_console_would_leave_out(tmp_path: Path) -> None:
    """The user's ``[keys]`` are checked with the config's keymap under them: a key that
    names no binding or clashes is a warning (the console starts, without that key)."""
    config = tmp_path / "c.toml"
    config.write_text('[console.keys]\nmark = "m"\n')
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '# mine\n[keys]\ntoggle-publish = "v"\nreveal = "p,ctrl+q"\nrevael = "y"\nfilter = "x"\n'
    )
    result = run("check", str(config), env={"STREAMCONSOLE_SETTINGS": str(settings)})
    assert result.returncode == 0, result.stderr
    # reveal is left out (ctrl+q quits), so v reveals again: toggle-publish cannot have it.
    # x is free: the config moved mark to m.
    assert result.stderr.splitlines() == [
        f"{settings}:3: keys.toggle-publish: warning: 'v' is already the key of 'reveal' on "
        "the main screen",
        f"{settings}:4: keys.reveal: warning: 'ctrl+q' is already the key of Textual's quit "
        "on the main screen",
        f"{settings}:5: keys.revael: warning: no binding has the id 'revael'; did you mean "
        "'reveal'?",
    ]
    assert result.stdout.endswith(", 3 warnings\n")
