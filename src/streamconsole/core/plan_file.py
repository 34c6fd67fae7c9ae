"""The plan file that ``plan --out`` writes, read back by ``apply --plan``: what was reviewed.

Whoever can write the file is an attacker, so it is read strictly (UTF-8 JSON of at most
16 MiB, exactly the fields ``plan`` writes with their types, no name twice) and it is never
carried out: ``apply`` recomputes the plan and goes ahead only when every key fingerprint and
every step it would carry out equal the saved ones. Pure: bytes in, a :class:`SavedPlan` or a
:class:`PlanFileError` naming the field out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import Direction
from streamconsole.core.plan import STEP_ACTIONS, Plan, Step
from streamconsole.core.text import inert

MAX_PLAN_FILE_BYTES = 16 * 2**20
_SHOWN_CHARS = 64  # of a value or name quoted in an error; the file may hold megabytes


class PlanFileError(StreamconsoleError):
    """A plan file that is not a plan as ``plan --out`` writes one."""


class StalePlan(StreamconsoleError):
    """A saved plan that is not what apply would carry out now: run plan again."""


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A plan file's fields, each of the type ``plan --out`` writes."""

    server: str
    config: str
    config_digest: str
    made: str
    steps: list[dict[str, str | None]]
    only_in_file: list[str]
    only_on_server: list[str]
    server_digest: str
    desired_keys: dict[str, str]


def read_plan_file(data: bytes) -> SavedPlan:
    """The plan in ``data`` (a plan file's bytes); :class:`PlanFileError` saying what is wrong
    and where (``steps[0].action: ...``) when it is not one."""
    if len(data) > MAX_PLAN_FILE_BYTES:
        raise PlanFileError(f"is larger than a plan can be ({MAX_PLAN_FILE_BYTES // 2**20} MiB)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError("is not UTF-8 text") from None
    try:
        document = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except RecursionError:
        raise PlanFileError("is nested too deeply to be a plan") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"is not JSON: {error}") from None
    except ValueError:  # an integer of more digits than Python converts
        raise PlanFileError("holds a number too long to be a plan's") from None
    return SavedPlan(**_fields(document, "", _PLAN_FIELDS))


