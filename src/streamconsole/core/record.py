"""The base of the records every read builds (the model, keys, problems): plain classes.

Why not dataclasses (issue 15): on Python 3.11 ``@dataclass`` compiles each method it writes
on its own, 1.2–1.9 ms a class of a dozen fields, and ``import dataclasses`` brings inspect,
ast, dis and tokenize; ``streamconsole list`` built 13 and spent 195 M instructions on what a
script importing the same standard modules does in 163 M (``python -c pass``: 36 M). A record
here declares ``__slots__``, its annotated fields and its ``__init__``; this base gives it a
dataclass's ``repr`` and ``==`` over those fields, and :class:`FrozenRecord` its immutability.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar, dataclass_transform


class Record:
    """A mutable record: ``==`` with a record of the same class whose fields are equal,
    ``repr`` ``Name(field=value, ...)``; unhashable, as a mutable dataclass is. The fields
    are the names the class annotates, in their order (a slotted record's ``__slots__``)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _field_values: ClassVar[attrgetter[tuple[object, ...]]]  # the fields' values, in order
    _repr_format: ClassVar[str]  # "Name(a=%r, b=%r)"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(cls.__annotations__)
        if not cls._fields:  # FrozenRecord
            return
        if len(cls._fields) < 2:  # attrgetter of one name gives the value, not a tuple
            raise TypeError(f"{cls.__name__}: a record has two fields or more")
        cls._field_values = attrgetter(*cls._fields)
        shown = ", ".join(f"{name}=%r" for name in cls._fields)
        cls._repr_format = f"{cls.__qualname__}({shown})"

    def _key(self) -> object:
        """What ``==`` compares (and a frozen record hashes): all its fields, unless a record
        says otherwise."""
        return self._field_values(self)

    # Defining __eq__ sets __hash__ to None here: a mutable record is unhashable.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return self._key() == other._key()

    def __repr__(self) -> str:
        # One C call a record: a 100k-alias config's repr takes 0.9x of its dataclasses' (in
        # instructions), where joining each field's text took 1.6x.
        return self._repr_format % self._field_values(self)


# For type checkers: a frozen record's fields are read-only, as a frozen dataclass's are (its
# own ``__init__``, which sets them with ``object.__setattr__``, is the one they check).
@dataclass_transform(frozen_default=True)
class FrozenRecord(Record):
    """A record whose fields cannot change once built: assigning or deleting one raises
    AttributeError (as ``dataclasses.FrozenInstanceError`` is one); hashable by its ``_key``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__name__}")

    def __hash__(self) -> int:
        return hash(self._key())
