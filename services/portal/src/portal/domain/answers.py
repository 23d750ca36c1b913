"""A firm's answers grouped as a person reads them: eligible, possibly eligible, not eligible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portal.domain.themes import clause_number

STATUSES = ("eligible", "possibly_eligible", "ineligible")
Decision = Mapping[str, Any]


def grouped(decisions: Iterable[Decision]) -> dict[str, list[Decision]]:
    """The decisions by status, each group in the notice's clause order."""
    groups: dict[str, list[Decision]] = {status: [] for status in STATUSES}
    for decision in decisions:
        groups.setdefault(decision["status"], []).append(decision)
    for members in groups.values():
        members.sort(key=lambda d: (clause_number(d["measure"]["clause"]), d["measure"]["id"]))
    return groups


def facts_to_ask(decisions: Iterable[Decision], askable: Iterable[str]) -> list[str]:
    """The facts still missing for a possibly-eligible measure that a firm can give, once each."""
    wanted = set(askable)
    found: dict[str, None] = {}
    for decision in decisions:
        if decision["status"] != "possibly_eligible":
            continue
        for missing in decision.get("missing_facts") or []:
            if missing["fact"] in wanted:
                found.setdefault(missing["fact"], None)
    return list(found)


def status_of(decisions: Iterable[Decision], measure_id: str) -> str | None:
    return next((d["status"] for d in decisions if d["measure"]["id"] == measure_id), None)
