"""Deciding one enterprise against one measure, with reasons a person can check."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from eligibility.domain.criteria import Certified, Compare, Evaluation, Outcome, evaluate
from eligibility.domain.facts import REGISTRY, stored_sources
from eligibility.domain.measures import Measure, facts_named, uses_certifications
from supportmatch_reference.certifications import LABELS, CertificationKind


class Status(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"


_STATUS = {
    Outcome.PASS: Status.ELIGIBLE,
    Outcome.FAIL: Status.INELIGIBLE,
    Outcome.UNKNOWN: Status.POSSIBLY_ELIGIBLE,
}
_OP_WORDS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "one of",
    "not_in": "none of",
    "between": "between",
}


@dataclass(frozen=True, slots=True)
class Decision:
    measure: Measure
    status: Status
    evaluated_on: date
    facts_digest: str
    criteria: list[dict[str, Any]]
    missing_facts: list[dict[str, str]]

    def explanation(self) -> dict[str, Any]:
        return {"criteria": self.criteria, "missing_facts": self.missing_facts}


def decide(measure: Measure, facts: Mapping[str, Any], on: date) -> Decision:
    """Decide `measure` for an enterprise with `facts` on the day `on`."""
    result = evaluate(measure.criteria, facts, on)
    deciding = {id(leaf) for leaf in result.failed()}
    to_provide = dict.fromkeys(
        fact for name in result.unknown_facts() for fact in _to_provide(name, facts)
    )
    return Decision(
        measure=measure,
        status=_STATUS[result.outcome],
        evaluated_on=on,
        facts_digest=facts_digest(measure, facts),
        criteria=[_explain(leaf, decisive=id(leaf) in deciding) for leaf in _leaves(result)],
        missing_facts=[_describe(name) for name in to_provide],
    )


def _to_provide(name: str, facts: Mapping[str, Any]) -> list[str]:
    """What to ask for so `name` becomes known: its unknown sources, never a fact already given;
    the fact itself when every source is known and it still cannot be derived."""
    unknown = [source for source in stored_sources(name) if facts.get(source) is None]
    return unknown or [name]


def facts_digest(measure: Measure, facts: Mapping[str, Any]) -> str:
    """SHA-256 of the facts the measure reads, so a past decision can be reproduced exactly."""
    used: dict[str, Any] = {
        name: facts.get(name) for name in sorted(set(facts_named(measure.criteria)))
    }
    if uses_certifications(measure.criteria):
        # An open-ended title (valid_to None) must sort beside dated ones without failing.
        used["certifications"] = sorted(
            (list(c) for c in facts.get("certifications") or ()),
            key=lambda c: [str(part or "") for part in c],
        )
    canonical = json.dumps(used, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _leaves(evaluation: Evaluation) -> list[Evaluation]:
    if isinstance(evaluation.criterion, Compare | Certified):
        return [evaluation]
    return [leaf for child in evaluation.children for leaf in _leaves(child)]


def _explain(leaf: Evaluation, *, decisive: bool) -> dict[str, Any]:
    """One comparison in words; `decisive` marks the failures that made the firm ineligible."""
    if isinstance(leaf.criterion, Certified):
        return _explain_certified(leaf.criterion, leaf, decisive=decisive)
    assert isinstance(leaf.criterion, Compare)
    criterion = leaf.criterion
    fact = REGISTRY[criterion.fact]
    required = list(criterion.value) if isinstance(criterion.value, tuple) else criterion.value
    needs = f"{_OP_WORDS[criterion.op]} {_words(required)}"
    actual = "unknown" if leaf.outcome is Outcome.UNKNOWN else _words(leaf.actual)
    return {
        "fact": fact.name,
        "label_zh": fact.label_zh,
        "label_en": fact.label_en,
        "operator": criterion.op,
        "required": required,
        "actual": leaf.actual,
        "outcome": leaf.outcome.value,
        "decisive": decisive,
        "text": f"{fact.label_en}: {actual}, needs {needs}",
    }


def _explain_certified(criterion: Certified, leaf: Evaluation, *, decisive: bool) -> dict[str, Any]:
    zh, en = LABELS[CertificationKind(criterion.kind)]
    level = criterion.level_at_least
    required = f"valid, {level} level or higher" if level else "valid"
    return {
        "fact": criterion.kind,
        "label_zh": zh,
        "label_en": en,
        "operator": "certified",
        "required": level,
        "actual": leaf.actual,
        "outcome": leaf.outcome.value,
        "decisive": decisive,
        "text": f"{en} title: {'held' if leaf.actual else 'not held'}, needs {required}",
    }


def _describe(name: str) -> dict[str, str]:
    fact = REGISTRY[name]
    return {"fact": name, "label_zh": fact.label_zh, "label_en": fact.label_en}


def _words(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
