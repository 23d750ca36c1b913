"""HTTP route of the caseworkers' work queue: a measure's firms by status, with missing facts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from eligibility.api.deps import CatalogueDep, TodayDep, UowDep
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import CHINA
from eligibility.domain.decision import Status, describe_fact
from eligibility.domain.facts import REGISTRY
from eligibility.domain.queue import COUNT_CAP, QueuedFirm, QueueFilter
from eligibility.use_cases.queue import askable_facts, every_firm, newly_eligible, work_queue
from supportmatch_core import jsontext
from supportmatch_core.auth import Principal, Role, require_role
from supportmatch_core.contracts.profile import Ownership
from supportmatch_core.fields import PlainText, ProvinceCode
from supportmatch_core.streams import closed_when_done
from supportmatch_reference.certifications import CertificationKind
from supportmatch_reference.regions import BY_CODE
from supportmatch_reference.said import SaidValueError

router = APIRouter(prefix="/v1/measures", tags=["work queue"])

NDJSON = "application/x-ndjson"
MeasureId = Annotated[str, Path(pattern="^[a-z0-9-]{1,100}$")]
Caseworker = Annotated[Principal, require_role(Role.CASEWORKER, Role.ADMIN)]


def _fact(name: str | None) -> str | None:
    if name is not None and name not in REGISTRY:
        raise SaidValueError(f"no fact named {name}", f"没有名为{name}的信息项")
    return name


class QueueFilters(BaseModel):
    """Which firms of the measure: every filter the queue offers."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["eligible", "possibly_eligible"] | None = Field(
        None, description="both when not given"
    )
    province: ProvinceCode | None = Field(
        None, description="within the provinces the caller serves"
    )
    region: Literal["east", "central", "west", "northeast"] | None = None
    city: PlainText | None = Field(None, max_length=60)
    industry: str | None = Field(
        None, pattern="^[A-Ta-t]([0-9]{2}([0-9]{1,2})?)?$", description="GB/T 4754 code or prefix"
    )
    size: Literal["large", "medium", "small", "micro"] | None = None
    ownership: Ownership | None = None
    certification: CertificationKind | None = Field(None, description="held and valid today")
    missing: Annotated[str | None, AfterValidator(_fact)] = Field(
        None, max_length=60, description="a fact the firm still has to give"
    )
    q: PlainText | None = Field(None, max_length=50, description="part of the name, or USCC start")
    case: Literal["open", "none"] | None = Field(
        None, description="open: a case is being worked on; none: no case was ever opened"
    )
    assignee: PlainText | None = Field(
        None, max_length=100, description="the firm's case is assigned to this account"
    )

    def wanted(self, measure_id: str) -> QueueFilter:
        return QueueFilter(
            measure_id=measure_id,
            provinces=frozenset({self.province}) if self.province else None,
            status=Status(self.status) if self.status else None,
            region=self.region,
            city=self.city,
            industry=self.industry.upper() if self.industry else None,
            size=self.size,
            ownership=self.ownership,
            certification=self.certification,
            missing=self.missing,
            query=self.q,
            case=self.case,
            assignee=self.assignee,
        )


class QueueQuery(QueueFilters):
    """The filters and the page."""

    after: str | None = Field(None, pattern="^[0-9A-Z]{1,18}$", description="the page's `after`")
    limit: int = Field(50, ge=1, le=1000)


class FactRead(BaseModel):
    fact: str
    label_zh: str
    label_en: str


class QueuedRead(BaseModel):
    uscc: str
    name: str | None
    city: str | None
    province_code: str
    province_zh: str
    region: str | None
    industry_code: str
    size_class: str | None
    ownership: str | None
    status: Status
    measure_version: int
    evaluated_on: date
    missing_facts: list[FactRead] = Field(description="empty until the decision is explained")

    @classmethod
    def of(cls, firm: QueuedFirm) -> QueuedRead:
        return cls.model_validate(_item(firm))


def _item(firm: QueuedFirm) -> dict[str, Any]:
    """A firm of the queue as JSON: a page's item (validated as `QueuedRead`) and an export's
    line (written as it is, 100,000 of them)."""
    province = BY_CODE.get(firm.province_code)
    return {
        "uscc": firm.uscc,
        "name": firm.name,
        "city": firm.city,
        "province_code": firm.province_code,
        "province_zh": province.name_zh if province else firm.province_code,
        "region": firm.region,
        "industry_code": firm.industry_code,
        "size_class": firm.size_class,
        "ownership": firm.ownership,
        "status": firm.status.value,
        "measure_version": firm.measure_version,
        "evaluated_on": firm.evaluated_on.isoformat(),
        "missing_facts": [describe_fact(name) for name in firm.missing],
    }


class MissingCount(FactRead):
    count: int | None = Field(
        description="null when not known exactly: more firms than the count cap, a status partly "
        "counted, or some firms still being explained after a re-match"
    )


