"""The enterprise as the profiles service knows it: identity, place, industry, facts by year, titles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from supportmatch_core.contracts.profile import PROFILE_FLAGS
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.industries import Industry
from supportmatch_reference.regions import Province


class Ownership(StrEnum):
    CENTRAL_SOE = "central_soe"
    LOCAL_SOE = "local_soe"
    PRIVATE = "private"
    FOREIGN = "foreign"
    COLLECTIVE = "collective"
    MIXED = "mixed"


class ForeignKind(StrEnum):
    """The kind of a foreign-invested enterprise (外商投资企业)."""

    WHOLLY_FOREIGN_OWNED = "wholly_foreign_owned"
    JOINT_VENTURE = "joint_venture"
    HK_MACAO_TAIWAN = "hk_macao_taiwan_invested"


class LegalForm(StrEnum):
    LIMITED_LIABILITY = "limited_liability_company"
    JOINT_STOCK = "joint_stock_company"
    STATE_OWNED = "state_owned_enterprise"
    COLLECTIVE = "collective_enterprise"
    PARTNERSHIP = "partnership"
    SOLE_PROPRIETORSHIP = "sole_proprietorship"
    FOREIGN_BRANCH = "foreign_enterprise_branch"
    OTHER = "other"


class VatTaxpayerType(StrEnum):
    """增值税一般纳税人 or 小规模纳税人."""

    GENERAL = "general"
    SMALL_SCALE = "small_scale"


class TaxCreditGrade(StrEnum):
    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


FLAGS = PROFILE_FLAGS  # one list, the event contract's

YEAR_FACTS = (
    "employees",
    "revenue",
    "total_assets",
    "total_liabilities",
    "taxable_income",
    "vat_sales",
    "net_profit",
    "main_business_revenue",
    "rd_expense",
    "rd_staff",
    "st_staff",
    "export_revenue",
    "high_tech_revenue",
    "new_equity_financing",
    "tax_credit_grade",
    "years_in_niche",
    "niche_market_share",
    "vat_refund_fraud_36m",
    "tax_evasion_penalties_36m",
    "immediate_refund_since_2019",
    "employees_quarterly_avg",
    "total_assets_quarterly_avg",
    "rd_equipment_value",
    "total_investment_usd",
    "niche_product_share",
    "niche_global_rank",
    "ip_class1",
    "ip_class1_own",
    "ip_class1_high_value",
    "ip_class2",
    "national_st_award_rank_3y",
    "provincial_st_award_rank_3y",
    "maker_china_rank_3y",
    "specialised_sme_score",
    "unemployment_insurance_premiums",
    "layoff_rate",
    "serious_violation_3y",
    "six_taxes_two_fees",
    "equipment_purchases_small",
    "foreign_profit_reinvested",
    "encouraged_industry_revenue_share",
)


@dataclass(frozen=True, slots=True)
class RiskPeriod:
    """A period in which the firm's district was listed as a COVID medium or high-risk area."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Certification:
    id: int
    kind: CertificationKind
    level: Level
    issuer: str
    certificate_no: str | None
    valid_from: date
    valid_to: date | None

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Enterprise:
    """One enterprise; `version` grows by one with every change and orders its snapshots."""

    uscc: str
    name: str
    province: Province
    industry: Industry
    ownership: Ownership
    version: int
    created_at: datetime
    updated_at: datetime
    province_checked: bool = True
    name_en: str | None = None
    registration_date: date | None = None
    legal_form: LegalForm | None = None
    foreign_kind: ForeignKind | None = None
    listed: bool | None = None
    city: str | None = None
    main_products: tuple[str, ...] = ()
    contact_email: str | None = None  # where the firm's notifications go, unless it chose otherwise
    flags: dict[str, bool] = field(default_factory=dict)
    covid_risk_periods: tuple[RiskPeriod, ...] = ()
    vat_taxpayer_type: VatTaxpayerType | None = None
    # End-of-month VAT credit by filing month (YYYY-MM), and the last 12 months' VAT sales by
    # GB/T 4754 code: what the VAT credit refund rules read.
    vat_credit_balances: dict[str, int] = field(default_factory=dict)
    vat_sales_by_industry: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything known about one enterprise: the record, its facts by fiscal year, its titles."""

    enterprise: Enterprise
    years: dict[int, dict[str, object]] = field(default_factory=dict)
    certifications: tuple[Certification, ...] = ()

    def latest_year(self) -> int | None:
        return max(self.years) if self.years else None
