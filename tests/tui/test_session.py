"""EditSession: the one gateway for writes, over a real TomlSource on a temporary copy."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.base import ReadOnlyError
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import SetEnforcement
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Direction, ScopeRef
from streamconsole.session import EditSession

from .conftest import KEYS, fixed_clock

NOW = datetime(2026, 10, 1, tzinfo=UTC)


async def _session(path: Path, *, read_only: bool = False) -> EditSession:
    source = TomlSource(path, read_only=read_only, clock=fixed_clock)
    return EditSession(source, await source.load(), read_only=read_only)


def _on_disk(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


async def test_an_ant_media_alias_toggle_lands_on_its_application(config_path: Path) -> None:
    session = await _session(config_path)
    plan = session.plan_toggle(
        [ScopeRef("LiveApp", "stream1"), ScopeRef("LiveApp", "camera-2")], Direction.PLAY
    )
    assert plan.targets == (ScopeRef("LiveApp"),)
    assert plan.redirected == (ScopeRef("LiveApp", "stream1"), ScopeRef("LiveApp", "camera-2"))
    assert plan.enable is True
    assert plan.need_key == ()


async def test_publish_on_theolive_is_unsupported(config_path: Path) -> None:
    session = await _session(config_path)
    plan = session.plan_toggle([ScopeRef("news", "evening")], Direction.PUBLISH)
    assert plan.targets == ()
    assert plan.unsupported == (ScopeRef("news", "evening"),)


async def test_enabling_without_any_key_needs_a_key(config_path: Path) -> None:
    session = await _session(config_path)
    plan = session.plan_toggle([ScopeRef("bare")], Direction.PUBLISH)
    assert plan.need_key == (ScopeRef("bare"),)
    plan = session.plan_toggle([ScopeRef("news", "morning")], Direction.PLAY)
    assert plan.need_key == (ScopeRef("news", "morning"),)


async def test_mixed_selection_turns_on_until_all_are_on(config_path: Path) -> None:
    session = await _session(config_path)
    refs = [ScopeRef("news", "evening"), ScopeRef("news", "morning")]
    assert session.plan_toggle(refs, Direction.PLAY).enable is True
    assert session.plan_toggle(refs[:1], Direction.PLAY).enable is False


async def test_toggling_back_leaves_nothing_pending(config_path: Path) -> None:
    session = await _session(config_path)
    session.set_enforcement(ScopeRef("LiveApp"), Direction.PLAY, True)
    assert session.unsaved_scopes == {ScopeRef("LiveApp")}
    session.set_enforcement(ScopeRef("LiveApp"), Direction.PLAY, False)
    assert session.pending == ()


async def test_repeated_edits_keep_one_change_with_the_first_previous_value(
    config_path: Path,
) -> None:
    session = await _session(config_path)
    ref = ScopeRef("news", "evening")  # play = true on the alias, false on its channel
    session.set_enforcement(ref, Direction.PLAY, False)
    session.set_enforcement(ref, Direction.PLAY, True)
    session.set_enforcement(ref, Direction.PLAY, False)
    (change,) = session.pending
    assert isinstance(change, SetEnforcement)
    assert (change.enabled, change.previous, change.inherits) == (False, True, True)


async def test_an_inheriting_alias_toggled_twice_leaves_nothing_pending(
    config_path: Path,
) -> None:
    session = await _session(config_path)
    ref = ScopeRef("news", "morning")  # play not set on the alias: it inherits false
    session.set_enforcement(ref, Direction.PLAY, True)
    session.set_enforcement(ref, Direction.PLAY, False)
    assert session.pending == ()


async def test_save_writes_every_change_and_clears_them(config_path: Path) -> None:
    session = await _session(config_path)
    session.set_enforcement(ScopeRef("LiveApp"), Direction.PLAY, True)
    session.set_enforcement(ScopeRef("news", "morning"), Direction.PLAY, True)
    assert await session.save() == 2
    assert session.pending == ()
    data = _on_disk(config_path)
    apps = data["applications"]
    assert isinstance(apps, dict)
    assert apps["LiveApp"]["play"] is True
    assert apps["news"]["aliases"]["morning"]["play"] is True


async def test_read_only_refuses_every_write_and_changes_nothing(config_path: Path) -> None:
    before = config_path.read_bytes()
    session = await _session(config_path, read_only=True)
    secret = (KEYS / "hs256.secret").read_text(encoding="utf-8").strip()
    with pytest.raises(ReadOnlyError, match="read-only"):
        session.set_enforcement(ScopeRef("LiveApp"), Direction.PLAY, True)
    with pytest.raises(ReadOnlyError):
        session.set_key(ScopeRef("bare"), shared_key(Algorithm.HS256, secret), NOW)
    with pytest.raises(ReadOnlyError):
        await session.save()
    assert session.config.applications["LiveApp"].settings.play is False
    assert session.pending == ()
    assert config_path.read_bytes() == before


async def test_read_only_in_the_config_makes_the_session_read_only(config_path: Path) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace('save = "manual"', 'save = "manual"\nread_only = true'))
    session = await _session(config_path)
    assert session.read_only


async def test_every_save_is_audited_ok_or_failed(config_path: Path, tmp_path: Path) -> None:
    import json

    from streamconsole.audit import AuditLog

    audit = AuditLog(tmp_path / "audit.jsonl")
    source = TomlSource(config_path, clock=fixed_clock)
    session = EditSession(source, await source.load(), read_only=False, audit=audit, origin="tui")
    first = next(iter(session.config.applications))
    session.set_enforcement(ScopeRef(first), Direction.PLAY, True)
    await session.save()
    session.set_enforcement(ScopeRef(first), Direction.PLAY, False)
    config_path.write_text(config_path.read_text() + "\n# changed by someone else\n")
    with pytest.raises(Exception, match="changed on disk"):
        await session.save()
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(line["change"], line["result"][:6], line["origin"]) for line in lines] == [
        ("play jwt on", "ok", "tui"),
        ("play jwt off", "failed", "tui"),
    ]


async def test_the_configs_theme_is_an_edit_that_can_be_taken_back(config_path: Path) -> None:
    session = await _session(config_path)
    session.set_theme("ansi-dark")
    session.set_theme("streamconsole-light")
    (change,) = session.pending
    assert change.describe() == "console: theme streamconsole-dark → streamconsole-light"
    assert session.unsaved_scopes == frozenset()  # no application or alias is unsaved
    session.set_theme("streamconsole-dark")
    assert session.pending == ()


async def test_read_only_refuses_the_configs_theme(config_path: Path) -> None:
    session = await _session(config_path, read_only=True)
    with pytest.raises(ReadOnlyError, match="save the theme to the config"):
        session.set_theme("ansi-dark")
    assert session.config.settings.theme == "streamconsole-dark"
