"""rtoml (the fast path) and tomllib (the strict one) read every config alike.

Two proofs over every TOML text the suite holds (the sample configs, every hostile case,
the fuzz fragments) and over what TOML 1.1 added, which rtoml reads and tomllib refuses:
- where ``fast_toml`` gives data, tomllib accepts the text and gives the same data, value
  for value and type for type;
- ``parse_config`` gives the same config, warnings and errors, to the character, as it
  does with tomllib alone.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.backends import toml_config
from streamconsole.backends.base import ConfigError
from streamconsole.backends.toml_config import parse_config
from streamconsole.backends.toml_fast import fast_toml
from streamconsole.core.plan import key_fingerprints
from tests.backends.test_toml_fuzz import toml_fragments
from tests.hostile.test_toml_inputs import ACCEPTED, ALL_BAD, Case

ROOT = Path(__file__).resolve().parents[2]
TOML_FILES = sorted(
    path
    for pattern in ("*.toml", "themes/*.toml", "tests/**/*.toml")
    for path in ROOT.glob(pattern)
)
SECONDS = "1987-07-05T17:45:00"
# TOML 1.1: rtoml reads it, tomllib refuses it.
NEWER_TOML = [
    "a = 1987-07-05T17:45Z\n",
    "a = 1987-07-05T17:45\n",
    "a = 17:45\n",
    "a = 17:45 # a time\n",
    "[applications.A.key]\ncreated = 1987-07-05 17:45+02:00\n",
    "a = { b = 1 \n}\n",
    "t = {a=1,\nb=2}\n",
    "t = {a=1\n,b=2}\n",
    'json_like = {\n  first = "Tom",\n  last = "Preston-Werner"\n}\n',
    "a = { b = 1, }\n",
    "a = {b=1,}",
    'aliases = { cam = { label = "x" },\n  studio = {} }\n',
    'aliases = { cam = { label = "x" }\n, studio = {} }\n',
    'aliases = { cam = { key = { algorithm = "HS256" } },\n studio = {} }\n',
    'aliases = { cam = { label = "}" },\n studio = { label = "{" } }\n',
    'x = { a = "}",\n b = 1 }\n',
    "x = { # a comment }\n a = 1 }\n",
    "x = { a = 1, # a comment\n b = 2 }\n",
    'x = { a = """one}""",\n b = 2 }\n',
    'a = "\\x41"\n',
    'a = "\\e[2J"\n',
    '"\\e" = 1\n',
    'a = """\\x41"""\n',
    "\ufeffa = 1\n",
]
EDGES = [
    "a = 1e999\n",
    "play = -1e999\n",  # rtoml refuses these, tomllib reads them
    "a = " + "[" * 100 + "]" * 100 + "\n",
    "a = " + "{b=" * 100 + "1" + "}" * 100 + "\n",
    "a = 9223372036854775808\n",
    "a = nan\nb = -inf\n",
    f"a = {SECONDS}Z\nb = {SECONDS}-05:00\nc = {SECONDS}.999999+14:00\nd = {SECONDS}\n",
    "a = 1979-05-27\nb = 07:32:00.5\n",
    'x = { a = """one\ntwo""" }\n',
    'url = "http://10.0.0.1:5080"\nlabel = "at 10:30"\nplay_url = "https://p/{alias}/x"\n',
]
TOML_1_1_FRAGMENTS = [
    "aliases = { x = {},\n}\n",
    "key = { algorithm = 1, }\n",
    "created = 2026-01-01T10:00Z\n",
    'label = "\\x41"\n',
    "publish = 1e999\n",
]


def typed(value: object) -> object:
    """``value`` with the type of every leaf; an aware date-time as its offset (rtoml's
    time zone class is its own; what the loader keeps of it is checked by parse_config)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}, list(value)
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, datetime) and value.tzinfo is not None:
        return datetime, value.replace(tzinfo=None), value.utcoffset()
    return type(value), repr(value)


def assert_fast_path_agrees(text: str) -> None:
    fast = fast_toml(text)
    if fast is None:
        return
    try:
        strict = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        pytest.fail(f"rtoml accepted what tomllib refuses ({error}): {text[:200]!r}")
    except RecursionError:
        pytest.fail(f"rtoml accepted what tomllib cannot nest: {text[:200]!r}")
    assert typed(fast) == typed(strict)


