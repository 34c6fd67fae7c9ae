"""The checklist's rows drawn as lines of text draw what the Rich grid draws, cell for cell."""

from __future__ import annotations

import io

import pytest
from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Text

from streamconsole.tui.token_report import ChecklistRows

PASSED, FAILED = Style(color="green", bold=True), Style(color="red")

ROWS = {
    "checklist": [
        (Text("✔", PASSED), Text("well-formed"), Text("three base64url segments with JSON")),
        (Text("✔", PASSED), Text("exp"), Text("expires in 9m 58s, at 2027-01-15 08:10:00Z")),
        (Text("✖", FAILED), Text("type"), Text("")),
    ],
    "wide characters": [
        (Text("✔✔", PASSED), Text("streamId"), Text('the token is for "直播流一号", not "s1"')),
        (Text("–"), Text("nbf"), Text("absent 🎥 valid as soon as issued")),
    ],
}
WIDTHS = {"checklist": (1, 11), "wide characters": (2, 8)}


def cells(renderable: RenderableType, width: int) -> list[list[tuple[str, Style]]]:
    """Each line drawn, as (character, style) per character: how segments are split apart
    does not show."""
    console = Console(width=width, color_system="truecolor", file=io.StringIO())
    lines = console.render_lines(renderable, console.options, pad=False)
    return [
        [(char, segment.style or Style.null()) for segment in line for char in segment.text]
        for line in lines
    ]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_rows_as_lines_draw_what_the_grid_draws(name: str) -> None:
    rows = ChecklistRows(ROWS[name], WIDTHS[name])
    as_lines = 0
    for width in range(4, 121):
        assert cells(rows, width) == cells(rows.grid(), width), f"at width {width}"
        as_lines += rows.fits(width)
    # Wide enough, every row is a line of text; too narrow, the grid wraps the reasons.
    assert rows.fits(120)
    assert not rows.fits(40)
    assert as_lines > 50
