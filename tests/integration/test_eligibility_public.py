"""The eligibility API anyone may call without a token: the self-check, which decides on a firm
the request describes and stores nothing, and the catalogue of measures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Databases
from tests.integration.eligibility_facts import COMPLIANT, VAT_FIGURES, vat_decision
from tests.integration.system import InProcessSystem, offline_system
from tests.unit.test_size_class import TABLE, threshold_cases


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for every test of this module: a self-check, a size test and a read of the
    catalogue store nothing (the first test checks that no determination is stored), and the
    refused ones are refused before anything is written, so no test here can see another's."""
    with offline_system(module_databases) as running:
        yield running


def test_self_check_needs_no_token_and_stores_nothing(shared: InProcessSystem) -> None:
    answer = shared.eligibility.post(
        "/v1/checks",
        json={
            "industry": "C3921",
            "province": "广东",
            "ownership": "private",
            "facts": {**COMPLIANT, **VAT_FIGURES},
        },
    )
    assert answer.status_code == 200, answer.text
    assert vat_decision(answer.json()["decisions"])["status"] == "eligible"
    unknown = shared.eligibility.post(
        "/v1/checks", json={"industry": "C3921", "province": "44", "ownership": "private"}
    ).json()
    assert {m["fact"] for m in vat_decision(unknown["decisions"])["missing_facts"]} >= {
        "tax_credit_grade"
    }
    assert shared.count("eligibility", "determinations") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"industry": "C9999", "province": "44", "ownership": "private"}, "industry"),
        ({"industry": "C3921", "province": "Atlantis", "ownership": "private"}, "province"),
        ({"industry": "C3921", "province": "44", "ownership": "pirate"}, "ownership"),
        (
            {
                "industry": "C3921",
                "province": "44",
                "ownership": "private",
                "facts": {"employees": "12"},
            },
            "facts",
        ),
        (
            {
                "industry": "C3921",
                "province": "44",
                "ownership": "private",
                "facts": {"rd_ratio": 5},
            },
            "facts",
        ),
        (
            {
                "industry": "C3921",
                "province": "44",
                "ownership": "private",
                "certifications": [{"kind": "gold", "valid_from": "2024-01-01"}],
            },
            "certifications",
        ),
        ({"industry": "C3921", "province": "44", "ownership": "private", "as_of": "soon"}, "as_of"),
    ],
)
def test_bad_self_checks_are_422(shared: InProcessSystem, body: dict[str, Any], field: str) -> None:
    answer = shared.eligibility.post("/v1/checks", json=body)
    assert answer.status_code == 422, answer.text
    assert field in [e["field"].split(".")[0] for e in answer.json()["errors"]]


def test_the_catalogue_is_public_with_versions(shared: InProcessSystem) -> None:
    measures = shared.eligibility.get("/v1/measures").json()
    assert "vat-credit-refund" in {m["id"] for m in measures}
    vat = shared.eligibility.get("/v1/measures/vat-credit-refund").json()
    assert vat["clause"] == "（十六）"
    assert vat["ended"] is False
    versions = shared.eligibility.get("/v1/measures/vat-credit-refund/versions").json()
    assert [v["version"] for v in versions] == sorted(v["version"] for v in versions)
    assert shared.eligibility.get("/v1/measures/no-such-measure").status_code == 404
    assert shared.eligibility.get("/v1/measures?kind=gift").status_code == 422
    before = shared.eligibility.get("/v1/measures?in_force_on=2022-03-31").json()
    assert "vat-credit-refund" not in {m["id"] for m in before}  # in force from 2022-04-01


def test_the_self_check_sizes_a_firm_as_the_size_test_does(shared: InProcessSystem) -> None:
    # Every row of the 2011 table, at each bound and one unit below it (tests/unit/test_size_class).
    letters = {"X": "employees", "Y": "revenue", "Z": "total_assets"}
    assert len(TABLE) == 15
    for case in threshold_cases():
        _, code, figures, expected = case.values
        facts = {letters[letter]: value for letter, value in figures.items()}
        size_test = shared.profiles.post(
            "/v1/size-classification",
            json={
                "industry": code,
                **{("assets" if k == "total_assets" else k): v for k, v in facts.items()},
            },
        ).json()
        check = shared.eligibility.post(
            "/v1/checks",
            json={"industry": code, "province": "44", "ownership": "private", "facts": facts},
        ).json()
        assert check["size"]["size_class"] == size_test["size_class"] == expected.value, case.id
        assert check["size"]["rule"] == size_test["rule"]
        assert check["size"]["given"] is False


