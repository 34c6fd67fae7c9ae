"""Hostile plan files, through ``read_plan_file`` and ``streamconsole apply --plan``.

Whoever can write the plan file is an attacker. A file that is not a plan as ``plan --out``
writes one (not JSON, not UTF-8, a field of the wrong type, unknown or missing, a name twice,
nested deep, over 16 MiB, not a regular file) must end in a ``PlanFileError`` naming the field
and, through ``apply``, in ``error: --plan FILE: ...`` and exit 2 before the server is asked
anything (its profile points at a port where nothing listens): never a traceback, a hang or a
raw escape sequence. A well-formed plan whose steps were edited is refused (exit 1) with the
edit made inert.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from streamconsole.core.plan_file import MAX_PLAN_FILE_BYTES, PlanFileError, read_plan_file
from tests.cli.conftest import free_port, run_cli
from tests.emulators import AntMediaEmulator
from tests.hostile.support import completed, in_parallel, unsafe_bytes_in

OSC_52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
STEP = {
    "scope": "LiveApp",
    "action": "relax",
    "direction": "publish",
    "description": "LiveApp: publish JWT off",
}
PLAN = {
    "server": "prod",
    "config": "prod.toml",
    "config_digest": "0123456789abcdef",
    "made": "2026-11-23T00:00:00+00:00",
    "steps": [STEP],
    "only_in_file": [],
    "only_on_server": ["VodApp"],
    "server_digest": "fedcba9876543210",
    "desired_keys": {"LiveApp": "hs:UWmdttlHgZsRf49SlZOU7A"},
}


def plan(**changes: Any) -> bytes:
    return json.dumps({**PLAN, **changes}).encode()


def plan_without(field: str) -> bytes:
    return json.dumps({k: v for k, v in PLAN.items() if k != field}).encode()


def step(**changes: Any) -> bytes:
    return plan(steps=[{**STEP, **changes}])


def nested(depth: int = 100_000) -> bytes:
    return b'{"steps": ' + b"[" * depth + b"]" * depth + b"}"


def fifo(path: Path) -> None:
    os.mkfifo(path, 0o600)


def directory(path: Path) -> None:
    path.mkdir()


def sparse_over_the_cap(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(MAX_PLAN_FILE_BYTES + 1)


@dataclass(frozen=True)
class Case:
    """A plan file (its bytes, or a set-up that makes it) and the words of its refusal."""

    id: str
    content: bytes | None
    message: str
    setup: Callable[[Path], None] | None = None


CASES = [
    # encoding and syntax
    Case("not-json", b"+ key    LiveApp: install key", "is not JSON: Expecting value"),
    Case("empty", b"", "is not JSON: Expecting value"),
    Case("not-utf-8", b'\xff\xfe{"server": "prod"}', "is not UTF-8 text"),
    Case("truncated", plan()[:-20], "is not JSON"),
    Case("nan", plan(made=float("nan")), "is not JSON: NaN is not a JSON value"),
    Case("5000-digits", b'{"server": ' + b"9" * 5000 + b"}", "holds a number too long"),
    Case("nested-100k", nested(), "is nested too deeply to be a plan"),
    Case(
        "a-name-twice",
        plan()[:-1] + b', "server": "staging"}',
        "field 'server' appears twice",
    ),
    # the plan's own fields
    Case("a-list", b"[]", "expected an object, found a list"),
    Case("a-string", b'"apply everything"', "expected an object, found text"),
    Case("unknown-field", plan(run="rm -rf ~"), "unknown field 'run'"),
    Case(
        "unknown-fields-with-escapes",
        plan(**{OSC_52: 1, "also": 2}),
        "unknown field '\\x1b]52;c;cm0gLXJmIH4=\\x07' (and 1 more)",
    ),
    Case("huge-unknown-field-name", plan(**{"x" * 1_000_000: 1}), f"field '{'x' * 64}'…"),
    Case("missing-steps", plan_without("steps"), "missing field 'steps'"),
    Case("missing-desired-keys", plan_without("desired_keys"), "missing field 'desired_keys'"),
    Case("server-a-number", plan(server=1), "server: expected text, found a number"),
    Case("server-null", plan(server=None), "server: expected text, found null"),
    Case("digest-true", plan(server_digest=True), "server_digest: expected text, found true"),
    Case("steps-text", plan(steps="LiveApp: play JWT on"), "steps: expected a list, found text"),
    Case("steps-object", plan(steps={"0": STEP}), "steps: expected a list, found an object"),
    Case("only-numbers", plan(only_in_file=[1]), "only_in_file[0]: expected text, found a number"),
    Case("keys-a-list", plan(desired_keys=[]), "desired_keys: expected an object, found a list"),
    Case(
        "key-a-number",
        plan(desired_keys={"LiveApp": 7}),
        "desired_keys['LiveApp']: expected text, found a number",
    ),
    # a step's fields
    Case("step-a-list", plan(steps=[["LiveApp", "relax"]]), "steps[0]: expected an object"),
    Case("step-unknown-field", step(secret="s"), "steps[0]: unknown field 'secret'"),
    Case(
        "step-missing-field",
        plan(steps=[STEP, {k: v for k, v in STEP.items() if k != "description"}]),
        "steps[1]: missing field 'description'",
    ),
    Case(
        "step-unknown-action",
        step(action="delete"),
        "steps[0].action: expected one of 'key', 'enforce', 'relax', found 'delete'",
    ),
    Case("step-action-a-number", step(action=1), "steps[0].action: expected one of"),
    Case(
        "step-unknown-direction",
        step(direction="both"),
        "steps[0].direction: expected one of 'publish', 'play', null, found 'both'",
    ),
    Case(
        "step-scope-an-object",
        step(scope={"app": "LiveApp"}),
        "steps[0].scope: expected text, found an object",
    ),
    # the file itself
    Case("over-16-mib", None, "is larger than a plan can be (16 MiB)", sparse_over_the_cap),
    Case("a-fifo", None, "is not a regular file", fifo),
    Case("a-directory", None, "is not a regular file", directory),
    Case("missing", None, "no such file", lambda path: None),
]
CONTENT_CASES = [case for case in CASES if case.content is not None]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose server ``prod`` is a loopback port where nothing listens: contacting
    it would end in exit 3, not in the plan file's error."""
    root = tmp_path_factory.mktemp("plan-files")
    (root / "prod.toml").write_text(
        f'[servers.prod]\nkind = "antmedia"\nurl = "http://127.0.0.1:{free_port()}"\n'
        'credentials_env = "SC_PROD"\n'
    )
    for case in CASES:
        path = root / f"{case.id}.json"
        if case.content is not None:
            path.write_bytes(case.content)
        elif case.setup is not None:
            case.setup(path)
    return root


