"""The vertical slice on each real broker: profile -> determination -> inbox, and failures on the way."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from kafka import KafkaProducer

from supportmatch_core.auth import Role, TokenService
from supportmatch_core.metrics import CONSUMER_JOIN_SECONDS
from supportmatch_core.topics import DETERMINATION, PROFILE, dead_letter
from tests.brokers import BrokerUnderTest, is_embedded, messages_on
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.system import (
    InProcessSystem,
    notable_changes,
    qualifying,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("broker_kind")


def _system(broker: BrokerUnderTest, databases: Databases) -> InProcessSystem:
    return InProcessSystem(
        bootstrap=broker.address, databases=databases, embedded=is_embedded(broker)
    )


def test_a_new_manufacturer_gets_an_inbox_entry_naming_facts_to_provide(
    broker: BrokerUnderTest, databases: Databases, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    with _system(broker, databases) as system:
        body = enterprise_payload(industry="C3921")
        assert system.profiles.post("/v1/enterprises", json=body, headers=admin).status_code == 201

        def inbox() -> list[dict[str, Any]]:
            answer = system.notifications.get(
                f"/v1/enterprises/{body['uscc']}/inbox",
                headers=bearer(tokens, Role.ENTERPRISE, uscc=body["uscc"]),
            )
            assert answer.status_code == 200
            return list(answer.json()["entries"])

        assert wait_until(
            lambda: any(e["measure_id"] == "vat-credit-refund" for e in inbox()), timeout=60
        )
        (entry,) = [e for e in inbox() if e["measure_id"] == "vat-credit-refund"]
        assert entry["status"] == "possibly_eligible"
        assert entry["measure_id"] == "vat-credit-refund"
        assert {f["fact"] for f in entry["facts_to_provide"]} == {
            "vat_taxpayer_type",
            "vat_sales_by_industry",
            "tax_credit_grade",
            "vat_refund_fraud_36m",
            "tax_evasion_penalties_36m",
            "immediate_refund_since_2019",
        }
        assert entry["body_zh"].startswith(
            "依据《关于巩固回升向好趋势加力振作工业经济的通知》（十六）。"
        )
        assert "增值税纳税人类型、近12个月各行业增值税销售额、纳税信用等级" in entry["body_zh"]
        determinations = system.eligibility.get(
            f"/v1/enterprises/{body['uscc']}/determinations", headers=admin
        ).json()
        vat = [d for d in determinations if d["measure"]["id"] == "vat-credit-refund"]
        assert [d["status"] for d in vat] == ["possibly_eligible"]
        stored = system.eligibility.get(
            f"/v1/enterprises/{body['uscc']}/determinations/stored", headers=admin
        ).json()
        assert {d["measure_id"]: d["status"] for d in stored}["vat-credit-refund"] == (
            "possibly_eligible"
        )


BURST = 50


def test_broker_outage_loses_nothing(
    broker: BrokerUnderTest, databases: Databases, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    with _system(broker, databases) as system:
        broker.stop()
        # A burst of registrations while the broker is away: each write is kept in the outbox
        # and reaches every consumer once after the broker is back.
        for _ in range(BURST):
            answer = system.profiles.post(
                "/v1/enterprises", json=enterprise_payload(), headers=admin
            )
            assert answer.status_code == 201, answer.text
        assert system.count("profiles", "outbox") == BURST
        broker.start()
        assert wait_until(
            lambda: system.count("eligibility", "enterprise_facts") == BURST, timeout=240
        )
        expected = qualifying(system)
        # Each consumer group finds its coordinator again on its own: on a loaded machine the
        # last of them may take a while after the broker is back.
        assert wait_until(
            lambda: system.count("notifications", "inbox_entries") >= notable_changes(system),
            timeout=180,
        )
        time.sleep(1)  # anything extra would show up now
        assert system.count("eligibility", "enterprise_facts") == BURST
        assert system.count("eligibility", "determinations") == expected
        assert system.count("eligibility", "determination_history") == expected
        assert system.count("notifications", "inbox_entries") == notable_changes(system)


def test_the_same_event_delivered_twice_changes_nothing_the_second_time(
    broker: BrokerUnderTest, databases: Databases, tokens: TokenService
) -> None:
    with _system(broker, databases) as system:
        body = enterprise_payload()
        system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
        assert wait_until(lambda: system.count("eligibility", "enterprise_facts") == 1, timeout=60)
        assert system.count("eligibility", "determinations") == qualifying(system)
        assert wait_until(
            lambda: system.count("notifications", "inbox_entries") == notable_changes(system),
            timeout=60,
        )
        before = {
            table: system.count(service, table)
            for service, table in (
                ("eligibility", "determinations"),
                ("eligibility", "determination_history"),
                ("notifications", "inbox_entries"),
            )
        }
        duplicates_before = _duplicates(system)
        redelivered = 0
        for topic in (PROFILE, DETERMINATION):
            for raw in _read_all(broker.address, topic):
                _produce(broker.address, topic, raw, key=body["uscc"])  # the same events again
                redelivered += 1
        assert wait_until(
            lambda: _duplicates(system) - duplicates_before >= redelivered, timeout=60
        ), "the redelivered events were not all consumed"
        assert system.count("eligibility", "determinations") == before["determinations"]
        assert (
            system.count("eligibility", "determination_history")
            == (before["determination_history"])
        )
        assert system.count("notifications", "inbox_entries") == before["inbox_entries"]


def _duplicates(system: InProcessSystem) -> float:
    """Events the two consumers recognised as already processed (counters of this process)."""
    total = 0.0
    for client in (system.eligibility, system.notifications):
        for line in client.get("/metrics").text.splitlines():
            if line.startswith("events_consumed_total{") and 'outcome="duplicate"' in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_a_malformed_message_goes_to_the_dead_letter_topic_and_the_next_is_handled(
    broker: BrokerUnderTest, databases: Databases, tokens: TokenService
) -> None:
    with _system(broker, databases) as system:
        body = enterprise_payload()
        key = body["uscc"]
        _produce(broker.address, PROFILE, b"{not json", key=key)
        _produce(broker.address, PROFILE, json.dumps({"specversion": "1.0"}).encode(), key=key)
        assert (
            system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)).status_code
            == 201
        )
        assert wait_until(lambda: system.count("eligibility", "enterprise_facts") == 1, timeout=60)
        # Both readers of the profile topic (eligibility, notifications) park each bad message,
        # each in its own time.
        readers = {b"eligibility.enterprise.profile.v1", b"notifications.enterprise.profile.v1"}

        def parked_by() -> set[bytes]:
            parked = _read_all(broker.address, dead_letter(PROFILE), with_headers=True)
            return {headers["dlq-consumer"] for _, headers in parked}

        assert wait_until(lambda: parked_by() == readers, timeout=60)
        everything = _read_all(broker.address, dead_letter(PROFILE), with_headers=True)
        parked = [p for p in everything if p[1]["dlq-consumer"].startswith(b"eligibility.")]
        assert len(parked) == 2
        values = {value for value, _ in parked}
        assert values == {b"{not json", json.dumps({"specversion": "1.0"}).encode()}
        for _, headers in parked:
            assert headers["dlq-reason"] == b"malformed"
            assert headers["dlq-error"]
            assert headers["dlq-topic"] == PROFILE.encode()


def test_a_consumer_reports_how_long_its_group_join_took(
    broker: BrokerUnderTest, databases: Databases
) -> None:
    CONSUMER_JOIN_SECONDS.clear()  # metrics are per process: forget the joins of earlier tests
    with _system(broker, databases) as system:

        def joined() -> list[str]:
            # One registry for every service in this process: notifications may join first.
            return [
                line
                for line in system.eligibility.get("/metrics").text.splitlines()
                if line.startswith('consumer_group_join_seconds{consumer="eligibility.')
            ]

        assert wait_until(lambda: bool(joined()), timeout=60, interval=0.05)
        seconds = float(joined()[0].rsplit(" ", 1)[1])
        # The figure itself is bench/pipeline.py's (docs/benchmarks.md): timing is not asserted here.
        assert seconds > 0


def _produce(address: str, topic: str, value: bytes, *, key: str) -> None:
    producer = KafkaProducer(bootstrap_servers=address, acks="all")
    try:
        producer.send(topic, key=key.encode(), value=value).get(timeout=10)
    finally:
        producer.close()


def _read_all(address: str, topic: str, *, with_headers: bool = False) -> list:  # type: ignore[type-arg]
    messages = messages_on(address, topic)
    if with_headers:
        return [(m.value, dict(m.headers)) for m in messages]
    return [m.value for m in messages]
