"""One row of the scope list, as cells of text and style: the columns on the right (server
kind, key algorithm, publish and play state, markers), the name's label where it fits, and
the row cut or padded to its width. States are glyphs as well as colours (``P● ▶○``, ``–``
where the server has no such control, ``◌`` not read yet, ``*`` unsaved, ``!`` enforced with
no key, ``✗`` not read, ``⚠`` the detail has warnings; their ASCII forms in
:mod:`core.glyphs`), so NO_COLOR loses nothing; off is dim where the theme has 16 colours
(``scope-list--off``), so on and off differ by more.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from streamconsole.core.glyphs import Glyphs
from streamconsole.core.model import Alias, Application, Direction, ServerKind
from streamconsole.core.policy import EffectivePolicy, PolicySource, effective_policy

Cells = list[tuple[str, Style]]
# A label is shown when this much of it fits (all of a shorter one): less says nothing.
LABEL_MIN_CELLS = 8
_LABEL_GAP = "  "
KIND_LABELS = {ServerKind.ANTMEDIA: "AntMedia", ServerKind.THEOLIVE: "THEOlive"}


def state_glyph(policy: EffectivePolicy, glyphs: Glyphs) -> str:
    if not policy.supported:
        return glyphs.unsupported
    return glyphs.enforced if policy.enforced else glyphs.off


def right_columns(
    app: Application,
    alias: Alias | None,
    *,
    with_kind: bool,
    unsaved: bool,
    failed: bool,
    warned: bool,
    style: Callable[[str], Style],
    glyphs: Glyphs,
) -> Cells:
    """The row's columns on the right; ``style`` resolves a component class's style,
    ``failed`` marks an application whose aliases could not be loaded, ``warned`` a scope
    whose detail has warnings."""
    muted = style("scope-list--muted")
    policies = [effective_policy(app, alias, d) for d in (Direction.PUBLISH, Direction.PLAY)]
    key = policies[0].key if policies[0].supported else policies[1].key
    key_from = policies[0].key_from if policies[0].supported else policies[1].key_from
    columns: Cells = []
    if with_kind:
        columns.append((f" {KIND_LABELS.get(app.kind, app.kind.value):<8}", muted))
    if app.problem:  # its settings could not be read: nothing to show but that
        problem = style("scope-list--problem")
        columns += [(" ?     ", muted), (" P?", muted), (f" {glyphs.play}?", muted), ("  ", muted)]
        return [*columns, (glyphs.failed, problem)]
    if not app.settings_loaded:  # being fetched: a policy shown now would be a guess
        unread = style("scope-list--unread")
        marks = [glyphs.unread if p.supported else glyphs.unsupported for p in policies]
        columns += [(f" {glyphs.unread:<5} ", unread), (f" P{marks[0]}", unread)]
        return [*columns, (f" {glyphs.play}{marks[1]}", unread), ("   ", muted)]
    algorithm = key.algorithm.value if key is not None else "none"
    own_key = alias is None or key_from is PolicySource.ALIAS
    columns.append((f" {algorithm:<5} ", Style() if own_key and key else muted))
    for letter, policy in zip(("P", glyphs.play), policies, strict=True):
        if policy.enforced and policy.key is None:
            cell_style = style("scope-list--problem")
        elif policy.enforced:
            cell_style = style("scope-list--on")
        else:
            cell_style = style("scope-list--off")
        if alias is not None and policy.enforced_from is PolicySource.ALIAS:
            cell_style += style("scope-list--own")
        columns.append((f" {letter}{state_glyph(policy, glyphs)}", cell_style))
    keyless = any(p.enforced and p.key is None for p in policies)
    columns.append((" *" if unsaved else "  ", style("scope-list--unsaved")))
    if failed or keyless:
        columns.append((glyphs.failed if failed else glyphs.no_key, style("scope-list--problem")))
    else:
        columns.append((glyphs.warning if warned else " ", style("scope-list--warning")))
    return columns


def row_strip(
    left: Cells,
    right: Cells,
    width: int,
    on_cursor: bool,
    base: Style,
    label: tuple[str, Style] = ("", Style()),
) -> Strip:
    """The row: ``left``, then ``label`` where it fits, cut or padded so that ``right``
    ends at ``width``. ``label`` is already inert."""
    room = width - sum(cell_len(text) for text, _ in right)
    text, style = label
    spare = room - sum(cell_len(part) for part, _ in left) - len(_LABEL_GAP)
    if text and spare >= min(cell_len(text), LABEL_MIN_CELLS):
        left = [*left, (_LABEL_GAP + text, style)]
    segments = fit(left, room)
    segments += right
    if on_cursor:  # one colour on the cursor: theirs may vanish on its background
        segments = [(text, style.without_color) for text, style in segments]
    row = Strip([Segment(text, base + style) for text, style in segments])
    return row.crop_extend(0, width, base)


def fit(parts: Cells, room: int) -> Cells:
    """The left-hand parts cut with an ellipsis (one cell: ``.`` in ASCII), or padded, to
    exactly ``room`` cells."""
    out: Cells = []
    used = 0
    for text, style in parts:
        cells = cell_len(text)
        if used + cells > room:
            if room > used:
                out.append((set_cell_size(text, room - used - 1) + "…", style))
                used = room
            break
        out.append((text, style))
        used += cells
    if used < room:
        out.append((" " * (room - used), Style()))
    return out