@pytest.fixture(scope="module")
def applied(workspace: Path) -> dict[str, object]:
    """``apply --plan`` on every case, four at a time."""

    def apply(case: Case) -> subprocess.CompletedProcess[str]:
        return run_cli(
            "apply",
            *("-c", "prod.toml", "--server", "prod", "--plan", f"{case.id}.json", "--yes"),
            cwd=workspace,
            env={"SC_PROD": "admin@example.com:password"},
        )

    return in_parallel({case.id: (lambda case=case: apply(case)) for case in CASES})


@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda c: c.id)
def test_read_plan_file_names_what_is_wrong(case: Case) -> None:
    assert case.content is not None
    with pytest.raises(PlanFileError) as raised:
        read_plan_file(case.content)
    assert case.message in str(raised.value)
    assert len(str(raised.value)) < 1000, "the error quotes a huge value whole"


def test_read_plan_file_accepts_the_plan_these_cases_are_made_from() -> None:
    saved = read_plan_file(plan())
    assert saved.steps == [STEP]
    assert saved.desired_keys == PLAN["desired_keys"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_apply_refuses_the_file_before_asking_the_server(
    case: Case, applied: dict[str, object]
) -> None:
    result = completed(applied[case.id])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert not unsafe_bytes_in(output.encode("utf-8", "surrogatepass"))
    assert result.returncode == 2, output[-2000:]
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: --plan {case.id}.json: "), result.stderr[:500]
    assert case.message in result.stderr
    assert len(result.stderr) < 2000


def test_an_edited_step_is_refused_and_shown_inert(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    """A well-formed plan whose step says something else, with an escape sequence in it."""
    config = tmp_path / "prod.toml"
    config.write_text(
        f'[servers.prod]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'credentials_env = "SC_PROD"\n'
        '[applications.LiveApp]\nkind = "antmedia"\npublish = false\nplay = false\n'
    )
    env = {"SC_PROD": f"{antmedia.admin_email}:{antmedia.admin_password}"}
    server = ("-c", str(config), "--server", "prod")
    plan_file = tmp_path / "plan.json"
    assert run_cli("plan", *server, "--out", str(plan_file), env=env).returncode == 1
    record = json.loads(plan_file.read_text())
    assert record["steps"] == [STEP]
    edited = {**STEP, "description": f"LiveApp: nothing to see{OSC_52}"}
    plan_file.write_text(json.dumps({**record, "steps": [edited]}))

    refused = run_cli("apply", *server, "--plan", str(plan_file), "--yes", env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "step 1 (LiveApp: publish JWT off) is not the plan's" in refused.stderr
    assert "nothing to see\\x1b]52" in refused.stderr
    assert not unsafe_bytes_in((refused.stdout + refused.stderr).encode())
    assert antmedia.state.settings("LiveApp")["publishJwtControlEnabled"] is True
