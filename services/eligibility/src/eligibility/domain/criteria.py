"""Criteria trees with three-valued (Kleene) logic: a missing fact makes a criterion unknown."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from eligibility.domain.clock import china_today
from supportmatch_core.errors import RuleBroken
from supportmatch_reference.certifications import LEVEL_ORDER


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": lambda actual, allowed: actual in allowed,
    "not_in": lambda actual, allowed: actual not in allowed,
    "between": lambda actual, bounds: bounds[0] <= actual <= bounds[1],
}
LEVELS = tuple(level.value for level in LEVEL_ORDER)


@dataclass(frozen=True, slots=True)
class Compare:
    """`fact op value`, e.g. tax_credit_grade in [A, B]."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Certified:
    """Holds a certification of `kind` (at `level_at_least` or higher) valid on the evaluation day."""

    kind: str
    level_at_least: str | None = None


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Criterion


Criterion = Compare | Certified | All | AnyOf | Not


class InvalidCriteria(RuleBroken, ValueError):
    """A measure document that cannot be read: `text` is "path: message", `zh` the message in
    Chinese without the path (an administrator's console shows it at the path)."""

    def __init__(self, text: str, *, zh: str) -> None:
        field, _, message = text.partition(": ")
        super().__init__(field if message else "body", message or text, zh=zh)


def shown(value: object) -> str:
    """A value as the document wrote it, in Chinese quotation marks: “gte”, “[1, 2]”, “null”."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return f"“{text}”"


def codes(allowed: Iterable[str]) -> str:
    """Allowed codes as a Chinese list: benefit、obligation、opportunity."""
    return "、".join(allowed)


def needs_text(path: str) -> InvalidCriteria:
    return InvalidCriteria(f"{path}: expected a non-empty string", zh="应为文本，不能为空")


def needs_object(path: str) -> InvalidCriteria:
    return InvalidCriteria(f"{path}: expected an object", zh="应为对象")


def needs_list(path: str) -> InvalidCriteria:
    return InvalidCriteria(f"{path}: expected a non-empty list", zh="应为列表，不能为空")


def needs_one_of(path: str, allowed: Sequence[str]) -> InvalidCriteria:
    return InvalidCriteria(
        f"{path}: one of {', '.join(allowed)}", zh=f"应为以下之一：{codes(allowed)}"
    )


Check = Callable[[Compare | Certified, str], None]


def _accept(_criterion: Compare | Certified, _path: str) -> None:
    pass


def parse(doc: object, path: str = "criteria", check: Check = _accept) -> Criterion:
    """Read a criteria tree from its JSON form: {all: [...]}, {any: [...]}, {not: ...}, {fact, op, value}.

    `check` vets each comparison (fact known, value of the right type) and raises with its path.
    """
    if not isinstance(doc, dict):
        raise needs_object(path)
    kinds = [key for key in ("all", "any", "not", "fact", "certified") if key in doc]
    if len(kinds) != 1:
        raise InvalidCriteria(
            f"{path}: expected exactly one of all, any, not, fact or certified",
            zh="应含all、any、not、fact、certified中的一项，且只含一项",
        )
    if "certified" in doc:
        level = doc.get("level_at_least")
        if level is not None and level not in LEVELS:
            raise needs_one_of(f"{path}.level_at_least", LEVELS)
        certified = Certified(str(doc["certified"]), level)
        check(certified, path)
        return certified
    if "all" in doc or "any" in doc:
        key = "all" if "all" in doc else "any"
        items = doc[key]
        if not isinstance(items, list) or not items:
            raise needs_list(f"{path}.{key}")
        children = tuple(parse(item, f"{path}.{key}[{i}]", check) for i, item in enumerate(items))
        return All(children) if key == "all" else AnyOf(children)
    if "not" in doc:
        return Not(parse(doc["not"], f"{path}.not", check))
    if {"fact", "op", "value"} <= doc.keys():
        if not isinstance(doc["op"], str) or doc["op"] not in _OPERATORS:
            raise InvalidCriteria(
                f"{path}.op: unknown operator {doc['op']!r}", zh=f"未知的比较方式{shown(doc['op'])}"
            )
        value = tuple(doc["value"]) if isinstance(doc["value"], list) else doc["value"]
        compare = Compare(str(doc["fact"]), doc["op"], value)
        check(compare, path)
        return compare
    raise InvalidCriteria(
        f"{path}: expected all, any, not or a comparison (fact, op, value)",
        zh="应为all、any、not，或含fact、op、value三项的比较",
    )


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of one node, with what was compared, for explaining a decision."""

    outcome: Outcome
    criterion: Criterion
    actual: Any = None
    children: tuple[Evaluation, ...] = field(default_factory=tuple)

    def unknown_facts(self) -> list[str]:
        """Facts whose absence leaves this node unknown (in tree order, without repeats)."""
        if self.outcome is not Outcome.UNKNOWN:
            return []
        if isinstance(self.criterion, Compare):
            return [self.criterion.fact]
        if isinstance(self.criterion, Certified):
            return []
        found: dict[str, None] = {}
        for child in self.children:
            found.update(dict.fromkeys(child.unknown_facts()))
        return list(found)

    def failed(self) -> list[Evaluation]:
        """The comparisons that decided a failure (for a failed `not`, those that passed inside it)."""
        return self._deciding(Outcome.FAIL)

    def deciding(self) -> list[Evaluation]:
        """The comparisons that gave this node its outcome, whatever it is: the failures of a
        failed all, the passes of a passed any, the unknowns that leave it open."""
        return self._deciding(self.outcome)

    def _deciding(self, outcome: Outcome) -> list[Evaluation]:
        if self.outcome is not outcome:
            return []
        if isinstance(self.criterion, Compare | Certified):
            return [self]
        if isinstance(self.criterion, Not):  # inside a not the opposite decided; unknown stays
            inner = {Outcome.PASS: Outcome.FAIL, Outcome.FAIL: Outcome.PASS}.get(outcome, outcome)
            return self.children[0]._deciding(inner)
        return [leaf for child in self.children for leaf in child._deciding(outcome)]


