"""The one glyph table: every symbol the console and the CLI draw, by meaning, in Unicode
and in plain ASCII for terminals whose fonts lack them (the Linux console, serial
terminals, or ``--ascii``).

Draw sites take their symbols from a :class:`Glyphs` (an ASCII replacement may be longer:
``…`` becomes ``...``). What the UI toolkit draws itself (borders, scroll bars, the ellipsis
of cut text) and symbols inside other modules' sentences go through :data:`ASCII_CELLS`
instead, one cell for one cell, on their way to the screen.
"""

from __future__ import annotations

from typing import NamedTuple


class Glyphs(NamedTuple):
    """Symbols by meaning; :data:`UNICODE` and :data:`ASCII` are the two sets. (A named
    tuple: a frozen dataclass of so many fields cost ~5 ms of the console's start.)"""

    ascii: bool
    enforced: str  # a JWT check that is on
    off: str  # a JWT check that is off
    unsupported: str  # the server has no such check
    unread: str  # a check not read from the server yet (it is being fetched)
    play: str  # the play column (publish is "P")
    pointer: str  # the cursor row; between an application and its alias
    marked: str  # a row marked with x
    expanded: str  # an application whose aliases are shown
    collapsed: str  # an application whose aliases are hidden
    leaf: str  # an application without aliases
    warning: str  # the detail has warnings; a warning sentence
    failed: str  # could not be read or loaded
    no_key: str  # a row enforced with no key (every request refused)
    passed: str  # a token check that passed
    refused: str  # a token check that failed
    skipped: str  # a token check that did not apply
    separator: str  # between the status line's parts
    dot: str  # between the parts of one phrase
    bullet: str  # an item of a list
    mask: str  # one character of a masked secret
    ellipsis: str  # more, or still to come
    arrow: str  # old → new
    up_down: str  # the arrow keys that scroll
    times: str  # a size: 80×24

    def check(self, status: str) -> str:
        """The mark of a token check by its status: ``passed``, ``failed`` or ``skipped``."""
        return {"passed": self.passed, "failed": self.refused, "skipped": self.skipped}[status]


UNICODE = Glyphs(
    ascii=False,
    enforced="●",
    off="○",
    unsupported="–",
    unread="◌",
    play="▶",
    pointer="›",
    marked="✓",
    expanded="▾",
    collapsed="▸",
    leaf="·",
    warning="⚠",
    failed="✗",
    no_key="!",
    passed="✔",
    refused="✖",
    skipped="–",
    separator="│",
    dot="·",
    bullet="•",
    mask="•",
    ellipsis="…",
    arrow="→",
    up_down="↑↓",
    times="×",
)

# ASCII: on "+", off "-", not read yet "~" (the 16-colour styles add bold and dim); the
# markers on the right of a row stay apart: "!" warnings, "X" no key or not read, "*" unsaved.
ASCII = Glyphs(
    ascii=True,
    enforced="+",
    off="-",
    unsupported=".",
    unread="~",
    play=">",
    pointer=">",
    marked="x",
    expanded="-",
    collapsed="+",
    leaf=" ",
    warning="!",
    failed="X",
    no_key="X",
    passed="+",
    refused="x",
    skipped="-",
    separator="|",
    dot="-",
    bullet="-",
    mask="*",
    ellipsis="...",
    arrow="->",
    up_down="up/down",
    times="x",
)

# What the toolkit draws (box drawing, blocks of scroll bars and borders) and symbols in
# other sentences, one ASCII cell for one cell, so that nothing moves; the table's own
# one-cell symbols join them, as their ASCII forms begin. A thick border (full blocks on
# the sides, half blocks above and below) becomes | and - and _, as a thin one does.
_TOOLKIT_CELLS = {
    **dict.fromkeys("─━═┄┅┈┉╌╍╴╶╸╺▔▀", "-"),
    **dict.fromkeys("│┃║┆┇┊┋╎╏╵╷╹╻▏▕▎▍▌▋▊▉█▐", "|"),
    **dict.fromkeys("┌┍┎┏┐┑┒┓└┕┖┗┘┙┚┛├┝┞┟┠┡┢┣┤┥┦┧┨┩┪┫┬┭┮┯┰┱┲┳┴┵┶┷┸┹┺┻┼┽┾┿╀╁╂╃╄╅╆╇╈╉╊╋", "+"),
    **dict.fromkeys("╔╗╚╝╠╣╦╩╬╒╓╕╖╘╙╛╜╞╟╡╢╤╥╧╨╪╫╭╮╯╰", "+"),
    **dict.fromkeys("▁▂▃▄▅▆▇", "_"),
    **dict.fromkeys("░▒▓", "#"),
    **dict.fromkeys("—―", "-"),
    **dict.fromkeys("‘’", "'"),
    **dict.fromkeys("“”", '"'),
    "←": "<",
    "↑": "^",
    "↓": "v",
    "▶": ">",
    "▷": ">",
    "◀": "<",
    "▼": "v",
    "▲": "^",
    "✔": "+",
    "✓": "+",
    "✕": "x",
    "✖": "x",
    "✗": "x",
    "§": "S",
}


def _cells() -> dict[int, str]:
    table = {ord(symbol): ascii for symbol, ascii in _TOOLKIT_CELLS.items()}
    for name in Glyphs._fields:
        symbol, ascii = getattr(UNICODE, name), getattr(ASCII, name)
        if isinstance(symbol, str) and len(symbol) == 1 and not symbol.isascii():
            table[ord(symbol)] = ascii[0]
    return table


# For str.translate: every symbol above, to one ASCII character.
ASCII_CELLS: dict[int, str] = _cells()

# Terminals whose fonts hold (about) ASCII and line drawing: the Linux and FreeBSD
# consoles, serial terminals; TERM may name a variant after a dash ("linux-16color").
# Not "dumb": Emacs' shell and CI logs say so, and they show Unicode.
_ASCII_TERMINALS = frozenset({"linux", "vt52", "vt100", "vt102", "vt220", "cons25"})


def glyphs_for(term: str | None, *, ascii: bool = False) -> Glyphs:
    """The glyphs for a terminal of type ``term`` (``$TERM``); ``ascii`` asks for ASCII."""
    family = (term or "").split("-")[0].lower()
    return ASCII if ascii or family in _ASCII_TERMINALS else UNICODE
