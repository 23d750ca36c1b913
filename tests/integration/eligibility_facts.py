"""What the eligibility tests tell of a firm: a compliant taxpayer and a manufacturer's VAT, and
how they find the VAT refund's decision among a firm's."""

from __future__ import annotations

from typing import Any

COMPLIANT = {
    "tax_credit_grade": "A",
    "vat_refund_fraud_36m": False,
    "tax_evasion_penalties_36m": 0,
    "immediate_refund_since_2019": False,
}
# A manufacturer's VAT as 公告2025年第7号 reads it: a general taxpayer selling manufactures.
VAT_FIGURES = {"vat_taxpayer_type": "general", "vat_sales_by_industry": {"C3921": 9_000_000}}


def vat_decision(decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """The decision on the VAT credit refund among `decisions`."""
    (found,) = [d for d in decisions if d["measure"]["id"] == "vat-credit-refund"]
    return found