def evaluate(criterion: Criterion, facts: Mapping[str, Any], on: date | None = None) -> Evaluation:
    """Evaluate `criterion` on `facts` on the day `on`; a fact that is absent or None is unknown."""
    if isinstance(criterion, Certified):
        held = holds(facts.get("certifications") or (), criterion, on or china_today())
        return Evaluation(Outcome.PASS if held else Outcome.FAIL, criterion, held)
    if isinstance(criterion, Compare):
        actual = facts.get(criterion.fact)
        if actual is None:
            return Evaluation(Outcome.UNKNOWN, criterion)
        passed = _OPERATORS[criterion.op](actual, criterion.value)
        return Evaluation(Outcome.PASS if passed else Outcome.FAIL, criterion, actual)
    if isinstance(criterion, Not):
        inner = evaluate(criterion.child, facts, on)
        flipped = {Outcome.PASS: Outcome.FAIL, Outcome.FAIL: Outcome.PASS}
        return Evaluation(flipped.get(inner.outcome, Outcome.UNKNOWN), criterion, None, (inner,))
    children = tuple(evaluate(child, facts, on) for child in criterion.children)
    outcomes = {child.outcome for child in children}
    decisive, other = (
        (Outcome.FAIL, Outcome.PASS) if isinstance(criterion, All) else (Outcome.PASS, Outcome.FAIL)
    )
    if decisive in outcomes:
        result = decisive
    elif Outcome.UNKNOWN in outcomes:
        result = Outcome.UNKNOWN
    else:
        result = other
    return Evaluation(result, criterion, None, children)


def holds(certifications: Iterable[Sequence[str | None]], criterion: Certified, on: date) -> bool:
    """Whether one of (kind, level, valid_from, valid_to) meets `criterion` on the day `on`."""
    floor = LEVELS.index(criterion.level_at_least) if criterion.level_at_least else 0
    day = on.isoformat()
    return any(
        kind == criterion.kind
        and LEVELS.index(level) >= floor
        and str(valid_from) <= day
        and (valid_to is None or day <= str(valid_to))
        for kind, level, valid_from, valid_to in certifications
    )
