"""FleetIndex: several servers' rows in one tree, a row per server above each server's own
ScopeIndex, without a screen."""

from __future__ import annotations

from streamconsole.core.model import Alias, Application, Config, ScopeRef, ServerKind
from streamconsole.tui.fleet_index import STRIDE, FleetIndex
from streamconsole.tui.scope_index import Row, ScopeIndex


def _index(**apps: list[str]) -> ScopeIndex:
    config = Config()
    for name, aliases in apps.items():
        config.applications[name] = Application(
            name, ServerKind.THEOLIVE, aliases={a: Alias(a) for a in aliases}
        )
    return ScopeIndex(config)


def _rows(fleet: FleetIndex) -> list[str]:
    """Each row: ``#N`` for server N's own row, else ``N:ref``."""
    shown = []
    for y in range(len(fleet)):
        row = fleet.row(y)
        server = FleetIndex.server_of(row)
        shown.append(f"#{server}" if row.is_server else f"{server}:{fleet.ref(row)}")
    return shown


def test_a_row_per_server_above_its_own_rows_each_as_it_loads() -> None:
    fleet = FleetIndex(3)
    assert _rows(fleet) == ["#0", "#1", "#2"]  # all loading
    fleet.set_index(1, _index(Live=["a"]))
    assert _rows(fleet) == ["#0", "#1", "1:Live", "1:Live/a", "#2"]
    fleet.set_index(0, _index(Live=["b"], News=[]))
    assert _rows(fleet) == ["#0", "0:Live", "0:Live/b", "0:News", "#1", "1:Live", "1:Live/a", "#2"]
    # A row's number stays put when another server loads: marks and the cursor keep it.
    assert fleet.find(Row(STRIDE + 1, 0)) == 6
    assert fleet.locate(ScopeRef("Live", "a"), 1) == Row(STRIDE + 1, 0)
    assert fleet.locate(ScopeRef("Live", "a"), 0) is None


def test_a_server_collapses_like_an_application() -> None:
    fleet = FleetIndex(2)
    fleet.set_index(0, _index(Live=["a"]))
    fleet.set_index(1, _index(News=["b"]))
    fleet.set_expanded(FleetIndex.header(0).app, False)
    assert _rows(fleet) == ["#0", "#1", "1:News", "1:News/b"]
    assert not fleet.is_expanded(0) and fleet.find(Row(1, 0)) is None
    assert fleet.find(Row(0)) == 0  # a server's row, however named
    assert fleet.segment_start(STRIDE + 1) == 2
    fleet.set_all_expanded(True)
    assert len(fleet) == 6
    fleet.set_all_expanded(False)  # the applications close; the servers stay open
    assert _rows(fleet) == ["#0", "0:Live", "#1", "1:News"]


def test_the_filter_looks_through_every_server_and_hides_those_without_a_match() -> None:
    fleet = FleetIndex(3)
    fleet.set_index(0, _index(Live=["lobby"], News=["x"]))
    fleet.set_index(2, _index(Vod=["lobby-2", "y"]))
    fleet.set_query("LOBBY")
    assert _rows(fleet) == ["#0", "0:Live", "0:Live/lobby", "#2", "2:Vod", "2:Vod/lobby-2"]
    assert fleet.filtering and fleet.shown_aliases == 2
    fleet.set_index(1, _index(Lobby=[]))  # loaded while filtering: filtered too
    assert "1:Lobby" in _rows(fleet)
    fleet.set_query("")
    assert len(fleet) == 3 + 4 + 1 + 3 and fleet.alias_count == 4


def test_the_applications_on_screen_name_their_server() -> None:
    fleet = FleetIndex(2)
    fleet.set_index(0, _index(Live=["a", "b"]))
    fleet.set_index(1, _index(News=[], Vod=[]))
    # Rows: #0, Live, a, b, #1, News, Vod.
    assert fleet.visible_applications(0, 6) == [1, STRIDE + 1, STRIDE + 2]
    assert fleet.visible_applications(5, 5) == [STRIDE + 1]
    assert fleet.visible_applications(4, 4) == []
