"""Checks of the comparisons a measure document may make, and what a criteria tree reads."""

from __future__ import annotations

from eligibility.domain.criteria import (
    Certified,
    Compare,
    Criterion,
    InvalidCriteria,
    Not,
    codes,
    shown,
)
from eligibility.domain.facts import DATE, NUMERIC, REGISTRY, Fact, accepts
from eligibility.domain.registry import TYPE_ZH
from supportmatch_reference.certifications import CertificationKind


def check_comparison(compare: Compare | Certified, path: str) -> None:
    """Refuse a comparison on an unknown fact, or with a value the fact's type cannot meet."""
    if isinstance(compare, Certified):
        if compare.kind not in set(CertificationKind):
            raise InvalidCriteria(
                f"{path}.certified: unknown certification {compare.kind!r}",
                zh=f"未知的认定类型{shown(compare.kind)}",
            )
        return
    fact = REGISTRY.get(compare.fact)
    if fact is None:
        raise InvalidCriteria(
            f"{path}.fact: unknown fact {compare.fact!r}", zh=f"未知的信息项{shown(compare.fact)}"
        )
    if not fact.comparable:
        raise InvalidCriteria(
            f"{path}.fact: {fact.name} is a table, compare the facts it gives",
            zh=f"“{fact.label_zh}”是数额表，请比较由它得出的信息项",
        )
    for value in _compared(compare, fact, path):
        if not accepts(fact, value) or (fact.values and value not in fact.values):
            raise _misfit(value, fact, path)


def _compared(compare: Compare, fact: Fact, path: str) -> tuple[object, ...]:
    """The values a comparison names, once its operator and their number are right."""
    ordered = fact.type in (*NUMERIC, DATE)
    if compare.op in ("in", "not_in"):
        if not isinstance(compare.value, tuple) or not compare.value:
            raise InvalidCriteria(
                f"{path}.value: {compare.op} needs a non-empty list",
                zh=f"比较方式为“{compare.op}”时，应为列表，不能为空",
            )
        return tuple(compare.value)
    if compare.op == "between":
        bounds = compare.value
        if not (isinstance(bounds, tuple) and len(bounds) == 2):
            raise InvalidCriteria(
                f"{path}.value: between needs [low, high] of {fact.type}",
                zh=f"比较方式为“between”时，应为[下限, 上限]，均为{TYPE_ZH[fact.type]}",
            )
        if not ordered or not all(accepts(fact, b) for b in bounds) or bounds[0] > bounds[1]:
            raise InvalidCriteria(
                f"{path}.value: between needs numbers or dates with low <= high",
                zh="比较方式为“between”时，上下限应为数值或日期，且下限不大于上限",
            )
        return tuple(bounds)
    if compare.op in ("lt", "le", "gt", "ge") and not ordered:
        raise InvalidCriteria(
            f"{path}.op: {compare.op} needs a number or a date, {fact.name} is {fact.type}",
            zh=f"比较方式“{compare.op}”只适用于数值或日期，“{fact.label_zh}”的类型为"
            f"{TYPE_ZH[fact.type]}",
        )
    return (compare.value,)


def _misfit(value: object, fact: Fact, path: str) -> InvalidCriteria:
    """A value the fact cannot take; for a fact of few values, which ones it takes."""
    if fact.values and isinstance(value, str):
        return InvalidCriteria(
            f"{path}.value: {value!r} does not fit {fact.name} "
            f"({fact.type}: one of {', '.join(fact.values)})",
            zh=f"{shown(value)}不是“{fact.label_zh}”的可选值，应为以下之一：{codes(fact.values)}",
        )
    return InvalidCriteria(
        f"{path}.value: {value!r} does not fit {fact.name} ({fact.type})",
        zh=f"{shown(value)}不符合“{fact.label_zh}”的类型，应为{TYPE_ZH[fact.type]}",
    )


def facts_named(criterion: Criterion) -> tuple[str, ...]:
    """The facts a tree compares, in tree order."""
    return _read(criterion)[1]


def uses_certifications(criterion: Criterion) -> bool:
    """Whether a tree asks for a title held."""
    return _read(criterion)[2]


# What each tree reads, worked out once per tree and found by identity: hashing a whole tree
# would cost as much as walking it, and decisions ask for every firm.
_READS: dict[int, tuple[Criterion, tuple[str, ...], bool]] = {}


def _read(criterion: Criterion) -> tuple[Criterion, tuple[str, ...], bool]:
    held = _READS.get(id(criterion))
    if held is None or held[0] is not criterion:
        held = _READS[id(criterion)] = (criterion, _named(criterion), _certifies(criterion))
    return held


def _named(criterion: Criterion) -> tuple[str, ...]:
    if isinstance(criterion, Compare):
        return (criterion.fact,)
    if isinstance(criterion, Certified):
        return ()
    if isinstance(criterion, Not):
        return _named(criterion.child)
    return tuple(f for child in criterion.children for f in _named(child))


def _certifies(criterion: Criterion) -> bool:
    if isinstance(criterion, Certified):
        return True
    if isinstance(criterion, Compare):
        return False
    if isinstance(criterion, Not):
        return _certifies(criterion.child)
    return any(_certifies(child) for child in criterion.children)
