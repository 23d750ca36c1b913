"""Money, counts, shares, years and days: one range each, the same in every API, the import and the
event contract; a value outside is refused (422, naming the field), never stored, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from eligibility.domain.facts import REGISTRY
from profiles.api.schemas import DatedYearFacts
from supportmatch_core.auth import TokenService
from supportmatch_core.paths import project_root
from supportmatch_core.ranges import FACT_RANGES, MONEY_LIMIT
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.profiles_calls import imported, row
from tests.integration.system import InProcessSystem


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _refused(answer: Any, field: str) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e for e in answer.json()["errors"]}
    assert field in errors, errors
    return f"{errors[field]['message']} {errors[field]['message_zh']}"


OUT_OF_RANGE = [
    ("revenue", 2**64),
    ("revenue", MONEY_LIMIT + 1),
    ("revenue", -1),
    ("net_profit", -(MONEY_LIMIT + 1)),
    ("employees", -5),
    ("employees", 2**63),
    ("rd_staff", 10_000_001),
    ("niche_market_share", 100.5),
    ("fiscal_year", 1900),
]


def test_the_profiles_api_refuses_values_out_of_range(
    system: InProcessSystem, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    for name, value in OUT_OF_RANGE:
        body = {**enterprise_payload(), "facts": {name: value}}
        message = _refused(
            system.profiles.post("/v1/enterprises", json=body, headers=admin), f"facts.{name}"
        )
        assert "应为" in message, message
        assert "must be" in message, message
    firm = enterprise_payload()
    assert system.profiles.post("/v1/enterprises", json=firm, headers=admin).status_code == 201
    base = f"/v1/enterprises/{firm['uscc']}"
    _refused(
        system.profiles.put(f"{base}/facts/2024", json={"employees": 2**63}, headers=admin),
        "employees",
    )
    for path, body, field in [
        (
            f"{base}/certifications",
            {"kind": "little_giant", "issuer": "工信部", "valid_from": "9999-12-31"},
            "valid_from",
        ),
        (
            f"{base}/certifications",
            {"kind": "little_giant", "issuer": "工信部", "valid_from": "2098-06-01"},
            "body",
        ),
        (
            f"{base}/certifications",
            {"kind": "tech_based_sme", "issuer": "x", "valid_from": "1899-12-31"},
            "valid_from",
        ),
    ]:
        _refused(system.profiles.post(path, json=body, headers=admin), field)
    _refused(
        system.profiles.patch(base, json={"registration_date": "0001-01-01"}, headers=admin),
        "registration_date",
    )
    assert system.count("profiles", "enterprises") == 1
    assert system.count("profiles", "certifications") == 0
    assert system.count("profiles", "outbox") == 1  # the registration only


def test_the_ends_of_each_range_are_accepted(system: InProcessSystem, tokens: TokenService) -> None:
    body = enterprise_payload(
        revenue=MONEY_LIMIT, net_profit=-MONEY_LIMIT, employees=0, niche_market_share=100
    )
    answer = system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
    assert answer.status_code == 201, answer.text
    assert answer.json()["facts"]["revenue"] == MONEY_LIMIT


def test_the_import_refuses_the_same_values_by_row(
    system: InProcessSystem, tokens: TokenService
) -> None:
    rows = [row(**{name: str(value)}) for name, value in OUT_OF_RANGE]
    rows.append(row(registration_date="9999-12-31"))
    summary = imported(system, tokens, rows)
    assert (summary["created"], summary["rejected"]) == (0, len(rows))
    assert [e["column"] for e in summary["errors"]] == [
        *(name for name, _ in OUT_OF_RANGE),
        "registration_date",
    ]
    assert system.count("profiles", "enterprises") == 0


def test_the_self_checks_refuse_the_same_values(system: InProcessSystem) -> None:
    check = {"industry": "C3921", "province": "44", "ownership": "private"}
    for name, value in OUT_OF_RANGE:
        message = _refused(
            system.eligibility.post("/v1/checks", json={**check, "facts": {name: value}}), "facts"
        )
        assert name in message, message
    _refused(system.eligibility.post("/v1/checks", json={**check, "as_of": "9999-12-31"}), "as_of")
    held = [{"kind": "little_giant", "valid_from": "1800-01-01"}]
    _refused(
        system.eligibility.post("/v1/checks", json={**check, "certifications": held}),
        "certifications.0.valid_from",
    )
    size = {"industry": "C3921"}
    _refused(
        system.profiles.post("/v1/size-classification", json={**size, "employees": -5}), "employees"
    )
    _refused(
        system.profiles.post("/v1/size-classification", json={**size, "revenue": 2**70}), "revenue"
    )
    assert system.count("eligibility", "determinations") == 0


def test_one_range_per_fact_in_the_api_the_registry_and_the_event_contract() -> None:
    api = DatedYearFacts.model_json_schema()["properties"]
    path = project_root() / "contracts" / "events" / "enterprise.profile.v1.schema.json"
    contract = json.loads(path.read_text())["$defs"]["yearFacts"]["properties"]
    for name, bounds in FACT_RANGES.items():
        (typed,) = [option for option in api[name]["anyOf"] if option.get("type") != "null"]
        assert (typed["minimum"], typed["maximum"]) == (bounds.low, bounds.high), name
        assert (contract[name]["minimum"], contract[name]["maximum"]) == (
            bounds.low,
            bounds.high,
        ), name
        fact = REGISTRY[name]
        assert (fact.minimum, fact.maximum) == (bounds.low, bounds.high), name
    numbers = {n for n, c in contract.items() if c.get("type") in ("integer", "number")}
    assert numbers == set(FACT_RANGES)


def test_the_openapi_documents_state_the_ranges(system: InProcessSystem) -> None:
    profiles = system.profiles.get("/openapi.json").json()["components"]["schemas"]
    (employees,) = [
        o for o in profiles["YearFacts"]["properties"]["employees"]["anyOf"] if "maximum" in o
    ]
    assert employees["maximum"] == FACT_RANGES["employees"].high
    checks = system.eligibility.get("/openapi.json").json()["components"]["schemas"]
    facts = checks["CheckRequest"]["properties"]["facts"]["properties"]
    assert (facts["revenue"]["minimum"], facts["revenue"]["maximum"]) == (0, MONEY_LIMIT)
