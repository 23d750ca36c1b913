"""The public self-check: decide a set of facts against the catalogue, storing nothing."""

from __future__ import annotations

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
from eligibility.domain.facts import REGISTRY, accepts, facts_of, of_type, range_of
from supportmatch_core.fields import IndustryCode, ProvinceCode
from supportmatch_core.ranges import Day
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.regions import BY_CODE

router = APIRouter(prefix="/v1", tags=["self-check"])

_STORED_FACTS = {name for name, fact in REGISTRY.items() if not fact.derived}
FactValue = StrictBool | StrictInt | StrictFloat | str | None
# Each fact type in the words of the message and of the JSON Schema.
_TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "money": "整数",
    "number": "数",
    "boolean": "是否值（true 或 false）",
}
_TYPE_JSON = {
    "string": "string",
    "integer": "integer",
    "money": "integer",
    "number": "number",
    "boolean": "boolean",
}


def _facts_schema() -> dict[str, Any]:
    """The facts a firm may state, with their types and ranges, for the OpenAPI document."""
    properties: dict[str, Any] = {}
    for name in sorted(_STORED_FACTS):
        fact, bounds = REGISTRY[name], range_of(REGISTRY[name])
        properties[name] = {
            "type": _TYPE_JSON[fact.type],
            "description": f"{fact.label_zh} ({fact.label_en})",
            **(bounds.schema() if bounds else {}),
        }
    return {"properties": properties, "additionalProperties": False}


class HeldCertification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CertificationKind
    level: Level = Level.NATIONAL
    valid_from: Day
    valid_to: Day | None = None


class CheckRequest(BaseModel):
    """What a firm says about itself; leave out what it does not know."""

    model_config = ConfigDict(extra="forbid")

    industry: IndustryCode
    province: ProvinceCode
    ownership: str = Field(pattern="^(central_soe|local_soe|private|foreign|collective|mixed)$")
    size_class: str | None = Field(None, pattern="^(large|medium|small|micro)$")
    facts: dict[str, FactValue] = Field(
        default_factory=dict,
        description="latest fiscal year",
        json_schema_extra=_facts_schema(),
    )
    flags: dict[str, StrictBool] = Field(default_factory=dict)
    certifications: list[HeldCertification] = Field(default_factory=list, max_length=50)
    as_of: Day | None = None

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, value: dict[str, FactValue]) -> dict[str, FactValue]:
        unknown = sorted(set(value) - _STORED_FACTS)
        if unknown:
            raise ValueError(f"not facts a firm provides: {', '.join(unknown)}")
        for name, given in value.items():
            fact = REGISTRY[name]
            if given is None or accepts(fact, given):
                continue
            bounds = range_of(fact)
            if bounds is None or not of_type(fact, given):
                raise ValueError(
                    f"{fact.label_zh}（{name}）应为{_TYPE_ZH[fact.type]}。"
                    f"{name} must be of type {fact.type}."
                )
            raise ValueError(f"{fact.label_zh}（{name}）{bounds.refusal()}")
        return value

    def snapshot(self) -> dict[str, Any]:
        """The request in the shape of a profile snapshot, so facts are derived the one way."""
        province = BY_CODE[self.province]
        return {
            "industry": {"code": self.industry},
            "province": {"code": province.code},
            "region": province.region.value,
            "ownership": self.ownership,
            "flags": self.flags,
            "size": {"class": self.size_class},
            "facts": self.facts,
            "years": [],
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


@router.post("/checks")
def self_check(body: CheckRequest, catalogue: CatalogueDep) -> list[DecisionRead]:
    """Which measures in force these facts qualify for, and what is missing; nothing is stored."""
    on = body.as_of or china_today()
    decisions = service.check(catalogue=catalogue, facts=facts_of(body.snapshot()), on=on)
    return [DecisionRead.of(d) for d in decisions]
