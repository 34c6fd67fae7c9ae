"""A bare host App for testing one screen on its own, with a clock the test drives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from tests.core.support import read_key_file


class ManualClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ScreenHost(App[None]):
    """Pushes ``screen`` on start and records what it is dismissed with."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.animation_level = "none"
        self.screen_under_test = screen
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test, self.results.append)


def record_rows_written(app: App[Any]) -> list[set[int]]:
    """From now on, for each frame ``app`` draws, the terminal rows it rewrites: what a real
    terminal would be sent (Textual hands every frame to ``App._display``, headless too)."""
    frames: list[set[int]] = []
    display = app._display

    def recording(screen: Screen[Any], renderable: RenderableType | None) -> None:
        if isinstance(renderable, ChopsUpdate):
            frames.append({y for y, _start, _end in renderable.spans})
        elif isinstance(renderable, LayoutUpdate):
            frames.append(set(range(renderable.region.y, renderable.region.bottom)))
        display(screen, renderable)

    app._display = recording  # type: ignore[method-assign]
    return frames


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the pushed screen, and stop cursors blinking (snapshots must not flicker)."""
    await pilot.pause()
    for field in pilot.app.screen.query("Input, TextArea"):
        if isinstance(field, Input | TextArea):
            field.cursor_blink = False
    await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def secret_texts() -> list[str]:
    """Every fixture secret, and every line of every private key PEM's body."""
    texts = [read_key_file(name).strip() for name in ("hs256.secret", "hs512.secret")]
    for name in ("rs256.pem", "es256.pem"):
        texts.extend(read_key_file(name).split("-----")[2].split())
    return texts


def assert_no_secrets_in_snapshots(test_file: str, *, expected: int) -> None:
    """The committed SVG snapshots of ``test_file`` show no fixture secret, whole or in part."""
    folder = Path(test_file).parent / "__snapshots__" / Path(test_file).stem
    svgs = sorted(folder.glob("*.svg"))
    assert len(svgs) == expected, f"expected {expected} snapshots in {folder}"
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        for secret in secret_texts():
            for part in {secret, secret[:16], secret[-16:]}:
                assert part not in text, f"{svg.name} shows part of a secret"
