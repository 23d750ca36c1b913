"""The profile form: what a firm may change about itself, checked field by field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from portal.domain.facts import FIELDS

TEXT_FIELDS = ("name", "name_en", "city")
FLAG_FIELDS = tuple(name for name, f in FIELDS.items() if f.home == "flag")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_profile_form(  # noqa: PLR0912 - one branch per field reads plainer than a table
    form: dict[str, str], current: dict[str, Any], today: date
) -> tuple[dict[str, Any], dict[str, str]]:
    """The PATCH body of the changes in `form` against `current`, and an error code per field."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        text = form.get(name, "").strip()
        if name == "name" and not text:
            errors[name] = "required"
        elif len(text) > 200:
            errors[name] = "refused"
        elif (text or None) != current.get(name):
            changes[name] = text or None
    email = form.get("contact_email", "").strip()
    if email and (len(email) > 320 or not _EMAIL.match(email)):
        errors["contact_email"] = "email"
    elif (email or None) != current.get("contact_email"):
        changes["contact_email"] = email or None
    day = form.get("registration_date", "").strip()
    try:
        registered = date.fromisoformat(day) if day else None
        if registered and registered > today:
            raise ValueError(day)
    except ValueError:
        errors["registration_date"] = "date"
    else:
        if (registered.isoformat() if registered else None) != current.get("registration_date"):
            changes["registration_date"] = registered.isoformat() if registered else None
    flags = dict(current.get("flags") or {})
    for name in FLAG_FIELDS:
        given = form.get(name, "")
        if given in ("yes", "no"):
            flags[name] = given == "yes"
        elif given == "":
            flags.pop(name, None)
        else:
            errors[name] = "choose_one"
    if flags != (current.get("flags") or {}):
        changes["flags"] = flags
    return changes, errors


def service_errors(errors: list[dict[str, str]]) -> dict[str, str]:
    """The service's refusals by the form field they name."""
    found: dict[str, str] = {}
    for error in errors:
        field = str(error.get("field", "")).split(".")[-1]
        found[field or "form"] = "refused"
    return found or {"form": "refused"}
