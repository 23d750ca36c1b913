"""HTTP routes for administrators: measure drafts, their preview, publishing and retiring."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Response, status

from eligibility.api.deps import AdminDep, CatalogueDep, TodayDep, UowDep
from eligibility.api.lifecycle_schemas import (
    ChangedRead,
    DraftCheckRead,
    DraftRead,
    LoggedStepRead,
    PublishRequest,
    ReachedPage,
    RetireRequest,
)
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.lifecycle import Draft
from eligibility.use_cases import drafts, publish
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.ports import UnitOfWork
from eligibility.use_cases.preview import preview_measure, reached_firms
from supportmatch_core.openapi import CONFLICT
from supportmatch_core.ranges import Day

router = APIRouter(prefix="/v1/measures", tags=["measure lifecycle (admin)"])

MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]
Version = Annotated[int, Path(ge=1, le=100_000)]


def _read(draft: Draft) -> DraftRead:
    return DraftRead.model_validate(dataclasses.asdict(draft))


@router.get("/drafts")
def list_drafts(_: AdminDep, uow: UowDep) -> list[DraftRead]:
    """Every stored draft, by measure and version."""
    with uow.read() as work:
        return [_read(d) for d in drafts.list_drafts(work)]


@router.get("/log")
def catalogue_log(
    _: AdminDep, uow: UowDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[LoggedStepRead]:
    """Who published or retired which version, and when; newest first."""
    with uow.read() as work:
        return [LoggedStepRead.of(step) for step in drafts.catalogue_log(work, limit=limit)]


@router.get("/{measure_id}/drafts/{version}")
def read_draft(measure_id: MeasureId, version: Version, _: AdminDep, uow: UowDep) -> DraftRead:
    with uow.read() as work:
        return _read(drafts.read_draft(work, measure_id=measure_id, version=version))


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
    with uow.begin() as work:
        draft, created = drafts.save_draft(
            work, measure_id=measure_id, version=version, document=document, actor=principal.subject
        )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _read(draft)


@router.post("/{measure_id}/drafts/{version}/check")
def check_draft(
    measure_id: MeasureId, version: Version, document: dict[str, Any], _: AdminDep, uow: UowDep
) -> DraftCheckRead:
    """Check a document as saving it would, without storing it: 422 names the first error's
    path; otherwise the rule is read back as sentences."""
    with uow.read() as work:
        measure = drafts.check_draft(
            work, measure_id=measure_id, version=version, document=document
        )
    return DraftCheckRead.of(measure)


@router.delete("/{measure_id}/drafts/{version}", status_code=status.HTTP_204_NO_CONTENT)
def discard_draft(measure_id: MeasureId, version: Version, _: AdminDep, uow: UowDep) -> None:
    with uow.begin() as work:
        drafts.discard_draft(work, measure_id=measure_id, version=version)


@router.post("/{measure_id}/drafts/{version}/preview")
def preview_stored_draft(
    measure_id: MeasureId,
    version: Version,
    _: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    today: TodayDep,
    on: Annotated[Day | None, Query(description="defaults to today")] = None,
) -> dict[str, Any]:
    """Whom the stored draft would reach, beside the version in force; nothing is stored."""
    with uow.read() as work:
        draft = drafts.draft_measure(work, measure_id=measure_id, version=version)
        return preview_measure(work, catalogue=catalogue, draft=draft, on=on or today)


@router.post("/{measure_id}/drafts/{version}/preview/firms")
def preview_firms(
    measure_id: MeasureId,
    version: Version,
    group: Literal["eligible", "newly_eligible", "no_longer_eligible"],
    _: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    today: TodayDep,
    after: Annotated[str, Query(pattern="^[0-9A-Z]{0,18}$")] = "",
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    on: Annotated[Day | None, Query(description="defaults to today")] = None,
) -> ReachedPage:
    """The preview's firms of one group, in USCC order from `after`: the whole list, page by page."""
    with uow.read() as work:
        draft = drafts.draft_measure(work, measure_id=measure_id, version=version)
        items = reached_firms(
            work,
            catalogue=catalogue,
            draft=draft,
            on=on or today,
            group=group,
            after=after,
            limit=limit,
        )
    return ReachedPage.model_validate(
        {"items": items, "after": items[-1]["uscc"] if len(items) == limit else None}
    )


@router.post("/{measure_id}/drafts/{version}/publish", responses=CONFLICT)
def publish_draft(
    measure_id: MeasureId,
    version: Version,
    principal: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    today: TodayDep,
    body: Annotated[PublishRequest | None, Body()] = None,
) -> ChangedRead:
    """The draft becomes a published version; the population is re-decided in the same
    transaction and only the changes of status are announced. `replaces` ends the version in
    force the day before, in the same step."""
    with uow.begin() as work:
        changed = publish.publish(
            work,
            measure_id=measure_id,
            version=version,
            actor=principal.subject,
            on=today,
            replaces=body.replaces if body else None,
        )
    _reload(uow, catalogue)
    return ChangedRead.of(changed, today)


@router.get("/{measure_id}/versions/{version}/document")
def version_document(
    measure_id: MeasureId, version: Version, _: AdminDep, uow: UowDep
) -> dict[str, Any]:
    """A published version's whole document: where an administrator's next draft starts."""
    with uow.read() as work:
        return drafts.version_document(work, measure_id=measure_id, version=version)


@router.post("/{measure_id}/versions/{version}/retire", responses=CONFLICT)
def retire_version(
    measure_id: MeasureId,
    version: Version,
    body: RetireRequest,
    principal: AdminDep,
    catalogue: CatalogueDep,
    uow: UowDep,
    today: TodayDep,
) -> ChangedRead:
    """End a published version from `effective_on`; from then on it shows as ended."""
    with uow.begin() as work:
        changed = publish.retire(
            work,
            measure_id=measure_id,
            version=version,
            effective_on=body.effective_on,
            actor=principal.subject,
            on=today,
        )
    _reload(uow, catalogue)
    return ChangedRead.of(changed, today)


def _reload(uow: UnitOfWork, catalogue: Catalogue) -> None:
    """Hold the catalogue the change committed (other instances see the revision move)."""
    with uow.read() as work:
        refresh(work, catalogue)
