"""Surgical snippet edits give the same text as a full tomlkit round trip."""

from __future__ import annotations

import difflib
import tomllib
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.backends.toml_edit import edit_table
from streamconsole.backends.toml_scan import scan

LAYOUT = '''# header comment
[console]
theme = "x"   # keep me

[applications.A]   # app A
kind = "generic"
label = "multi\\"quote"
publish = true # inline comment
tags = [
  "a", "]",   # tricky
  "b",
]
note = """
[applications.fake]
play = true
"""
key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq" }

# comment introducing the aliases
[applications.A.aliases]
plain = {}
"quoted name" = { label = "L" }   # trailing
'literal' = { play = false }
dotted.play = true

[applications.A.aliases.table-alias]
label = "as a table"

[applications.B]
kind = "generic"
aliases = { x = {}, y = { play = true } }

[applications.C.key]
algorithm = "HS256"
secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
'''

PATHS = [
    ("console",),
    ("applications", "A"),
    ("applications", "A", "aliases", "plain"),
    ("applications", "A", "aliases", "quoted name"),
    ("applications", "A", "aliases", "literal"),
    ("applications", "A", "aliases", "dotted"),
    ("applications", "A", "aliases", "table-alias"),
    ("applications", "B"),
    ("applications", "B", "aliases", "y"),
    ("applications", "C", "key"),
    ("applications", "A", "key"),
]


def full_tomlkit(text: str, path: tuple[str, ...], field: str, value: Any) -> str:
    document = tomlkit.parse(text)
    table: Any = document
    for part in path:
        table = table[part]
    table[field] = value
    return tomlkit.dumps(document)


def set_field(field: str, value: Any) -> Any:
    def mutate(table: Any) -> None:
        table[field] = value

    return mutate


def test_scanner_follows_the_layout() -> None:
    statements = scan(LAYOUT.splitlines())
    assert statements is not None
    headers = [s.path for s in statements if s.is_header]
    assert ("applications", "fake") not in headers  # inside a multi-line string
    assert ("applications", "A", "aliases", "table-alias") in headers


@pytest.mark.parametrize("path", PATHS, ids=".".join)
@pytest.mark.parametrize(("field", "value"), [("play", True), ("publish", False), ("label", "n")])
def test_surgical_edit_matches_full_round_trip(
    path: tuple[str, ...], field: str, value: Any
) -> None:
    expected = full_tomlkit(LAYOUT, path, field, value)
    edited = edit_table(LAYOUT, path, set_field(field, value))
    assert tomllib.loads(edited) == tomllib.loads(expected)
    # One line changed or added; every other line, comments included, byte for byte.
    diff = [
        line for line in difflib.ndiff(LAYOUT.splitlines(), edited.splitlines()) if line[:1] in "+-"
    ]
    assert len(diff) <= 2
    assert (not diff) == (tomllib.loads(edited) == tomllib.loads(LAYOUT))
    assert all(field in line for line in diff if line.startswith("+"))
    if len(diff) == 2:
        assert diff[0].startswith("-")


def test_new_key_goes_with_its_section_not_after_the_next_sections_comment() -> None:
    edited = edit_table(LAYOUT, ("applications", "A"), set_field("play", True))
    assert 'GHPmHq" }\nplay = true\n\n# comment introducing the aliases' in edited


def test_new_key_colliding_with_a_table_elsewhere_falls_back_to_full_parse() -> None:
    # applications.C's `key` is a separate table: adding `key = {...}` to C's own section
    # would define it twice. The edit must fall back and update the table in place.
    text = "[applications.C]\nkind = 'generic'\n\n[applications.C.key]\nalgorithm = 'HS256'\n"
    edited = edit_table(text, ("applications", "C"), set_field("key", {"algorithm": "HS512"}))
    assert tomllib.loads(edited)["applications"]["C"]["key"] == {"algorithm": "HS512"}
    assert edited.count("key") == 1


def test_missing_table_raises_key_error() -> None:
    with pytest.raises(KeyError):
        edit_table(LAYOUT, ("applications", "Z"), set_field("play", True))


def test_file_without_final_newline_keeps_it_that_way() -> None:
    text = "[applications.A]\nkind = 'generic'\nplay = false"
    edited = edit_table(text, ("applications", "A"), set_field("play", True))
    assert edited == "[applications.A]\nkind = 'generic'\nplay = true"


names = st.text(alphabet="abcXYZ-_ 019é", min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    aliases=st.dictionaries(names, st.booleans() | st.none(), min_size=1, max_size=6),
    target=st.integers(min_value=0, max_value=5),
    value=st.booleans(),
)
def test_random_alias_tables(aliases: dict[str, bool | None], target: int, value: bool) -> None:
    lines = ["[applications.app]", 'kind = "generic"', "", "[applications.app.aliases]"]
    for name, play in aliases.items():
        body = "{}" if play is None else f"{{ play = {str(play).lower()} }}"
        lines.append(f"{tomlkit.string(name).as_string()} = {body}   # {name!r}")
    text = "\n".join(lines) + "\n"
    name = list(aliases)[target % len(aliases)]
    path = ("applications", "app", "aliases", name)
    edited = edit_table(text, path, set_field("play", value))
    # Byte for byte: the one alias's table written in the file's spacing, all else kept.
    line = next(line for line in lines if line.endswith(f"# {name!r}"))
    body = line.split(" = ", 1)[1].split("   # ", 1)[0]
    assert edited == text.replace(
        f"{line}\n", line.replace(body, f"{{ play = {str(value).lower()} }}") + "\n"
    )
    assert tomllib.loads(edited)["applications"]["app"]["aliases"][name]["play"] is value
