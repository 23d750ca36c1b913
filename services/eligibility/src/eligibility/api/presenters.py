"""How the eligibility API shows measures and decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from eligibility.domain.decision import Decision, evidence
from eligibility.domain.measures import Measure
from eligibility.domain.sentences import tree
from eligibility.domain.themes import THEMES
from supportmatch_reference.explanations import tree_lines


class MeasureRead(BaseModel):
    id: str
    version: int
    title_zh: str
    title_en: str
    clause: str
    quote: str
    departments: list[str]
    themes: list[dict[str, str]]
    kind: str
    audience_zh: str
    audience_en: str
    benefit_zh: str
    benefit_en: str
    how_to_apply_zh: str
    how_to_apply_en: str
    valid_from: date
    valid_to: date | None
    ended: bool
    sources: list[dict[str, Any]] = Field(description="citations: document, title, article, …")
    basis: str = Field(description="verified, or assumed (see assumptions)")
    assumptions: list[dict[str, str]]
    estimate: dict[str, Any] | None = Field(description="how an amount is estimated, if it is")
    criteria: dict[str, Any] = Field(description="the criteria tree, each node with its sentence")
    criteria_text_zh: list[str] = Field(description="the same as indented lines")
    criteria_text_en: list[str]

    @classmethod
    def of(cls, measure: Measure, today: date) -> MeasureRead:
        rendered = tree(measure.criteria)
        estimate = measure.estimate
        return cls(
            id=measure.id,
            version=measure.version,
            title_zh=measure.title_zh,
            title_en=measure.title_en,
            clause=measure.clause,
            quote=measure.quote,
            departments=list(measure.departments),
            themes=[
                {"key": key, "label_zh": THEMES[key][0], "label_en": THEMES[key][1]}
                for key in measure.themes
            ],
            kind=measure.kind,
            audience_zh=measure.audience_zh,
            audience_en=measure.audience_en,
            benefit_zh=measure.benefit_zh,
            benefit_en=measure.benefit_en,
            how_to_apply_zh=measure.how_to_apply_zh,
            how_to_apply_en=measure.how_to_apply_en,
            valid_from=measure.valid_from,
            valid_to=measure.valid_to,
            ended=measure.ended_by(today),
            sources=[source.public() for source in measure.sources],
            **evidence(measure),
            estimate=None
            if estimate is None
            else {
                "label_zh": estimate.label_zh,
                "label_en": estimate.label_en,
                "base": estimate.base,
                "tiers": [{"up_to": t.up_to, "percent": t.percent} for t in estimate.tiers],
                "times_percent": estimate.times_percent,
            },
            criteria=rendered,
            criteria_text_zh=tree_lines(rendered, "zh"),
            criteria_text_en=tree_lines(rendered, "en"),
        )


def nested(tree: dict[str, Any], criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """An explained tree with each leaf's comparison in place of its index."""
    if "children" in tree:
        return {**tree, "children": [nested(child, criteria) for child in tree["children"]]}
    if "criterion" in tree:
        return {"node": "leaf", **criteria[tree["criterion"]]}
    return tree


class DecisionRead(BaseModel):
    measure: dict[str, Any]
    status: str
    evaluated_on: date
    facts_digest: str
    criteria: list[dict[str, Any]]
    tree: dict[str, Any] = Field(description="the criteria nested as the rule nests them")
    reasons: list[dict[str, str]] = Field(description="the comparisons that decided the status")
    missing_facts: list[dict[str, str]]
    basis: str
    assumptions: list[dict[str, str]]
    estimate: dict[str, Any] | None = Field(description="政策测算: an estimate, never a promise")

    @classmethod
    def of(cls, decision: Decision) -> DecisionRead:
        measure = decision.measure
        return cls(
            measure={
                **measure.reference(),
                "valid_from": measure.valid_from.isoformat(),
                "ended": measure.ended_by(decision.evaluated_on),
            },
            status=decision.status.value,
            evaluated_on=decision.evaluated_on,
            facts_digest=decision.facts_digest,
            criteria=decision.criteria,
            tree=nested(decision.tree, decision.criteria),
            reasons=decision.reasons,
            missing_facts=decision.missing_facts,
            **evidence(measure),
            estimate=decision.estimate,
        )
