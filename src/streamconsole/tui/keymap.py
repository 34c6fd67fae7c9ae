"""The user's keymap, ``[console.keys]`` in the config and ``[keys]`` in their own settings
file: binding ids → keys, checked against the bindings.

Which bindings are active together is held here, screen by screen (a modal dialog leaves
the app's keys behind; Textual's own keys apply everywhere), so that ``check`` and the
console's loader refuse an id no binding has, or a key the keymap puts on two bindings of
one screen, naming both; the README's key table is written from the same list.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import format_key
from textual.screen import Screen

from streamconsole.backends.base import Problem
from streamconsole.tui.bindings import (
    APP_BINDINGS,
    COMPARE_BINDINGS,
    FILTER_BINDINGS,
    HELP_SCREEN_BINDINGS,
    KEY_PASTE_BINDINGS,
    MAIN_SCREEN_BINDINGS,
    PROBE_BINDINGS,
    ROTATE_BINDINGS,
    SCOPE_LIST_BINDINGS,
    TOKEN_PREVIEW_BINDINGS,
    TOO_SMALL_BINDINGS,
    UNSAVED_BINDINGS,
    WRITE_ACTIONS,
)

if TYPE_CHECKING:
    from streamconsole.backends.user_settings import UserSettings

# Textual's keys on every screen: quit (ctrl+q), copy, focus moves, the command palette.
_TEXTUAL: list[BindingType] = [
    *App.BINDINGS,
    *Screen.BINDINGS,
    Binding(App.COMMAND_PALETTE_BINDING, "palette"),
]

# The bindings active together on each screen: the screen's own, its widgets', the app's.
SCREENS: dict[str, tuple[list[BindingType], ...]] = {
    "the main screen": (MAIN_SCREEN_BINDINGS, SCOPE_LIST_BINDINGS, APP_BINDINGS),
    "the filter": (FILTER_BINDINGS, MAIN_SCREEN_BINDINGS, APP_BINDINGS),
    "the compare view": (COMPARE_BINDINGS, APP_BINDINGS),
    "the token preview": (TOKEN_PREVIEW_BINDINGS, APP_BINDINGS),
    "the key rotation dialog": (ROTATE_BINDINGS, KEY_PASTE_BINDINGS),
    "the probe report": (PROBE_BINDINGS,),
    "the unsaved-changes question": (UNSAVED_BINDINGS,),
    "the help screen": (HELP_SCREEN_BINDINGS,),
    "a terminal too small": (TOO_SMALL_BINDINGS,),
}


def _bindings(group: list[BindingType]) -> list[Binding]:
    return [binding for binding in group if isinstance(binding, Binding)]


def binding_ids() -> tuple[str, ...]:
    """Every id a keymap may name, in the order of the screens."""
    ids = (b.id for chain in SCREENS.values() for group in chain for b in _bindings(group))
    return tuple(dict.fromkeys(i for i in ids if i))


def key_list(keys: str) -> list[str]:
    """``keys`` ("ctrl+r,f5", "?") as Textual names them ("question_mark"), in order."""
    return [binding.key for binding in Binding.make_bindings([Binding(keys, "")])]


def keys_of(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys ``binding`` is on, once ``keymap`` applies."""
    return key_list(keymap.get(binding.id, binding.key) if binding.id else binding.key)


def key_as_written(key: str) -> str:
    """A key as a keymap takes it and a message writes it: the character it types ("?"),
    else its name ("ctrl+r", "up")."""
    shown = format_key(key)
    return shown if len(shown) == 1 and shown.isascii() and shown.isprintable() else key


@cache
def _binding_by_id() -> dict[str, Binding]:
    """The first binding of each id (several screens' bindings share an id, and a keymap
    moves them together)."""
    everything = (b for chain in SCREENS.values() for group in chain for b in _bindings(group))
    return {i: b for b in reversed(list(everything)) if (i := b.id)}


def key_named(binding_id: str, keymap: Mapping[str, str]) -> str:
    """How a message names the key of ``binding_id`` once ``keymap`` applies: its first
    ("Reload (ctrl+r)", or "(f5)" after ``reload = "f5,ctrl+r"``)."""
    return key_as_written(keys_of(_binding_by_id()[binding_id], keymap)[0])


