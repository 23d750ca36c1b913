"""HTTP routes for administrators: measure drafts, their preview, publishing and retiring."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from eligibility import lifecycle
from eligibility.api.deps import AdminDep, CatalogueDep, OutboxDep, UowDep
from eligibility.api.presenters import MeasureRead
from eligibility.domain.clock import china_today
from eligibility.domain.criteria import InvalidCriteria
from eligibility.domain.lifecycle import LifecycleConflict
from eligibility.preview import preview_measure
from supportmatch_core.openapi import CONFLICT
from supportmatch_core.problems import Conflict, Invalid
from supportmatch_core.ranges import Day

router = APIRouter(prefix="/v1/measures", tags=["measure lifecycle (admin)"])

MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]
Version = Annotated[int, Path(ge=1, le=100_000)]


class DraftRead(BaseModel):
    measure_id: str
    version: int
    document: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    updated_by: str


class RetireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_on: Day = Field(
        description="the first day the version is no longer in force (today or later)"
    )


class RematchRead(BaseModel):
    on: date
    changed: int = Field(description="firms whose status changed, each announced")
    refreshed: int = Field(description="firms rewritten with the same status")


class ChangedRead(BaseModel):
    measure: MeasureRead
    revision: int = Field(description="the catalogue revision this change made")
    rematch: RematchRead | None = Field(description="null when the version is not in force today")

    @classmethod
    def of(cls, changed: lifecycle.Changed, on: date) -> ChangedRead:
        done = changed.rematch
        return cls(
            measure=MeasureRead.of(changed.measure, on),
            revision=changed.revision,
            rematch=RematchRead(on=on, changed=done.changed, refreshed=done.refreshed)
            if done
            else None,
        )


@contextmanager
def refusals() -> Iterator[None]:
    """Bad documents answer 422 with the path of the error; state conflicts answer 409."""
    try:
        yield
    except InvalidCriteria as error:
        field, _, message = str(error).partition(": ")
        raise Invalid(
            field if message else "body",
            message or str(error),
            zh="措施文档此处有误，英文说明见同一回复",
        ) from error
    except LifecycleConflict as error:
        raise Conflict(
            str(error),
            zh=f"{error.field}：与已发布的版本冲突，英文说明见同一回复",
            errors=[{"field": error.field, "message": error.message}],
        ) from error


@router.get("/drafts")
def list_drafts(_: AdminDep, uow: UowDep) -> list[DraftRead]:
    """Every stored draft, by measure and version."""
    return [DraftRead.model_validate(r._asdict()) for r in lifecycle.list_drafts(uow=uow)]


@router.get("/{measure_id}/drafts/{version}")
def read_draft(measure_id: MeasureId, version: Version, _: AdminDep, uow: UowDep) -> DraftRead:
    row = lifecycle.read_draft(uow=uow, measure_id=measure_id, version=version)
    return DraftRead.model_validate(row._asdict())


@router.put(
    "/{measure_id}/drafts/{version}",
    responses={201: {"model": DraftRead, "description": "A new draft"}, **CONFLICT},
)
def put_draft(
    measure_id: MeasureId,
    version: Version,
    document: dict[str, Any],
    principal: AdminDep,
    uow: UowDep,
    response: Response,
) -> DraftRead:
    """Create or replace the draft of a new version, checked as a published version is."""
    with refusals():
        row, created = lifecycle.save_draft(
            uow=uow,
            measure_id=measure_id,
            version=version,
            document=document,
            actor=principal.subject,
        )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return DraftRead.model_validate(row._asdict())


@router.delete("/{measure_id}/drafts/{version}", status_code=status.HTTP_204_NO_CONTENT)
def discard_draft(measure_id: MeasureId, version: Version, _: AdminDep, uow: UowDep) -> None:
    lifecycle.discard_draft(uow=uow, measure_id=measure_id, version=version)


@router.post("/{measure_id}/drafts/{version}/preview")
def preview_stored_draft(
    measure_id: MeasureId,
    version: Version,
    _: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    on: Annotated[Day | None, Query(description="defaults to today")] = None,
) -> dict[str, Any]:
    """Whom the stored draft would reach, beside the version in force; nothing is stored."""
    with refusals():
        draft = lifecycle.draft_measure(uow=uow, measure_id=measure_id, version=version)
    return preview_measure(uow=uow, catalogue=catalogue, draft=draft, on=on or china_today())


@router.post("/{measure_id}/drafts/{version}/publish", responses=CONFLICT)
def publish_draft(
    measure_id: MeasureId,
    version: Version,
    principal: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    outbox: OutboxDep,
) -> ChangedRead:
    """The draft becomes a published version; the population is re-decided in the same
    transaction and only the changes of status are announced."""
    today = china_today()
    with refusals():
        changed = lifecycle.publish(
            uow=uow,
            outbox=outbox,
            catalogue=catalogue,
            measure_id=measure_id,
            version=version,
            actor=principal.subject,
            on=today,
        )
    return ChangedRead.of(changed, today)


@router.post("/{measure_id}/versions/{version}/retire", responses=CONFLICT)
def retire_version(
    measure_id: MeasureId,
    version: Version,
    body: RetireRequest,
    principal: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    outbox: OutboxDep,
) -> ChangedRead:
    """End a published version from `effective_on`; from then on it shows as ended."""
    today = china_today()
    with refusals():
        changed = lifecycle.retire(
            uow=uow,
            outbox=outbox,
            catalogue=catalogue,
            measure_id=measure_id,
            version=version,
            effective_on=body.effective_on,
            actor=principal.subject,
            on=today,
        )
    return ChangedRead.of(changed, today)
