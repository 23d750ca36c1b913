"""Measures of the notice as versioned documents, loaded from the catalogue folder."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from eligibility.domain.criteria import (
    Certified,
    Compare,
    Criterion,
    InvalidCriteria,
    Not,
    parse,
)
from eligibility.domain.facts import DATE, NUMERIC, REGISTRY, Fact, accepts
from supportmatch_reference.certifications import CertificationKind


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    quote: str
    kind: str
    benefit_zh: str
    benefit_en: str
    how_to_apply: str
    valid_from: date
    valid_to: date | None
    sources: tuple[dict[str, Any], ...]
    criteria: Criterion
    departments: tuple[str, ...] = ()
    audience: str = ""
    digest: str = ""  # SHA-256 of the document: an edit without a new version still shows

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ended_by(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    def reference(self) -> dict[str, Any]:
        """How events and answers name this measure."""
        return {
            "id": self.id,
            "version": self.version,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "clause": self.clause,
            "kind": self.kind,
            "how_to_apply": self.how_to_apply,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


def measure_from_document(doc: dict[str, Any]) -> Measure:
    """Read one measure document; raise `InvalidCriteria` with the path of the first error."""
    if not isinstance(doc, dict):
        raise InvalidCriteria("(root): expected a measure document (an object)")
    try:
        for name in _TEXTS:
            if not isinstance(doc[name], str) or not doc[name].strip():
                raise InvalidCriteria(f"{name}: expected a non-empty string")
        version = doc["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidCriteria("version: expected a whole number from 1")
        if doc["kind"] not in _KINDS:
            raise InvalidCriteria(f"kind: one of {', '.join(_KINDS)}")
        if not isinstance(doc["sources"], list) or not all(
            isinstance(s, dict) for s in doc["sources"]
        ):
            raise InvalidCriteria("sources: expected a list of objects")
        departments = doc.get("departments") or []
        if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
            raise InvalidCriteria("departments: expected a list of strings")
        valid_from = _day(doc, "valid_from")
        valid_to = _day(doc, "valid_to") if doc.get("valid_to") is not None else None
        criteria = parse(doc["criteria"], check=check_comparison)
        measure = Measure(
            id=doc["id"],
            version=version,
            title_zh=doc["title_zh"],
            title_en=doc["title_en"],
            clause=doc["clause"],
            quote=doc["quote"],
            kind=doc["kind"],
            benefit_zh=doc["benefit_zh"],
            benefit_en=doc["benefit_en"],
            how_to_apply=doc["how_to_apply"],
            valid_from=valid_from,
            valid_to=valid_to,
            sources=tuple(doc["sources"]),
            departments=tuple(departments),
            audience=str(doc.get("audience") or ""),
            digest=hashlib.sha256(
                json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest(),
            criteria=criteria,
        )
    except InvalidCriteria:
        raise
    except KeyError as error:
        raise InvalidCriteria(f"{error.args[0]}: required") from error
    except (TypeError, ValueError) as error:
        raise InvalidCriteria(str(error)) from error
    if valid_to is not None and valid_to < valid_from:
        raise InvalidCriteria("valid_to: before valid_from")
    return measure


_TEXTS = (
    "id",
    "title_zh",
    "title_en",
    "clause",
    "quote",
    "benefit_zh",
    "benefit_en",
    "how_to_apply",
)
_KINDS = ("benefit", "obligation", "opportunity")


def _day(doc: dict[str, Any], name: str) -> date:
    value = doc[name]
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidCriteria(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")


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


def _compared(compare: Compare, fact: Fact, path: str) -> tuple[Any, ...]:
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


def facts_named(criterion: Criterion) -> list[str]:
    if isinstance(criterion, Compare):
        return [criterion.fact]
    if isinstance(criterion, Certified):
        return []
    if isinstance(criterion, Not):
        return facts_named(criterion.child)
    return [f for child in criterion.children for f in facts_named(child)]


def uses_certifications(criterion: Criterion) -> bool:
    if isinstance(criterion, Certified):
        return True
    if isinstance(criterion, Compare):
        return False
    if isinstance(criterion, Not):
        return uses_certifications(criterion.child)
    return any(uses_certifications(child) for child in criterion.children)


def shipped_documents() -> list[dict[str, Any]]:
    """Every measure document shipped in the catalogue folder: the seed of the catalogue."""
    folder = resources.files("eligibility") / "catalogue"
    return [
        json.loads(item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda f: f.name)
        if item.name.endswith(".json")
    ]


def load_catalogue() -> list[Measure]:
    """Every measure version shipped in the catalogue folder."""
    return [measure_from_document(doc) for doc in shipped_documents()]
