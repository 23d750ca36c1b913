"""Figures for the caseworkers' dashboard: how the notices of a measure reached the firms."""

from __future__ import annotations

from datetime import datetime

from notifications.use_cases.ports import Work
from supportmatch_core.access import visible_to
from supportmatch_core.auth import Principal

# What the dashboard shows of a delivery's state: an email owed to a firm without an address
# yet is still to be sent.
SHOWN = {"pending": "pending", "awaiting": "pending", "sent": "sent", "failed": "failed"}


def deliveries_of_measure(
    work: Work, *, principal: Principal, measure_id: str, since: datetime
) -> dict[str, dict[str, int]]:
    """Per province of the caller's: the measure's deliveries sent, failed and still pending."""
    found: dict[str, dict[str, int]] = {}
    provinces = visible_to(principal).provinces
    for province, status, count in work.deliveries.tally_for_measure(measure_id, provinces, since):
        counts = found.setdefault(province, {"sent": 0, "failed": 0, "pending": 0})
        counts[SHOWN.get(status, "pending")] += count
    return found
