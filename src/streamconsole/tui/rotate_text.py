"""What the key rotation dialog says about the scope: the title, which scope the new key is
for, the key in use now, and what happens to the tokens it signed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text

from streamconsole.core.glyphs import Glyphs
from streamconsole.core.key_records import KeyEntry
from streamconsole.core.model import HARD_CUTOVER, Alias, Application, ServerKind
from streamconsole.core.policy import EffectivePolicy, PolicySource
from streamconsole.core.text import counted, inert


def title(app: Application, alias: Alias | None) -> Text:
    # The alias the new key is set on: none where the server keys whole applications.
    keyed = alias if app.kind.alias_overrides else None
    scope = app.name if keyed is None else f"{app.name} / {keyed.name}"
    return Text.assemble(("Rotate key", "bold"), "  ", inert(scope), f"  ({app.kind.display_name})")


def scope_text(app: Application, alias: Alias | None, current: EffectivePolicy) -> Text:
    name, noun = inert(app.name), app.kind.alias_noun
    if not app.kind.alias_overrides:
        return Text(
            f"Scope: application {name} ({counted(len(app.aliases), noun)}): "
            f"{app.kind.display_name} signs publish and play with one key per application."
        )
    if alias is None:
        return Text(f"Scope: {name} itself: the key of every {noun} without its own.")
    text = Text(f"Scope: {noun} {inert(alias.name)} of {name}.")
    if current.key_from is PolicySource.APPLICATION:
        text.append(" It uses the application's key now; the new key applies to it alone.")
    return text


def current_key_text(current: EffectivePolicy, clock: Callable[[], float]) -> Text:
    entry = current.key
    if entry is None:
        return Text("none set")
    text = Text.assemble(
        (entry.algorithm.value, "bold"),
        f" from the {current.key_from}\n",
        entry.fingerprint,
    )
    age = _age(entry, clock)
    if age:
        text.append(f"\n{age}")
    return text


def _age(entry: KeyEntry, clock: Callable[[], float]) -> str:
    created = entry.created
    if created is None:
        return ""
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    days = (datetime.fromtimestamp(clock(), UTC) - created).days
    return f"created {created:%Y-%m-%d} ({days:,}d ago)"


def warning_text(app: Application, current: EffectivePolicy, glyphs: Glyphs) -> Text:
    kind = app.kind
    if current.key is None:
        return Text("No key is set now: no token stops working.")
    if kind is ServerKind.ANTMEDIA:
        holder = "Ant Media holds one key"
    elif kind is ServerKind.THEOLIVE:
        holder = "THEOlive v1 token security holds one key"
    else:
        holder = "a server that holds one key"
    sentence = HARD_CUTOVER[0].upper() + HARD_CUTOVER[1:]
    return Text(f"{glyphs.warning} {sentence} when the new key is saved ({holder}).")
