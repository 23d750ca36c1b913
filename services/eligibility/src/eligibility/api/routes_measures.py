"""HTTP routes for the measure catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from eligibility.api.deps import CatalogueDep, TodayDep, UowDep
from eligibility.api.schemas import MeasureFilters, MeasureRead
from eligibility.domain.catalogue import NoMeasure
from eligibility.domain.measures import Measure, measure_from_document
from eligibility.domain.themes import THEMES
from eligibility.use_cases.preview import preview_measure
from supportmatch_core.auth import Role, require_role
from supportmatch_core.ranges import Day

router = APIRouter(prefix="/v1/measures", tags=["measures"])

MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]


@router.get("")
def list_measures(
    catalogue: CatalogueDep, filters: Annotated[MeasureFilters, Query()], today: TodayDep
) -> list[MeasureRead]:
    """The catalogue: the current version of each measure (ended ones say so), or those in force
    on a day; searchable by keyword, clause, department, theme and kind."""
    if filters.in_force_on is not None:
        chosen = catalogue.in_force(filters.in_force_on)
    else:
        chosen = [m for i in catalogue.ids() if (m := catalogue.current(i, today)) is not None]
        chosen += [
            catalogue.versions(i)[0] for i in catalogue.ids() if catalogue.current(i, today) is None
        ]
    return [MeasureRead.of(m, today) for m in chosen if matches(m, filters)]


def matches(measure: Measure, filters: MeasureFilters) -> bool:
    """Whether a measure version passes every filter given."""
    return (
        (filters.clause is None or measure.clause == filters.clause)
        and (filters.kind is None or measure.kind == filters.kind)
        and (filters.theme is None or filters.theme in measure.themes)
        and (
            filters.department is None or any(filters.department in d for d in measure.departments)
        )
        and (filters.q is None or _mentions(measure, filters.q))
    )


def _mentions(measure: Measure, keyword: str) -> bool:
    """A keyword (any case) in the measure's titles, benefit, audience, departments or themes."""
    texts = (
        measure.id, measure.title_zh, measure.title_en, measure.benefit_zh, measure.benefit_en,
        measure.audience_zh, measure.audience_en, *measure.departments,
        *(label for key in measure.themes for label in THEMES[key]),
    )  # fmt: skip
    wanted = keyword.strip().casefold()
    return any(wanted in text.casefold() for text in texts)


@router.get("/{measure_id}")
def read_measure(measure_id: MeasureId, catalogue: CatalogueDep, today: TodayDep) -> MeasureRead:
    """The version in force today, else the one that ended last, else the first to come."""
    measure = catalogue.current(measure_id, today)
    versions = catalogue.versions(measure_id)
    if measure is None and not versions:
        raise NoMeasure(measure_id)
    return MeasureRead.of(measure or versions[0], today)


@router.get("/{measure_id}/versions")
def measure_versions(
    measure_id: MeasureId, catalogue: CatalogueDep, today: TodayDep
) -> list[MeasureRead]:
    """Every version of the measure, oldest first, each with its own validity and sources."""
    versions = catalogue.versions(measure_id)
    if not versions:
        raise NoMeasure(measure_id)
    return [MeasureRead.of(m, today) for m in versions]


@router.post("/{measure_id}/preview", dependencies=[require_role(Role.ADMIN)])
def preview_draft(
    measure_id: MeasureId,
    draft: dict[str, Any],
    catalogue: CatalogueDep,
    uow: UowDep,
    today: TodayDep,
    on: Annotated[Day | None, Query(description="defaults to today")] = None,
) -> dict[str, Any]:
    """How many and which firms a posted draft version would reach, by status, region, size and
    ownership, beside the version in force now. Nothing is stored or announced."""
    measure = measure_from_document({**draft, "id": measure_id})
    with uow.read() as work:
        return preview_measure(work, catalogue=catalogue, draft=measure, on=on or today)
