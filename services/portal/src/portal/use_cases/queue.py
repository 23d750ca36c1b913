"""A caseworker's work queue: the firms of its provinces that could get a measure, what each still
has to give, and the whole list as a file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters

PAGE = 50


def _path(filters: QueueFilters) -> str:
    return f"/v1/measures/{filters.measure}/enterprises"


def page(
    services: Services, account: Account, filters: QueueFilters, *, after: str | None
) -> dict[str, Any]:
    """One page of the queue with the counts per status and per missing fact."""
    params = {**filters.service_params(), "after": after, "limit": PAGE}
    return dict(services.call("eligibility", "GET", _path(filters), account=account, params=params))


def every_row(services: Services, account: Account, filters: QueueFilters) -> Iterator[Any]:
    """Every firm of the queue, province after province, eligible before possibly eligible and
    in USCC order within each, as the service streams them: an export holds one line at a time."""
    params = filters.service_params()
    return services.lines("eligibility", f"{_path(filters)}.ndjson", account=account, params=params)
