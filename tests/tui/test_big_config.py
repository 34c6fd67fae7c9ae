"""A big config in the console: what keeps a 100k-alias file quick to show."""

from __future__ import annotations

import gc
from pathlib import Path

from textual.message import Message

from streamconsole.backends.toml_file import TomlSource
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.config_loader import FREEZE_ALIASES, ConfigLoaded

from .conftest import fixed_clock, wait_loaded


async def test_a_big_configs_objects_are_frozen_before_the_collector_is_back_on(
    tmp_path: Path,
) -> None:
    """Made while the collector was off, a big load's objects would all be walked by the
    first collection after it, between the load and the list: they are frozen before. The
    list's index of them follows once shown, out of the full collections filtering sets off."""
    aliases = "".join(f'"s-{i}" = {{ label = "Camera {i}" }}\n' for i in range(FREEZE_ALIASES))
    path = tmp_path / "big.toml"
    path.write_text(f'[applications.A]\nkind = "theolive"\n[applications.A.aliases]\n{aliases}')
    frozen_when_posted: list[int] = []

    def hook(message: Message) -> None:
        if isinstance(message, ConfigLoaded):
            frozen_when_posted.append(gc.get_freeze_count())

    gc.unfreeze()  # what an earlier test's console may have left frozen
    app = StreamConsoleApp(TomlSource(path, clock=fixed_clock), clock=fixed_clock)
    try:
        async with app.run_test(message_hook=hook) as pilot:
            await wait_loaded(pilot)
            index = app.main_screen.scope_list.scope_index
            assert index is not None
            collected = {id(tracked) for tracked in gc.get_objects()}  # the frozen: not
            assert id(index.alias_names) not in collected
    finally:
        gc.unfreeze()
    [frozen] = frozen_when_posted
    assert frozen >= FREEZE_ALIASES