def write_binding_on(
    key: str, keymap: Mapping[str, str], bindings: list[BindingType]
) -> Binding | None:
    """The write binding of ``bindings`` (a screen's, the app's) on ``key``, if any."""
    for binding in _bindings(bindings):
        if binding.action in WRITE_ACTIONS and key in keys_of(binding, keymap):
            return binding
    return None


def key_rows() -> list[tuple[str, list[str], str, str]]:
    """(screen, keys, id, what it does) of each binding, in the order of :data:`SCREENS`;
    a binding several screens share is listed with the first (the README's key table)."""
    rows: list[tuple[str, list[str], str, str]] = []
    listed: set[int] = set()
    for screen, chain in SCREENS.items():
        for group in chain:
            for binding in _bindings(group):
                if id(binding) not in listed:
                    listed.add(id(binding))
                    rows.append((screen, key_list(binding.key), binding.id or "", binding.tooltip))
    return rows


def _name(binding: Binding) -> str:
    """How a message names a binding: by its id; Textual's own have none."""
    return repr(binding.id) if binding.id else f"Textual's {binding.action}"


def _clashes(
    screen: str,
    chain: Iterable[list[BindingType]],
    keymap: Mapping[str, str],
    base: Mapping[str, str],
) -> Iterable[tuple[str, str, str]]:
    """(id, key, message) for each key the keymap adds to an id (beyond what ``base`` and
    the defaults gave it) that another binding of ``screen`` is on already (a default
    shadowed on purpose, like ``q``, is no clash)."""
    names: dict[str, list[str]] = {}  # key → the bindings on it, by name
    added: list[tuple[str, str]] = []  # (id, key) the keymap put there
    for binding in (b for group in (*chain, _TEXTUAL) for b in _bindings(group)):
        name = _name(binding)
        before = keys_of(binding, base)
        for key in keys_of(binding, keymap):
            if name not in names.setdefault(key, []):
                names[key].append(name)
            if binding.id is not None and binding.id in keymap and key not in before:
                added.append((binding.id, key))
    for binding_id, key in dict.fromkeys(added):
        others = [name for name in names[key] if name != repr(binding_id)]
        if others:
            yield binding_id, key, f"{key!r} is already the key of {others[0]} on {screen}"


def _faults(
    keymap: Mapping[str, str], base: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(id, message) for each id of ``keymap`` no binding has, and each key it adds to an
    id (beyond ``base``: a keymap checked already) that clashes on some screen."""
    if not keymap:
        return []  # no id to look up and no key added: checked at every load, so quickly
    known = binding_ids()
    faults: list[tuple[str, str]] = []
    valid: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            near = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            faults.append((binding_id, f"no binding has the id {binding_id!r}{hint}"))
            continue
        valid[binding_id] = keys
    reported: set[tuple[str, str]] = set()
    for screen, chain in SCREENS.items():
        for binding_id, key, message in _clashes(screen, chain, valid, base or {}):
            if (binding_id, key) not in reported:
                reported.add((binding_id, key))
                faults.append((binding_id, message))
    return faults


def keymap_problems(
    keymap: Mapping[str, str], file: Path | None = None, lines: Mapping[str, int] | None = None
) -> list[Problem]:
    """What is wrong with ``keymap`` (its form checked already, by the config's reader): ids
    no binding has, and two bindings of one screen on one key; each at ``console.keys.ID``."""
    lines = lines or {}
    return [
        Problem(message, f"console.keys.{binding_id}", file, lines.get(binding_id))
        for binding_id, message in _faults(keymap)
    ]


def with_own_keys(
    keymap: Mapping[str, str], own: UserSettings
) -> tuple[dict[str, str], list[Problem]]:
    """The keymap the console uses: the config's (checked already) with the user's own
    ``[keys]`` over it, binding by binding; and a warning, at ``keys.ID`` in their file, for
    each key of theirs left out because no binding has its id or it clashes (with a default,
    the config's keymap, or another of theirs). A key left out gives its binding back the
    config's key, which may clash with another of theirs: that one is left out in turn."""
    kept = dict(own.keys)
    faults: list[tuple[str, str]] = []
    while found := [f for f in _faults({**keymap, **kept}, keymap) if f[0] in kept]:
        faults += found
        for binding_id, _ in found:
            kept.pop(binding_id, None)
    lines = own.key_lines
    problems = [
        Problem(message, f"keys.{i}", own.path, lines.get(i), warning=True) for i, message in faults
    ]
    return {**keymap, **kept}, sorted(problems, key=lambda problem: problem.line or 0)