class QueueRead(BaseModel):
    measure_id: str
    counts: dict[Status, int] = Field(
        description=f"per status, under every filter but the status, up to {COUNT_CAP + 1:,}"
    )
    capped: bool = Field(
        description="a count is not exact: more than `count_cap`, or partly counted"
    )
    count_cap: int = Field(description="counts stop one above this")
    count_read: int = Field(
        description="filtered on industry, size, ownership or a missing fact, a count looks "
        "among this many rows of each status (a filter that keeps hardly any of them is counted "
        "in full)"
    )
    partly_counted: list[Status] = Field(
        description="the statuses whose count stopped after `count_read` rows, short of the "
        "cap: at least that many"
    )
    missing_counts: list[MissingCount] = Field(
        description="every fact the measure may ask for, those most often missing first, with "
        "how many firms lack each under every filter but `missing`; without counts when that "
        "is not known exactly (more firms than the cap, a status partly counted, or some still "
        "being explained after a re-match)"
    )
    items: list[QueuedRead]
    after: str | None = Field(description="ask again with this `after` for the next page")


def _missing_counts(
    counted: dict[str, int] | None, catalogue: Catalogue, measure_id: str
) -> list[MissingCount]:
    """The facts lacking most first, then every other fact the measure may ask for (none of
    the listed firms lacks it); without counts when they are not known exactly."""
    facts = askable_facts(catalogue, measure_id)
    if counted is None:
        return [MissingCount(**describe_fact(name), count=None) for name in facts]
    named = [*counted, *(name for name in facts if name not in counted)]
    return [MissingCount(**describe_fact(name), count=counted.get(name, 0)) for name in named]


@router.get("/{measure_id}/enterprises")
def measure_queue(
    measure_id: MeasureId,
    principal: Caseworker,
    uow: UowDep,
    catalogue: CatalogueDep,
    today: TodayDep,
    query: Annotated[QueueQuery, Query()],
) -> QueueRead:
    """The firms of the caller's provinces that are eligible or possibly eligible for the measure,
    in USCC order, with the facts each still has to give; a caseworker's work queue."""
    with uow.read() as work:
        page = work_queue(
            work,
            principal=principal,
            wanted=query.wanted(measure_id),
            catalogue=catalogue,
            after=query.after or "",
            limit=query.limit,
            on=today,
        )
    return QueueRead(
        measure_id=measure_id,
        counts=page.counts,
        capped=page.capped,
        count_cap=page.cap,
        count_read=page.read,
        partly_counted=sorted(page.partly_counted),
        missing_counts=_missing_counts(page.missing_counts, catalogue, measure_id),
        items=[QueuedRead.of(firm) for firm in page.firms],
        after=page.after,
    )


EXPORT_BATCH = 1000  # lines per chunk sent: each chunk crosses to the event loop once


@router.get(
    "/{measure_id}/enterprises.ndjson",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {"schema": {"$ref": "#/components/schemas/QueuedRead"}}}}},
)
def measure_queue_export(
    measure_id: MeasureId,
    principal: Caseworker,
    uow: UowDep,
    catalogue: CatalogueDep,
    today: TodayDep,
    query: Annotated[QueueFilters, Query()],
) -> StreamingResponse:
    """Every firm the queue lists under the filters, one JSON object a line (the items of the
    pages, without counts): province after province, eligible before possibly eligible, in USCC
    order within each, memory holding one batch. An answer cut short ends without HTTP's last
    chunk, so a reader can tell."""
    read = every_firm(
        principal=principal, wanted=query.wanted(measure_id), catalogue=catalogue, on=today
    )

    def lines() -> Iterator[bytes]:
        with uow.read() as work:
            firms = read(work)
            while batch := list(itertools.islice(firms, EXPORT_BATCH)):
                yield b"".join(jsontext.dumps(_item(firm)) + b"\n" for firm in batch)

    return StreamingResponse(closed_when_done(lines()), media_type=NDJSON)


class NewlyEligibleRead(BaseModel):
    measure_id: str
    since: date = Field(description="the first day counted (in China)")
    by_province: dict[str, int] = Field(
        description="firms per province code of the caller's that became eligible since then"
    )


@router.get("/{measure_id}/newly-eligible")
def measure_newly_eligible(
    measure_id: MeasureId,
    principal: Caseworker,
    uow: UowDep,
    catalogue: CatalogueDep,
    today: TodayDep,
    days: Annotated[int, Query(ge=1, le=366, description="the last this many days")] = 7,
) -> NewlyEligibleRead:
    """How many firms of the caller's provinces became eligible for the measure lately."""
    since = today - timedelta(days=days - 1)
    start = datetime.combine(since, time(), tzinfo=CHINA)
    with uow.read() as work:
        found = newly_eligible(
            work, principal=principal, catalogue=catalogue, measure_id=measure_id, since=start
        )
    return NewlyEligibleRead(measure_id=measure_id, since=since, by_province=found)