def outcome(text: str, file: Path) -> object:
    """All that ``parse_config`` answers: the config (keys compare by identity: by their
    fingerprints here), its warnings, or its errors."""
    try:
        config, warnings = parse_config(text, file, environ={"STREAMCONSOLE_X": "x"})
    except ConfigError as error:
        return [(str(problem), problem.line) for problem in error.problems]
    return repr(config), key_fingerprints(config), [(str(w), w.line) for w in warnings]


def assert_same_outcome(text: str, file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as fast_first:
        fast_first.setattr(toml_config, "FAST_PARSE_MIN_CHARS", 0)  # small texts too
        fast = outcome(text, file)
    with monkeypatch.context() as strict_only:
        strict_only.setattr(toml_config, "FAST_PARSE_MIN_CHARS", math.inf)
        strict = outcome(text, file)
    assert fast == strict


def case_text(case: Case) -> str:
    return case.content().decode("utf-8", "replace").removeprefix("\ufeff")


HOSTILE: list[tuple[str, Callable[[], str], Callable[[Path], None] | None]] = [
    *((case.id, lambda case=case: case_text(case), case.setup) for case in ALL_BAD),
    *((a.id, lambda a=a: a.text.decode().removeprefix("\ufeff"), None) for a in ACCEPTED),
]
ALL_TEXTS = [
    *(pytest.param(lambda path=path: path.read_text(), id=path.name) for path in TOML_FILES),
    *(pytest.param(text, id=name) for name, text, _ in HOSTILE),
    *(pytest.param(lambda text=text: text, id=f"newer-{n}") for n, text in enumerate(NEWER_TOML)),
    *(pytest.param(lambda text=text: text, id=f"edge-{n}") for n, text in enumerate(EDGES)),
]


def test_the_suite_holds_its_sample_configs() -> None:
    assert {"sample_config.toml", "console.toml"} <= {path.name for path in TOML_FILES}


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_fast_parse_gives_tomllibs_data_or_declines(text: Callable[[], str]) -> None:
    assert_fast_path_agrees(text())


@pytest.mark.parametrize("text", NEWER_TOML, ids=range(len(NEWER_TOML)))
def test_fast_parse_declines_what_tomllib_refuses(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    assert fast_toml(text) is None


@pytest.mark.parametrize("path", TOML_FILES, ids=lambda path: path.name)
def test_sample_configs_take_the_fast_path(path: Path) -> None:
    assert fast_toml(path.read_text()) is not None


@pytest.mark.parametrize(
    ("text", "setup"),
    [(text, setup) for _, text, setup in HOSTILE],
    ids=[name for name, _, _ in HOSTILE],
)
def test_hostile_configs_load_alike(
    text: Callable[[], str],
    setup: Callable[[Path], None] | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if setup is not None:
        setup(tmp_path)
    assert_same_outcome(text(), tmp_path / "config.toml", monkeypatch)


@pytest.mark.parametrize("path", TOML_FILES, ids=lambda path: path.name)
def test_sample_configs_load_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_outcome(path.read_text(), path, monkeypatch)


@pytest.mark.parametrize("text", NEWER_TOML + EDGES, ids=range(len(NEWER_TOML + EDGES)))
def test_newer_toml_and_edges_load_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_outcome(text, Path("/nonexistent/newer.toml"), monkeypatch)


def test_a_creation_date_keeps_tomllibs_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        '[applications.A]\nkind = "generic"\nkey = { algorithm = "HS256", '
        'secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq", created = 2026-09-01T10:00:00+02:00 }\n'
    )
    assert fast_toml(text) is not None
    assert_same_outcome(text, Path("/nonexistent/created.toml"), monkeypatch)


fragments = st.one_of(toml_fragments, st.sampled_from(TOML_1_1_FRAGMENTS))


@settings(max_examples=300, deadline=None)
@given(st.lists(fragments, max_size=12))
def test_config_shaped_text_loads_alike(parts: list[str]) -> None:
    text = "".join(parts)
    assert_fast_path_agrees(text)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same_outcome(text, Path("/nonexistent/fuzz.toml"), monkeypatch)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abk=[]{}.\"'#,:0129\\ex\n\t T-+Z_"), max_size=60))
def test_toml_shaped_noise_is_read_alike(text: str) -> None:
    assert_fast_path_agrees(text)