def test_the_self_check_keeps_what_the_firm_said(shared: InProcessSystem) -> None:
    body = {
        "industry": "H6210",
        "province": "44",
        "ownership": "private",
        "as_of": "2022-06-01",
        "flags": {"renting_state_premises": True},
        "facts": {"employees": 30, "revenue": 3_000_000, "covid_risk_district_2022": True},
    }
    answer = shared.eligibility.post("/v1/checks", json=body).json()
    assert answer["size"] == {
        "size_class": "small",
        "given": False,
        "rule": answer["size"]["rule"],
        "rule_zh": answer["size"]["rule_zh"],
        "missing": [],
    }
    by_id = {d["measure"]["id"]: d for d in answer["decisions"]}
    six = by_id["rent-relief-service-smes-6-months"]
    assert six["status"] == "eligible", six["criteria"]
    assert by_id["rent-relief-service-smes-3-months"]["status"] == "ineligible"
    asked = {m["fact"] for d in answer["decisions"] for m in d["missing_facts"]}
    assert not asked & {"employees", "revenue", "covid_risk_district_2022"}
    posted = shared.eligibility.post("/v1/checks", json={**body, "size_class": "medium"}).json()
    assert posted["size"]["size_class"] == "medium"
    assert posted["size"]["given"] is True


def test_the_catalogue_is_searchable_and_shows_no_working_notes(shared: InProcessSystem) -> None:
    def ids(query: str) -> set[str]:
        answer = shared.eligibility.get(f"/v1/measures?{query}")
        assert answer.status_code == 200, answer.text
        return {m["id"] for m in answer.json()}

    sixteen = ids("clause=（十六）")
    assert "rd-super-deduction" in sixteen
    for spelling in ("(十六)", "十六", "16", "%EF%BC%88%E5%8D%81%E5%85%AD%EF%BC%89"):
        assert ids(f"clause={spelling}") == sixteen, spelling
    assert shared.eligibility.get("/v1/measures?clause=seventeen").status_code == 422
    assert "vat-credit-refund" in ids("q=留抵") & ids("q=vat credit")
    assert ids("q=小巨人") >= {"little-giant-title", "little-giant-central-support"}
    assert ids("department=人力资源社会保障部") == {
        "job-retention-refund",
        "unemployment-insurance-rate-reduction",
    }
    assert "small-low-profit-income-tax" in ids("theme=tax") & ids("theme=sme")
    assert shared.eligibility.get("/v1/measures?theme=luck").status_code == 422
    assert ids("kind=obligation&in_force_on=2026-06-01") == {"large-enterprise-sme-prompt-payment"}
    today = ids("in_force_on=2026-12-01")
    assert {
        "vat-credit-refund",
        "vat-credit-refund-other",
        "rd-super-deduction-ic-machine-tools",
    } <= today
    assert "rent-relief-service-smes-3-months" not in today

    measure = shared.eligibility.get("/v1/measures/little-giant-title").json()
    assert "notes" not in measure
    assert all("FACTS.md" not in str(source) for source in measure["sources"])
    assert measure["sources"][0] == {
        "document": "工信部联运行〔2022〕160号",
        "title": "工业和信息化部 国家发展改革委 国务院国资委关于巩固回升向好趋势加力振作工业经济的通知",
        "article": "（十三）",
        "issued": None,
        "url": None,
        "verified": True,
    }
    assert measure["basis"] == "assumed"
    assert measure["assumptions"][0]["zh"]
    assert measure["criteria"]["node"] == "all"
    assert measure["criteria_text_zh"][0] == "同时满足以下全部条件："
    assert (
        "  专精特新中小企业：需持有有效的省级及以上专精特新中小企业"
        not in measure["criteria_text_zh"]
    )
    assert "  持有有效的省级及以上专精特新中小企业" in measure["criteria_text_zh"]
    assert (
        "  main product in a key field or supplying a key industrial chain: yes"
        in measure["criteria_text_en"]
    )
    assert {t["key"] for t in measure["themes"]} == {"sme"}


