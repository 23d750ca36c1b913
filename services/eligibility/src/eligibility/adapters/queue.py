"""The work queue in SQL: one measure's determinations, filtered on the firm's place each row
carries (ADR 0037), paged by USCC over the index (measure, province, status, USCC), counted per
status under the same filters (`queue_counts`); the projection gives a page's names and has the
last word on the province."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    bindparam,
    case,
    column,
    func,
    null,
    or_,
    select,
    true,
    values,
)

from eligibility.adapters.determinations import missing_names
from eligibility.adapters.queue_counts import QueueCounts
from eligibility.adapters.queue_filters import few_firms, filtered
from eligibility.adapters.tables import determination_history, determinations, enterprise_facts
from eligibility.domain.decision import Status
from eligibility.domain.queue import (
    COUNT_CAP,
    COUNT_READ,
    QUEUED,
    QueuedFirm,
    QueueFilter,
    QueuePage,
)
from eligibility.domain.rematches import PENDING
from supportmatch_reference.regions import PROVINCES

_d, _f = determinations.c, enterprise_facts.c
# An administrator's queue reads these provinces' entries: a firm's is one of them (profiles
# accepts no other code).
ALL_PROVINCES = frozenset(p.code for p in PROVINCES)


_COLUMNS = (
    _d.uscc,
    _f.name,
    _f.city,
    _f.province_code,
    _f.region,
    _f.industry_code,
    _f.size_class,
    _f.ownership,
    _d.status,
    _d.measure_version,
    _d.evaluated_on,
    _d.missing,
    _d.facts_digest,
    # The facts a row waiting for the Explainer was decided on, to explain it on the page.
    case((_d.facts_digest == PENDING, _f.facts), else_=null()).label("facts"),
)


class WorkQueue:
    """Reads the queue within one transaction.

    Each status of each province asked for (every province, for an administrator) is read on
    its own, in USCC order over the index (measure, province, status, USCC), and the pages
    merged: one query for several would sort all their rows. Counts stop at `cap` per status
    (ADR 0039 for how far a filter on the place looks), so a page costs the same in a province
    of a million firms.
    """

    def __init__(
        self, connection: Connection, *, cap: int = COUNT_CAP, read: int = COUNT_READ
    ) -> None:
        self._connection = connection
        self._counts = QueueCounts(connection, cap=cap, read=read)

    def page(self, wanted: QueueFilter, *, after: str, limit: int, on: date) -> QueuePage:
        """A page in USCC order after `after`, with the counts."""
        wanted = self._in_provinces(wanted)
        provinces = wanted.provinces or frozenset()
        # Counted first: a status of a province that holds none of the rows is not read (a
        # filter nobody matches costs one count, not a count and a read of every province).
        tallies = self._counts.tallies(wanted, on)
        # Few firms (`few_firms`) are read in one query of all the provinces; else each province
        # on its own, in the index's order, by one statement made once (making one a read, up
        # to 62 for an administrator, cost what the reads did).
        few = few_firms(wanted)
        if few:
            read = filtered(select(_d.uscc), wanted, on, after=bindparam("after"))
            read = read.where(_d.status == bindparam("status")).order_by(_d.uscc)
        else:
            read = _part_keys(wanted, on, bindparam("province"), bindparam("status"))
            read = read.where(_d.uscc > bindparam("after"))
        read = read.limit(bindparam("limit", type_=Integer))
        parts = [
            {"status": status.value} | ({} if few else {"province": min(part)})
            for status, part in itertools.product(
                [wanted.status] if wanted.status else QUEUED,
                [provinces] if few else [frozenset({p}) for p in sorted(provinces)],
            )
            if tallies.holds(status, part)
        ]
        # Read province by province, each part's first read is its share of the page: the
        # USCC's digits follow the place of registration, so a page mostly comes from a few
        # provinces, which read on. A status of one province reads the page at once.
        first = limit + 1 if len(parts) <= len(QUEUED) else (limit + 1) // len(parts) + 1
        heads = {} if few else self._firsts(wanted, parts, after=after, first=first, on=on)
        keys = heapq.merge(
            *(self._keys(read, part, after, first, heads.get(_key(part))) for part in parts)
        )
        # A firm whose status moved between two parts' reads could come twice: once is enough.
        found = list(itertools.islice((key for key, _ in itertools.groupby(keys)), limit + 1))
        firms = [_queued(wanted.measure_id, row) for row in self._rows(wanted, found[:limit])]
        following = found[limit - 1] if len(found) > limit else None
        return QueuePage(
            firms=firms,
            after=following,
            counts=tallies.counts(),
            missing_counts=self._counts.missing_counts(wanted, tallies, on=on),
            cap=self._counts.cap,
            read=self._counts.read,
            partly_counted=tallies.partly,
        )

    def every(self, wanted: QueueFilter, *, on: date, batch: int = 1000) -> Iterator[QueuedFirm]:
        """Every firm of the queue: province after province in their codes' order, eligible
        before possibly eligible, in USCC order within each, fetched `batch` rows at a time so
        an export holds one batch. Each status of each province is one read in the index's
        order (nothing to sort); the few-firm filters read every province in one statement.
        On PostgreSQL the reads share one snapshot, so a firm moving meanwhile is listed once."""
        if self._connection.dialect.name == "postgresql":
            self._connection.exec_driver_sql(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
        wanted = self._in_provinces(wanted)
        provinces = sorted(wanted.provinces or ())
        statuses = [s.value for s in ([wanted.status] if wanted.status else QUEUED)]
        one_read = [(provinces, statuses)]
        reads = one_read if few_firms(wanted) else [([p], [s]) for p in provinces for s in statuses]
        for part, part_statuses in reads:
            query = (
                filtered(
                    _with_projection(), replace(wanted, provinces=frozenset(part)), on, joined=True
                )
                .where(_d.status.in_(part_statuses), _f.province_code.in_(provinces))
                .order_by(_d.province_code, _d.status, _d.uscc)
                .execution_options(yield_per=batch)
            )
            for row in self._connection.execute(query):
                yield _queued(wanted.measure_id, row)

    def _in_provinces(self, wanted: QueueFilter) -> QueueFilter:
        """The filter with the provinces to read: the queue's index holds each province's
        entries apart (every province, for an administrator). A city lies in a province (or, for
        a name two provinces share, in each): its firms are read from those provinces' alone."""
        provinces = ALL_PROVINCES if wanted.provinces is None else wanted.provinces
        if wanted.city is not None:
            held = select(_f.province_code).where(_f.city == wanted.city).distinct()
            provinces = provinces & frozenset(self._connection.execute(held).scalars())
        return replace(wanted, provinces=provinces)

    def _firsts(
        self, wanted: QueueFilter, parts: list[dict[str, str]], *, after: str, first: int, on: date
    ) -> dict[tuple[str, str], list[str]]:
        """On PostgreSQL, the first `first` keys after `after` of every province's part, in one
        statement (a part each is a round trip each): by (province, status). None elsewhere, or
        for two parts or fewer (a statement each costs no more)."""
        if self._connection.dialect.name != "postgresql" or len(parts) <= len(QUEUED):
            return {}
        of = values(column("province", String), column("status", String), name="parts").data(
            [_key(part) for part in parts]
        )
        firsts = (
            _part_keys(wanted, on, of.c.province, of.c.status)
            .where(_d.uscc > after)
            .limit(first)
            .lateral("firsts")
        )
        query = select(of.c.province, of.c.status, firsts.c.uscc).join_from(of, firsts, true())
        heads: dict[tuple[str, str], list[str]] = {_key(part): [] for part in parts}
        for province, status, uscc in self._connection.execute(query):
            heads[province, status].append(uscc)
        return {key: sorted(keys) for key, keys in heads.items()}

    def _keys(
        self,
        read: Select[Any],
        part: dict[str, str],
        after: str,
        first: int,
        head: list[str] | None = None,
    ) -> Iterator[str]:
        """The keys of one part (its parameters of `read`) after `after`, in order, from the
        index alone where the filters allow (reading each row passed over would read the whole
        table), `first` at first (`head`, when they were read already), then twice as many at
        each read."""
        limit = first
        while True:
            if head is None:
                found = self._connection.execute(read, {**part, "after": after, "limit": limit})
                keys = list(found.scalars())
            else:
                keys, head = head, None
            yield from keys
            if len(keys) < limit:
                return
            after, limit = keys[-1], limit * 2

    def _rows(self, wanted: QueueFilter, keys: list[str]) -> list[Any]:
        """The page's columns and the projection's, for the keys of the page alone; a firm whose
        row has not followed it to another province yet is not shown there (`place_misplaced`)."""
        if not keys:
            return []
        query = (
            _with_projection()
            .where(
                _d.measure_id == wanted.measure_id,
                _d.uscc.in_(keys),
                _f.province_code.in_(sorted(wanted.provinces or ())),
            )
            .order_by(_d.uscc)
        )
        return list(self._connection.execute(query).all())

    def newly_eligible(
        self, measure_id: str, provinces: frozenset[str] | None, since: datetime
    ) -> dict[str, int]:
        """Firms per province that became eligible for the measure since `since` (and may have
        changed again since: this counts the news, as the firms were told it)."""
        _h = determination_history.c
        query = (
            select(_f.province_code, func.count(func.distinct(_h.uscc)))
            .join_from(determination_history, enterprise_facts, _f.uscc == _h.uscc)
            .where(
                _h.measure_id == measure_id,
                _h.recorded_at >= since,
                _h.status == Status.ELIGIBLE.value,
                or_(_h.previous_status.is_(None), _h.previous_status != Status.ELIGIBLE.value),
            )
            .group_by(_f.province_code)
        )
        if provinces is not None:
            query = query.where(_f.province_code.in_(sorted(provinces)))
        return {province: n for province, n in self._connection.execute(query) if province}


