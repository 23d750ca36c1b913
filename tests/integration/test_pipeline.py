"""The vertical slice on a real broker: profile -> determination -> inbox, and failures on the way."""

from __future__ import annotations

import json
import time
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from supportmatch_core.auth import Role, TokenService
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.topics import DETERMINATION, PROFILE, dead_letter
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.system import InProcessSystem, wait_until


def test_a_new_manufacturer_gets_an_inbox_entry_naming_facts_to_provide(
    broker: EmbeddedBroker, databases: Databases, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        body = enterprise_payload(industry="C3921")
        assert system.profiles.post("/v1/enterprises", json=body, headers=admin).status_code == 201

        def inbox() -> list[dict[str, Any]]:
            answer = system.notifications.get(
                f"/v1/enterprises/{body['uscc']}/inbox",
                headers=bearer(tokens, Role.ENTERPRISE, uscc=body["uscc"]),
            )
            assert answer.status_code == 200
            return list(answer.json()["entries"])

        assert wait_until(lambda: len(inbox()) == 1, timeout=10)
        entry = inbox()[0]
        assert entry["status"] == "possibly_eligible"
        assert entry["measure_id"] == "vat-credit-refund"
        assert {f["fact"] for f in entry["facts_to_provide"]} == {
            "tax_credit_grade",
            "vat_refund_fraud_36m",
            "tax_evasion_penalties_36m",
            "immediate_refund_since_2019",
        }
        determinations = system.eligibility.get(
            f"/v1/enterprises/{body['uscc']}/determinations", headers=admin
        ).json()
        assert [d["status"] for d in determinations] == ["possibly_eligible"]


def test_broker_outage_loses_nothing(
    broker: EmbeddedBroker, databases: Databases, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        broker.stop()
        for _ in range(200):
            answer = system.profiles.post(
                "/v1/enterprises", json=enterprise_payload(), headers=admin
            )
            assert answer.status_code == 201, answer.text
        assert system.count("profiles", "outbox") == 200
        broker.start()
        assert wait_until(lambda: system.count("notifications", "inbox_entries") >= 200, timeout=90)
        time.sleep(1)  # anything extra would show up now
        assert system.count("eligibility", "determinations") == 200
        assert system.count("eligibility", "determination_history") == 200
        assert system.count("notifications", "inbox_entries") == 200


def test_the_same_event_delivered_twice_changes_nothing_the_second_time(
    broker: EmbeddedBroker, databases: Databases, tokens: TokenService
) -> None:
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        body = enterprise_payload()
        system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
        assert wait_until(lambda: system.count("notifications", "inbox_entries") == 1, timeout=15)
        for topic in (PROFILE, DETERMINATION):
            for raw in _read_all(broker.address, topic):
                _produce(broker.address, topic, raw, key=body["uscc"])  # the same events again
        assert wait_until(lambda: _consumed_all(system), timeout=15), (
            "the redelivered events were not consumed"
        )
        assert system.count("eligibility", "determinations") == 1
        assert system.count("eligibility", "determination_history") == 1
        assert system.count("notifications", "inbox_entries") == 1


def _consumed_all(system: InProcessSystem) -> bool:
    # Every event, first copy and second, leaves one processed row; the second is a duplicate.
    metrics = system.eligibility.get("/metrics").text + system.notifications.get("/metrics").text
    return bool(metrics.count('outcome="duplicate"') >= 2)


def test_a_malformed_message_goes_to_the_dead_letter_topic_and_the_next_is_handled(
    broker: EmbeddedBroker, databases: Databases, tokens: TokenService
) -> None:
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        body = enterprise_payload()
        key = body["uscc"]
        _produce(broker.address, PROFILE, b"{not json", key=key)
        _produce(broker.address, PROFILE, json.dumps({"specversion": "1.0"}).encode(), key=key)
        assert (
            system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)).status_code
            == 201
        )
        assert wait_until(lambda: system.count("notifications", "inbox_entries") == 1, timeout=15)
        parked = _read_all(broker.address, dead_letter(PROFILE), with_headers=True)
        assert len(parked) == 2
        values = {value for value, _ in parked}
        assert values == {b"{not json", json.dumps({"specversion": "1.0"}).encode()}
        for _, headers in parked:
            assert headers["dlq-reason"] == b"malformed"
            assert headers["dlq-error"]
            assert headers["dlq-topic"] == PROFILE.encode()


def test_consumer_group_join_takes_under_three_seconds(
    broker: EmbeddedBroker, databases: Databases
) -> None:
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        started = time.monotonic()
        metrics_joined = wait_until(
            lambda: "consumer_group_join_seconds{" in system.eligibility.get("/metrics").text,
            timeout=10,
            interval=0.05,
        )
        assert metrics_joined
        line = next(
            line
            for line in system.eligibility.get("/metrics").text.splitlines()
            if line.startswith('consumer_group_join_seconds{consumer="eligibility.')
        )
        seconds = float(line.rsplit(" ", 1)[1])
        print(
            f"eligibility consumer joined in {seconds:.2f} s (waited {time.monotonic() - started:.2f} s)"
        )
        assert seconds < 3.0


def _produce(address: str, topic: str, value: bytes, *, key: str) -> None:
    producer = KafkaProducer(bootstrap_servers=address, acks="all")
    try:
        producer.send(topic, key=key.encode(), value=value).get(timeout=10)
    finally:
        producer.close()


def _read_all(address: str, topic: str, *, with_headers: bool = False) -> list:  # type: ignore[type-arg]
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=address,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=2000,
    )
    try:
        messages = list(consumer)
    finally:
        consumer.close()
    if with_headers:
        return [(m.value, dict(m.headers)) for m in messages]
    return [m.value for m in messages]