def config_digest(text: bytes, keys: Mapping[str, str]) -> str:
    """The digest of a config file's bytes ``text`` and the fingerprint of each key it holds
    (``keys``): a key file or variable can change under the same text."""
    digest = hashlib.sha256(text)
    digest.update(json.dumps(keys, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def saved_plan(server: str, config: str, digest: str, plan: Plan, made: datetime) -> SavedPlan:
    """``plan``, made at ``made`` on ``server`` from the file ``config`` (whose
    :func:`config_digest` is ``digest``), as ``plan --out`` saves it."""
    when = made.isoformat(timespec="seconds")
    return SavedPlan(server, config, digest, when, **plan.to_dict())


def check_fresh(
    saved: SavedPlan, plan: Plan, config: str, digest: str, *, arrow: str = "→"
) -> None:
    """Refuse (:class:`StalePlan`) unless ``plan``, made now from the file ``config`` whose
    :func:`config_digest` is now ``digest``, is the ``saved`` one: the same keys, file,
    server state and steps."""
    changed = key_differences(saved, plan)
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise StalePlan(
            f"a key changed since the plan was made: {inert(changed[0])}{more}; run plan again"
        )
    if saved.config_digest != digest:
        raise StalePlan(f"{inert(config)} changed since the plan was made; run plan again")
    if saved.server_digest != plan.current_digest:
        raise StalePlan(
            f"server {inert(saved.server)} changed since the plan was made (drift: "
            f"{inert(saved.server_digest)} {arrow} {plan.current_digest}); run plan again"
        )
    different = step_difference(saved.steps, plan.steps)
    if different is not None:
        raise StalePlan(f"{inert(different)}; run plan again")


def key_differences(saved: SavedPlan, plan: Plan) -> list[str]:
    """One line per scope whose key in the file is not the one the plan was made with, naming
    the scope and both fingerprints (or that there is no key)."""
    lines = []
    for scope in sorted(saved.desired_keys.keys() | plan.desired_keys.keys()):
        was, now = saved.desired_keys.get(scope), plan.desired_keys.get(scope)
        if was != now:
            has = f"the file's key is {now} now" if now else "the file has no key now"
            lines.append(f"{scope}: {has}; the plan was made with {was or 'no key'}")
    return lines


def step_difference(saved: Sequence[Mapping[str, str | None]], steps: Sequence[Step]) -> str | None:
    """Where ``steps`` (what apply would carry out now) first differ from the saved ones, in
    words; None when they are equal, field for field."""
    for number, (was, step) in enumerate(zip(saved, steps, strict=False), 1):
        for name, now in step.to_dict().items():
            if was[name] != now:
                return (
                    f"step {number} ({step.description}) is not the plan's: the plan says "
                    f"{name} {_shown(was[name])}, apply would now do {_shown(now)}"
                )
    if len(steps) > len(saved):
        return f"step {len(saved) + 1} ({steps[len(saved)].description}) is not in the plan"
    if len(saved) > len(steps):
        extra = saved[len(steps)]["description"]
        return f"step {len(steps) + 1} of the plan ({extra}) is not needed now"
    return None


# --- reading the fields --------------------------------------------------------------------

Check = Callable[[Any, str], Any]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a name appears twice (which one would count?)."""
    document: dict[str, Any] = {}
    for name, value in pairs:
        if name in document:
            raise PlanFileError(f"field {_shown(name)} appears twice")
        document[name] = value
    return document


def _no_constant(name: str) -> Any:
    raise PlanFileError(f"is not JSON: {name} is not a JSON value")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _shown(value: Any) -> str:
    """``value`` quoted in a message: text as it is up to a length (the caller makes it
    inert), anything else by its kind."""
    if isinstance(value, str):
        return repr(value[:_SHOWN_CHARS]) + ("…" if len(value) > _SHOWN_CHARS else "")
    return _kind(value)


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PlanFileError(f"{where}: expected text, found {_kind(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PlanFileError(f"{where}: expected a list, found {_kind(value)}")
    return value


def _texts(value: Any, where: str) -> list[str]:
    return [_text(item, f"{where}[{index}]") for index, item in enumerate(_list(value, where))]


def _one_of(*choices: str | None) -> Check:
    def check(value: Any, where: str) -> Any:
        if value not in choices:  # == between JSON values: no number or list equals these
            allowed = ", ".join(_shown(choice) for choice in choices)
            raise PlanFileError(f"{where}: expected one of {allowed}, found {_shown(value)}")
        return value

    return check


def _fields(value: Any, where: str, schema: Mapping[str, Check]) -> dict[str, Any]:
    """``value`` as an object with exactly the fields of ``schema``, each checked."""
    if not isinstance(value, dict):
        raise PlanFileError(f"{_prefix(where)}expected an object, found {_kind(value)}")
    unknown = sorted(value.keys() - schema.keys())
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise PlanFileError(f"{_prefix(where)}unknown field {_shown(unknown[0])}{more}")
    missing = [name for name in schema if name not in value]
    if missing:
        raise PlanFileError(f"{_prefix(where)}missing field {missing[0]!r}")
    return {
        name: check(value[name], f"{where}.{name}" if where else name)
        for name, check in schema.items()
    }


_STEP_FIELDS: dict[str, Check] = {
    "scope": _text,
    "action": _one_of(*STEP_ACTIONS),
    "direction": _one_of(*(direction.value for direction in Direction), None),
    "description": _text,
}


def _steps(value: Any, where: str) -> list[dict[str, Any]]:
    items = enumerate(_list(value, where))
    return [_fields(item, f"{where}[{index}]", _STEP_FIELDS) for index, item in items]


def _fingerprints(value: Any, where: str) -> dict[str, str]:
    """Scope → key fingerprint."""
    if not isinstance(value, dict):
        raise PlanFileError(f"{where}: expected an object, found {_kind(value)}")
    items = value.items()
    return {scope: _text(key, f"{where}[{_shown(scope)}]") for scope, key in items}


_PLAN_FIELDS: dict[str, Check] = {
    "server": _text,
    "config": _text,
    "config_digest": _text,
    "made": _text,
    "steps": _steps,
    "only_in_file": _texts,
    "only_on_server": _texts,
    "server_digest": _text,
    "desired_keys": _fingerprints,
}
