"""A caseworker's work queue: the firms of its provinces that could get a measure, what each still
has to give, and the whole list as a file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters

PAGE = 50
EXPORT_PAGE = 1000  # rows asked of the service per call while an export streams


def _path(filters: QueueFilters) -> str:
    return f"/v1/measures/{filters.measure}/enterprises"


def page(
    services: Services, account: Account, filters: QueueFilters, *, after: str | None
) -> dict[str, Any]:
    """One page of the queue with the counts per status and per missing fact."""
    params = {**filters.service_params(), "after": after, "limit": PAGE}
    return dict(services.call("eligibility", "GET", _path(filters), account=account, params=params))


def every_row(services: Services, account: Account, filters: QueueFilters) -> Iterator[Any]:
    """Every firm of the queue, page after page: an export holds one page at a time."""
    after = None
    while True:
        params = {**filters.service_params(), "after": after, "limit": EXPORT_PAGE}
        params["counts"] = "false"  # counted once on the page, not again for every 1,000 rows
        found = services.call("eligibility", "GET", _path(filters), account=account, params=params)
        yield from found["items"]
        after = found["after"]
        if after is None:
            return
