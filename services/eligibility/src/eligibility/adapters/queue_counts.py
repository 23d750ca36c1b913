"""How many firms the work queue lists: per status, province and set of missing facts, from
the queue's index, as far as the cap; a filter on the firm's place looks among a status's first
rows alone (ADR 0039)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Connection, Subquery, func, select, union_all

from eligibility.adapters.determinations import missing_names
from eligibility.adapters.queue_filters import few_firms, filtered, placed, unplaced
from eligibility.adapters.tables import determinations
from eligibility.domain.decision import Status
from eligibility.domain.queue import COUNT_CAP, COUNT_READ, QUEUED, QueueFilter

_d = determinations.c
# Fewer than one row kept in this many read: a filter on the place too rare to count in part.
_RARE = 500
# A count's columns, and those a filter on the firm's place reads (the queue's index has them).
_TALLIED = (_d.status, _d.province_code, _d.missing)
_PLACE = (_d.city, _d.industry_code, _d.size_class, _d.ownership)


class QueueCounts:
    """Counts the queue's firms within the caller's transaction."""

    def __init__(
        self, connection: Connection, *, cap: int = COUNT_CAP, read: int = COUNT_READ
    ) -> None:
        self._connection = connection
        self.cap = cap  # counts stop one above
        self.read = read  # the rows of a status a filter on the place looks among

    def tallies(self, wanted: QueueFilter, on: date) -> Tallies:
        """Per queued status (whatever the filter's), how many of its rows each province holds
        with each set of missing facts (null: waiting for the Explainer), as far as `cap` + 1
        rows, answered from the queue's index.

        Filtered on the firm's industry, size, ownership or a missing fact, a status is looked
        for among the first `read` rows the index gives (province by province): a status with
        more rows, of which no more than `cap` were kept, is partly counted. Unless fewer than
        `read` / 500 were kept: the pages' reads of each province would pass over most of its
        rows to find one, so it is counted in full, which tells them the provinces that hold
        none. A city is counted in full too: its rows are read from its province alone, where
        a USCC's digits put the capital's firms first."""
        if few_firms(wanted) or wanted.city is not None or not placed(wanted, _d):
            return Tallies(self._held(self._capped(wanted, QUEUED, on)), self.cap)
        reads = [
            filtered(select(*_TALLIED, *_PLACE), unplaced(wanted), on)
            .where(_d.status == status.value)
            .limit(self.read)
            .subquery()
            for status in QUEUED
        ]
        held = self._held(
            [
                select(*(read.c[column.name] for column in _TALLIED))
                .where(*placed(wanted, read.c))
                .limit(self.cap + 1)
                .subquery()
                for read in reads
            ]
        )
        short = [status for status in QUEUED if held[status].total() <= self.cap]
        rare = [status for status in short if held[status].total() * _RARE < self.read]
        if rare:
            recounted = self._held(self._capped(wanted, rare, on))
            held |= {status: recounted[status] for status in rare}
        rest = [status for status in short if status not in rare]
        return Tallies(held, self.cap, self._past_read(unplaced(wanted), rest, on))

    def _capped(self, wanted: QueueFilter, statuses: Iterable[Status], on: date) -> list[Subquery]:
        """Each status's rows under the filter, as far as `cap` + 1."""
        return [
            filtered(select(*_TALLIED), wanted, on)
            .where(_d.status == status.value)
            .limit(self.cap + 1)
            .subquery()
            for status in statuses
        ]

    def _held(self, parts: list[Subquery]) -> dict[Status, Counter[tuple[str, str | None]]]:
        """The rows of `parts` per status, province and set of missing facts: one query."""
        # Each limited query a subquery of its own: SQLite allows no LIMIT in a UNION's parts.
        rows = union_all(*(select(*part.c) for part in parts)).subquery()
        grouped = (rows.c.status, rows.c.province_code, rows.c.missing)
        query = select(*grouped, func.count().label("rows")).group_by(*grouped)
        held: dict[Status, Counter[tuple[str, str | None]]] = {s: Counter() for s in QUEUED}
        for status, province, missing, count in self._connection.execute(query):
            held[Status(status)][province, missing] += count
        return held

    def _past_read(
        self, wanted: QueueFilter, statuses: list[Status], on: date
    ) -> frozenset[Status]:
        """Those of the statuses with more than `read` rows under the filter: one query, each
        status's rows passed over in the index as far as the one after the `read`th."""
        if not statuses:
            return frozenset()
        beyond = [
            filtered(select(_d.status), wanted, on)
            .where(_d.status == status.value)
            .offset(self.read)
            .limit(1)
            .subquery()
            for status in statuses
        ]
        query = union_all(*(select(*part.c) for part in beyond))
        return frozenset(Status(status) for status in self._connection.execute(query).scalars())

    def missing_counts(
        self, wanted: QueueFilter, tallies: Tallies, *, on: date
    ) -> dict[str, int] | None:
        """Per fact still to give, how many of the listed firms lack it, under every filter but
        the missing fact: None past `cap` firms, when partly counted, or while some of them wait
        for the Explainer (their facts are not counted yet)."""
        if wanted.missing is not None:
            tallies = self.tallies(replace(wanted, missing=None), on)
        listed: Counter[str | None] = Counter()
        statuses = [wanted.status] if wanted.status else QUEUED
        for status in statuses:
            for (_, missing), count in tallies.held[status].items():
                listed[missing] += count
        if listed.total() > self.cap or listed[None] or tallies.partly & set(statuses):
            return None
        counted: Counter[str] = Counter()
        for missing, count in listed.items():
            for name in missing_names(missing):
                counted[name] += count
        return dict(counted.most_common())


@dataclass(frozen=True, slots=True)
class Tallies:
    """Per queued status: rows per (province, missing facts), as far as `cap` + 1 rows or, for
    the statuses `partly` counted, among the rows read."""

    held: dict[Status, Counter[tuple[str, str | None]]]
    cap: int
    partly: frozenset[Status] = frozenset()

    def counts(self) -> dict[Status, int]:
        """Per status, up to `cap` + 1 ("more than cap"), or what was found of a status partly
        counted ("at least"), under every filter but the status."""
        return {status: rows.total() for status, rows in self.held.items()}

    def holds(self, status: Status, provinces: frozenset[str]) -> bool:
        """Whether the provinces may hold rows of the status: past the cap, or partly counted,
        not every row was tallied, so any may."""
        rows = self.held[status]
        return (
            rows.total() > self.cap
            or status in self.partly
            or any(province in provinces for province, _ in rows)
        )
