"""Measure documents with comparisons a fact's type cannot meet are refused, with the path."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from eligibility.domain.criteria import InvalidCriteria
from eligibility.domain.measures import measure_from_document


def _vat_refund_document() -> dict[str, Any]:
    folder = resources.files("eligibility") / "catalogue"
    doc: dict[str, Any] = json.loads((folder / "vat-credit-refund.v1.json").read_text("utf-8"))
    return doc


@pytest.mark.parametrize(
    ("comparison", "message"),
    [
        ({"fact": "tax_evasion_penalties_36m", "op": "lt", "value": "2"}, "does not fit"),
        ({"fact": "tax_credit_grade", "op": "in", "value": "AB"}, "needs a non-empty list"),
        ({"fact": "tax_credit_grade", "op": "in", "value": []}, "needs a non-empty list"),
        ({"fact": "tax_credit_grade", "op": "gt", "value": "A"}, "needs a number"),
        ({"fact": "vat_refund_fraud_36m", "op": "eq", "value": 0}, "(boolean)"),
        ({"fact": "employees", "op": "ge", "value": True}, "does not fit"),
        ({"fact": "shoe_size", "op": "eq", "value": 42}, "unknown fact 'shoe_size'"),
        ({"fact": "employees", "op": "approx", "value": 1}, "unknown operator"),
    ],
)
def test_a_badly_typed_comparison_is_refused_with_its_path(
    comparison: dict[str, Any], message: str
) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = comparison
    with pytest.raises(InvalidCriteria, match=r"criteria\.all\[2\]") as caught:
        measure_from_document(doc)
    assert message in str(caught.value)


def test_the_shipped_document_loads() -> None:
    measure = measure_from_document(_vat_refund_document())
    assert measure.id == "vat-credit-refund"


@pytest.mark.parametrize("value", [2**63, -(2**63), 10**30, float("inf"), float("nan")])
def test_a_number_no_database_can_hold_is_refused_with_its_path(value: object) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = {"fact": "net_profit", "op": "ge", "value": value}
    with pytest.raises(InvalidCriteria, match=r"criteria\.all\[2\]\.value: .* does not fit"):
        measure_from_document(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d.pop("assumptions"), d["sources"].append({"document": "某公告", "verified": False})),
         "say in words"),
        (lambda d: d["sources"].append({"title": "old shape", "verified": True}), "document"),
        (lambda d: d["sources"].append({"document": "x", "verified": True, "note": "y"}), "a citation"),
        (lambda d: d["sources"].append({"document": "x", "verified": True, "url": "ftp://x"}), "url"),
        (lambda d: d.update(themes=["luck"]), "themes"),
        (lambda d: d.update(assumptions=[{"zh": "只有中文"}]), "assumptions"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "region",
                                      "tiers": [{"percent": 1}]}), "estimate.base"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "revenue",
                                      "tiers": [{"percent": 1}, {"up_to": 5, "percent": 2}]}),
         "only the last tier"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "revenue",
                                      "tiers": []}), "estimate.tiers"),
        (lambda d: d.pop("how_to_apply_zh"), "how_to_apply_zh: required"),
        (lambda d: d.update(audience_en=""), "audience_en: expected a non-empty string"),
    ],
)  # fmt: skip
def test_a_document_whose_parts_are_wrong_is_refused(change: Any, message: str) -> None:
    doc = _vat_refund_document()
    change(doc)
    with pytest.raises(InvalidCriteria, match=message):
        measure_from_document(doc)


@pytest.mark.parametrize(
    ("comparison", "message"),
    [
        ({"fact": "vat_credit_balances", "op": "eq", "value": 1}, "is a table"),
        ({"fact": "established_on", "op": "lt", "value": "2009-13-01"}, "does not fit"),
        ({"fact": "vat_taxpayer_type", "op": "eq", "value": "big"}, "does not fit"),
        ({"fact": "tax_credit_grade", "op": "in", "value": ["A", "Z"]}, "does not fit"),
    ],
)
def test_tables_are_not_compared_and_values_must_be_known_ones(
    comparison: dict[str, Any], message: str
) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = comparison
    with pytest.raises(InvalidCriteria, match=message):
        measure_from_document(doc)


def test_dates_compare_as_days() -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = {"fact": "established_on", "op": "between",
                                 "value": ["2009-10-01", "2019-12-31"]}  # fmt: skip
    measure = measure_from_document(doc)
    assert measure.id == "vat-credit-refund"
