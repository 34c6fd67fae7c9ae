"""Where the footer's keys go: Textual's ``Footer`` layout (its CSS, in
``textual/widgets/_footer.py``) worked out as runs of cells, for :mod:`.key_footer` to draw.
Named tuples, not dataclasses: built in a fifth of the time, on the console's start-up path."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len


class ShownKey(NamedTuple):
    """A key as the footer shows it."""

    key: str  # as pressed: a click presses it
    display: str  # as drawn (the keymap's key, through ``App.get_key_display``)
    description: str
    action: str
    enabled: bool  # a disabled key is dimmed, and a click on it rings the bell
    tooltip: str


class ShownGroup(NamedTuple):
    """Consecutive keys of one ``Binding.Group``: the keys, then the group's description."""

    description: str
    compact: bool
    keys: tuple[ShownKey, ...]


class Piece(NamedTuple):
    """A run of cells: what draws it (a part of a key, a blank, a group's label), and
    which key it belongs to (hovered and clicked as that key), if any."""

    text: str
    part: str  # "key", "description", "label", "blank", "border" or "padding"
    key: ShownKey | None = None


Placed = tuple[int, int, Piece]  # a piece, from its first cell to past its last shown


def key_pieces(key: ShownKey, *, compact: bool) -> list[Piece]:
    # FooterKey.render: a key without a description has no padding, in either style.
    if not key.description:
        return [Piece(key.display, "key", key)]
    if compact:  # the key unpadded, the description padded on its left
        return [Piece(key.display, "key", key), Piece(f" {key.description}", "description", key)]
    key_part, description = f" {key.display} ", f"{key.description} "
    return [Piece(key_part, "key", key), Piece(description, "description", key)]


def lay_out(
    entries: tuple[ShownKey | ShownGroup, ...], *, compact: bool
) -> tuple[list[Piece], int]:
    """The keys left to right, spaced as Textual's footer spaces its widgets: a compact
    footer's key has a margin of one on its right; a group's keys have one each side, none
    in a compact group (which has a padding of one on its left and a margin on its right);
    the group's label has a margin on its right unless the footer is compact. Margins
    between neighbours collapse to the larger, and each widget's edge starts a segment.
    Also the last entry's margin, which the footer's free space takes in."""
    pieces: list[Piece] = []
    gap = 0  # the margin owed to the previous entry (every entry's left margin is 0)
    for entry in entries:
        if gap:
            pieces.append(Piece(" " * gap, "blank"))
        if isinstance(entry, ShownKey):
            pieces += key_pieces(entry, compact=compact)
            gap = 1 if compact else 0
            continue
        margin = 0 if entry.compact else 1
        if entry.compact:
            pieces.append(Piece(" ", "blank"))  # the group's padding
        for key in entry.keys:
            if margin:
                pieces.append(Piece(" ", "blank"))
            pieces.append(Piece(key.display, "key", key))
        if margin:
            pieces.append(Piece(" ", "blank"))
        if entry.compact:
            pieces.append(Piece(" ", "blank"))  # the group's margin
        pieces.append(Piece(entry.description, "label"))
        gap = 0 if compact else 1
    return pieces, gap


def placed_from(pieces: list[Piece], x: int, end: int) -> list[Placed]:
    """Where the pieces drawn from column ``x`` show, up to column ``end``."""
    placed = []
    for piece in pieces:
        width = cell_len(piece.text)
        if max(0, x) < min(end, x + width):
            placed.append((max(0, x), min(end, x + width), piece))
        x += width
    return placed
