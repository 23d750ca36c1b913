"""Compiles a criteria tree to one SQL expression over the projection (SQL NULL logic is Kleene's)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    literal_column,
    not_,
    or_,
    select,
    true,
)

from eligibility.adapters.tables import enterprise_certifications, enterprise_facts
from eligibility.domain.criteria import All, Certified, Compare, Criterion, Not
from eligibility.domain.facts import DATE, REGISTRY
from supportmatch_reference.certifications import LEVEL_ORDER


def compile_criteria(criterion: Criterion, on: date) -> ColumnElement[bool]:
    """True, false or NULL (unknown) for each row of enterprise_facts, as `evaluate` decides."""
    if isinstance(criterion, Compare):
        return _compare(criterion)
    if isinstance(criterion, Certified):
        return _certified(criterion, on)
    if isinstance(criterion, Not):
        return not_(compile_criteria(criterion.child, on))
    parts = [compile_criteria(child, on) for child in criterion.children]
    return and_(true(), *parts) if isinstance(criterion, All) else or_(false(), *parts)


def status_of(criterion: Criterion, on: date) -> ColumnElement[str]:
    """The determination status as SQL: eligible, ineligible or possibly_eligible."""
    # `CASE expr WHEN true … WHEN false …` evaluates the tree once per row; the searched form
    # (`WHEN expr … WHEN NOT expr …`) evaluated it twice for every firm not eligible.
    return case(
        (true(), "eligible"),
        (false(), "ineligible"),
        value=compile_criteria(criterion, on),
        else_="possibly_eligible",
    )


# The status of one measure as a small integer (two bits): how a group re-match packs many
# measures' statuses into one bigint per firm (`population.rematch_group`).
CODES = {"ineligible": 0, "eligible": 1, "possibly_eligible": 2}


def code_of(criterion: Criterion, on: date, weight: int) -> ColumnElement[int]:
    """`weight` times the status code: 0 ineligible, 1 eligible, 2 possibly eligible."""
    return case(
        (true(), literal_column(str(weight * CODES["eligible"]))),
        (false(), literal_column("0")),
        value=compile_criteria(criterion, on),
        else_=literal_column(str(weight * CODES["possibly_eligible"])),
    )


_SQL_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": lambda column, values: column.in_(list(values)),
    "not_in": lambda column, values: column.not_in(list(values)),
    "between": lambda column, bounds: column.between(bounds[0], bounds[1]),
}


def _compare(criterion: Compare) -> ColumnElement[bool]:
    column = enterprise_facts.c[criterion.fact]
    value = criterion.value
    if REGISTRY[criterion.fact].type == DATE:  # ISO days in the tree, dates in the column
        value = tuple(map(_day, value)) if isinstance(value, tuple) else _day(value)
    expression: ColumnElement[bool] = _SQL_OPERATORS[criterion.op](column, value)
    return expression


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _certified(criterion: Certified, on: date) -> ColumnElement[bool]:
    held = enterprise_certifications.c
    floor = LEVEL_ORDER.index(criterion.level_at_least) if criterion.level_at_least else 0
    return exists(
        select(held.uscc).where(
            held.uscc == enterprise_facts.c.uscc,
            held.kind == criterion.kind,
            held.level.in_([level.value for level in LEVEL_ORDER[floor:]]),
            held.valid_from <= on,
            or_(held.valid_to.is_(None), held.valid_to >= on),
        )
    )
