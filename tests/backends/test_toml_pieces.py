"""A big config parsed a piece at a time gives ``rtoml.loads``'s data, or the whole text is
parsed in one call.

The pieces are made as small as they go here (every line a piece, every body cut out), so
that each text the suite holds is cut at every place it can be. Pieced data must equal
``rtoml.loads(text)`` value for value, type for type and in order; where the pieces might
not add up (``rtoml`` refuses the whole text, a table is defined twice, a dotted key is split
between pieces), ``_pieces_parsed`` declines (None) or raises, and ``fast_toml`` falls back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import rtoml
from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.backends import toml_fast
from streamconsole.backends.toml_fast import _pieces_parsed, fast_toml
from tests.backends.test_toml_fuzz import toml_fragments
from tests.backends.test_toml_parsers_agree import ALL_TEXTS, typed

# What cutting a body out could get wrong, each also with the body's lines as pieces.
CUT_CASES = [
    '[a]\nx = 1\ny = "two"\n[b]\nz = 3\n',
    "[a]\nx = 1\n[a]\ny = 2\n",  # a table defined twice
    "[a]\nx = 1\n[a.b]\ny = 2\n",  # a sub-table: the cut table is not empty
    "[a.b]\ny = 2\n[a]\nx = 1\n",
    "[a]\nb = { c = 1 }\n[a.b]\nd = 2\n",  # an inline table extended
    "a.b = 1\n[a]\nc = 2\n",  # a table made by a dotted key, then its header
    "[a]\nb.c = 1\nb.d = 2\n",  # one dotted table over two lines (two pieces)
    "[a]\nx = 1\nx = 2\n",  # a key given twice
    "[a]\nx = 1\n  [b]\ny = 2\n",  # an indented header: b is not in a
    "[a]\n  [b]\ny = 2\n",  # the same, as the body's first line
    "x = [\n[1, 2],\n3,\n]\n",  # an array's lines that start with "["
    'x = [\n["a"]\n]\ny = 1\n',
    'x = [\n["a"],\n"b",\n]\n',
    "[[t]]\nx = 1\n[t.u]\ny = 2\n[[t]]\nx = 3\n",  # arrays of tables
    '[a."b.c"]\nx = 1\n[a]\ny = 2\n',
    "[a] # a comment\nx = 1 # another\n\n# a line of its own\ny = 2\n",
    "[a]\r\nx = 1\r\ny = 2\r\n",
    "[a]\nx = [1,\n2]\ny = 3\n",  # an array over two lines: a piece ends inside it
    '[a]\nx = "#[b]"\ny = 1\n',
    "[a]\nx = 1",  # no newline at the end
    "[a]\n",
    "x = 1\n[a]\n[b]\n",
]


@pytest.fixture
def every_line_a_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toml_fast, "PIECE_CHARS", 1)


def assert_pieces_agree(text: str) -> None:
    try:
        whole = rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError, RecursionError):
        whole = None
    try:
        pieced = _pieces_parsed(text)
    except (rtoml.TomlParsingError, ValueError, RecursionError):
        return  # declined: fast_toml parses the whole text
    if pieced is not None:
        assert whole is not None, f"the pieces accepted what rtoml refuses: {text[:200]!r}"
        assert typed(pieced) == typed(whole)


@pytest.mark.usefixtures("every_line_a_piece")
@pytest.mark.parametrize("text", ALL_TEXTS)
def test_every_config_the_suite_holds_parses_alike_in_pieces(text: Callable[[], str]) -> None:
    assert_pieces_agree(text())


@pytest.mark.usefixtures("every_line_a_piece")
@pytest.mark.parametrize("text", CUT_CASES, ids=range(len(CUT_CASES)))
def test_what_a_cut_could_break_parses_alike(text: str) -> None:
    assert_pieces_agree(text)


@pytest.mark.usefixtures("every_line_a_piece")
@settings(max_examples=300, deadline=None)
@given(st.lists(toml_fragments, max_size=12))
def test_config_shaped_text_parses_alike_in_pieces(parts: list[str]) -> None:
    assert_pieces_agree("".join(parts))


@pytest.mark.usefixtures("every_line_a_piece")
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abk=[]{}.\"'#,:0129\n\t T-"), max_size=60))
def test_toml_shaped_noise_parses_alike_in_pieces(text: str) -> None:
    assert_pieces_agree(text)


def test_a_big_config_is_parsed_in_pieces() -> None:
    aliases = "".join(f'"stream-{i:06}" = {{ label = "Camera {i}" }}\n' for i in range(5000))
    text = "".join(
        f'[applications.app-{a}]\nkind = "theolive"\n[applications.app-{a}.aliases]\n{aliases}'
        for a in range(2)
    )  # bodies of 5,000 aliases: several pieces each
    pieced = _pieces_parsed(text)
    assert pieced is not None
    assert typed(pieced) == typed(rtoml.loads(text))
    assert typed(fast_toml(text)) == typed(pieced)


def test_a_refused_piece_leaves_the_whole_text_to_rtoml() -> None:
    # The dotted table is split between two pieces: the pieces decline, the whole parses.
    text = "[a]\nb.c = 1\n" + "#" * toml_fast.PIECE_CHARS + "\nb.d = 2\n"
    assert _pieces_parsed(text) is None
    assert fast_toml(text) == {"a": {"b": {"c": 1, "d": 2}}}
