"""make_plan: the steps from a server's state to a file's, in a safe order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from streamconsole.backends.toml_config import parse_config
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Config, Direction, ScopeRef, ScopeSettings
from streamconsole.core.plan import change_for, make_plan, state_digest
from streamconsole.core.plan_file import (
    SavedPlan,
    key_differences,
    read_plan_file,
    step_difference,
)

OLD = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
NEW = "Qm9v8d7c6b5a4Z3Y2X1W0V9U8T7S6R5Q4P3O2N1M"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def config(text: str) -> Config:
    parsed, _ = parse_config(text, Path("/virtual/c.toml"), environ={})
    return parsed


def ams(publish: bool, play: bool, secret: str) -> str:
    return (
        f'[applications.Live]\nkind = "antmedia"\npublish = {str(publish).lower()}\n'
        f'play = {str(play).lower()}\nkey = {{ algorithm = "HS256", secret = "{secret}" }}\n'
    )


def test_same_state_is_an_empty_plan() -> None:
    assert make_plan(config(ams(True, False, OLD)), config(ams(True, False, OLD))).empty


def test_key_comes_before_enforcement_and_relaxing_last() -> None:
    desired = config(ams(False, True, NEW))
    current = config(ams(True, False, OLD))
    plan = make_plan(desired, current)
    assert [(s.action, s.direction) for s in plan.steps] == [
        ("key", None),
        ("enforce", Direction.PLAY),
        ("relax", Direction.PUBLISH),
    ]
    assert plan.steps[0].description.startswith("Live: install key hs:")


def test_steps_are_grouped_per_scope_for_one_save_each() -> None:
    desired = config(ams(False, True, NEW) + ams(True, True, NEW).replace("Live", "Vod"))
    current = config(ams(True, False, OLD) + ams(True, False, OLD).replace("Live", "Vod"))
    plan = make_plan(desired, current)
    assert [[(str(s.scope), s.action) for s in group] for group in plan.per_scope()] == [
        [("Live", "key"), ("Live", "enforce"), ("Live", "relax")],
        [("Vod", "key"), ("Vod", "enforce")],
    ]


def test_applying_every_step_reaches_the_desired_state() -> None:
    desired = config(ams(False, True, NEW))
    current = config(ams(True, False, OLD))
    for step in make_plan(desired, current).steps:
        change_for(step, desired, current, NOW)
    assert make_plan(desired, current).empty


def test_applications_on_one_side_are_listed_not_changed() -> None:
    desired = config(ams(True, False, OLD) + '[applications.OnlyHere]\nkind = "antmedia"\n')
    current = config(ams(True, False, OLD) + '[applications.OnlyThere]\nkind = "antmedia"\n')
    plan = make_plan(desired, current)
    assert plan.empty
    assert plan.only_desired == ["OnlyHere"]
    assert plan.only_current == ["OnlyThere"]


def test_kind_mismatch_is_reported() -> None:
    desired = config('[applications.X]\nkind = "antmedia"\n')
    current = config('[applications.X]\nkind = "theolive"\n')
    expected = ["X (file says antmedia, server is theolive)"]
    assert make_plan(desired, current).only_desired == expected


def theolive(play: bool) -> str:
    return (
        '[applications.news]\nkind = "theolive"\n[applications.news.aliases.evening]\n'
        f'play = {str(play).lower()}\nkey = {{ algorithm = "HS256", secret = "{NEW}" }}\n'
        "[applications.news.aliases.morning]\n"
    )


def test_theolive_is_planned_per_alias_and_knows_uploaded_keys() -> None:
    desired = config(theolive(True))
    current = config(
        '[applications.news]\nkind = "theolive"\n[applications.news.aliases.evening]\n'
        "[applications.news.aliases.late]\n"
    )
    plan = make_plan(desired, current)
    assert [(str(s.scope), s.action) for s in plan.steps] == [
        ("news/evening", "key"),
        ("news/evening", "enforce"),
    ]
    assert plan.only_desired == ["news/morning"]
    assert plan.only_current == ["news/late"]
    # The server holds the key (write-only: known by the fingerprint recorded at upload).
    evening = current.applications["news"].aliases["evening"]
    assert evening.settings is None
    fingerprint = shared_key(Algorithm.HS256, NEW).fingerprint
    evening.settings = ScopeSettings(play=True, remote_keys=(RemoteKey("k1", "new", fingerprint),))
    assert make_plan(desired, current).empty


def test_digest_follows_switches_and_keys_only() -> None:
    base = state_digest(config(ams(True, False, OLD)))
    assert state_digest(config(ams(True, False, OLD))) == base
    assert state_digest(config(ams(True, True, OLD))) != base
    assert state_digest(config(ams(True, False, NEW))) != base
    relabelled = config(ams(True, False, OLD))
    relabelled.applications["Live"].label = "renamed"
    assert state_digest(relabelled) == base


def test_change_for_builds_edits_of_the_current_model() -> None:
    desired = config(ams(True, False, NEW))
    current = config(ams(True, False, OLD))
    (step,) = make_plan(desired, current).steps
    change = change_for(step, desired, current, NOW)
    assert change.scope == ScopeRef("Live")
    key = current.applications["Live"].settings.key
    assert isinstance(key, KeyEntry)
    assert key.origin is KeyOrigin.NEW
    assert key.fingerprint == shared_key(Algorithm.HS256, NEW).fingerprint


# --- what a plan records of the file's keys, and what apply --plan compares ------------------


def test_a_plan_records_the_fingerprint_of_every_key_the_file_holds() -> None:
    desired = config(ams(True, False, NEW) + theolive(True))
    plan = make_plan(desired, config(ams(True, False, NEW) + theolive(True)))
    assert plan.empty  # recorded even where nothing is to be installed
    expected = {
        "Live": shared_key(Algorithm.HS256, NEW).fingerprint,
        "news/evening": shared_key(Algorithm.HS256, NEW).fingerprint,
    }  # news/morning holds no key
    assert plan.desired_keys == expected
    assert plan.to_dict()["desired_keys"] == expected


def saved(desired: Config, current: Config) -> SavedPlan:
    """The plan as ``plan --out`` writes it, read back."""
    record = {
        "server": "prod",
        "config": "c.toml",
        "config_digest": "0" * 16,
        "made": NOW.isoformat(),
        **make_plan(desired, current).to_dict(),
    }
    return read_plan_file(json.dumps(record).encode())


def test_a_saved_plan_reads_back_equal_to_the_plan() -> None:
    desired, current = config(ams(False, True, NEW)), config(ams(True, False, OLD))
    plan = make_plan(desired, current)
    assert step_difference(saved(desired, current).steps, plan.steps) is None
    assert key_differences(saved(desired, current), plan) == []


def test_key_differences_name_the_scope_and_both_fingerprints() -> None:
    old, new = (shared_key(Algorithm.HS256, s).fingerprint for s in (OLD, NEW))
    was = saved(config(ams(True, False, OLD) + theolive(True)), config(ams(True, False, OLD)))
    now = make_plan(config(ams(True, False, NEW)), config(ams(True, False, OLD)))
    assert key_differences(was, now) == [
        f"Live: the file's key is {new} now; the plan was made with {old}",
        f"news/evening: the file has no key now; the plan was made with {new}",
    ]
    keyless = config('[applications.Live]\nkind = "antmedia"\n')
    assert key_differences(saved(keyless, keyless), now) == [
        f"Live: the file's key is {new} now; the plan was made with no key"
    ]


def test_step_difference_names_the_first_step_that_differs() -> None:
    current = config(ams(True, False, OLD))
    steps = make_plan(config(ams(False, True, OLD)), current).steps  # play on, publish off
    recorded = saved(config(ams(False, True, OLD)), current).steps
    assert step_difference(recorded[::-1], steps) == (
        "step 1 (Live: play JWT on) is not the plan's: the plan says action 'relax', "
        "apply would now do 'enforce'"
    )
    assert (
        step_difference(recorded[:1], steps) == "step 2 (Live: publish JWT off) is not in the plan"
    )
    assert step_difference(recorded, steps[:1]) == (
        "step 2 of the plan (Live: publish JWT off) is not needed now"
    )
