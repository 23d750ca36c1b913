"""One firm's record through the profiles API on real databases: the complete record, its facts
by year and certifications, its contact, the input refused, and the public size test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.profiles_calls import register
from tests.integration.system import InProcessSystem, offline_system


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for every test of this module: each registers firms of its own (fresh USCCs)
    and reads, changes or is refused only on those, never a list, a count or an id it did not
    make, so none can see what another stored."""
    with offline_system(module_databases) as running:
        yield running


def test_the_complete_record_round_trips(shared: InProcessSystem, tokens: TokenService) -> None:
    created = register(
        shared,
        tokens,
        province="江苏",
        industry="C3311",
        ownership="foreign",
        foreign_kind="joint_venture",
        name_en="Suzhou Example Precision Co., Ltd.",
        registration_date="2015-06-01",
        legal_form="limited_liability_company",
        listed=False,
        city="苏州",
        main_products=["精密铸件", "阀门"],
        flags={"export_oriented": True, "chain_key_node": True},
        covid_risk_periods=[{"start": "2022-04-01", "end": "2022-05-15"}],
        facts={
            "fiscal_year": 2025,
            "employees": 250,
            "revenue": 500_000_000,
            "rd_expense": 20_000_000,
        },
    )
    uscc = created["uscc"]
    read = shared.profiles.get(f"/v1/enterprises/{uscc}", headers=bearer(tokens)).json()
    assert read == created
    assert read["size"]["class"] == "small"  # 250 employees < 300: not medium (2011 standard)
    assert read["region"] == "east"
    assert read["facts"] == {
        "fiscal_year": 2025,
        "employees": 250,
        "revenue": 500_000_000,
        "rd_expense": 20_000_000,
    }
    assert read["flags"] == {"export_oriented": True, "chain_key_node": True}
    assert read["version"] == 1


