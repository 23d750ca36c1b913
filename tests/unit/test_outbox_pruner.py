"""The relay's housekeeping never holds up publishing: a pruning walk that fails ends until the
next hour, and an idle relay looks at its outbox less and less often, up to a bound."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import MetaData

from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.pruning import OutboxPruner
from supportmatch_core.relay import IDLE_POLL_SECONDS, OutboxRelay
from supportmatch_core.schema import backbone_tables
from tests.unit._consumers import FakeProducer


def test_a_failing_walk_is_counted_and_ends_until_the_next_is_due(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'no-outbox.sqlite3'}")
    outbox = backbone_tables(MetaData()).outbox  # never created: every statement fails
    pruner = OutboxPruner(UnitOfWork(engine), outbox, retention=timedelta(days=7), batch=10)
    errors_before = REGISTRY.get_sample_value("outbox_relay_errors_total") or 0.0

    pruner.step()  # due at once after a start, and fails

    assert not pruner.walking
    assert REGISTRY.get_sample_value("outbox_relay_errors_total") == errors_before + 1
    pruner.step()  # not due again for an hour: nothing tried
    assert REGISTRY.get_sample_value("outbox_relay_errors_total") == errors_before + 1
    engine.dispose()


@pytest.mark.parametrize(
    ("poll", "waits"),
    [
        (0.2, [0.4, 0.8, IDLE_POLL_SECONDS, IDLE_POLL_SECONDS]),
        (2.0, [2.0, 2.0]),  # a poll interval set above the bound stays as it was set
    ],
)
def test_an_idle_relay_waits_longer_up_to_a_bound_and_at_once_less_after_work(
    tmp_path: Path, poll: float, waits: list[float]
) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    relay = OutboxRelay(
        name="test",
        uow=UnitOfWork(engine),
        tables=backbone_tables(MetaData()),
        producer_factory=lambda: cast(KafkaProducer, FakeProducer()),
        admin_factory=lambda: cast(KafkaAdminClient, None),
        poll_seconds=poll,
    )
    wait, seen = poll, []
    for _ in waits:
        wait = relay.next_wait(wait, busy=False)
        seen.append(wait)
    assert seen == waits
    assert relay.next_wait(wait, busy=True) == poll
    engine.dispose()
