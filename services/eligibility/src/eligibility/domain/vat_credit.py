"""What the VAT credit refund rules read from a firm's monthly credit balances and sales by industry.

Balances are the end-of-month VAT credit (期末留抵税额) by filing month, "YYYY-MM": the latest
month is the one applied for, and the months 2019-03 and YYYY-12 are the reference balances of
公告2025年第7号 (31 March 2019 for real-estate developers, the prior 31 December for others).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# 公告2025年第7号: manufacturing; scientific research and technical services; software and IT
# services; ecological protection and environmental management.
FOUR_INDUSTRIES = ("C", "M", "I65", "N77")
REAL_ESTATE_DEVELOPMENT = ("K701",)


def _months(balances: Mapping[str, Any]) -> dict[tuple[int, int], int]:
    found = {}
    for key, amount in balances.items():
        match = _MONTH.match(key)
        if match and isinstance(amount, int) and not isinstance(amount, bool):
            found[int(match[1]), int(match[2])] = amount
    return found


def _back(month: tuple[int, int], steps: int) -> tuple[int, int]:
    index = month[0] * 12 + month[1] - 1 - steps
    return index // 12, index % 12 + 1


def credit_facts(balances: Mapping[str, Any] | None) -> dict[str, Any]:
    """The latest balance, its increases over the two reference balances, and whether the six
    months up to it each showed an increase (None where a needed month is not given)."""
    months = _months(balances or {})
    if not months:
        return dict.fromkeys(
            (
                "vat_credit_balance",
                "vat_credit_increment",
                "vat_credit_increment_2019",
                "vat_credit_increase_6m",
                "vat_credit_increase_2019_6m",
            )
        )
    latest = max(months)

    def over_year_end(month: tuple[int, int]) -> int | None:
        reference = months.get((month[0] - 1, 12))
        balance = months.get(month)
        return None if reference is None or balance is None else balance - reference

    def over_2019(month: tuple[int, int]) -> int | None:
        reference, balance = months.get((2019, 3)), months.get(month)
        return None if reference is None or balance is None else balance - reference

    six = [_back(latest, steps) for steps in range(6)]
    return {
        "vat_credit_balance": months[latest],
        "vat_credit_increment": over_year_end(latest),
        "vat_credit_increment_2019": over_2019(latest),
        "vat_credit_increase_6m": _all_positive([over_year_end(m) for m in six]),
        "vat_credit_increase_2019_6m": _all_positive([over_2019(m) for m in six]),
    }


def _all_positive(increments: list[int | None]) -> bool | None:
    if any(i is not None and i <= 0 for i in increments):
        return False
    return None if None in increments else True


def sales_shares(by_industry: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The shares of the four industries and of real-estate development in the VAT sales of the
    last 12 months (real estate counts its advance receipts as sales), in percent."""
    amounts = {
        code.strip().upper(): amount
        for code, amount in (by_industry or {}).items()
        if isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0
    }
    total = sum(amounts.values())
    if total <= 0:
        return {"vat_sales_share_four_industries": None, "vat_sales_share_real_estate": None}

    def share(prefixes: tuple[str, ...]) -> float:
        part = sum(a for code, a in amounts.items() if code.startswith(prefixes))
        return round(100.0 * part / total, 4)

    return {
        "vat_sales_share_four_industries": share(FOUR_INDUSTRIES),
        "vat_sales_share_real_estate": share(REAL_ESTATE_DEVELOPMENT),
    }
