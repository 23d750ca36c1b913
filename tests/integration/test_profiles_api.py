"""The profiles API on real databases: the complete record, changes, history, lists and access."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from supportmatch_core.auth import Role, TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload, new_uscc
from tests.integration.system import InProcessSystem


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _create(system: InProcessSystem, tokens: TokenService, **fields: Any) -> dict[str, Any]:
    placed = {k: fields.pop(k) for k in ("province", "industry", "ownership") if k in fields}
    body = {**enterprise_payload(**placed), **fields}
    answer = system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_complete_record_round_trips(system: InProcessSystem, tokens: TokenService) -> None:
    created = _create(
        system,
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
    read = system.profiles.get(f"/v1/enterprises/{uscc}", headers=bearer(tokens)).json()
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
    system: InProcessSystem, tokens: TokenService
) -> None:
    balances = {"2019-03": 100_000, "2025-12": 1_000_000, "2026-01": 1_200_000}
    created = _create(
        system,
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
    read = system.profiles.get(f"/v1/enterprises/{created['uscc']}", headers=bearer(tokens))
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
        answer = system.profiles.post(
            "/v1/enterprises", json={**enterprise_payload(), **change}, headers=bearer(tokens)
        )
        assert answer.status_code == 422, (change, answer.text)


def test_changes_make_versions_with_who_and_what(
    system: InProcessSystem, tokens: TokenService
) -> None:
    uscc = _create(system, tokens)["uscc"]
    admin = bearer(tokens)
    changed = system.profiles.patch(
        f"/v1/enterprises/{uscc}", json={"city": "深圳", "listed": True}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    # The same change again is no change: no new version.
    again = system.profiles.patch(f"/v1/enterprises/{uscc}", json={"city": "深圳"}, headers=admin)
    assert again.json()["version"] == 2
    put = system.profiles.put(
        f"/v1/enterprises/{uscc}/facts/2024",
        json={"employees": 1200, "revenue": 300_000_000},
        headers=admin,
    )
    assert put.status_code == 200, put.text
    read = system.profiles.get(f"/v1/enterprises/{uscc}", headers=admin).json()
    assert read["version"] == 3
    assert read["size"]["class"] == "medium"  # 1200 employees but revenue under the large bound
    history = system.profiles.get(f"/v1/enterprises/{uscc}/history", headers=admin).json()
    assert [h["version"] for h in history] == [3, 2, 1]
    assert history[1]["changes"] == {
        "city": {"from": None, "to": "深圳"},
        "listed": {"from": None, "to": True},
    }
    assert history[1]["changed_by"] == "test-admin"
    assert "facts.employees" in history[0]["changes"]
    assert system.count("profiles", "outbox") == 3


def test_facts_by_year_and_certifications(system: InProcessSystem, tokens: TokenService) -> None:
    uscc = _create(system, tokens)["uscc"]
    admin = bearer(tokens)
    for year, employees in ((2023, 90), (2024, 120)):
        system.profiles.put(
            f"/v1/enterprises/{uscc}/facts/{year}", json={"employees": employees}, headers=admin
        )
    years = system.profiles.get(f"/v1/enterprises/{uscc}/facts", headers=admin).json()
    assert years == [
        {"fiscal_year": 2023, "employees": 90},
        {"fiscal_year": 2024, "employees": 120},
    ]
    assert (
        system.profiles.delete(f"/v1/enterprises/{uscc}/facts/2024", headers=admin).status_code
        == 204
    )
    assert (
        system.profiles.delete(f"/v1/enterprises/{uscc}/facts/2024", headers=admin).status_code
        == 404
    )
    added = system.profiles.post(
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
    certs = system.profiles.get(f"/v1/enterprises/{uscc}/certifications", headers=admin).json()
    assert [c["kind"] for c in certs] == ["specialised_sme"]
    cert_id = certs[0]["id"]
    removed = system.profiles.delete(
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
    system: InProcessSystem, tokens: TokenService, path: str, body: dict[str, Any], field: str
) -> None:
    uscc = _create(system, tokens)["uscc"]
    method = system.profiles.put if path.startswith("facts") else system.profiles.post
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
    system: InProcessSystem, tokens: TokenService, change: dict[str, Any]
) -> None:
    uscc = _create(system, tokens)["uscc"]
    answer = system.profiles.patch(f"/v1/enterprises/{uscc}", json=change, headers=bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert (
        system.profiles.get(f"/v1/enterprises/{uscc}", headers=bearer(tokens)).json()["version"]
        == 1
    )


def test_a_contact_email_is_kept_changed_and_published(
    system: InProcessSystem, tokens: TokenService
) -> None:
    created = _create(system, tokens, contact_email=" finance@firm.example ")
    assert created["contact"] == {"email": "finance@firm.example"}
    uscc = created["uscc"]
    changed = system.profiles.patch(
        f"/v1/enterprises/{uscc}",
        json={"contact_email": "cfo@firm.example"},
        headers=bearer(tokens),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["contact"] == {"email": "cfo@firm.example"}
    cleared = system.profiles.patch(
        f"/v1/enterprises/{uscc}", json={"contact_email": None}, headers=bearer(tokens)
    )
    assert cleared.json()["contact"] == {"email": None}
    assert _create(system, tokens)["contact"] == {"email": None}


def test_lists_filter_and_page(system: InProcessSystem, tokens: TokenService) -> None:
    firms = [
        _create(system, tokens, province="广东", industry="C3921", name="广州甲电子有限公司"),
        _create(system, tokens, province="广东", industry="I6513", name="深圳乙软件有限公司"),
        _create(
            system,
            tokens,
            province="四川",
            industry="C3311",
            ownership="central_soe",
            facts={"employees": 5, "revenue": 100_000},
        ),
        _create(system, tokens, province="辽宁", industry="C3921"),
    ]
    admin = bearer(tokens)

    def usccs(query: str, headers: dict[str, str] = admin) -> list[str]:
        answer = system.profiles.get(f"/v1/enterprises?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return [item["uscc"] for item in answer.json()["items"]]

    assert set(usccs("province=广东")) == {firms[0]["uscc"], firms[1]["uscc"]}
    assert set(usccs("region=west")) == {firms[2]["uscc"]}
    assert set(usccs("industry=C39")) == {firms[0]["uscc"], firms[3]["uscc"]}
    assert usccs("size_class=micro") == [firms[2]["uscc"]]
    assert usccs("ownership=central_soe") == [firms[2]["uscc"]]
    assert usccs("q=乙软件") == [firms[1]["uscc"]]
    assert usccs("certification=little_giant") == []
    caseworker = bearer(tokens, Role.CASEWORKER, regions=["44"])
    assert set(usccs("", caseworker)) == {firms[0]["uscc"], firms[1]["uscc"]}
    assert usccs("province=四川", caseworker) == []
    two_provinces = bearer(tokens, Role.CASEWORKER, regions=["44", "51"])
    expected = sorted(f["uscc"] for f in firms[:3])
    seen, cursor = [], ""
    for _ in range(3):  # one firm a page, merged across the two provinces in USCC order
        page = system.profiles.get(f"/v1/enterprises?limit=1{cursor}", headers=two_provinces).json()
        seen += [item["uscc"] for item in page["items"]]
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == expected
    me = bearer(tokens, Role.ENTERPRISE, uscc=firms[3]["uscc"])
    assert usccs("", me) == [firms[3]["uscc"]]
    first = system.profiles.get("/v1/enterprises?limit=3", headers=admin).json()
    second = system.profiles.get(
        f"/v1/enterprises?limit=3&cursor={first['next_cursor']}", headers=admin
    ).json()
    assert len(first["items"]) == 3
    assert [i["uscc"] for i in first["items"] + second["items"]] == sorted(f["uscc"] for f in firms)
    assert second["next_cursor"] is None
    for bad in (
        "limit=0",
        "limit=501",
        "size_class=huge",
        "region=south",
        "industry=39",
        "province=Atlantis",
        "q=软件",
        "colour=red",
    ):
        assert system.profiles.get(f"/v1/enterprises?{bad}", headers=admin).status_code == 422, bad


def test_csv_export_follows_the_filters(system: InProcessSystem, tokens: TokenService) -> None:
    _create(system, tokens, province="广东", name="广州甲电子有限公司")
    _create(system, tokens, province="浙江")
    answer = system.profiles.get("/v1/enterprises.csv?province=44", headers=bearer(tokens))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["广州甲电子有限公司"]
    assert rows[0]["province_code"] == "44"


def test_every_endpoint_with_an_id_checks_the_caller(
    system: InProcessSystem, tokens: TokenService
) -> None:
    theirs = _create(system, tokens, province="浙江")["uscc"]
    mine = _create(system, tokens, province="广东")["uscc"]
    me = bearer(tokens, Role.ENTERPRISE, uscc=mine)
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    calls = [
        ("GET", "", None),
        ("PATCH", "", {"city": "x"}),
        ("GET", "/history", None),
        ("GET", "/facts", None),
        ("PUT", "/facts/2024", {"employees": 1}),
        ("DELETE", "/facts/2024", None),
        ("GET", "/certifications", None),
        (
            "POST",
            "/certifications",
            {"kind": "little_giant", "issuer": "x", "valid_from": "2024-01-01"},
        ),
        ("DELETE", "/certifications/1", None),
    ]
    for method, suffix, body in calls:
        for headers in (me, guangdong):
            answer = system.profiles.request(
                method, f"/v1/enterprises/{theirs}{suffix}", json=body, headers=headers
            )
            assert answer.status_code == 404, (method, suffix, answer.status_code)
        mine_answer = system.profiles.request(
            method, f"/v1/enterprises/{mine}{suffix}", json=body, headers=me
        )
        assert mine_answer.status_code in (200, 201, 204, 404), (method, suffix, mine_answer.text)
    assert system.profiles.get(f"/v1/enterprises/{new_uscc()}", headers=me).status_code == 404


def test_size_self_test_needs_no_token(system: InProcessSystem) -> None:
    answer = system.profiles.post(
        "/v1/size-classification",
        json={"industry": "C3311", "employees": 250, "revenue": 500_000_000, "assets": None},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["size_class"] == "small"
