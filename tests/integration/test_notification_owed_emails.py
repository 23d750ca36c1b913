"""An email is owed, not dropped, while its recipient has no address: profile and determination
events in either order give one email per inbox entry, and what cannot be sent says why."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from notifications.adapters.deliveries import (
    ADDRESS_TOO_LATE,
    AWAITING,
    FAILED,
    NO_ADDRESS,
    SENT,
    Deliveries,
)
from notifications.adapters.recipients import Recipients
from notifications.adapters.unit_of_work import SqlUnitOfWork
from notifications.domain.recipients import RecipientKind
from notifications.worker import delivery_worker
from supportmatch_core.auth import Principal, Role
from supportmatch_core.events import Event
from supportmatch_core.topics import DETERMINATION, PROFILE
from tests import notifications_steps as service
from tests.integration.notifying import Mailbox, Notifications
from tests.unit._snapshots import COMPLIANT, decide_for, determination, profile_snapshot

ADMIN = Principal(subject="admin", role=Role.ADMIN)


@pytest.fixture
def system(notification_parts: Notifications) -> Notifications:
    return notification_parts


def profile_event(uscc: str, email: str | None) -> Event:
    data = profile_snapshot()
    data = {**data, "uscc": uscc, "contact": {"email": email}}
    return Event(type=PROFILE, source="test", subject=uscc, data=data)


def new_firm_determinations() -> list[dict[str, Any]]:
    """A new firm's first determinations, as eligibility announces them: two measures."""
    first = determination(decide_for(**COMPLIANT))
    second = {**determination(decide_for()), "uscc": first["uscc"]}
    second["measure"] = {**second["measure"], "id": "another-measure"}
    return [first, second]


def log_of(system: Notifications, uscc: str) -> list[dict[str, Any]]:
    with system.uow.read() as connection:
        firm = Recipients(connection).recipient(RecipientKind.ENTERPRISE, uscc)
        assert firm is not None
        return Deliveries(connection).log_of(
            firm.id, limit=100, before=None, status=None, channel=None
        )


def test_either_order_gives_one_email_per_inbox_entry(
    system: Notifications, mailbox: Mailbox
) -> None:
    firms = []
    for index in range(12):
        events = new_firm_determinations()
        uscc = events[0]["uscc"]
        profile = profile_event(uscc, f"finance{index}@example.cn")
        if index % 2:  # the profile first, as on a quiet day
            system.handle(system.on_profile, profile)
            for data in events:
                system.determination(data)
        else:  # the determinations first, as when eligibility's topic is read sooner
            for data in events:
                system.determination(data)
            system.handle(system.on_profile, profile)
        firms.append(uscc)

    system.deliver_all()

    inbox_entries = system.count("inbox")
    assert inbox_entries == 24
    assert len(mailbox.messages) == inbox_entries
    sent_to = sorted(str(message["To"]) for message in mailbox.messages)
    assert sent_to == sorted(f"finance{i}@example.cn" for i in range(12) for _ in range(2))
    assert system.count("deliveries", status=SENT) == inbox_entries
    assert system.count("deliveries", status=AWAITING) == 0


def test_without_an_address_the_email_waits_in_the_log_with_the_reason(
    system: Notifications, mailbox: Mailbox
) -> None:
    (data, _) = new_firm_determinations()
    system.determination(data)
    system.handle(system.on_profile, profile_event(data["uscc"], None))
    system.deliver_all()

    assert mailbox.messages == []
    (owed,) = log_of(system, data["uscc"])
    assert owed["status"] == AWAITING
    assert owed["last_error"] == NO_ADDRESS
    assert owed["attempts"] == []


def test_an_address_given_in_the_preferences_sends_what_is_owed(
    system: Notifications, mailbox: Mailbox
) -> None:
    (data, _) = new_firm_determinations()
    system.determination(data)
    system.deliver_all()
    assert mailbox.messages == []

    service.update_preferences(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(data["uscc"]),
        changes={"email": "late@example.cn"},
        now=system.clock(),
    )
    system.deliver_all()

    assert [str(m["To"]) for m in mailbox.messages] == ["late@example.cn"]
    (delivery,) = log_of(system, data["uscc"])
    assert delivery["status"] == SENT
    assert delivery["last_error"] is None


