"""The records a read builds are plain classes (core.record, issue 15) that behave as the
dataclasses they replaced: fields, construction, ``==``, hashing, immutability and ``repr``."""

from __future__ import annotations

import copy
import inspect
from pathlib import Path

import pytest

from streamconsole.backends.base import Problem
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import AsymmetricKey, SharedKey
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.policy import EffectivePolicy, PolicySource
from streamconsole.core.record import Record
from streamconsole.core.secret import Secret

RECORDS = [
    KeyEntry,
    RemoteKey,
    ScopeSettings,
    Alias,
    Application,
    EffectivePolicy,
    ConsoleSettings,
    ServerProfile,
    Config,
    SharedKey,
    AsymmetricKey,
    Problem,
]


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    direct: type
    for direct in cls.__subclasses__():
        found |= {direct, *_subclasses(direct)}
    return found


def test_every_record_of_ours_is_listed_here() -> None:
    ours = {cls for cls in _subclasses(Record) if cls.__module__.startswith("streamconsole.")}
    assert {cls for cls in ours if cls.__name__ != "FrozenRecord"} == set(RECORDS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.__name__)
def test_a_record_is_built_from_its_fields_in_their_order(record: type[Record]) -> None:
    # A field that __init__ takes but the class does not annotate would be left out of
    # == and repr without a word; one in __slots__ only, likewise.
    parameters = list(inspect.signature(record.__init__).parameters)[1:]
    assert parameters == list(record._fields)
    if "__slots__" in vars(record):
        assert sorted(vars(record)["__slots__"]) == sorted(record._fields)


def test_a_mutable_record_equals_one_of_its_class_with_equal_fields_and_is_unhashable() -> None:
    assert Alias("cam", "Camera") == Alias("cam", "Camera")
    assert Alias("cam", "Camera") != Alias("cam")
    assert Alias("cam").__eq__(("cam", "", None)) is NotImplemented
    with pytest.raises(TypeError, match="unhashable"):
        hash(Alias("cam"))


def test_default_tables_are_new_for_each_record() -> None:
    first, second = Application("a", ServerKind.GENERIC), Application("b", ServerKind.GENERIC)
    assert first.aliases is not second.aliases
    assert first.settings is not second.settings
    assert Config().applications is not Config().applications
    assert ConsoleSettings().keys is not ConsoleSettings().keys


def _policy(held: tuple[RemoteKey, ...] = ()) -> EffectivePolicy:
    default = PolicySource.DEFAULT
    return EffectivePolicy(
        Direction.PLAY, ServerKind.THEOLIVE, False, default, None, default, "", held
    )


def test_a_frozen_record_refuses_changes_and_hashes_by_its_fields() -> None:
    policy = _policy()
    with pytest.raises(AttributeError, match="cannot assign to field 'enforced'"):
        policy.enforced = True  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete field 'reason'"):
        del policy.reason
    assert policy == _policy()
    assert {policy, _policy()} == {policy}
    assert _policy((RemoteKey("k1"),)) != policy


def test_a_remote_keys_entry_is_not_part_of_its_identity(hs256_key: SharedKey) -> None:
    entry = KeyEntry(hs256_key, KeyOrigin.FILE)
    known, unknown = RemoteKey("k1", "main", "hs:x", entry), RemoteKey("k1", "main", "hs:x")
    assert known == unknown
    assert hash(known) == hash(unknown)
    assert RemoteKey("k1", "main") != unknown


def test_keys_are_frozen_compared_by_identity_and_cache_what_they_derive(
    hs256_key: SharedKey,
) -> None:
    twin = SharedKey(hs256_key.algorithm, hs256_key.secret)
    assert twin != hs256_key
    assert twin.fingerprint == hs256_key.fingerprint
    assert {twin, hs256_key} == {twin, hs256_key}
    assert "hmac_key" in vars(twin)  # cached on first use
    with pytest.raises(AttributeError):
        twin.secret = Secret("another")  # type: ignore[misc]


def test_reprs_read_as_the_dataclasses_did(rsa_key: AsymmetricKey) -> None:
    assert repr(Alias("cam")) == "Alias(name='cam', label='', settings=None)"
    assert repr(RemoteKey("k1")) == "RemoteKey(id='k1', name='', fingerprint='', entry=None)"
    shown = repr(rsa_key)
    assert shown.startswith("AsymmetricKey(algorithm=<Algorithm.RS256: 'RS256'>, public_pem=")
    assert "check_private_math" not in shown  # how the key was read, not which key it is
    assert rsa_key.private_pem is not None
    assert rsa_key.private_pem.reveal() not in shown


def test_a_problem_as_a_warning_keeps_everything_else() -> None:
    problem = Problem("bad", "applications.a", Path("c.toml"), lambda: 3)
    warning = problem.as_warning()
    assert warning.warning and not problem.warning
    assert all(
        getattr(warning, name) == getattr(problem, name)
        for name in Problem._fields
        if name != "warning"
    )


def test_a_copied_record_keeps_every_field() -> None:
    # How a server's profile gets the console settings with its own max_key_age.
    settings = ConsoleSettings(60, "immediate", "t", True, "audit.log", 3600, {"save": "f2"})
    copied = copy.copy(settings)
    assert copied == settings
    copied.max_key_age = 7
    assert settings.max_key_age == 3600
    assert copy.copy(Config(settings=settings)).settings is settings
