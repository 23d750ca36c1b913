"""Faults against the system as `make run` starts it: each scenario breaks something in the middle
of a stream of profile writes, lets the system repair itself, and counts that nothing was lost or
doubled (profiles, decisions, inbox entries, emails by Message-ID, webhooks by delivery id)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from supportmatch_core.apache_kafka import ApacheKafka
from supportmatch_core.events import Event
from supportmatch_core.topics import DETERMINATION, PROFILE, all_topics
from tests.e2e.system import BIN
from tests.faults.harness import FaultSystem, OwnPostgres, Receiver, Smtp, ended
from tests.faults.tally import Counting, Tally
from tests.faults.workload import Workload

pytestmark = pytest.mark.timeout(1200)  # a scenario runs the whole system for minutes


@pytest.fixture
def started(
    tmp_path: Path, smtp: Smtp, kafka: ApacheKafka | None
) -> Iterator[Callable[..., FaultSystem]]:
    """Starts the system on the scenario's broker: the embedded one `supportmatch run` starts,
    or the session's Apache Kafka node, emptied first."""
    systems: list[FaultSystem] = []

    def start(database_urls: dict[str, str] | None = None) -> FaultSystem:
        system = FaultSystem(tmp_path / "var", smtp=smtp, database_urls=database_urls, kafka=kafka)
        system.start()
        systems.append(system)
        return system

    yield start
    for system in systems:
        if system.process is not None:
            system.stop()


def report(scenario: str, did: list[str], tally: Tally) -> None:
    print(f"\n[{scenario}] did: " + "; ".join(did))
    print(f"[{scenario}] counted: {tally.line()}")
    assert not tally.problems, tally.problems
    assert tally.pending == 0
    assert tally.notable_events > 0
    assert tally.emails_sent >= tally.inbox_entries > 0


def settle(system: FaultSystem, smtp: Smtp, receiver: Receiver | None) -> Tally:
    counting = Counting(system, smtp, receiver)
    try:
        return counting.settled()
    finally:
        counting.close()


def dead_letters(system: FaultSystem) -> int:
    """Messages on every dead-letter topic of the running broker."""
    consumer = KafkaConsumer(bootstrap_servers=system.bootstrap, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(spec.name, p)
            for spec in all_topics()
            if spec.name.endswith(".dlq")
            for p in sorted(consumer.partitions_for_topic(spec.name) or [])
        ]
        ends = consumer.end_offsets(partitions)
        starts = consumer.beginning_offsets(partitions)
        return sum(ends[tp] - starts[tp] for tp in partitions)
    finally:
        consumer.close()


def duplicates_seen(system: FaultSystem, service: str) -> float:
    """Events a service's consumers recognised as already handled, from its /metrics."""
    page = httpx.get(f"{system.url(service)}/metrics", timeout=10).text
    pattern = r'events_consumed_total\{[^}]*outcome="duplicate"[^}]*\} ([0-9.e+]+)'
    return sum(float(value) for value in re.findall(pattern, page))


