"""The brokers tests run on: the embedded Tansu broker, and Apache Kafka started once per session.

`SUPPORTMATCH_TEST_BROKERS` (comma-separated: `tansu`, `apache`) chooses the kinds a test marked with
the `broker_kind` fixture runs on. Unset, it is both, and the Apache Kafka runs are skipped where Java
or Maven is missing; named explicitly, a kind that cannot start fails its tests instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from supportmatch_core.apache_kafka import BROKER_JVM, ApacheKafka, ScramOverTls
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.kafka import create_consumer, topic_configs
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import TopicSpec, all_topics
from tests.ports import free_port

BROKERS_ENV = "SUPPORTMATCH_TEST_BROKERS"
KINDS = ("tansu", "apache")


class BrokerUnderTest(Protocol):
    """What a test may do with its broker, whichever kind it is."""

    @property
    def address(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def is_embedded(broker: BrokerUnderTest) -> bool:
    """Whether the services should use the embedded broker's short session timeout with it."""
    return isinstance(broker, EmbeddedBroker)


def chosen_kinds() -> list[str]:
    """The broker kinds to run on, from SUPPORTMATCH_TEST_BROKERS (default: every kind)."""
    raw = os.environ.get(BROKERS_ENV, "")
    kinds = [kind.strip() for kind in raw.split(",") if kind.strip()] or list(KINDS)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"{BROKERS_ENV} names unknown brokers {sorted(unknown)}; know {KINDS}")
    return kinds


def required(kind: str) -> bool:
    """Whether `kind` was asked for by name, so that failing to start it fails the tests."""
    return kind in os.environ.get(BROKERS_ENV, "")


def need_apache_tools() -> None:
    """Skip the test where Apache Kafka is left out or Java or Maven is missing; fail it when Apache
    Kafka was asked for and cannot run."""
    if "apache" not in chosen_kinds():
        pytest.skip(f"{BROKERS_ENV} leaves out apache")
    absent = [tool for tool in ("java", "mvn") if not shutil.which(tool)]
    if absent:
        reason = f"Apache Kafka needs {' and '.join(absent)} on PATH"
        if required("apache"):
            pytest.fail(reason)
        pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports on loopback."""
    return [free_port() for _ in range(count)]


def single_node(
    folder: Path, security: ScramOverTls | None = None, *, jvm: Sequence[str] = BROKER_JVM
) -> ApacheKafka:
    """One Apache Kafka node on free ports, its data and logs under `folder`."""
    port, controller = free_ports(2)
    return ApacheKafka(
        folder / "kafka",
        ports=[(port, controller)],
        logs=folder / "log",
        security=security,
        jvm=jvm,
    )


def consume(settings: ServiceSettings, topic: str, count: int) -> list[Any]:
    """Join a new group on `topic` with the services' consumer and read `count` messages."""
    consumer = create_consumer(settings, group=f"test-{secrets.token_hex(4)}")
    consumer.subscribe([topic])
    messages: list[Any] = []
    try:
        for _ in range(60):
            for batch in consumer.poll(timeout_ms=500).values():
                messages += batch
            if len(messages) >= count:
                break
    finally:
        consumer.close()
    return messages


def described(admin: KafkaAdminClient, topics: list[str]) -> dict[str, Any]:
    """The topics as described once the broker knows every partition's leader (a created topic
    reaches the broker a little after the controller)."""
    for _ in range(300):
        found = {topic["name"]: topic for topic in admin.describe_topics(topics)}
        if set(found) == set(topics) and all(_led(topic) for topic in found.values()):
            break
        time.sleep(0.1)
    return found


def _led(topic: dict[str, Any]) -> bool:
    partitions = topic["partitions"]
    return (
        topic["error_code"] == 0
        and bool(partitions)
        and all(p["leader_id"] >= 0 for p in partitions)
    )


class SharedApacheKafka:
    """The session's Apache Kafka node, emptied before each test that uses it."""

    def __init__(self, cluster: ApacheKafka) -> None:
        self.cluster = cluster

    @property
    def address(self) -> str:
        return self.cluster.bootstrap_servers

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()

    def reset(self, *, create_topics: bool = True) -> None:
        """Delete every topic and consumer group a test left, then create the platform's topics."""
        if not self.cluster.running():
            self.cluster.start()  # a test stopped it and failed before starting it again
        admin = KafkaAdminClient(**self.cluster.client_config(), request_timeout_ms=10_000)
        try:
            # A consumer that left without saying so holds its group until its session ends.
            _until(partial(_no_groups_left, admin))
            topics = [name for name in admin.list_topics() if not name.startswith("__")]
            if topics:
                admin.delete_topics(topics)
            # The broker learns of a deletion shortly after the controller: wait until it agrees.
            _until(lambda: not set(topics) & set(admin.list_topics()))
            if create_topics:
                for spec in all_topics():
                    _until(partial(_created, admin, spec))
                # A consumer that subscribes before the broker knows the partitions gets none.
                described(admin, [spec.name for spec in all_topics()])
        finally:
            admin.close()


def _no_groups_left(admin: KafkaAdminClient) -> bool:
    groups = [group["group_id"] for group in admin.list_groups()]
    return not groups or set(admin.delete_groups(groups).values()) == {"OK"}


def _created(admin: KafkaAdminClient, spec: TopicSpec) -> bool:
    try:
        admin.create_topics(
            [NewTopic(spec.name, spec.partitions, 1, topic_configs=topic_configs(spec))]
        )
    except TopicAlreadyExistsError:
        return False  # still being deleted
    return True


def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("Apache Kafka did not settle within 30 s")
        time.sleep(0.1)


def messages_on(address: str, topic: str, *, timeout: float = 60) -> list[Any]:
    """Every message on `topic` now, read from its start up to the end offsets it has when asked
    (a reader that stops after a quiet spell can stop before the broker first answers it, as on
    a busy machine)."""
    consumer = KafkaConsumer(bootstrap_servers=address, group_id=None, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout
        while not (numbers := consumer.partitions_for_topic(topic)):
            assert time.monotonic() < deadline, f"no partitions of {topic} known"
            time.sleep(0.1)
        partitions = [TopicPartition(topic, n) for n in sorted(numbers)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        messages: list[Any] = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"{topic} not read to its end in {timeout} s"
            for batch in consumer.poll(timeout_ms=500).values():
                messages.extend(batch)
        return messages
    finally:
        consumer.close()
