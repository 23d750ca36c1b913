"""Public self-test of enterprise size by the 2011 SME standard, as the ministry offers one."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from supportmatch_core.fields import IndustryCode
from supportmatch_core.ranges import Count, Yuan
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.size import STANDARD, SizeClass, classify

router = APIRouter(prefix="/v1", tags=["size"])

_FIELD = {"total_assets": "assets"}  # name the missing indicators as the request does


class SizeClassificationRequest(BaseModel):
    """The latest fiscal year's figures; null or absent means unknown and is never guessed."""

    model_config = ConfigDict(extra="forbid")

    industry: IndustryCode
    employees: Count | None = Field(None, description="从业人员")
    revenue: Yuan | None = Field(None, description="营业收入, yuan")
    assets: Yuan | None = Field(None, description="资产总额, yuan")


class IndustryRead(BaseModel):
    code: str
    name_zh: str


class SizeRowRead(BaseModel):
    key: str
    name_zh: str
    name_en: str


class SizeClassificationRead(BaseModel):
    size_class: SizeClass
    industry: IndustryRead
    row: SizeRowRead | None = Field(
        description="null when the industry code is too coarse or not sized by this standard"
    )
    rule: str = Field(description="how the class was reached, in English")
    rule_zh: str = Field(description="the same in Chinese")
    missing: list[str]
    standard: str = STANDARD


@router.post("/size-classification")
def classify_size(body: SizeClassificationRequest) -> SizeClassificationRead:
    """Size class by 工信部联企业〔2011〕300号; public, no authentication."""
    result = classify(
        body.industry, employees=body.employees, revenue=body.revenue, total_assets=body.assets
    )
    industry, row = parse_industry(body.industry), result.row
    return SizeClassificationRead(
        size_class=result.size_class,
        industry=IndustryRead(code=industry.code, name_zh=industry.name_zh),
        row=SizeRowRead(key=row.key, name_zh=row.name_zh, name_en=row.name_en) if row else None,
        rule=result.rule,
        rule_zh=result.rule_zh,
        missing=[_FIELD.get(name, name) for name in result.missing],
    )
