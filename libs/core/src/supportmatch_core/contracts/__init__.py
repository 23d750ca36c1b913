"""The events the services exchange: their JSON Schemas in contracts/events/ (one file per event
type), which every consumed event is checked against, and their types (one module each here)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from supportmatch_core.events import Event
from supportmatch_core.paths import project_root


class ContractViolation(ValueError):
    """An event whose content does not match its published schema."""


@cache
def validator(event_type: str) -> Any:
    """The compiled validator of `event_type` (jsonschema-rs: every consumed event is checked)."""
    import jsonschema_rs  # loaded by the services that consume events, not by every process

    path = project_root() / "contracts" / "events" / f"{event_type}.schema.json"
    if not path.exists():
        raise ContractViolation(f"no schema for event type {event_type!r}")
    schema: dict[str, Any] = json.loads(path.read_text())
    jsonschema_rs.meta.validate(schema)  # the schema itself is valid JSON Schema
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def check(event: Event) -> None:
    """Raise `ContractViolation` naming the first offending field if `event` breaks its schema."""
    for error in validator(event.type).iter_errors(event.to_dict()):
        where = "/".join(str(p) for p in error.instance_path) or "(root)"
        raise ContractViolation(f"{event.type} at {where}: {error.message}")
