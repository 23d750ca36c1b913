"""The brokers tests run on: the embedded Tansu broker, and Apache Kafka started once per session.

`SUPPORTMATCH_TEST_BROKERS` (comma-separated: `tansu`, `apache`) chooses the kinds a test marked with
the `broker_kind` fixture runs on. Unset, it is both, and the Apache Kafka runs are skipped where Java
or Maven is missing; named explicitly, a kind that cannot start fails its tests instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path
from typing import Protocol

from kafka import KafkaAdminClient

from supportmatch_core.apache_kafka import ApacheKafka, ScramOverTls
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.kafka import ensure_topics
from supportmatch_core.topics import all_topics

BROKERS_ENV = "SUPPORTMATCH_TEST_BROKERS"
KINDS = ("tansu", "apache")


class TestBroker(Protocol):
    """What a test may do with its broker, whichever kind it is."""

    @property
    def address(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def is_embedded(broker: TestBroker) -> bool:
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


def missing_tools() -> str:
    """Why Apache Kafka cannot run here ("" when it can)."""
    absent = [tool for tool in ("java", "mvn") if not shutil.which(tool)]
    return f"Apache Kafka needs {' and '.join(absent)} on PATH" if absent else ""


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports on loopback."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def single_node(folder: Path, security: ScramOverTls | None = None) -> ApacheKafka:
    """One Apache Kafka node on free ports, its data and logs under `folder`."""
    port, controller = free_ports(2)
    return ApacheKafka(
        folder / "kafka", ports=[(port, controller)], logs=folder / "log", security=security
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

    def reset(self) -> None:
        """Delete every topic and consumer group a test left, then create the platform's topics."""
        if not self.cluster.running():
            self.cluster.start()  # a test stopped it and failed before starting it again
        admin = KafkaAdminClient(**self.cluster.client_config(), request_timeout_ms=10_000)
        try:
            groups = [group["group_id"] for group in admin.list_groups()]
            if groups:
                admin.delete_groups(groups)
            topics = [name for name in admin.list_topics() if not name.startswith("__")]
            if topics:
                admin.delete_topics(topics)
            deadline = time.monotonic() + 30
            while set(topics) & set(admin.list_topics()) and time.monotonic() < deadline:
                time.sleep(0.1)
            ensure_topics(admin, all_topics())
        finally:
            admin.close()
