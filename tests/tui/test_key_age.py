"""An overdue key in the console: its row marked ⚠, its detail saying OVERDUE with the
policy, and a snapshot of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from streamconsole.core.model import ScopeRef

from .conftest import AppFactory, detail_text, row_text, scope_list, wait_loaded

# At the fixed clock (2026-10-01) LiveApp's key is 29 days old, evening's 623.
POLICY = '[console]\nmax_key_age = "90d"\n'


def with_policy(config_path: Path, policy: str = POLICY) -> None:
    text = config_path.read_text("utf-8").replace("[console]\n", policy, 1)
    config_path.write_text(text, encoding="utf-8")


async def select(pilot: Pilot[Any], ref: str) -> None:
    await wait_loaded(pilot)
    assert scope_list(pilot).select(ScopeRef.parse(ref))
    await pilot.pause()


async def test_an_overdue_key_is_marked_in_its_row_and_its_detail(
    make_app: AppFactory, config_path: Path
) -> None:
    with_policy(config_path)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await select(pilot, "news/evening")
        assert row_text(pilot, "news/evening").rstrip().endswith("⚠")
        detail = detail_text(pilot)
        assert "OVERDUE: past max_key_age 90d" in detail
        assert "the key is overdue: 623 days old, past max_key_age (90d); rotate it" in detail
        await select(pilot, "LiveApp")  # 29 days: within the policy, which the detail names
        detail = detail_text(pilot)
        assert "OVERDUE" not in detail and "max_key_age 90d" in detail


async def test_a_policy_that_allows_the_age_silences_the_yearly_advice(
    make_app: AppFactory, config_path: Path
) -> None:
    with_policy(config_path)  # the console's; news sets its own, the closer one
    text = config_path.read_text("utf-8").replace(
        'label = "News channel"\n', 'label = "News channel"\nmax_key_age = "700d"\n'
    )
    config_path.write_text(text, encoding="utf-8")
    async with make_app().run_test(size=(120, 40)) as pilot:
        await select(pilot, "news/evening")
        assert "⚠" not in row_text(pilot, "news/evening")
        assert "days old" not in detail_text(pilot)


def test_snapshot_an_overdue_key(
    snap_compare: Any, make_app: AppFactory, config_path: Path
) -> None:
    with_policy(config_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await select(pilot, "news/evening")

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)
