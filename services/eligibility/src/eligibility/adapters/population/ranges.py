"""The queue of firm ranges whose first decisions wait for the explainer (ADR 0016): written by a
re-match, claimed and released by the explainer; its size (firms per range) is set here once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
)

from eligibility.adapters.population.signatures import key_order
from eligibility.adapters.tables import determinations, unrecorded_ranges
from eligibility.domain.rematches import Claimed

# A range per hundred firms costs a re-match far less than an index over its rows; about 1,800
# first decisions at the first start of a new catalogue.
FIRMS_PER_RANGE = 100

_q, _d = unrecorded_ranges.c, determinations.c


class RangeQueue:
    """Ranges of firms by key, `size` firms each, queued for the explainer."""

    def __init__(self, connection: Connection, *, size: int = FIRMS_PER_RANGE) -> None:
        self._connection, self.size = connection, size

    def ranges_for(self, firms: int) -> int:
        """How many ranges to claim for about `firms` firms (at least one)."""
        return max(1, firms // self.size)

    def queue(self, firms: Table) -> None:
        """Queue the firms of `firms` (a table with a uscc column), a range per `size` firms.

        Some firms got no first decision (all "ineligible"): the explainer finds no row for them.
        The ranges are new rows, so an explainer dropping an older range that overlaps one of
        them leaves this re-match's firms queued.
        """
        postgres = self._connection.dialect.name == "postgresql"
        key = key_order(firms.c.uscc, postgres)
        position = (func.row_number().over(order_by=key) - 1).self_group()
        numbered = select(firms.c.uscc, position.op("/")(self.size).label("bucket")).subquery()
        now = literal(datetime.now(UTC), _q.queued_at.type)
        self._connection.execute(
            insert(unrecorded_ranges).from_select(
                ["first_uscc", "last_uscc", "queued_at"],
                select(func.min(numbered.c.uscc), func.max(numbered.c.uscc), now).group_by(
                    numbered.c.bucket
                ),
            )
        )

    def claim(self, count: int) -> list[Claimed]:
        """The oldest queued ranges no other explainer holds, locked until the transaction ends."""
        query = select(_q.id, _q.first_uscc, _q.last_uscc).order_by(_q.id).limit(count)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [Claimed(r.id, r.first_uscc, r.last_uscc) for r in self._connection.execute(query)]

    def release(self, claimed: Sequence[Claimed]) -> int:
        """Drop the claimed ranges left with no unrecorded row; how many.

        A row another transaction holds still reads unrecorded here, so its range stays queued.
        """
        if not claimed:
            return 0
        left = exists().where(_d.uscc.between(_q.first_uscc, _q.last_uscc), _d.unrecorded == true())
        ids = [c.id for c in claimed]
        statement = delete(unrecorded_ranges).where(_q.id.in_(ids), ~left)
        return self._connection.execute(statement).rowcount


def within(claimed: Sequence[Claimed]) -> ColumnElement[bool]:
    """The determinations of the firms in the claimed ranges."""
    return or_(*(_d.uscc.between(r.first_uscc, r.last_uscc) for r in claimed))
