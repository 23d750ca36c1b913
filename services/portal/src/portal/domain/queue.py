"""The work queue as a caseworker asks for it: the filters of the page, read from its address."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

from portal.domain.wizard import OWNERSHIPS

__all__ = ["OWNERSHIPS", "REGIONS", "SIZES", "QueueFilters", "Status"]

Status = Literal["eligible", "possibly_eligible"]
SIZES = ("large", "medium", "small", "micro")
REGIONS = ("east", "central", "west", "northeast")


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """Everything the queue page filters on; empty strings in a form mean "any"."""

    measure: str
    status: Status | None = None
    province: str | None = None
    region: str | None = None
    city: str | None = None
    industry: str | None = None
    size: str | None = None
    ownership: str | None = None
    certification: str | None = None
    missing: str | None = None
    q: str | None = None
    case: Literal["open", "none"] | None = None
    assignee: str | None = None  # the signed-in caseworker, when "assigned to me" is ticked

    def service_params(self) -> dict[str, str]:
        """The eligibility service's query parameters for these filters (the measure aside)."""
        return {k: v for k, v in asdict(self).items() if k != "measure" and v}

    def with_q(self, search: str) -> QueueFilters:
        """These filters, searching for `search` (a firm's name or USCC)."""
        return replace(self, q=search)

    def with_(self, **changes: str | None) -> dict[str, str]:
        """This page's address parameters with some changed: links to a status, a fact, a page."""
        params = asdict(self) | changes
        if params.pop("assignee", None):  # the page says "mine", never whose name
            params["mine"] = "true"
        return {k: v for k, v in params.items() if v}
