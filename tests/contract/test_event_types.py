"""Each event type in `supportmatch_core.contracts` agrees with its JSON Schema in
contracts/events/: the same field names, the same required and optional fields, the same kinds of
value and the same enumerations, at every level the type declares (a JSON document a type keeps
whole must be an object or array of objects in the schema too)."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

import pytest

from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.delivery import DeliveryFinished
from supportmatch_core.contracts.determination import EligibilityChanged
from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.contracts.measure import MeasureChanged
from supportmatch_core.contracts.profile import ProfileChanged
from supportmatch_core.contracts.values import RUNTIME_NAMES, key_of
from supportmatch_core.paths import project_root

TYPES: list[type[TypedEvent]] = [
    ProfileChanged,
    EligibilityChanged,
    MeasureChanged,
    DeliveryFinished,
    CaseChanged,
]
_JSON = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema(event: type[TypedEvent]) -> dict[str, Any]:
    path = project_root() / "contracts" / "events" / f"{event.TYPE}.schema.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """`node` with its $ref followed, `allOf` merged and a `oneOf` with null read as nullable."""
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        node = {**root["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    if "allOf" in node:
        merged: dict[str, Any] = {}
        for part in node["allOf"]:
            merged |= _resolve(part, root)
        node = merged
    for union in ("oneOf", "anyOf"):
        if union in node:
            kinds = [_resolve(part, root) for part in node[union]]
            kept = [k for k in kinds if k.get("type") != "null"]
            if len(kept) == 1 and len(kinds) == 2:
                return {**kept[0], "nullable": True}
    return node


def _kinds(node: dict[str, Any]) -> tuple[set[str], bool]:
    """The JSON types a schema node allows (beyond null), and whether it allows null."""
    if "enum" in node:
        return {"enum"}, None in node["enum"] or bool(node.get("nullable"))
    declared = node.get("type", [])
    declared = [declared] if isinstance(declared, str) else list(declared)
    nullable = "null" in declared or bool(node.get("nullable"))
    return {t for t in declared if t != "null"} or {"any"}, nullable


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """The type without None, and whether None was allowed."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        kept = [a for a in args if a is not type(None)]
        assert len(kept) == 1, f"{hint!r}: one kind of value or None"
        return kept[0], True
    return hint, False


def _agree(cls: type, node: dict[str, Any], root: dict[str, Any], where: str) -> list[str]:
    """Every disagreement between the dataclass `cls` and the object schema `node`."""
    node = _resolve(node, root)
    problems: list[str] = []
    properties: dict[str, Any] = node.get("properties", {})
    fields = {key_of(f): f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls, localns=RUNTIME_NAMES)
    if set(fields) != set(properties):
        problems.append(
            f"{where}: fields {sorted(set(fields) - set(properties))} not in the schema, "
            f"properties {sorted(set(properties) - set(fields))} not in the type"
        )
    required = set(node.get("required", []))
    for key, field in fields.items():
        if key not in properties:
            continue
        optional = field.default is not dataclasses.MISSING or (
            field.default_factory is not dataclasses.MISSING
        )
        if optional == (key in required):
            problems.append(
                f"{where}.{key}: required in {'type' if not optional else 'schema'} only"
            )
        problems += _value(hints[field.name], properties[key], root, f"{where}.{key}", optional)
    return problems


def _value(
    hint: Any, node: dict[str, Any], root: dict[str, Any], where: str, optional: bool
) -> list[str]:
    node = _resolve(node, root)
    kinds, nullable = _kinds(node)
    inner, none = _unwrap(hint)
    problems = []
    if none and not (nullable or optional):
        problems.append(f"{where}: None in the type, null not in the schema")
    if nullable and not none:
        problems.append(f"{where}: null in the schema, not in the type")
    origin = typing.get_origin(inner)
    if origin is Literal:
        allowed = {v for v in node.get("enum", [node.get("const")]) if v is not None}
        if set(typing.get_args(inner)) != allowed:
            problems.append(f"{where}: values {typing.get_args(inner)} against {sorted(allowed)}")
    elif dataclasses.is_dataclass(inner):
        problems += _agree(inner, node, root, where)  # type: ignore[arg-type]
    elif origin is tuple:
        if kinds != {"array"}:
            return [*problems, f"{where}: a tuple against {sorted(kinds)}"]
        items = typing.get_args(inner)[0]
        problems += _value(items, node.get("items", {}), root, f"{where}[]", False)
    elif origin is Mapping or inner is object:
        if not kinds & {"object", "any"} and inner is not object:
            problems.append(f"{where}: a JSON object against {sorted(kinds)}")
    elif inner in _JSON:
        expected = {_JSON[inner]} | ({"integer"} if inner is float else set())
        if not kinds <= expected:
            problems.append(f"{where}: {inner.__name__} against {sorted(kinds)}")
    else:
        problems.append(f"{where}: {inner!r} is not a kind of JSON value this test knows")
    return problems


@pytest.mark.parametrize("event", TYPES, ids=lambda t: t.TYPE)
def test_the_type_and_the_schema_of_an_event_agree(event: type[TypedEvent]) -> None:
    schema = _schema(event)
    assert _agree(event, schema["properties"]["data"], schema, "data") == []


def test_a_type_that_drifts_from_its_schema_is_caught() -> None:
    @dataclasses.dataclass(frozen=True)
    class Drifted(TypedEvent):
        delivery_id: str  # an integer in the schema
        channel: Literal["email", "sms"]  # no sms there

    schema = _schema(DeliveryFinished)
    problems = _agree(Drifted, schema["properties"]["data"], schema, "data")
    assert any("delivery_id: str against ['integer']" in p for p in problems)
    assert any("channel: values" in p for p in problems)
    assert any("not in the type" in p for p in problems)
