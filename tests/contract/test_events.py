"""Every event the services produce validates against its JSON Schema in contracts/events/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, text

from eligibility.domain.measures import shipped_documents
from supportmatch_core import contracts
from supportmatch_core.auth import TokenService
from supportmatch_core.events import Event
from supportmatch_core.paths import project_root
from supportmatch_core.ranges import COUNT_LIMIT, MONEY_LIMIT
from supportmatch_core.topics import DETERMINATION, MEASURE, PROFILE
from tests.brokers import BrokerUnderTest, is_embedded, messages_on
from tests.clock import TODAY
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.system import InProcessSystem, notable_changes, wait_until

VAT = "vat-credit-refund-other"  # one open-ended version, retired and followed by a second
SCHEMAS = sorted((project_root() / "contracts" / "events").glob("*.schema.json"))

VARIANTS = [
    enterprise_payload(industry="C3921"),  # possibly eligible: compliance facts unknown
    {
        **enterprise_payload(
            industry="C2710",
            tax_credit_grade="A",
            vat_refund_fraud_36m=False,
            tax_evasion_penalties_36m=0,
            immediate_refund_since_2019=False,
            employees=250,
            revenue=500_000_000,
            total_assets=300_000_000,
            vat_sales=480_000_000,
            rd_expense=20_000_000,
            fiscal_year=2025,
        ),
        "vat_taxpayer_type": "general",
        "vat_sales_by_industry": {"C2710": 480_000_000},
        "vat_credit_balances": {"2025-12": 2_000_000, "2026-01": 2_500_000},
    },  # eligible, with estimates
    enterprise_payload(
        industry="L7211", province="浙江", ownership="foreign", tax_credit_grade="M"
    ),  # ineligible
    enterprise_payload(
        industry="I6513", province="四川", ownership="central_soe", vat_sales=5_000_000
    ),
    enterprise_payload(industry="A0111", province="黑龙江", ownership="collective"),
    enterprise_payload(
        industry="C3921",
        revenue=MONEY_LIMIT,
        total_assets=MONEY_LIMIT,
        net_profit=-MONEY_LIMIT,
        employees=COUNT_LIMIT,
        niche_market_share=100,
    ),  # the ends of the ranges: accepted by the API, so decided by eligibility
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_schemas_are_valid_json_schema(schema: Path) -> None:
    Draft202012Validator.check_schema(json.loads(schema.read_text()))


@pytest.mark.usefixtures("broker_kind")
def test_every_produced_event_matches_its_contract(
    broker: BrokerUnderTest, databases: Databases, tokens: TokenService
) -> None:
    with InProcessSystem(
        bootstrap=broker.address, databases=databases, embedded=is_embedded(broker)
    ) as system:
        for body in VARIANTS:
            answer = system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
            assert answer.status_code == 201, answer.text
        assert wait_until(
            lambda: system.count("eligibility", "enterprise_facts") == len(VARIANTS), timeout=60
        )
        assert wait_until(
            lambda: system.count("notifications", "inbox_entries") == notable_changes(system),
            timeout=60,
        )
        # The eligible firm leaves manufacturing: its VAT refund becomes "ineligible" (a first
        # "ineligible" is not published: absence reads as "ineligible").
        told = notable_changes(system)
        moved = system.profiles.patch(
            f"/v1/enterprises/{VARIANTS[1]['uscc']}",
            json={"industry": "L7211"},
            headers=bearer(tokens),
        )
        assert moved.status_code == 200, moved.text
        assert wait_until(lambda: notable_changes(system) > told, timeout=60)
        _retire_and_publish(system, tokens)
        assert wait_until(lambda: _unsent(system) == 0, timeout=60)
    produced = {
        topic: _events(broker.address, topic) for topic in (PROFILE, DETERMINATION, MEASURE)
    }
    assert len(produced[PROFILE]) == len(VARIANTS) + 1  # the change of industry
    assert len(produced[MEASURE]) == len(shipped_documents()) + 2
    vat = [(e.data["version"], e.data["lifecycle"]) for e in produced[MEASURE] if e.subject == VAT]
    assert vat == [(1, "published"), (1, "retired"), (2, "published")]  # one partition, in order
    assert len(produced[DETERMINATION]) >= len(VARIANTS)
    statuses = {event.data["status"] for event in produced[DETERMINATION]}
    assert statuses == {"eligible", "ineligible", "possibly_eligible"}
    for events in produced.values():
        for event in events:
            contracts.check(event)  # raises ContractViolation naming the field


def _retire_and_publish(system: InProcessSystem, tokens: TokenService) -> None:
    """The administrator ends the VAT refund today and publishes a version 2 from today."""
    admin, today = bearer(tokens), TODAY.isoformat()
    (document,) = [d for d in shipped_documents() if d["id"] == VAT]
    path = f"/v1/measures/{VAT}"
    retired = system.eligibility.post(
        f"{path}/versions/1/retire", json={"effective_on": today}, headers=admin
    )
    assert retired.status_code == 200, retired.text
    draft = {**document, "version": 2, "valid_from": today, "valid_to": None}
    assert system.eligibility.put(f"{path}/drafts/2", json=draft, headers=admin).is_success
    published = system.eligibility.post(f"{path}/drafts/2/publish", headers=admin)
    assert published.status_code == 200, published.text


def _unsent(system: InProcessSystem) -> int:
    engine = create_engine(
        system.urls["eligibility"].replace("postgresql://", "postgresql+psycopg://")
    )
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_contract_violation_names_the_field() -> None:
    event = Event(type=PROFILE, source="test", subject="914403001922038216", data={"uscc": "x"})
    with pytest.raises(contracts.ContractViolation, match="data"):
        contracts.check(event)


def _events(address: str, topic: str) -> list[Event]:
    return [Event.from_bytes(message.value) for message in messages_on(address, topic)]
