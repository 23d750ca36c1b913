"""The public self-check: decide a set of facts against the catalogue, storing nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from eligibility import service
from eligibility.api.deps import CatalogueDep
from eligibility.api.presenters import DecisionRead
from eligibility.domain.clock import china_today
from eligibility.domain.facts import REGISTRY, accepts, facts_of, within
from supportmatch_core.fields import IndustryCode, ProvinceCode
from supportmatch_core.ranges import Day
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.regions import BY_CODE
from supportmatch_reference.said import SaidValueError
from supportmatch_reference.size import SizeResult, classify

router = APIRouter(prefix="/v1", tags=["self-check"])

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


@router.post("/checks")
def self_check(body: CheckRequest, catalogue: CatalogueDep) -> CheckRead:
    """Which measures in force these facts qualify for, and what is missing; nothing is stored.

    The size class is derived from employees, revenue and total assets by the 2011 standard, as
    `POST /v1/size-classification` of the profiles service does, unless it is posted."""
    on = body.as_of or china_today()
    derived, size_class = body.size()
    decisions = service.check(catalogue=catalogue, facts=body.facts_given(size_class), on=on)
    size = SizeRead(
        size_class=size_class or "unknown",
        given=derived is None,
        rule=derived.rule if derived else None,
        rule_zh=derived.rule_zh if derived else None,
        missing=derived.missing if derived else [],
    )
    return CheckRead(evaluated_on=on, size=size, decisions=[DecisionRead.of(d) for d in decisions])
