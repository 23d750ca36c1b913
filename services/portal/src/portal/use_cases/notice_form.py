"""The notification preferences form, checked field by field."""

from __future__ import annotations

import re
from typing import Any

CHANNELS = ("inbox", "email", "webhook")
KINDS = ("benefit", "obligation", "opportunity")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_preferences_form(
    form: dict[str, str], lists: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The PATCH body of the notifications service, and an error code per field."""
    errors: dict[str, str] = {}
    email = form.get("email", "").strip()
    if email and (len(email) > 320 or not _EMAIL.match(email)):
        errors["email"] = "email"
    channels = lists.get("channels", [])
    kinds = lists.get("opted_out_kinds", [])
    if set(channels) - set(CHANNELS):
        errors["channels"] = "choose_one"
    if set(kinds) - set(KINDS):
        errors["opted_out_kinds"] = "choose_one"
    language = form.get("language", "zh")
    if language not in ("zh", "en"):
        errors["language"] = "choose_one"
    cadence = form.get("cadence", "immediate")
    if cadence not in ("immediate", "digest"):
        errors["cadence"] = "choose_one"
    body = {
        "email": email or None,
        "channels": sorted(set(channels)),
        "language": language,
        "cadence": cadence,
        "opted_out_kinds": sorted(set(kinds)),
    }
    return body, errors
