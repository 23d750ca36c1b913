"""Filtered, keyset-paginated listing of enterprises (by USCC), for the API and CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, Select, exists, select, union_all

from profiles.adapters.tables import certifications, enterprises
from profiles.domain.listing import Filters
from supportmatch_reference.regions import PROVINCES


def _provinces(filters: Filters) -> list[str] | None:
    """The provinces the filters allow, or None for all of them."""
    allowed = None if filters.provinces is None else set(filters.provinces)
    if filters.region:
        in_region = {p.code for p in PROVINCES if p.region.value == filters.region}
        allowed = in_region if allowed is None else allowed & in_region
    return None if allowed is None else sorted(allowed)


def _query(filters: Filters, provinces: list[str] | None) -> Select[Any]:
    e = enterprises.c
    query = select(enterprises)
    if filters.uscc is not None:
        query = query.where(e.uscc == filters.uscc)
    if provinces is not None:
        query = query.where(e.province_code.in_(provinces))
    if filters.industry_prefix:
        query = query.where(e.industry_code.startswith(filters.industry_prefix, autoescape=True))
    if filters.size_class:
        query = query.where(e.size_class == filters.size_class)
    if filters.ownership:
        query = query.where(e.ownership == filters.ownership)
    if filters.name_contains:
        query = query.where(e.name.icontains(filters.name_contains, autoescape=True))
    if filters.certification:
        c = certifications.c
        held = (c.uscc == e.uscc) & (c.kind == filters.certification)
        if filters.certified_on is not None:
            day = filters.certified_on
            held &= (c.valid_from <= day) & ((c.valid_to.is_(None)) | (c.valid_to >= day))
        query = query.where(exists().where(held))
    return query


def _first(query: Select[Any], after: str | None, limit: int) -> Select[Any]:
    if after:
        query = query.where(enterprises.c.uscc > after)
    return query.order_by(enterprises.c.uscc).limit(limit)


class Search:
    """The filtered enterprise list, read within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def page(self, filters: Filters, *, after: str | None, limit: int) -> list[Row[Any]]:
        """Up to `limit` enterprises in USCC order, starting after the cursor `after`.

        A USCC carries its division code, so USCC order runs province by province; for several
        provinces, each is paged on its own index and the pages merged, instead of walking past
        every province in between.
        """
        provinces = _provinces(filters)
        if provinces is None or len(provinces) <= 1:
            return list(self._connection.execute(_first(_query(filters, provinces), after, limit)))
        pages = [_first(_query(filters, [code]), after, limit).subquery() for code in provinces]
        merged = union_all(*(select(p) for p in pages)).subquery()
        return list(self._connection.execute(select(merged).order_by(merged.c.uscc).limit(limit)))

    def every(self, filters: Filters, *, batch: int = 1000) -> Iterator[Row[Any]]:
        """Every matching enterprise, fetched in keyset batches so memory stays flat."""
        after: str | None = None
        while True:
            rows = self.page(filters, after=after, limit=batch)
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1].uscc
