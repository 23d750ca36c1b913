"""What changed between two snapshots of an enterprise, field by field, for its history."""

from __future__ import annotations

from collections.abc import Mapping


def diff(
    before: Mapping[str, object] | None, after: Mapping[str, object], prefix: str = ""
) -> dict[str, object]:
    """Map each changed leaf path (a.b.c) to {"from": old, "to": new}; lists compare whole."""
    if not before:  # a first snapshot: each field that has a value changed from nothing
        return {
            f"{prefix}{key}": {"from": None, "to": new}
            for key, new in sorted(after.items())
            if new is not None
        }
    changes: dict[str, object] = {}
    for key in sorted(set(before) | set(after)):
        path = f"{prefix}{key}"
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            changes.update(diff(old, new, f"{path}."))
        elif old != new:
            changes[path] = {"from": old, "to": new}
    return changes