def test_an_address_that_comes_a_month_late_fails_the_old_notices_with_the_reason(
    system: Notifications, mailbox: Mailbox
) -> None:
    (data, _) = new_firm_determinations()
    system.determination(data)
    system.clock.advance(days=31)
    system.handle(system.on_profile, profile_event(data["uscc"], "late@example.cn"))
    system.deliver_all()

    assert mailbox.messages == []
    (delivery,) = log_of(system, data["uscc"])
    assert delivery["status"] == FAILED
    assert delivery["last_error"] == ADDRESS_TOO_LATE


def test_an_address_removed_before_sending_puts_the_email_back_to_wait(
    system: Notifications, mailbox: Mailbox
) -> None:
    (data, _) = new_firm_determinations()
    system.handle(system.on_profile, profile_event(data["uscc"], "finance@example.cn"))
    system.determination(data)
    service.update_preferences(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(data["uscc"]),
        changes={"email": None},
        now=system.clock(),
    )
    system.deliver_all()

    assert mailbox.messages == []
    (delivery,) = log_of(system, data["uscc"])
    assert delivery["status"] == AWAITING
    assert delivery["attempts"] == []


def test_an_address_given_while_notices_are_written_sends_them(
    system: Notifications, mailbox: Mailbox
) -> None:
    """The profile consumer handles the firm's address while the determination consumer's
    transaction, which wrote an email as owed, has not committed yet."""
    first, second = new_firm_determinations()
    uscc = first["uscc"]
    system.determination(first)  # the firm is known, without an address
    profile = profile_event(uscc, "finance@example.cn")
    address = threading.Thread(target=system.handle, args=(system.on_profile, profile))
    with system.uow.begin() as connection:
        system.on_determination(
            connection, Event(type=DETERMINATION, source="test", subject=uscc, data=second)
        )
        address.start()
        address.join(1)  # it waits for the firm's row, locked by the notice being written
    address.join(30)
    system.deliver_all()

    assert [str(m["To"]) for m in mailbox.messages] == ["finance@example.cn"] * 2
    assert [d["status"] for d in log_of(system, uscc)] == [SENT, SENT]


class AddressBackWhileSending(SqlUnitOfWork):
    """The firm gives its address back after the delivery worker claimed its email (and read
    no address) and before it records the outcome."""

    def __init__(self, system: Notifications, uscc: str) -> None:
        super().__init__(system.engine)
        self.system, self.uscc, self.transactions = system, uscc, 0

    def begin(self):  # type: ignore[no-untyped-def]
        self.transactions += 1
        if self.transactions == 2:
            set_address(self.system, self.uscc, "finance@example.cn")
        return super().begin()


def set_address(system: Notifications, uscc: str, email: str | None) -> None:
    service.update_preferences(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(uscc),
        changes={"email": email},
        now=system.clock(),
    )


def test_an_address_given_back_while_the_email_is_out_sends_it(
    system: Notifications, mailbox: Mailbox
) -> None:
    (data, _) = new_firm_determinations()
    system.handle(system.on_profile, profile_event(data["uscc"], "finance@example.cn"))
    system.determination(data)
    set_address(system, data["uscc"], None)
    racing = AddressBackWhileSending(system, data["uscc"])
    delivery_worker(system.settings, racing, clock=system.clock, sender=system.sender).deliver_due()
    assert racing.transactions == 2
    assert mailbox.messages == []

    system.deliver_all()

    assert [str(m["To"]) for m in mailbox.messages] == ["finance@example.cn"]
    (delivery,) = log_of(system, data["uscc"])
    assert delivery["status"] == SENT
    assert len(delivery["attempts"]) == 1
