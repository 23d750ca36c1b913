"""Validates events against their JSON Schemas in contracts/events/ (one file per event type)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from supportmatch_core.events import Event
from supportmatch_core.paths import project_root


class ContractViolation(ValueError):
    """An event whose content does not match its published schema."""


@cache
def validator(event_type: str) -> Draft202012Validator:
    path = project_root() / "contracts" / "events" / f"{event_type}.schema.json"
    if not path.exists():
        raise ContractViolation(f"no schema for event type {event_type!r}")
    schema: dict[str, Any] = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check(event: Event) -> None:
    """Raise `ContractViolation` naming the first offending field if `event` breaks its schema."""
    error = best_match(validator(event.type).iter_errors(event.to_dict()))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise ContractViolation(f"{event.type} at {where}: {error.message}")
