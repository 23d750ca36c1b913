"""The fault scenarios' own SMTP server and webhook receiver, and the Apache Kafka node they use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supportmatch_core.apache_kafka import ApacheKafka
from tests.brokers import SharedApacheKafka
from tests.faults.harness import Receiver, Smtp


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def kafka(request: pytest.FixtureRequest, broker_kind: str) -> ApacheKafka | None:
    """The session's Apache Kafka node, emptied, when the scenario runs on it; None on the
    embedded broker that `supportmatch run` starts itself."""
    if broker_kind != "apache":
        return None
    shared: SharedApacheKafka = request.getfixturevalue("apache_kafka")
    shared.reset()
    return shared.cluster
