"""A caseworker's work queue: the firms of its provinces that could get a measure, what each still
has to give, and the whole list as a file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters
from supportmatch_core.auth import Role
from supportmatch_reference.regions import PROVINCES

PAGE = 50
EXPORT_PAGE = 1000  # rows asked of the service per call while an export streams
EVERY_PROVINCE = frozenset(p.code for p in PROVINCES)


def _path(filters: QueueFilters) -> str:
    return f"/v1/measures/{filters.measure}/enterprises"


def page(
    services: Services, account: Account, filters: QueueFilters, *, after: str | None
) -> dict[str, Any]:
    """One page of the queue with the counts per status and per missing fact."""
    params = {**filters.service_params(), "after": after, "limit": PAGE}
    return dict(services.call("eligibility", "GET", _path(filters), account=account, params=params))


def every_row(services: Services, account: Account, filters: QueueFilters) -> Iterator[Any]:
    """Every firm of the queue, province after province (in their codes' order) and page after
    page in each: an export holds one page at a time, and each call reads one province's entries
    of the service's index (ADR 0037) instead of merging every province's for each page. A
    province the caller does not serve answers nothing."""
    served = account.provinces if account.role is Role.CASEWORKER else EVERY_PROVINCE
    for province in [filters.province] if filters.province else sorted(served):
        yield from _pages(services, account, replace(filters, province=province))


def _pages(services: Services, account: Account, filters: QueueFilters) -> Iterator[Any]:
    after = None
    while True:
        params = {**filters.service_params(), "after": after, "limit": EXPORT_PAGE}
        params["counts"] = "false"  # counted once on the page, not again for every 1,000 rows
        found = services.call("eligibility", "GET", _path(filters), account=account, params=params)
        yield from found["items"]
        after = found["after"]
        if after is None:
            return
