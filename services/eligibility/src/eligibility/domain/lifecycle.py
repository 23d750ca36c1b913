"""The lifecycle of a measure version (draft, published, retired) and the rules between the steps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from eligibility.domain.criteria import InvalidCriteria
from eligibility.domain.measures import Measure
from supportmatch_core.contracts.measure import Change, MeasureChanged
from supportmatch_core.errors import ConflictError, NotFoundError

_FIELD_ZH = {"id": "措施编号", "version": "版本号"}
RESERVED_IDS = frozenset({"drafts"})  # /v1/measures/drafts lists the drafts
PUBLISHED, RETIRED = "published", "retired"  # a stored version's status
BY_CATALOGUE, BY_ADMIN = "catalogue", "admin"  # who manages it: the shipped files or the API


class Lifecycle(StrEnum):
    PUBLISHED = "published"  # a new version entered the catalogue
    CHANGED = "changed"  # a shipped version's document was edited in a release
    RETIRED = "retired"  # an administrator ended the version


class LifecycleConflict(ConflictError):
    """A step the catalogue's present state does not allow; `field` names what to change."""

    def __init__(self, field: str, message: str, *, zh: str) -> None:
        super().__init__(f"{field}: {message}", zh=zh, field=field)


class NoDraft(NotFoundError):
    def __init__(self, measure_id: str, version: int) -> None:
        super().__init__(
            f"no draft {measure_id} version {version}",
            zh=f"没有措施{measure_id}第{version}版的草稿",
        )


class NoPublishedVersion(NotFoundError):
    def __init__(self, measure_id: str, version: int) -> None:
        super().__init__(
            f"no published measure {measure_id} version {version}",
            zh=f"没有已发布的措施{measure_id}第{version}版",
        )


class StaleCatalogue(Exception):
    """The catalogue changed since this instance last read it; reload and start again."""


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """A published (or retired) version as stored; `managed_by` the catalogue files or an admin."""

    measure_id: str
    version: int
    document: dict[str, object]
    digest: str
    managed_by: str


@dataclass(frozen=True, slots=True)
class Draft:
    measure_id: str
    version: int
    document: dict[str, object]
    created_at: datetime
    updated_at: datetime
    updated_by: str


def draft_document(doc: object, *, measure_id: str, version: int) -> dict[str, Any]:
    """The draft as stored: the posted document, named by the path it was put at."""
    if not isinstance(doc, dict):
        raise InvalidCriteria(
            "(root): expected a measure document (an object)", zh="请求体应为措施文档（对象）"
        )
    if measure_id in RESERVED_IDS:
        raise InvalidCriteria(
            f"id: {measure_id!r} is reserved", zh=f"{measure_id}是保留名称，不能用作措施编号"
        )
    try:
        json.dumps(doc, allow_nan=False)
    except ValueError as error:
        raise InvalidCriteria(
            f"(root): {error}", zh="文档含有无法表示的数值（如无穷大或非数字）"
        ) from None
    for field, expected in (("id", measure_id), ("version", version)):
        if field in doc and doc[field] != expected:
            raise InvalidCriteria(
                f"{field}: {doc[field]!r} differs from the path ({expected!r})",
                zh=f"文档中的{_FIELD_ZH[field]}（{doc[field]}）与请求路径中的（{expected}）不一致",
            )
    return {**doc, "id": measure_id, "version": version}


def check_new_version(candidate: Measure, published: Sequence[Measure]) -> None:
    """A draft's version must follow every published version of its measure."""
    latest = max((m.version for m in published), default=0)
    if candidate.version <= latest:
        raise LifecycleConflict(
            "version",
            f"{candidate.id} has version {latest} already; a draft needs a higher one",
            zh=f"措施{candidate.id}已有第{latest}版，草稿的版本号须大于{latest}",
        )


def check_publishable(candidate: Measure, published: Sequence[Measure]) -> None:
    """Versions of a measure follow each other without overlap: at most one is in force a day."""
    check_new_version(candidate, published)
    for other in published:
        if _overlap(candidate, other):
            ends = other.valid_to.isoformat() if other.valid_to else "open-ended"
            ends_zh = f"至{other.valid_to.isoformat()}" if other.valid_to else "起长期有效"
            start = candidate.valid_from.isoformat()
            raise LifecycleConflict(
                "valid_from",
                f"overlaps version {other.version} ({other.valid_from.isoformat()} to {ends}); "
                f"retire version {other.version} effective {start} or change the draft's dates",
                zh=f"施行期与第{other.version}版（{other.valid_from.isoformat()}{ends_zh}）重叠："
                f"请将第{other.version}版自{start}起废止，或修改草稿的日期",
            )


def _overlap(a: Measure, b: Measure) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def retired_document(doc: dict[str, Any], *, effective_on: date, today: date) -> dict[str, Any]:
    """The document of a version retired from `effective_on`: its last day in force is the day
    before. The past stays as decided, so a retirement never takes effect before today."""
    valid_from = date.fromisoformat(doc["valid_from"])
    valid_to = date.fromisoformat(doc["valid_to"]) if doc.get("valid_to") else None
    if effective_on < today:
        raise InvalidCriteria(
            f"effective_on: {effective_on} is in the past (today is {today})",
            zh=f"废止日期{effective_on}早于今天（{today}），已作出的判断不能改变",
        )
    if effective_on <= valid_from:
        raise InvalidCriteria(
            f"effective_on: the version starts on {valid_from}; retire it after that day",
            zh=f"该版本自{valid_from}起施行，废止日期须在此之后",
        )
    last_day = effective_on - timedelta(days=1)
    if valid_to is not None and valid_to <= last_day:
        raise LifecycleConflict(
            "effective_on",
            f"the version already ends on {valid_to}",
            zh=f"该版本已于{valid_to}结束施行",
        )
    return {**doc, "valid_to": last_day.isoformat()}


def measure_changed(
    *,
    document: dict[str, Any],
    measure: Measure,
    lifecycle: Lifecycle,
    actor: str,
    changes: tuple[Change, ...] = (),
) -> MeasureChanged:
    """The policy.measure.v1 event: the whole document of one version, what happened to it and
    what it changes from the version before, in words."""
    return MeasureChanged(
        measure_id=measure.id,
        version=measure.version,
        lifecycle=lifecycle.value,
        valid_from=measure.valid_from.isoformat(),
        valid_to=measure.valid_to.isoformat() if measure.valid_to else None,
        digest=measure.digest,
        actor=actor,
        document=document,
        changes=changes,
    )


@dataclass(frozen=True, slots=True)
class LoggedStep:
    """A version published or retired: what, when, by whom (an administrator's token subject,
    or the catalogue files of a release)."""

    measure_id: str
    version: int
    step: str  # published or retired
    at: datetime
    by: str
    title_zh: str
    title_en: str
    valid_from: date
    valid_to: date | None
