"""Request and response models of the profiles API, and their translation into the domain model.
Longer than 300 lines: declarations mostly, one field per fact a firm states."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from profiles.domain.listing import Filters
from profiles.domain.model import (
    Certification,
    Enterprise,
    ForeignKind,
    LegalForm,
    Ownership,
    Profile,
    RiskPeriod,
    TaxCreditGrade,
    VatTaxpayerType,
)
from supportmatch_core.fields import (
    Email,
    IndustryCode,
    PlainText,
    ProvinceCode,
    Uscc,
    visible_text,
)
from supportmatch_core.problems import Invalid
from supportmatch_core.ranges import (
    LAST_DAY,
    Count,
    Day,
    FiscalYear,
    Percent,
    Place,
    SignedYuan,
    Yuan,
)
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.regions import BY_CODE, Region, UnknownProvince, parse_province
from supportmatch_reference.said import SaidValueError
from supportmatch_reference.size import SizeClass

Text = PlainText
Rank = Annotated[Count, Field(description="best rank; 0 when none")]
Month = Annotated[str, StringConstraints(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$")]
# The 2022 quality-SME ladder titles are valid for three years (工信部企业〔2022〕63号).
_THREE_YEAR_TITLES = {
    CertificationKind.INNOVATIVE_SME,
    CertificationKind.SPECIALISED_SME,
    CertificationKind.LITTLE_GIANT,
    CertificationKind.HIGH_TECH_ENTERPRISE,
}


def _today() -> date:
    return datetime.now(UTC).date()


class YearFacts(BaseModel):
    """One fiscal year's facts; leave out what is not known (unknown stays unknown). Money in yuan."""

    model_config = ConfigDict(extra="forbid")

    employees: Count | None = None
    revenue: Yuan | None = None
    total_assets: Yuan | None = None
    total_liabilities: Yuan | None = None
    taxable_income: SignedYuan | None = None
    vat_sales: Yuan | None = Field(None, description="VAT-taxable sales")
    net_profit: SignedYuan | None = None
    main_business_revenue: Yuan | None = None
    rd_expense: Yuan | None = None
    rd_staff: Count | None = None
    st_staff: Count | None = Field(None, description="science and technology staff")
    export_revenue: Yuan | None = None
    high_tech_revenue: Yuan | None = None
    new_equity_financing: Yuan | None = Field(None, description="from qualified investors")
    tax_credit_grade: TaxCreditGrade | None = Field(None, description="纳税信用等级")
    years_in_niche: Count | None = None
    niche_market_share: Percent | None = Field(None, description="national share, percent")
    vat_refund_fraud_36m: StrictBool | None = None
    tax_evasion_penalties_36m: Count | None = None
    immediate_refund_since_2019: StrictBool | None = None
    employees_quarterly_avg: Count | None = Field(None, description="average of the 4 quarters")
    total_assets_quarterly_avg: Yuan | None = Field(None, description="average of the 4 quarters")
    rd_equipment_value: Yuan | None = Field(None, description="R&D equipment bought, to date")
    total_investment_usd: Yuan | None = Field(  # the same range, in US dollars
        None, description="total investment in US dollars (R&D spending for a branch centre)"
    )
    niche_product_share: Percent | None = Field(None, description="niche product / revenue, %")
    niche_global_rank: Place | None = None
    ip_class1: Count | None = Field(None, description="class-I IP in force (invention patents …)")
    ip_class1_own: Count | None = Field(None, description="of which developed in-house")
    ip_class1_high_value: Count | None = Field(None, description="of which high-value")
    ip_class2: Count | None = Field(None, description="class-II IP in force")
    national_st_award_rank_3y: Rank | None = None
    provincial_st_award_rank_3y: Rank | None = None
    maker_china_rank_3y: Rank | None = Field(None, description="创客中国, national place")
    specialised_sme_score: Percent | None = Field(None, description="points of 100")
    unemployment_insurance_premiums: Yuan | None = None
    layoff_rate: Percent | None = None
    serious_violation_3y: StrictBool | None = None
    six_taxes_two_fees: Yuan | None = Field(None, description="before any relief")
    equipment_purchases_small: Yuan | None = Field(None, description="units ≤ 5 million yuan")
    foreign_profit_reinvested: Yuan | None = None
    encouraged_industry_revenue_share: Percent | None = None

    def known(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class DatedYearFacts(YearFacts):
    fiscal_year: FiscalYear | None = Field(None, description="defaults to last year")

    @field_validator("fiscal_year")
    @classmethod
    def _not_future(cls, year: int | None) -> int | None:
        if year is not None and year > _today().year:
            raise SaidValueError("a fiscal year cannot be in the future", "数据年度不能晚于今年")
        return year


class Flags(BaseModel):
    model_config = ConfigDict(extra="forbid")

    export_oriented: StrictBool | None = None
    cross_border_ecommerce: StrictBool | None = None
    advanced_cluster_member: StrictBool | None = Field(
        None, description="member of a national advanced-manufacturing cluster"
    )
    chain_key_node: StrictBool | None = Field(None, description="key node of an industrial chain")
    energy_intensive: StrictBool | None = None
    renting_state_premises: StrictBool | None = None
    strategic_emerging_field: StrictBool | None = None
    own_brand: StrictBool | None = None
    rd_institution: StrictBool | None = Field(None, description="own or joint R&D institution")
    provincial_rd_institution: StrictBool | None = None
    key_field_product: StrictBool | None = Field(
        None, description="main product in a key field of 工信部企业〔2022〕63号 or a key chain"
    )
    restricted_industry: StrictBool | None = None
    on_advanced_manufacturer_list: StrictBool | None = None
    on_ic_enterprise_list: StrictBool | None = None
    on_machine_tool_enterprise_list: StrictBool | None = None


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise SaidValueError("end is before start", "结束日期早于开始日期")
        return self


class _Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_en: Text | None = None
    registration_date: Day | None = None
    legal_form: LegalForm | None = None
    foreign_kind: ForeignKind | None = Field(None, description="only for ownership foreign")
    listed: StrictBool | None = None
    city: Text | None = None
    main_products: list[Text] | None = Field(None, max_length=50)
    contact_email: Email | None = Field(
        None, description="where notifications go, unless the firm sets its own preferences"
    )
    flags: Flags | None = None
    covid_risk_periods: list[Period] | None = Field(
        None, max_length=50, description="periods the district was a COVID medium/high-risk area"
    )
    vat_taxpayer_type: VatTaxpayerType | None = None
    vat_credit_balances: dict[Month, Yuan] | None = Field(
        None,
        max_length=120,
        description="end-of-month VAT credit (期末留抵税额) by filing month YYYY-MM; include "
        "2019-03 and each December as reference balances",
    )
    vat_sales_by_industry: dict[IndustryCode, Yuan] | None = Field(
        None,
        max_length=50,
        description="VAT sales of the last 12 months by GB/T 4754 code (advance receipts "
        "included for real-estate development)",
    )

    @field_validator("registration_date")
    @classmethod
    def _registered_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and value > _today():
            raise SaidValueError(
                "a registration date cannot be in the future", "成立日期不能晚于今天"
            )
        return value


class EnterpriseCreate(_Attributes):
    uscc: Uscc
    name: Text
    province: ProvinceCode
    industry: IndustryCode
    ownership: Ownership
    facts: DatedYearFacts | None = None

    @model_validator(mode="after")
    def _foreign_kind_only_for_foreign(self) -> EnterpriseCreate:
        if self.foreign_kind is not None and self.ownership is not Ownership.FOREIGN:
            raise SaidValueError(
                "foreign_kind is only for ownership 'foreign'", "只有外商投资企业可填写外资类型"
            )
        return self

    def to_profile(self, *, province_checked: bool = True) -> Profile:
        now = datetime.now(UTC)
        enterprise = Enterprise(
            uscc=self.uscc,
            name=self.name,
            province=BY_CODE[self.province],
            industry=parse_industry(self.industry),
            ownership=self.ownership,
            version=0,
            created_at=now,
            updated_at=now,
            province_checked=province_checked,
            **_attribute_values(self),
        )
        years = {}
        if self.facts is not None:
            year = self.facts.fiscal_year or _today().year - 1
            years[year] = {k: v for k, v in self.facts.known().items() if k != "fiscal_year"}
        return Profile(enterprise, years)


class EnterpriseUpdate(_Attributes):
    """A partial update: only the fields given change; null clears an optional field."""

    name: Text | None = None
    province: ProvinceCode | None = None
    industry: IndustryCode | None = None
    ownership: Ownership | None = None

    def apply(self, profile: Profile) -> Profile:
        given = self.model_fields_set
        for required in ("name", "province", "industry", "ownership"):
            if required in given and getattr(self, required) is None:
                raise SaidValueError(f"{required} cannot be cleared", f"{required}不能清空")
        e = profile.enterprise
        e = dataclasses.replace(
            e,
            name=self.name if "name" in given and self.name else e.name,
            province=BY_CODE[self.province] if self.province else e.province,
            industry=parse_industry(self.industry) if self.industry else e.industry,
            ownership=self.ownership or e.ownership,
        )
        e = apply_attributes(e, self, only=given)
        if e.foreign_kind is not None and e.ownership is not Ownership.FOREIGN:
            raise SaidValueError(
                "foreign_kind is only for ownership 'foreign'", "只有外商投资企业可填写外资类型"
            )
        return dataclasses.replace(profile, enterprise=e)


def apply_attributes(
    enterprise: Enterprise, body: _Attributes, *, only: set[str] | None = None
) -> Enterprise:
    """Copy the optional attributes of `body` (all, or those in `only`) onto `enterprise`."""
    values = _attribute_values(body)
    if only is not None:
        values = {k: v for k, v in values.items() if k in only}
    return dataclasses.replace(enterprise, **values)


def _attribute_values(body: _Attributes) -> dict[str, Any]:
    """The optional attributes of `body` as the Enterprise fields they set."""
    return {
        "name_en": body.name_en,
        "registration_date": body.registration_date,
        "legal_form": body.legal_form,
        "foreign_kind": body.foreign_kind,
        "listed": body.listed,
        "city": body.city,
        "main_products": tuple(body.main_products or ()),
        "contact_email": body.contact_email,
        "flags": body.flags.model_dump(exclude_none=True) if body.flags else {},
        "covid_risk_periods": tuple(
            RiskPeriod(p.start, p.end) for p in body.covid_risk_periods or ()
        ),
        "vat_taxpayer_type": body.vat_taxpayer_type,
        "vat_credit_balances": dict(body.vat_credit_balances or {}),
        "vat_sales_by_industry": dict(body.vat_sales_by_industry or {}),
    }


class CertificationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CertificationKind
    level: Level = Level.NATIONAL
    issuer: Text
    certificate_no: Text | None = None
    valid_from: Day
    valid_to: Day | None = Field(
        None, description="defaults to three years for the SME ladder and high-tech titles"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CertificationCreate:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise SaidValueError("valid_to is before valid_from", "有效期截止日早于起始日")
        valid_to = self._valid_to()
        if valid_to is not None and valid_to > LAST_DAY:  # three years from valid_from, by default
            raise SaidValueError(
                f"The three years of validity would end on {valid_to}, after {LAST_DAY}.",
                f"三年有效期将止于 {valid_to}，晚于 {LAST_DAY}。",
            )
        return self

    def _valid_to(self) -> date | None:
        if self.valid_to is None and self.kind in _THREE_YEAR_TITLES:
            return _years_later(self.valid_from, 3) - timedelta(days=1)
        return self.valid_to

    def to_certification(self) -> Certification:
        valid_to = self._valid_to()
        return Certification(
            id=0,
            kind=self.kind,
            level=self.level,
            issuer=self.issuer,
            certificate_no=self.certificate_no,
            valid_from=self.valid_from,
            valid_to=valid_to,
        )


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class EnterpriseSummary(BaseModel):
    uscc: str
    name: str
    province_code: str
    region: str
    industry_code: str
    ownership: str
    size_class: str
    version: int


class EnterprisePage(BaseModel):
    items: list[EnterpriseSummary]
    next_cursor: str | None


class EnterpriseFilters(BaseModel):
    """Filters of the enterprise list and its CSV export; each given one narrows the result."""

    model_config = ConfigDict(extra="forbid")

    province: str | None = Field(None, description="name or code")
    region: Region | None = None
    industry: str | None = Field(None, pattern="^[A-Ta-t][0-9]{0,4}$", description="code prefix")
    size_class: SizeClass | None = None
    ownership: Ownership | None = None
    certification: CertificationKind | None = Field(None, description="held and valid today")
    # Three characters at least: the name index is of trigrams, and shorter text scans every row.
    q: Annotated[str, AfterValidator(visible_text)] | None = Field(
        None, min_length=3, max_length=100, description="name contains"
    )

    def filters(self) -> Filters:
        """These filters as the list reads them (narrowed to the caller by the use case)."""
        provinces: frozenset[str] | None = None
        if self.province is not None:
            try:
                provinces = frozenset({parse_province(self.province).code})
            except UnknownProvince as error:
                raise Invalid("province", str(error), zh=error.zh) from error
        return Filters(
            provinces=provinces,
            region=self.region.value if self.region else None,
            industry_prefix=self.industry.upper() if self.industry else None,
            size_class=self.size_class.value if self.size_class else None,
            ownership=self.ownership.value if self.ownership else None,
            certification=self.certification.value if self.certification else None,
            certified_on=datetime.now(UTC).date() if self.certification else None,
            name_contains=self.q,
        )


class ListParameters(EnterpriseFilters):
    cursor: str | None = Field(
        None, pattern="^[0-9A-Z]{1,18}$", description="next_cursor of the page before"
    )
    limit: int = Field(50, ge=1, le=500)