def test_the_broker_killed_and_restarted_in_the_middle_of_1000_updates(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    workload = Workload(system, firms=100, writes=1000, webhook_url=receiver.url())
    workload.start()
    workload.wait_for(400)
    if system.kafka is None:
        broker = system.broker_process()
        system.kill(broker)
        did = [f"SIGKILLed the embedded broker (pid {broker.pid}) after {workload.accepted} writes"]
    else:
        (node,) = system.kafka.nodes
        broker = psutil.Process(node.pid())
        system.kill(broker)
        did = [
            f"SIGKILLed the Apache Kafka node (pid {broker.pid}) after {workload.accepted} writes"
        ]
        time.sleep(5)
        system.kafka.start()  # as its service manager would; its log is on disk
    workload.finish()
    system.wait_ready()
    tally = settle(system, smtp, receiver)
    if system.kafka is None:
        assert system.broker_process().pid != broker.pid
        did.append("the supervisor started a new, empty broker; the relays published again")
    else:
        did.append("the node was started again on its own log")
    did.append(f"{workload.accepted} writes accepted, answers {dict(workload.statuses)}")
    report("broker", did, tally)
    assert tally.profiles == 100
    assert tally.projected_behind == 0


def test_each_service_killed_mid_batch_and_restarted(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    workload = Workload(system, firms=60, writes=600, webhook_url=receiver.url())
    workload.start()
    did = []
    for at, name in ((150, "eligibility"), (300, "notifications"), (450, "profiles")):
        workload.wait_for(at)
        victim = system.service_process(name)
        system.kill(victim)
        did.append(f"SIGKILLed {name} (pid {victim.pid}) after {workload.accepted} writes")
        system.wait_ready()
    workload.finish()
    tally = settle(system, smtp, receiver)
    did.append(f"{workload.accepted} writes accepted, answers {dict(workload.statuses)}")
    report("kill each service", did, tally)
    assert tally.profiles == 60
    assert tally.projected_behind == 0
    assert "starting it again" in system.log.read_text()


def test_postgresql_restarted_under_load(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    postgres = OwnPostgres()
    try:
        system = started(postgres.database_urls())
        workload = Workload(system, firms=60, writes=600, webhook_url=receiver.url())
        workload.start()
        workload.wait_for(300)
        started_at = time.monotonic()
        postgres.restart()
        restart_seconds = time.monotonic() - started_at
        workload.finish()
        tally = settle(system, smtp, receiver)
        report(
            "postgresql",
            [
                f"restarted PostgreSQL ({restart_seconds:.1f} s) after 300 writes, "
                "with every service on it",
                f"{workload.accepted} writes accepted, answers {dict(workload.statuses)}",
            ],
            tally,
        )
        assert tally.profiles == 60
        assert tally.projected_behind == 0
        system.stop()
    finally:
        postgres.stop()


def test_a_topic_replayed_from_the_start_changes_nothing(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    workload = Workload(system, firms=40, writes=300, webhook_url=receiver.url())
    workload.start()
    workload.finish()
    before = settle(system, smtp, receiver)
    seen = dict.fromkeys(("eligibility", "notifications"), 0.0)  # counted anew after a restart
    # As an operator does it: stop the consumers, reset their groups, start them again. The
    # supervisor is held meanwhile, or it would start them again at once.
    assert system.process is not None
    supervisor = psutil.Process(system.process.pid)
    supervisor.suspend()
    try:
        for name in ("eligibility", "notifications"):
            process = system.service_process(name)
            process.terminate()  # a clean stop: its consumers leave their groups
            ended(process)
        env = {**system.env, "KAFKA_BOOTSTRAP_SERVERS": system.bootstrap}
        for service, topic in (("eligibility", PROFILE), ("notifications", DETERMINATION)):
            command = [str(BIN / "supportmatch"), "replay", service, topic, "--wait", "30"]
            subprocess.run(command, env=env, check=True)
    finally:
        supervisor.resume()
    system.wait_ready()
    # A consumer group on Apache Kafka takes its partitions back only after a rebalance, which
    # a busy machine stretches; four minutes leave room, a replay never read does not arrive.
    deadline = time.monotonic() + 240
    while waiting := [name for name in seen if duplicates_seen(system, name) <= seen[name]]:
        assert time.monotonic() < deadline, f"the replay was not read by {', '.join(waiting)}"
        time.sleep(1)
    after = settle(system, smtp, receiver)
    replayed = {name: duplicates_seen(system, name) - seen[name] for name in seen}
    report(
        "replay",
        [
            f"{workload.accepted} writes, then reset eligibility on {PROFILE} and notifications "
            f"on {DETERMINATION} to their start; events recognised as handled: {replayed}"
        ],
        after,
    )
    assert after == before


def test_poison_messages_go_to_the_dead_letters_and_the_stream_goes_on(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    unknown_type = Event(type="enterprise.unknown.v1", source="test", subject="x", data={})
    breaks_schema = Event(type=PROFILE, source="test", subject="x", data={"uscc": 42})
    producer = KafkaProducer(bootstrap_servers=system.bootstrap)
    for value in (b"\xff not json", unknown_type.to_bytes(), breaks_schema.to_bytes()):
        producer.send(PROFILE, key=b"poison", value=value).get(10)
    producer.close()
    workload = Workload(system, firms=40, writes=200, webhook_url=receiver.url())
    workload.start()
    workload.finish()
    tally = settle(system, smtp, receiver)
    parked = dead_letters(system)
    report(
        "poison",
        [
            f"sent 3 unreadable messages to {PROFILE}, then {workload.accepted} writes",
            f"dead-lettered: {parked} (3 by each of the 2 consumers of the topic)",
        ],
        tally,
    )
    assert parked == 6
    assert tally.profiles == 40
    assert tally.projected_behind == 0


def test_the_smtp_server_and_a_webhook_receiver_down_for_a_minute(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    workload = Workload(system, firms=40, writes=200, webhook_url=receiver.url())
    workload.register()
    smtp.stop()
    receiver.stop()
    down_at = time.monotonic()
    workload.update(160)
    time.sleep(max(0.0, 60 - (time.monotonic() - down_at)))
    smtp.start()
    receiver.start()
    tally = settle(system, smtp, receiver)
    report(
        "smtp and webhook receiver down",
        [
            f"stopped the SMTP server and the webhook receiver for "
            f"{time.monotonic() - down_at:.0f} s while {workload.accepted - 40} writes came in"
        ],
        tally,
    )


def test_profile_and_determination_events_in_either_order(
    started: Callable[..., FaultSystem], smtp: Smtp, receiver: Receiver
) -> None:
    system = started()
    workload = Workload(system, firms=200, writes=200, webhook_url=receiver.url())
    workload.start()
    workload.finish()
    tally = settle(system, smtp, receiver)
    report(
        "either order",
        [
            f"registered {workload.accepted} firms with an email address each; their profile "
            "and determination events reach notifications in whatever order the topics give"
        ],
        tally,
    )
    assert tally.profiles == 200
