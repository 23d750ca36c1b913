"""The work queue's filters in SQL: which of one measure's determinations a queue lists, read
from the columns the queue's indexes carry (ADR 0037); a name from its pairs of characters."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnCollection,
    ColumnElement,
    Select,
    Subquery,
    exists,
    or_,
    select,
)

from eligibility.adapters.tables import (
    case_states,
    determinations,
    enterprise_certifications,
    enterprise_facts,
    enterprise_name_grams,
)
from eligibility.domain.queue import QueueFilter, name_grams
from supportmatch_core.contracts.case import OPEN

_d, _f, _c = determinations.c, enterprise_facts.c, enterprise_certifications.c
_g, _k = enterprise_name_grams.c, case_states.c


def filtered(
    query: Select[Any],
    wanted: QueueFilter,
    on: date,
    *,
    joined: bool = False,
    after: str | BindParameter[str] = "",
) -> Select[Any]:
    """`query` over one measure's determinations after the USCC `after`, narrowed by every
    filter but the status.

    The firm's place (province, city, industry, size, ownership) and its missing facts are the
    row's own columns, which the queue's indexes carry: only a name search reads the projection
    (joined to it here unless `query` is `joined` already). A title is read from its holders'
    side. A region was made its provinces by the use case."""
    if searches_names(wanted) and not joined:
        query = query.join_from(determinations, enterprise_facts, _f.uscc == _d.uscc)
    if wanted.certification is not None:
        holders = _holders(wanted.certification, on, after)
        query = query.join(holders, holders.c.uscc == _d.uscc)
    query = query.where(_d.measure_id == wanted.measure_id)
    if isinstance(after, BindParameter) or after:
        query = query.where(_d.uscc > after)
    if wanted.provinces is not None:
        query = query.where(_d.province_code.in_(sorted(wanted.provinces)))
    for condition in (*placed(wanted, _d), _cased(wanted), *_searched(wanted.query)):
        if condition is not None:
            query = query.where(condition)
    return query


def unplaced(wanted: QueueFilter) -> QueueFilter:
    """The filter without those `placed` checks: every other stays."""
    return replace(wanted, city=None, industry=None, size=None, ownership=None, missing=None)


def placed(
    wanted: QueueFilter, columns: ColumnCollection[str, ColumnElement[Any]]
) -> list[ColumnElement[bool]]:
    """The filters on the firm's place and its missing facts, over `columns`: a determination's,
    or those of a read of its rows (the columns the queue's index carries)."""
    conditions = [
        column == value
        for column, value in (
            (columns.city, wanted.city),
            (columns.size_class, wanted.size),
            (columns.ownership, wanted.ownership),
        )
        if value is not None
    ]
    if wanted.industry is not None:
        conditions.append(columns.industry_code.startswith(wanted.industry, autoescape=True))
    if wanted.missing is not None:
        conditions.append(columns.missing.contains(f",{wanted.missing},", autoescape=True))
    return conditions


def few_firms(wanted: QueueFilter) -> bool:
    """A title held, a name, a case being worked on: few firms, found from their side in one
    read of all the provinces, not province by province in the index's order."""
    return (
        wanted.certification is not None
        or wanted.case == "open"
        or wanted.assignee is not None
        or searches_names(wanted)
    )


def searches_names(wanted: QueueFilter) -> bool:
    """Whether the filter searches the firms' names (else the USCC's start, or nothing)."""
    return bool(wanted.query) and not _USCC_START.fullmatch(wanted.query or "")


def _searched(search: str | None) -> list[ColumnElement[bool]]:
    """The firms a search finds: by the start of the USCC, or by part of the name."""
    if not search:
        return []
    if _USCC_START.fullmatch(search):
        # The start of a USCC, as a range of keys of the queue's index.
        start = search.upper()
        end = _after_every(start)
        return [_d.uscc >= start] + ([_d.uscc < end] if end is not None else [])
    # Every pair of the search's characters in the name, found by their index, then the whole
    # search in the name (the pairs may stand apart).
    pairs = [
        exists().where(_g.gram == gram, _g.uscc == _d.uscc) for gram in sorted(name_grams(search))
    ]
    return [*pairs, _f.name.icontains(search, autoescape=True)]


# What a caseworker types to find a firm by its code: digits and Latin letters, a digit among
# them (every USCC's second character is one); "TCL" is part of a name, "914403" of a code.
_USCC_START = re.compile("(?=.*[0-9])[0-9A-Za-z]{1,18}")
_KEY_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _holders(kind: str, on: date, after: str | BindParameter[str]) -> Subquery:
    """The firms holding a title valid on `on` with a USCC after `after`, once each: PostgreSQL
    walks them in their index's (kind, USCC) order and meets each one's determination by its key,
    so a title held by a few thousand firms is not looked for among a measure's hundreds of
    thousands of rows."""
    return (
        select(_c.uscc)
        .where(
            _c.kind == kind,
            _c.valid_from <= on,
            or_(_c.valid_to.is_(None), _c.valid_to >= on),
            _c.uscc > after,
        )
        .distinct()
        .subquery("holders")
    )


def _cased(wanted: QueueFilter) -> ColumnElement[bool] | None:
    """The firm's case of the measure: being worked on, absent, or assigned to someone."""
    if wanted.case is None and wanted.assignee is None:
        return None
    held = exists().where(_k.measure_id == _d.measure_id, _k.uscc == _d.uscc)
    if wanted.case == "none":
        return ~held
    if wanted.case == "open":
        held = held.where(_k.state.in_(OPEN))
    if wanted.assignee is not None:
        held = held.where(_k.assignee == wanted.assignee)
    return held


def _after_every(start: str) -> str | None:
    """The first key after every key that starts with `start` (keys of digits and capitals)."""
    while start:
        head, last = start[:-1], start[-1]
        position = _KEY_CHARACTERS.find(last)
        if 0 <= position < len(_KEY_CHARACTERS) - 1:
            return head + _KEY_CHARACTERS[position + 1]
        start = head
    return None
