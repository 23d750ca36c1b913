"""Support granted without application (免申即享): the firms that qualify for such a measure on the
data already held and have no case of it yet, and the department's confirmation of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.use_cases.cases import Firm, NoCase, grant
from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters
from portal.use_cases import queue


def grantable(services: Services) -> list[dict[str, Any]]:
    """The measures in force that are granted without application."""
    found = [m for m in services.measures() if m.get("grant") == "automatic" and not m["ended"]]
    return sorted(found, key=lambda m: m["title_zh"])


def waiting(measure: str) -> QueueFilters:
    """Firms eligible on the data held, with no case of the measure yet."""
    return QueueFilters(measure=measure, status="eligible", case="none")


def confirm(
    *,
    services: Services,
    cases: CaseUnitOfWork,
    account: Account,
    measure_id: str,
    usccs: Iterable[str] | None,
    now: datetime,
) -> int:
    """Grant the measure to the firms named (None: every firm waiting); each firm is read from
    the eligibility service as the caseworker, so only firms of its provinces that qualify
    today are granted. Returns how many were granted."""
    measure = next((m for m in grantable(services) if m["id"] == measure_id), None)
    if measure is None:
        raise NoCase(measure_id)
    filters = waiting(measure_id)
    if usccs is None:
        rows = list(queue.every_row(services, account, filters))
    else:
        rows = [
            row
            for answer in services.together(
                *[
                    lambda u=u: queue.page(services, account, filters.with_q(u), after=None)
                    for u in set(usccs)
                ]
            )
            for row in answer["items"]
            if row["uscc"] in set(usccs)
        ]
    firms = [Firm(r["uscc"], r["name"] or r["uscc"], r["province_code"]) for r in rows]
    return grant(
        uow=cases,
        principal=account.principal,
        firms=firms,
        measure_id=measure_id,
        measure_title_zh=measure["title_zh"],
        measure_title_en=measure["title_en"],
        now=now,
    )
