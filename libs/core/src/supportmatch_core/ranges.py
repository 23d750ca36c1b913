"""The ranges of money, counts, shares, fiscal years and days every API, import and event accepts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictFloat, StrictInt

from supportmatch_reference.said import SaidValueError

# One quadrillion yuan, about eight times China's yearly GDP: room for any firm, and far inside the
# 64-bit integers the databases store (a larger value was stored, then never decided).
MONEY_LIMIT = 10**15
# Ten million people: more than the largest employer in the world.
COUNT_LIMIT = 10_000_000
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1949, 2099
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True, slots=True)
class Range:
    """The values a number may take, both ends included."""

    low: int
    high: int
    unit_zh: str = ""  # written right after the number: " 元", "%"
    unit_en: str = ""

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and self.low <= value <= self.high

    def schema(self) -> dict[str, Any]:
        """The range as JSON Schema keywords (OpenAPI and the event contracts)."""
        return {"minimum": self.low, "maximum": self.high}

    def refusal(self) -> SaidValueError:
        """Why a value outside the range is refused, in English with the Chinese beside it."""
        en = f" {self.unit_en}" if self.unit_en else ""
        return SaidValueError(
            f"It must be a number from {self.low:,} to {self.high:,}{en}.",
            f"应为 {self.low:,} 到 {self.high:,}{self.unit_zh or ' '}之间的数。",
        )

    def check(self, value: Any) -> Any:
        """`value` if it lies in the range; a ValueError naming the range otherwise."""
        if value not in self:
            raise self.refusal()
        return value


YUAN = Range(0, MONEY_LIMIT, " 元", "yuan")
USD = Range(0, MONEY_LIMIT, " 美元", "US dollars")
SIGNED_YUAN = Range(-MONEY_LIMIT, MONEY_LIMIT, " 元", "yuan")  # profits and taxable income
COUNT = Range(0, COUNT_LIMIT)
PERCENT = Range(0, 100, "%", "percent")
POINTS = Range(0, 100, " 分", "points")
RANK = Range(1, COUNT_LIMIT)
FISCAL_YEAR = Range(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR)


# The range of every number a firm states about a fiscal year, by fact: the profiles API and import
# validate them (api/schemas.py spells the same types), the self-check and the measure criteria of
# eligibility too, and enterprise.profile.v1 states them in its schema (a test keeps all agreed).
FACT_RANGES: dict[str, Range] = {
    **dict.fromkeys(
        (
            "revenue",
            "total_assets",
            "total_liabilities",
            "vat_sales",
            "main_business_revenue",
            "rd_expense",
            "export_revenue",
            "high_tech_revenue",
            "new_equity_financing",
            "total_assets_quarterly_avg",
            "rd_equipment_value",
            "unemployment_insurance_premiums",
            "six_taxes_two_fees",
            "equipment_purchases_small",
            "foreign_profit_reinvested",
        ),
        YUAN,
    ),
    "total_investment_usd": USD,
    **dict.fromkeys(("taxable_income", "net_profit"), SIGNED_YUAN),
    **dict.fromkeys(
        (
            "employees",
            "employees_quarterly_avg",
            "rd_staff",
            "st_staff",
            "years_in_niche",
            "tax_evasion_penalties_36m",
            "ip_class1",
            "ip_class1_own",
            "ip_class1_high_value",
            "ip_class2",
            # ranks among award winners; 0 when none
            "national_st_award_rank_3y",
            "provincial_st_award_rank_3y",
            "maker_china_rank_3y",
        ),
        COUNT,
    ),
    "niche_global_rank": RANK,
    **dict.fromkeys(
        (
            "niche_market_share",
            "niche_product_share",
            "layoff_rate",
            "encouraged_industry_revenue_share",
        ),
        PERCENT,
    ),
    "specialised_sme_score": POINTS,
    "fiscal_year": FISCAL_YEAR,
}


def _bounded(kind: Range, description: str | None = None) -> Any:
    return Field(description=description, json_schema_extra=kind.schema())


Yuan = Annotated[StrictInt, _bounded(YUAN, "yuan"), AfterValidator(YUAN.check)]
SignedYuan = Annotated[StrictInt, _bounded(SIGNED_YUAN, "yuan"), AfterValidator(SIGNED_YUAN.check)]
Count = Annotated[StrictInt, _bounded(COUNT), AfterValidator(COUNT.check)]
Percent = Annotated[StrictFloat | StrictInt, _bounded(PERCENT), AfterValidator(PERCENT.check)]
Place = Annotated[
    StrictInt, _bounded(RANK, "a place in a ranking, 1 first"), AfterValidator(RANK.check)
]
FiscalYear = Annotated[StrictInt, _bounded(FISCAL_YEAR), AfterValidator(FISCAL_YEAR.check)]


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day_written(value: Any) -> Any:
    """A day is written YYYY-MM-DD: never a timestamp, a number of seconds or a time of day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise SaidValueError("a day is written YYYY-MM-DD", "应为日期（年-月-日），如 2026-01-31")


def _day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise SaidValueError(
            f"The date must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
            f"日期应在 {FIRST_DAY.isoformat()} 到 {LAST_DAY.isoformat()} 之间。",
        )
    return value


DAY_SCHEMA = {"pattern": "^(19|20)[0-9]{2}-"}
"""The range of days as JSON Schema: a year from 1900 to 2099 (the format says the rest)."""

Day = Annotated[
    date,
    Field(
        description=f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
        json_schema_extra=DAY_SCHEMA,
    ),
    BeforeValidator(_day_written),
    AfterValidator(_day),
]
"""A calendar day within the stated range (a later one broke date arithmetic: 9999-12-31)."""
