"""Request and response bodies of the profiles API."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from profiles.domain.model import Enterprise, Ownership
from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.industries import UnknownIndustry, parse_industry
from supportmatch_reference.regions import UnknownProvince, parse_province

Yuan = Annotated[StrictInt, Field(ge=0, description="an amount in yuan")]


class TaxCreditGrade(StrEnum):
    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


class Facts(BaseModel):
    """The latest fiscal year's facts; leave out what is not known (unknown stays unknown)."""

    model_config = ConfigDict(extra="forbid")

    fiscal_year: StrictInt | None = Field(None, ge=1949)
    employees: StrictInt | None = Field(None, ge=0)
    revenue: Yuan | None = None
    total_assets: Yuan | None = None
    vat_sales: Yuan | None = Field(None, description="prior-year VAT-taxable sales, in yuan")
    tax_credit_grade: TaxCreditGrade | None = Field(None, description="纳税信用等级")
    vat_refund_fraud_36m: StrictBool | None = Field(
        None, description="refund or invoice fraud found in the last 36 months"
    )
    tax_evasion_penalties_36m: StrictInt | None = Field(
        None, ge=0, description="tax-evasion penalties in the last 36 months"
    )
    immediate_refund_since_2019: StrictBool | None = Field(
        None, description="has enjoyed 即征即退 or 先征后返 VAT policies since 2019-04-01"
    )

    @field_validator("fiscal_year")
    @classmethod
    def _not_future(cls, year: int | None) -> int | None:
        if year is not None and year > datetime.now(UTC).year:
            raise ValueError("a fiscal year cannot be in the future")
        return year


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(description="unified social credit code, 18 characters (GB 32100)")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    province: str = Field(description="name (广东, 广东省) or two-digit code (44)")
    industry: str = Field(description="GB/T 4754-2017 code, e.g. C3921")
    ownership: Ownership
    facts: Facts = Field(default_factory=Facts)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        try:
            return uscc_codes.normalize(value)
        except uscc_codes.InvalidUSCC as error:
            raise ValueError(f"not a valid unified social credit code: {error}") from error

    @field_validator("province")
    @classmethod
    def _province(cls, value: str) -> str:
        try:
            return parse_province(value).code
        except UnknownProvince as error:
            raise ValueError(str(error)) from error

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        try:
            return parse_industry(value).code
        except UnknownIndustry as error:
            raise ValueError(str(error)) from error


class ProvinceRead(BaseModel):
    code: str
    name_zh: str
    name_en: str
    region: str
    checked_against_uscc: bool


class IndustryRead(BaseModel):
    code: str
    section: str
    name_zh: str


class EnterpriseRead(BaseModel):
    uscc: str
    name: str
    province: ProvinceRead
    industry: IndustryRead
    ownership: Ownership
    facts: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterpriseRead:
        p, i = enterprise.province, enterprise.industry
        return cls(
            uscc=enterprise.uscc,
            name=enterprise.name,
            province=ProvinceRead(
                code=p.code,
                name_zh=p.full_name_zh,
                name_en=p.name_en,
                region=p.region.value,
                checked_against_uscc=enterprise.province_checked,
            ),
            industry=IndustryRead(code=i.code, section=i.section, name_zh=i.name_zh),
            ownership=enterprise.ownership,
            facts=enterprise.facts,
            version=enterprise.version,
            created_at=enterprise.created_at,
            updated_at=enterprise.updated_at,
        )