def test_the_facts_of_the_later_rules_round_trip(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    balances = {"2019-03": 100_000, "2025-12": 1_000_000, "2026-01": 1_200_000}
    created = register(
        shared,
        tokens,
        vat_taxpayer_type="general",
        vat_credit_balances=balances,
        vat_sales_by_industry={"c3921": 9_000_000, "F5191": 1_000_000},
        flags={"own_brand": True, "on_advanced_manufacturer_list": True},
        facts={
            "fiscal_year": 2025,
            "employees_quarterly_avg": 180,
            "ip_class1": 3,
            "provincial_st_award_rank_3y": 2,
            "specialised_sme_score": 72.5,
            "layoff_rate": 1.5,
            "serious_violation_3y": False,
            "total_investment_usd": 9_000_000,
        },
    )
    read = shared.profiles.get(f"/v1/enterprises/{created['uscc']}", headers=bearer(tokens))
    body = read.json()
    assert body["vat_taxpayer_type"] == "general"
    assert body["vat_credit_balances"] == balances
    assert body["vat_sales_by_industry"] == {"C3921": 9_000_000, "F5191": 1_000_000}
    assert body["facts"]["specialised_sme_score"] == 72.5
    assert body["flags"] == {"own_brand": True, "on_advanced_manufacturer_list": True}
    bad: list[dict[str, Any]] = [
        {"vat_credit_balances": {"2026-13": 1}},
        {"vat_credit_balances": {"2026-01": -1}},
        {"vat_sales_by_industry": {"C9999": 1}},
        {"vat_taxpayer_type": "big"},
        {"facts": {"layoff_rate": 101}},
        {"facts": {"niche_global_rank": 0}},
    ]
    for change in bad:
        answer = shared.profiles.post(
            "/v1/enterprises", json={**enterprise_payload(), **change}, headers=bearer(tokens)
        )
        assert answer.status_code == 422, (change, answer.text)


def test_facts_by_year_and_certifications(shared: InProcessSystem, tokens: TokenService) -> None:
    uscc = register(shared, tokens)["uscc"]
    admin = bearer(tokens)
    for year, employees in ((2023, 90), (2024, 120)):
        shared.profiles.put(
            f"/v1/enterprises/{uscc}/facts/{year}", json={"employees": employees}, headers=admin
        )
    years = shared.profiles.get(f"/v1/enterprises/{uscc}/facts", headers=admin).json()
    assert years == [
        {"fiscal_year": 2023, "employees": 90},
        {"fiscal_year": 2024, "employees": 120},
    ]
    assert (
        shared.profiles.delete(f"/v1/enterprises/{uscc}/facts/2024", headers=admin).status_code
        == 204
    )
    assert (
        shared.profiles.delete(f"/v1/enterprises/{uscc}/facts/2024", headers=admin).status_code
        == 404
    )
    added = shared.profiles.post(
        f"/v1/enterprises/{uscc}/certifications",
        json={
            "kind": "specialised_sme",
            "level": "provincial",
            "issuer": "广东省工业和信息化厅",
            "valid_from": "2024-01-01",
        },
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["valid_to"] == "2026-12-31"  # ladder titles last three years
    certs = shared.profiles.get(f"/v1/enterprises/{uscc}/certifications", headers=admin).json()
    assert [c["kind"] for c in certs] == ["specialised_sme"]
    cert_id = certs[0]["id"]
    removed = shared.profiles.delete(
        f"/v1/enterprises/{uscc}/certifications/{cert_id}", headers=admin
    )
    assert removed.status_code == 204


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("facts/2024", {"employees": -1}, "employees"),
        ("facts/2024", {"employees": "12"}, "employees"),
        ("facts/2024", {"revenue": 1.5}, "revenue"),
        ("facts/2024", {"niche_market_share": 101}, "niche_market_share"),
        ("facts/2099", {"employees": 1}, "year"),
        (
            "certifications",
            {"kind": "gold_star", "issuer": "x", "valid_from": "2024-01-01"},
            "kind",
        ),
        (
            "certifications",
            {
                "kind": "little_giant",
                "issuer": "x",
                "valid_from": "2024-01-01",
                "valid_to": "2023-01-01",
            },
            "body",
        ),
    ],
)
def test_bad_sub_resource_input_is_422(
    shared: InProcessSystem, tokens: TokenService, path: str, body: dict[str, Any], field: str
) -> None:
    uscc = register(shared, tokens)["uscc"]
    method = shared.profiles.put if path.startswith("facts") else shared.profiles.post
    answer = method(f"/v1/enterprises/{uscc}/{path}", json=body, headers=bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"ownership": "pirate"},
        {"province": "北京"},
        {"industry": "C9999"},
        {"foreign_kind": "joint_venture"},
        {"registration_date": "2999-01-01"},
        {"uscc": "x"},
        {"flags": {"export_oriented": "yes"}},
        {"contact_email": "not an address"},
        {"contact_email": "a@b"},
    ],
)
def test_bad_patches_are_422_and_change_nothing(
    shared: InProcessSystem, tokens: TokenService, change: dict[str, Any]
) -> None:
    uscc = register(shared, tokens)["uscc"]
    answer = shared.profiles.patch(f"/v1/enterprises/{uscc}", json=change, headers=bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert (
        shared.profiles.get(f"/v1/enterprises/{uscc}", headers=bearer(tokens)).json()["version"]
        == 1
    )


def test_a_contact_email_is_kept_changed_and_published(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    created = register(shared, tokens, contact_email=" finance@firm.example ")
    assert created["contact"] == {"email": "finance@firm.example"}
    uscc = created["uscc"]
    changed = shared.profiles.patch(
        f"/v1/enterprises/{uscc}",
        json={"contact_email": "cfo@firm.example"},
        headers=bearer(tokens),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["contact"] == {"email": "cfo@firm.example"}
    cleared = shared.profiles.patch(
        f"/v1/enterprises/{uscc}", json={"contact_email": None}, headers=bearer(tokens)
    )
    assert cleared.json()["contact"] == {"email": None}
    assert register(shared, tokens)["contact"] == {"email": None}


def test_size_self_test_needs_no_token(shared: InProcessSystem) -> None:
    answer = shared.profiles.post(
        "/v1/size-classification",
        json={"industry": "C3311", "employees": 250, "revenue": 500_000_000, "assets": None},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["size_class"] == "small"
