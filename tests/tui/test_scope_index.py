"""ScopeIndex: the rows of the list, filtered and collapsed, without a screen."""

from __future__ import annotations

from streamconsole.core.model import Alias, Application, Config, ScopeRef, ServerKind
from streamconsole.tui.scope_index import EXPAND_LIMIT, Row, ScopeIndex


def _config(**apps: list[str]) -> Config:
    config = Config()
    for name, aliases in apps.items():
        config.applications[name] = Application(
            name, ServerKind.THEOLIVE, aliases={a: Alias(a) for a in aliases}
        )
    return config


def _refs(index: ScopeIndex) -> list[str]:
    return [str(index.ref(index.row(y))) for y in range(len(index))]


def test_rows_list_each_application_then_its_aliases() -> None:
    index = ScopeIndex(_config(Live=["a", "b"], News=["evening"]))
    assert _refs(index) == ["Live", "Live/a", "Live/b", "News", "News/evening"]
    assert index.row(0).is_application
    assert index.row(2) == Row(0, 1)


def test_a_huge_application_starts_collapsed() -> None:
    many = [f"s{i}" for i in range(EXPAND_LIMIT + 1)]
    index = ScopeIndex(_config(Huge=many, Small=["x"]))
    assert _refs(index) == ["Huge", "Small", "Small/x"]
    index.set_expanded(0, True)
    assert len(index) == 1 + len(many) + 2
    assert index.find(Row(0, EXPAND_LIMIT)) == 1 + EXPAND_LIMIT


def test_filter_matches_alias_names_in_any_case_and_opens_their_application() -> None:
    many = [f"cam-{i}" for i in range(500)] + ["Lobby"]
    index = ScopeIndex(_config(Huge=many, Other=["lobby-2", "x"], Third=["y"]))
    index.set_query("LOBBY")
    assert _refs(index) == ["Huge", "Huge/Lobby", "Other", "Other/lobby-2"]
    assert index.shown_aliases == 2


def test_an_application_matched_by_name_keeps_all_its_aliases() -> None:
    index = ScopeIndex(_config(LiveApp=["a", "b"], News=["live-evening", "morning"]))
    index.set_query("live")
    assert _refs(index) == ["LiveApp", "LiveApp/a", "LiveApp/b", "News", "News/live-evening"]


def test_a_narrowing_filter_gives_what_a_fresh_filter_gives() -> None:
    names = [f"stream-{i}" for i in range(1000)]
    narrowed = ScopeIndex(_config(A=names, B=["stream-12", "other"]))
    for query in ("s", "st", "stream-1", "stream-12"):
        narrowed.set_query(query)
    fresh = ScopeIndex(_config(A=names, B=["stream-12", "other"]))
    fresh.set_query("stream-12")
    assert _refs(narrowed) == _refs(fresh)
    assert _refs(fresh) == [
        "A",
        "A/stream-12",
        "A/stream-120",
        *[f"A/stream-{i}" for i in range(121, 130)],
        "B",
        "B/stream-12",
    ]


def test_widening_and_clearing_the_filter_bring_rows_back() -> None:
    index = ScopeIndex(_config(A=["one", "two"], B=["three"]))
    index.set_query("two")
    assert _refs(index) == ["A", "A/two"]
    index.set_query("t")
    assert _refs(index) == ["A", "A/two", "B", "B/three"]
    index.set_query("")
    assert _refs(index) == ["A", "A/one", "A/two", "B", "B/three"]


def test_no_match_gives_no_rows() -> None:
    index = ScopeIndex(_config(A=["one"]))
    index.set_query("zzz")
    assert len(index) == 0
    assert index.find(Row(0)) is None


def test_collapsing_during_a_filter_does_not_change_the_unfiltered_state() -> None:
    index = ScopeIndex(_config(A=["one", "two"]))
    index.set_query("o")
    index.set_expanded(0, False)
    assert _refs(index) == ["A"]
    index.set_query("")
    assert _refs(index) == ["A", "A/one", "A/two"]


def test_locate_and_find_name_rows_by_scope() -> None:
    index = ScopeIndex(_config(A=["one", "two"], B=["three"]))
    row = index.locate(ScopeRef("B", "three"))
    assert row == Row(1, 0)
    assert index.find(row) == 4
    assert index.locate(ScopeRef("B", "nope")) is None
    assert index.locate(ScopeRef("C")) is None
    index.set_all_expanded(False)
    assert index.find(row) is None
    assert index.segment_start(1) == 1
