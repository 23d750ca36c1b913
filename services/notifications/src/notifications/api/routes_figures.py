"""HTTP route of the caseworkers' dashboard figures kept here: deliveries of a measure's notices."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from notifications.api.deps import NowDep, UowDep
from notifications.use_cases.figures import deliveries_of_measure
from notifications.use_cases.schedule import CHINA, local_day
from supportmatch_core.auth import Principal, Role, require_role

router = APIRouter(prefix="/v1/measures", tags=["figures"])
Caseworker = Annotated[Principal, require_role(Role.CASEWORKER, Role.ADMIN)]


class DeliveryCounts(BaseModel):
    sent: int
    failed: int
    pending: int = Field(description="not sent yet: retrying, or an email waiting for an address")


class MeasureDeliveriesRead(BaseModel):
    measure_id: str
    since: date = Field(description="the first day counted (in China)")
    by_province: dict[str, DeliveryCounts]


@router.get("/{measure_id}/deliveries")
def measure_deliveries(
    measure_id: Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")],
    principal: Caseworker,
    uow: UowDep,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=366, description="the last this many days")] = 7,
) -> MeasureDeliveriesRead:
    """How the emails and webhooks of the measure's notices to the firms of the caller's
    provinces went lately, per province."""
    since = local_day(now) - timedelta(days=days - 1)
    start = datetime.combine(since, time(), tzinfo=CHINA)
    with uow.read() as work:
        found = deliveries_of_measure(work, principal=principal, measure_id=measure_id, since=start)
    return MeasureDeliveriesRead(
        measure_id=measure_id,
        since=since,
        by_province={p: DeliveryCounts(**counts) for p, counts in found.items()},
    )
