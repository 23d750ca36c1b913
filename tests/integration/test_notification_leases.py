"""A delivery worker that dies between claiming a delivery and recording it loses nothing: the
delivery comes due again when its lease ends, and is then sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications.adapters.deliveries import Deliveries
from notifications.settings import NotificationsSettings
from supportmatch_core.auth import Principal, Role
from tests import notifications_steps as service
from tests.integration.notifying import Mailbox, Notifications
from tests.unit._snapshots import COMPLIANT, decide_for, determination

LEASE = timedelta(seconds=NotificationsSettings().delivery_lease_seconds)


@pytest.fixture
def system(notification_parts: Notifications) -> Notifications:
    return notification_parts


def test_a_claimed_delivery_is_sent_after_its_lease_when_its_worker_died(
    system: Notifications, mailbox: Mailbox
) -> None:
    data = determination(decide_for(**COMPLIANT))
    service.update_preferences(
        uow=system.uow,
        principal=Principal(subject="admin", role=Role.ADMIN),
        scope=service.Scope.enterprise(data["uscc"]),
        changes={"email": "cfo@firm.example"},
        now=system.clock(),
    )
    system.determination(data)
    with system.uow.begin() as connection:  # a worker claims it, then dies before sending
        (claimed,) = Deliveries(connection).claim_due(now=system.clock(), limit=10, lease=LEASE)
    assert system.deliver_all() == 0  # hidden while the lease runs
    system.clock.advance(seconds=LEASE.total_seconds() - 1)
    assert system.deliver_all() == 0
    system.clock.advance(seconds=2)
    assert system.deliver_all() == 1
    (message,) = mailbox.messages
    assert message["To"] == "cfo@firm.example"
    (row,) = system.rows("deliveries")
    assert (row.id, row.status, row.attempts) == (claimed.id, "sent", 2)
    assert [a.outcome for a in system.rows("delivery_attempts")] == ["sent"]
