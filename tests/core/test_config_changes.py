"""config_changes: what a reload changed, counted and said in words."""

from __future__ import annotations

from streamconsole.core.config_changes import config_changes
from streamconsole.core.key_records import RemoteKey
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    Direction,
    ScopeSettings,
    ServerKind,
)


def _config(*, play: bool = False, label: str = "", keys: tuple[RemoteKey, ...] = ()) -> Config:
    live = Application(
        "Live",
        ServerKind.ANTMEDIA,
        ScopeSettings(publish=True, play=play),
        aliases={"a": Alias("a"), "b": Alias("b", label)},
    )
    news = Application(
        "news",
        ServerKind.THEOLIVE,
        aliases={"evening": Alias("evening", settings=ScopeSettings(remote_keys=keys))},
    )
    return Config(applications={"Live": live, "news": news})


def test_the_same_config_read_again_changed_nothing() -> None:
    assert str(config_changes(_config(), _config())) == "nothing changed"


def test_each_kind_of_change_is_counted_once_per_scope() -> None:
    old, new = _config(), _config(play=True, label="Backup", keys=(RemoteKey("k1"),))
    del new.applications["Live"].aliases["a"]
    new.applications["Live"].aliases["c"] = Alias("c")
    new.applications["Live"].aliases["d"] = Alias("d")
    new.applications["lab"] = Application("lab", ServerKind.GENERIC)
    new.applications["news"].one_time_token = frozenset({Direction.PLAY})
    changes = config_changes(old, new)
    assert str(changes) == (
        "1 application added, 2 applications changed, "
        "2 aliases added, 1 alias removed, 2 aliases changed"
    )
    assert str(config_changes(new, old)).startswith("1 application removed, ")


def test_aliases_not_read_yet_are_not_compared() -> None:
    old, new = _config(), _config()
    new.applications["news"].aliases_loaded = False
    new.applications["news"].aliases = {}
    assert str(config_changes(old, new)) == "no application changed (aliases are read again)"
