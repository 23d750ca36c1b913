"""What the administrators' lifecycle routes read and answer: drafts, checks, publishing,
retiring, and the log of both."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.api.schemas import MeasureRead
from eligibility.domain.lifecycle import LoggedStep
from eligibility.domain.measures import Measure
from eligibility.domain.sentences import tree
from eligibility.use_cases.publish import Changed
from supportmatch_core.ranges import Day


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
    def of(cls, changed: Changed, on: date) -> ChangedRead:
        done = changed.rematch
        return cls(
            measure=MeasureRead.of(changed.measure, on),
            revision=changed.revision,
            rematch=RematchRead(on=on, changed=done.changed, refreshed=done.refreshed)
            if done
            else None,
        )


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replaces: int | None = Field(
        None,
        ge=1,
        description="the version in force that ends the day before the draft begins, in the same "
        "step (otherwise an overlapping draft is refused)",
    )


class DraftCheckRead(BaseModel):
    """A draft that reads and checks: the rule as sentences, for the administrator to read back."""

    measure_id: str
    version: int
    title_zh: str
    title_en: str
    valid_from: date
    valid_to: date | None
    criteria: dict[str, Any] = Field(description="the criteria tree, each node with its sentence")

    @classmethod
    def of(cls, measure: Measure) -> DraftCheckRead:
        return cls(
            measure_id=measure.id,
            version=measure.version,
            title_zh=measure.title_zh,
            title_en=measure.title_en,
            valid_from=measure.valid_from,
            valid_to=measure.valid_to,
            criteria=tree(measure.criteria),
        )


class LoggedStepRead(BaseModel):
    measure_id: str
    version: int
    step: Literal["published", "retired"]
    at: datetime
    by: str = Field(description="the administrator's token subject, or catalogue for a release")
    title_zh: str
    title_en: str
    valid_from: date
    valid_to: date | None

    @classmethod
    def of(cls, step: LoggedStep) -> LoggedStepRead:
        return cls.model_validate(step, from_attributes=True)


class ReachedFirm(BaseModel):
    uscc: str
    name: str | None
    city: str | None
    province: str
    region: str | None
    size: str | None
    ownership: str | None


class ReachedPage(BaseModel):
    items: list[ReachedFirm]
    after: str | None = Field(
        description="the USCC to ask after for the next page; null at the end"
    )