def test_a_determination_shows_its_tree_reasons_basis_and_estimate(
    shared: InProcessSystem,
) -> None:
    body = {
        "industry": "C3921",
        "province": "44",
        "ownership": "private",
        "as_of": "2026-07-01",
        "facts": {
            **COMPLIANT,
            **VAT_FIGURES,
            "vat_credit_balances": {"2025-12": 1_000_000, "2026-06": 1_300_000},
            "rd_expense": 4_000_000,
        },
    }
    answer = shared.eligibility.post("/v1/checks", json=body).json()
    vat = vat_decision(answer["decisions"])
    assert vat["status"] == "eligible"
    assert vat["basis"] == "verified"
    assert vat["assumptions"] == []
    assert vat["estimate"]["amount"] == 1_300_000
    assert vat["estimate"]["formula_zh"] == "最近一期期末留抵税额 130万元 × 100%"
    assert vat["tree"]["children"][0]["text_zh"] == "增值税纳税人类型：一般纳税人，需为一般纳税人"
    assert {r["fact"] for r in vat["reasons"]} >= {"vat_taxpayer_type", "tax_credit_grade"}
    (rd,) = [d for d in answer["decisions"] if d["measure"]["id"] == "rd-super-deduction"]
    assert rd["estimate"]["amount"] == 1_000_000  # 4,000,000 × 100% × 25%
    assert rd["basis"] == "assumed"
    assert rd["measure"]["how_to_apply_zh"].startswith("在企业所得税预缴")


def test_the_self_check_takes_the_facts_of_the_later_rules(shared: InProcessSystem) -> None:
    centre = {
        "industry": "M7320",
        "province": "31",
        "ownership": "foreign",
        "as_of": "2025-06-01",
        "facts": {
            "established_on": "2012-05-01",
            "total_investment_usd": 9_000_000,
            "rd_staff": 120,
            "rd_equipment_value": 25_000_000,
        },
    }
    answer = shared.eligibility.post("/v1/checks", json=centre)
    assert answer.status_code == 200, answer.text
    by_id = {d["measure"]["id"]: d for d in answer.json()["decisions"]}
    assert by_id["foreign-rd-centre-equipment-vat-refund"]["status"] == "eligible"
    grown = {
        "industry": "C3921",
        "province": "44",
        "ownership": "private",
        "as_of": "2026-06-01",
        "facts": {
            "fiscal_year": 2025,
            "revenue": 120_000_000,
            "main_business_revenue": 100_000_000,
            "rd_expense": 6_000_000,
            "vat_taxpayer_type": "general",
            "vat_credit_balances": {"2025-12": 1_000_000, "2026-05": 1_600_000},
        },
        "years": [
            {"fiscal_year": 2024, "revenue": 100_000_000, "rd_expense": 4_000_000,
             "main_business_revenue": 90_000_000},
            {"fiscal_year": 2023, "main_business_revenue": 80_000_000},
        ],
    }  # fmt: skip
    decisions = shared.eligibility.post("/v1/checks", json=grown).json()["decisions"]
    (giant,) = [d for d in decisions if d["measure"]["id"] == "little-giant-title"]
    growth = next(c for c in giant["criteria"] if c["fact"] == "main_business_growth_avg_2y")
    assert growth["actual"] == 11.8056  # (11.11% + 12.5%) / 2 from the three years given
    assert growth["outcome"] == "pass"
    bad = [
        {**grown, "facts": {"established_on": "2012-13-01"}},
        {**grown, "facts": {"vat_taxpayer_type": "big"}},
        {**grown, "facts": {"layoff_rate": 120}},
        {**grown, "years": [{"revenue": 1}]},
    ]
    for body in bad:
        refused = shared.eligibility.post("/v1/checks", json=body)
        assert refused.status_code == 422, (body, refused.text)
