"""Deciding one enterprise against one measure, with reasons a person can check."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from eligibility.domain.criteria import All, Certified, Compare, Evaluation, Not, Outcome, evaluate
from eligibility.domain.facts import REGISTRY, stored_sources
from eligibility.domain.measures import Measure, facts_named, uses_certifications
from eligibility.domain.sentences import HEADINGS, certification_verdict, verdict
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


@dataclass(frozen=True, slots=True)
class Held:
    """A stored determination, as far as deciding whether a new one differs from it."""

    status: Status
    measure_version: int
    facts_digest: str


@dataclass(frozen=True, slots=True)
class Decision:
    measure: Measure
    status: Status
    evaluated_on: date
    facts_digest: str
    criteria: list[dict[str, Any]]  # every comparison, in tree order
    missing_facts: list[dict[str, str]]
    # The rule's all/any/not nesting over `criteria`: a leaf names its comparison by index.
    tree: dict[str, Any] = field(default_factory=dict)
    reasons: list[dict[str, str]] = field(default_factory=list)  # what decided the status
    estimate: dict[str, Any] | None = None

    def explanation(self) -> dict[str, Any]:
        return {
            "criteria": self.criteria,
            "missing_facts": self.missing_facts,
            "tree": self.tree,
            "reasons": self.reasons,
            "estimate": self.estimate,
            **evidence(self.measure),
        }


@dataclass(frozen=True, slots=True)
class Recorded:
    """A firm's new status of a measure, to store and keep in its history: the status it had
    before (None for a first one) and whether the firm has a row of the measure to update."""

    uscc: str
    decision: Decision
    previous: Status | None
    stored: bool


def evidence(measure: Measure) -> dict[str, object]:
    """What the measure's encoding rests on: verified texts, or assumptions said in words."""
    return {"basis": measure.basis, "assumptions": [a.public() for a in measure.assumptions]}


def decide(measure: Measure, facts: Mapping[str, Any], on: date) -> Decision:
    """Decide `measure` for an enterprise with `facts` on the day `on`."""
    result = evaluate(measure.criteria, facts, on)
    deciding = {id(leaf) for leaf in result.deciding()}
    failing = deciding if result.outcome is Outcome.FAIL else set()
    to_provide = dict.fromkeys(
        fact for name in result.unknown_facts() for fact in _to_provide(name, facts)
    )
    leaves: list[dict[str, Any]] = []
    reasons: list[dict[str, str]] = []
    tree = _node(result, failing, deciding, leaves, reasons)
    status = _STATUS[result.outcome]
    worth = measure.estimate is not None and status is not Status.INELIGIBLE
    return Decision(
        measure=measure,
        status=status,
        evaluated_on=on,
        facts_digest=facts_digest(measure, facts),
        criteria=leaves,
        missing_facts=[describe_fact(name) for name in to_provide],
        tree=tree,
        reasons=reasons,
        estimate=measure.estimate.of(facts) if worth and measure.estimate else None,
    )


def _reason(leaf: dict[str, Any]) -> dict[str, str]:
    return {key: leaf[key] for key in ("fact", "outcome", "text_zh", "text_en")}


def askable(measure: Measure) -> tuple[str, ...]:
    """Every fact a firm may be asked for to decide `measure`, in the order the rule reads them."""
    names = facts_named(measure.criteria)
    return tuple(dict.fromkeys(source for name in names for source in stored_sources(name)))


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


def _node(
    evaluation: Evaluation,
    failing: set[int],
    deciding: set[int],
    leaves: list[dict[str, Any]],
    reasons: list[dict[str, str]],
) -> dict[str, Any]:
    """One node of the explained tree: a heading over its parts, or the index of a comparison
    explained in `leaves` (and in `reasons` when it decided the status)."""
    criterion = evaluation.criterion
    if isinstance(criterion, Compare | Certified):
        leaf = _explain(evaluation, decisive=id(evaluation) in failing)
        leaves.append(leaf)
        if id(evaluation) in deciding:
            reasons.append(_reason(leaf))
        return {"node": "leaf", "criterion": len(leaves) - 1}
    key = "not" if isinstance(criterion, Not) else "all" if isinstance(criterion, All) else "any"
    zh, en = HEADINGS[key]
    return {
        "node": key,
        "outcome": evaluation.outcome.value,
        "text_zh": zh,
        "text_en": en,
        "children": [
            _node(child, failing, deciding, leaves, reasons) for child in evaluation.children
        ],
    }


def _explain(leaf: Evaluation, *, decisive: bool) -> dict[str, Any]:
    """One comparison in words; `decisive` marks the failures that made the firm ineligible."""
    if isinstance(leaf.criterion, Certified):
        criterion = leaf.criterion
        label_zh, label_en = LABELS[CertificationKind(criterion.kind)]
        zh, en = certification_verdict(criterion, bool(leaf.actual))
        fact, operator = criterion.kind, "certified"
        required: Any = criterion.level_at_least
    else:
        assert isinstance(leaf.criterion, Compare)
        compare = leaf.criterion
        registered = REGISTRY[compare.fact]
        label_zh, label_en = registered.label_zh, registered.label_en
        zh, en = verdict(compare, leaf.actual)
        fact, operator = compare.fact, compare.op
        required = list(compare.value) if isinstance(compare.value, tuple) else compare.value
    return {
        "fact": fact,
        "label_zh": label_zh,
        "label_en": label_en,
        "operator": operator,
        "required": required,
        "actual": leaf.actual,
        "outcome": leaf.outcome.value,
        "decisive": decisive,
        "text": en,  # kept for consumers of the first events; text_en says the same
        "text_zh": zh,
        "text_en": en,
    }


def describe_fact(name: str) -> dict[str, str]:
    """A fact by name, with its labels in both languages."""
    fact = REGISTRY[name]
    return {"fact": name, "label_zh": fact.label_zh, "label_en": fact.label_en}
