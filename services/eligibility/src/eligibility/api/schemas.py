"""Request and response models of the eligibility API: how measures, decisions, drafts and the
self-check are asked for and shown. Longer than 300 lines: declarations of every route's models."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from eligibility.api.deps import ClauseFilter
from eligibility.domain.decision import Decision, Status, evidence
from eligibility.domain.facts import REGISTRY, accepts, facts_of, within
from eligibility.domain.measures import Measure
from eligibility.domain.sentences import tree
from eligibility.domain.themes import THEMES
from supportmatch_core.fields import IndustryCode, ProvinceCode
from supportmatch_core.ranges import Day
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.explanations import tree_lines
from supportmatch_reference.regions import BY_CODE
from supportmatch_reference.said import SaidValueError
from supportmatch_reference.size import SizeResult, classify


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
    grant: str = Field(
        description="automatic: granted without applying once the department confirms (免申即享)"
    )
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
            grant=measure.grant,
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


class DeterminationFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    kind: str | None = Field(None, pattern="^(benefit|obligation|opportunity)$")
    clause: ClauseFilter = None
    as_of: Day | None = Field(
        None, description="decide as on this day instead of the stored result"
    )


class StoredDetermination(BaseModel):
    measure_id: str
    measure_version: int
    status: str
    evaluated_on: date
    facts_digest: str
    explanation: dict[str, Any]


class MeasureFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        None, min_length=1, max_length=50, description="keyword in Chinese or English"
    )
    clause: ClauseFilter = None
    department: str | None = Field(None, max_length=30, description="e.g. 财政部")
    theme: str | None = Field(None, pattern=f"^({'|'.join(THEMES)})$")
    kind: str | None = Field(None, pattern="^(benefit|obligation|opportunity)$")
    in_force_on: Day | None = Field(None, description="only versions in force on this day")


_STORED_FACTS = {name for name, fact in REGISTRY.items() if not fact.derived}
FactValue = StrictBool | StrictInt | StrictFloat | str | dict[str, StrictInt] | None
# Facts a profile snapshot carries beside the year's figures: where the request's facts go.
_ATTRIBUTES = {
    "established_on": "registration_date",
    "vat_taxpayer_type": "vat_taxpayer_type",
    "vat_credit_balances": "vat_credit_balances",
    "vat_sales_by_industry": "vat_sales_by_industry",
}


class HeldCertification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CertificationKind
    level: Level = Level.NATIONAL
    valid_from: Day
    valid_to: Day | None = None


def _check_facts(value: dict[str, FactValue]) -> dict[str, FactValue]:
    unknown = sorted(set(value) - _STORED_FACTS)
    if unknown:
        raise SaidValueError(
            f"not facts a firm provides: {', '.join(unknown)}",
            f"不是企业填报的事实：{'、'.join(unknown)}",
        )
    for name, given in value.items():
        fact = REGISTRY[name]
        if given is not None and not accepts(fact, given):
            raise SaidValueError(
                f"{name} must be of type {fact.type}", f"{fact.label_zh}的类型不正确"
            )
        if given is not None and not within(fact, given):
            low, high = _bound(fact.minimum), _bound(fact.maximum)
            raise SaidValueError(
                f"{name} must be a number from {low} to {high}",
                f"{fact.label_zh}应为 {low} 到 {high} 之间的数",
            )
        if isinstance(given, str) and fact.values and given not in fact.values:
            raise SaidValueError(
                f"{name} must be one of {', '.join(fact.values)}",
                f"{fact.label_zh}的取值不在允许之列",
            )
    return value


def _bound(value: float | None) -> str:
    return "…" if value is None else f"{value:,.0f}" if value == int(value) else f"{value:,}"


_JSON_TYPES = {"integer": "integer", "money": "integer", "number": "number", "boolean": "boolean"}


def _facts_schema() -> dict[str, Any]:
    """The facts a firm may state, with their types and ranges, for the OpenAPI document."""
    properties: dict[str, Any] = {}
    for name in sorted(_STORED_FACTS):
        fact = REGISTRY[name]
        described: dict[str, Any] = {"description": f"{fact.label_zh} ({fact.label_en})"}
        if fact.type in _JSON_TYPES:
            described["type"] = _JSON_TYPES[fact.type]
        if fact.minimum is not None:
            described["minimum"] = fact.minimum
        if fact.maximum is not None:
            described["maximum"] = fact.maximum
        if fact.values:
            described["enum"] = list(fact.values)
        properties[name] = described
    return {"properties": properties}


class CheckRequest(BaseModel):
    """What a firm says about itself; leave out what it does not know."""

    model_config = ConfigDict(extra="forbid")

    industry: IndustryCode
    province: ProvinceCode
    ownership: str = Field(pattern="^(central_soe|local_soe|private|foreign|collective|mixed)$")
    size_class: str | None = Field(
        None,
        pattern="^(large|medium|small|micro)$",
        description="leave out to have it derived from employees, revenue and total_assets",
    )
    facts: dict[str, FactValue] = Field(
        default_factory=dict,
        description="the latest fiscal year's facts (with fiscal_year when earlier years are "
        "given) and the firm's own: established_on, vat_taxpayer_type, vat_credit_balances …",
        json_schema_extra=_facts_schema(),
    )
    years: list[dict[str, FactValue]] = Field(
        default_factory=list,
        max_length=5,
        description="earlier fiscal years' figures, each with its fiscal_year (for growth and "
        "two-year figures)",
    )
    flags: dict[str, StrictBool] = Field(default_factory=dict)
    certifications: list[HeldCertification] = Field(default_factory=list, max_length=50)
    as_of: Day | None = None

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, value: dict[str, FactValue]) -> dict[str, FactValue]:
        return _check_facts(value)

    @field_validator("years")
    @classmethod
    def _known_years(cls, value: list[dict[str, FactValue]]) -> list[dict[str, FactValue]]:
        for year in value:
            if not isinstance(year.get("fiscal_year"), int):
                raise SaidValueError(
                    "each earlier year needs its fiscal_year", "每个往年数据都须注明数据年度"
                )
            _check_facts(year)
        return value

    def size(self) -> tuple[SizeResult | None, str | None]:
        """The size derived from the facts by the 2011 standard, and the class to decide on: the
        posted one when given (never overridden), else the derived one."""
        if self.size_class is not None:
            return None, self.size_class
        derived = classify(
            self.industry,
            employees=_whole(self.facts.get("employees")),
            revenue=_whole(self.facts.get("revenue")),
            total_assets=_whole(self.facts.get("total_assets")),
        )
        return derived, derived.size_class.value

    def snapshot(self, size_class: str | None) -> dict[str, Any]:
        """The request in the shape of a profile snapshot, so facts are derived the one way."""
        province = BY_CODE[self.province]
        attributes = {key: self.facts.get(name) for name, key in _ATTRIBUTES.items()}
        latest = {k: v for k, v in self.facts.items() if k not in _ATTRIBUTES}
        return {
            **attributes,
            "industry": {"code": self.industry},
            "province": {"code": province.code},
            "region": province.region.value,
            "ownership": self.ownership,
            "flags": self.flags,
            "size": {"class": size_class},
            "facts": latest,
            "years": [*self.years, latest] if "fiscal_year" in latest else list(self.years),
            "certifications": [
                {
                    "kind": c.kind.value,
                    "level": c.level.value,
                    "valid_from": c.valid_from.isoformat(),
                    "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                }
                for c in self.certifications
            ],
        }

    def facts_given(self, size_class: str | None) -> dict[str, Any]:
        """The registry facts of this request; what the firm stated wins over what is derived."""
        facts = facts_of(self.snapshot(size_class))
        return facts | {name: value for name, value in self.facts.items() if value is not None}


def _whole(value: FactValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class SizeRead(BaseModel):
    size_class: str = Field(description="large, medium, small, micro or unknown")
    given: bool = Field(description="true when posted, false when derived here")
    rule: str | None = Field(description="how it was derived, in English (null when posted)")
    rule_zh: str | None
    missing: list[str] = Field(description="indicators that would decide it")


class CheckRead(BaseModel):
    evaluated_on: date
    size: SizeRead
    decisions: list[DecisionRead]