def _with_projection() -> Select[Any]:
    """The columns of a listed firm, its determination's and its projection's. The callers check
    the projection's province too: it has the last word on who may see the firm while its row
    waits to follow it to another province (`place_misplaced`)."""
    return select(*_COLUMNS).join_from(determinations, enterprise_facts, _f.uscc == _d.uscc)


def _part_keys(
    wanted: QueueFilter, on: date, province: ColumnElement[str], status: ColumnElement[str]
) -> Select[Any]:
    """The keys of one province's part of a page in order, its province and status given by a
    parameter or a column."""
    return (
        filtered(select(_d.uscc), replace(wanted, provinces=None), on)
        .where(_d.province_code == province, _d.status == status)
        .order_by(_d.uscc)
    )


def _key(part: dict[str, str]) -> tuple[str, str]:
    """A province's part of a page: (province, status)."""
    return part.get("province", ""), part["status"]


_STATUSES = {status.value: status for status in Status}


def _queued(measure_id: str, row: Any) -> QueuedFirm:
    """A row of `_COLUMNS`, unpacked in their order (an export makes 100,000 of them)."""
    (
        uscc, name, city, province_code, region, industry_code, size_class, ownership, status,
        measure_version, evaluated_on, missing, facts_digest, facts,
    ) = row  # fmt: skip
    return QueuedFirm(
        uscc=uscc,
        measure_id=measure_id,
        name=name,
        city=city,
        province_code=province_code,
        region=region,
        industry_code=industry_code,
        size_class=size_class,
        ownership=ownership,
        status=_STATUSES[status],
        measure_version=measure_version,
        evaluated_on=evaluated_on,
        missing=missing_names(missing),
        explained=facts_digest != PENDING,
        facts=facts,
    )
