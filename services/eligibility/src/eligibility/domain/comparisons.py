"""Checks of the comparisons a measure document may make, and what a criteria tree reads."""

from __future__ import annotations

from eligibility.domain.criteria import Certified, Compare, Criterion, InvalidCriteria, Not
from eligibility.domain.facts import DATE, NUMERIC, REGISTRY, Fact, accepts
from supportmatch_reference.certifications import CertificationKind


def check_comparison(compare: Compare | Certified, path: str) -> None:
    """Refuse a comparison on an unknown fact, or with a value the fact's type cannot meet."""
    if isinstance(compare, Certified):
        if compare.kind not in set(CertificationKind):
            raise InvalidCriteria(f"{path}.certified: unknown certification {compare.kind!r}")
        return
    fact = REGISTRY.get(compare.fact)
    if fact is None:
        raise InvalidCriteria(f"{path}.fact: unknown fact {compare.fact!r}")
    if not fact.comparable:
        raise InvalidCriteria(f"{path}.fact: {fact.name} is a table, compare the facts it gives")
    for value in _compared(compare, fact, path):
        if not accepts(fact, value) or (fact.values and value not in fact.values):
            raise InvalidCriteria(f"{path}.value: {value!r} does not fit {fact.name} ({fact.type})")


def _compared(compare: Compare, fact: Fact, path: str) -> tuple[object, ...]:
    """The values a comparison names, once its operator and their number are right."""
    ordered = fact.type in (*NUMERIC, DATE)
    if compare.op in ("in", "not_in"):
        if not isinstance(compare.value, tuple) or not compare.value:
            raise InvalidCriteria(f"{path}.value: {compare.op} needs a non-empty list")
        return tuple(compare.value)
    if compare.op == "between":
        bounds = compare.value
        if not (isinstance(bounds, tuple) and len(bounds) == 2):
            raise InvalidCriteria(f"{path}.value: between needs [low, high] of {fact.type}")
        if not ordered or not all(accepts(fact, b) for b in bounds) or bounds[0] > bounds[1]:
            raise InvalidCriteria(f"{path}.value: between needs numbers with low <= high")
        return tuple(bounds)
    if compare.op in ("lt", "le", "gt", "ge") and not ordered:
        raise InvalidCriteria(f"{path}.op: {compare.op} needs a number, {fact.name} is {fact.type}")
    return (compare.value,)


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
