"""JSON values as types, and frozen dataclasses read from and written to JSON by their fields.

An event's type declares its fields once; `from_json` and `to_json` follow the declarations
(a nested dataclass, a tuple of them, an optional value, a JSON document kept as it is), so the
reading and the writing of an event cannot drift apart from each other or from the type.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

Json: TypeAlias = "str | int | float | bool | Sequence[Json] | Mapping[str, Json] | None"
JsonObject: TypeAlias = "Mapping[str, Json]"

T = TypeVar("T")
_Convert = Callable[[Any], Any]


def key_of(field: dataclasses.Field[Any]) -> str:
    """The JSON name of a field: its own, unless it is a Python keyword (`class`)."""
    return str(field.metadata.get("key", field.name))


def from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """An instance of the dataclass `cls` from a JSON object that its schema has validated."""
    values = {}
    for name, key, read, _, _ in _plan(cls):
        if key in data:
            values[name] = read(data[key])
    return cls(**values)


def to_json(instance: object) -> dict[str, Any]:
    """The JSON object of a dataclass instance, by JSON names: every field, but an optional one
    (with a default) left out while it is None."""
    written = {}
    for name, key, _, write, optional in _plan(type(instance)):
        value = getattr(instance, name)
        if value is not None or not optional:
            written[key] = write(value)
    return written


# What the JSON aliases stand for when annotations are read at run time (a JSON value is kept).
RUNTIME_NAMES = {"Json": object, "JsonObject": Mapping[str, object]}
_Plan = tuple[tuple[str, str, _Convert, _Convert, bool], ...]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """Each field's name, JSON name, reader and writer; worked out once per type."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls, localns=RUNTIME_NAMES)
        plan = tuple(
            (field.name, key_of(field), *_converters(hints[field.name]), _optional(field))
            for field in dataclasses.fields(cls)
        )
        _PLANS[cls] = plan
    return plan


def _optional(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def _same(value: Any) -> Any:
    return value


def _converters(hint: Any) -> tuple[_Convert, _Convert]:
    """How to read and write a value of type `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        if len(kept) != 1:  # a JSON value of several kinds: kept as it is
            return _same, _same
        read, write = _converters(kept[0])
        return (lambda v: None if v is None else read(v)), (
            lambda v: None if v is None else write(v)
        )
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        read, write = _converters(args[0])
        if read is _same:
            return tuple, list
        return (lambda v: tuple(read(x) for x in v)), (lambda v: [write(x) for x in v])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return (lambda v: from_json(hint, v)), to_json
    return _same, _same
