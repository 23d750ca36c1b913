"""Webhooks to a real HTTP receiver on loopback: the documented signature, rotated secrets,
private addresses refused, a failing webhook disabled and its owner told, a deleted subscription's
pending deliveries failed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from eligibility.domain.decision import Status
from notifications.domain import signing
from supportmatch_core.errors import RuleBroken
from tests import notifications_steps as service
from tests.conftest import Databases
from tests.integration.notification_delivery.steps import (
    ADMIN,
    eligible,
    set_preferences,
    subscribe,
)
from tests.integration.notifying import Clock, Mailbox, Notifications, Receiver


def test_a_webhook_is_signed_with_the_documented_scheme(
    system: Notifications, receiver: Receiver, clock: Clock
) -> None:
    data = eligible()
    hook = subscribe(system, data["uscc"], receiver.url())
    system.determination(data)
    system.deliver_all()
    (request,) = receiver.requests
    now = int(clock().timestamp())
    header = request.headers[signing.HEADER]
    assert signing.verify(header, request.body, secret=hook["secret"], now=now) == now
    body = json.loads(request.body)
    assert body["topic"] == "newly_eligible"
    assert body["enterprise"] == data["uscc"]
    assert body["measure"]["id"] == "vat-credit-refund"
    assert body["status"] == "eligible"
    assert request.headers["Supportmatch-Delivery"].startswith("delivery-")
    with pytest.raises(signing.SignatureError):
        signing.verify(header, request.body + b" ", secret=hook["secret"], now=now)
    with pytest.raises(signing.SignatureError):
        signing.verify(header, request.body, secret=hook["secret"], now=now + 3600)


def test_a_rotated_secret_and_the_previous_one_both_verify_until_it_expires(
    system: Notifications, receiver: Receiver, clock: Clock
) -> None:
    first, second = eligible(), None
    hook = subscribe(system, first["uscc"], receiver.url())
    scope = service.Scope.enterprise(first["uscc"])
    rotated = service.rotate(
        uow=system.uow,
        principal=ADMIN,
        scope=scope,
        subscription_id=hook["id"],
        keep_previous=timedelta(hours=24),
        now=clock(),
    )
    assert rotated["secret"] != hook["secret"]
    system.determination(first)
    system.deliver_all()
    request = receiver.requests[-1]
    now = int(clock().timestamp())
    for secret in (hook["secret"], rotated["secret"]):
        signing.verify(request.headers[signing.HEADER], request.body, secret=secret, now=now)
    clock.advance(hours=25)
    second = eligible(uscc=first["uscc"], previous=Status.INELIGIBLE)
    system.determination(second)
    system.deliver_all()
    request = receiver.requests[-1]
    now = int(clock().timestamp())
    signing.verify(request.headers[signing.HEADER], request.body, secret=rotated["secret"], now=now)
    with pytest.raises(signing.SignatureError):
        signing.verify(
            request.headers[signing.HEADER], request.body, secret=hook["secret"], now=now
        )


def test_a_private_address_is_refused_at_subscription_and_again_at_delivery(
    databases: Databases, mailbox: Mailbox, clock: Clock, receiver: Receiver
) -> None:
    url = databases.migrated("notifications")
    strict = Notifications(url, smtp_port=mailbox.port, clock=clock, allow_loopback=False)
    data = eligible()
    for private in (receiver.url(), "http://10.0.0.7/hook", "http://169.254.169.254/latest"):
        with pytest.raises(RuleBroken, match="address"):
            subscribe(strict, data["uscc"], private)
    # Subscribed while loopback was allowed; the configuration then changed.
    lenient = Notifications(url, smtp_port=mailbox.port, clock=clock)
    subscribe(lenient, data["uscc"], receiver.url())
    strict.determination(data)
    strict.deliver_all()
    assert receiver.requests == []
    (row,) = [r for r in strict.rows("deliveries") if r.channel == "webhook"]
    assert row.status == "failed"
    assert "loopback" in row.last_error
    (attempt,) = strict.rows("delivery_attempts")
    assert attempt.outcome == "refused"
    strict.dispose()
    lenient.dispose()


def test_a_webhook_failing_repeatedly_is_disabled_and_its_owner_told(
    databases: Databases, mailbox: Mailbox, clock: Clock, receiver: Receiver
) -> None:
    system = Notifications(
        databases.migrated("notifications"),
        smtp_port=mailbox.port,
        clock=clock,
        webhook_disable_after_failures=3,
    )
    receiver.status = 500
    firm = eligible()
    set_preferences(system, firm["uscc"], email="it@firm.example")
    hook = subscribe(system, firm["uscc"], receiver.url())
    system.determination(firm)
    for _ in range(3):  # three failures within the first hours: still on
        system.deliver_all()
        clock.advance(hours=2)
    assert system.rows("webhooks")[0].enabled
    clock.advance(hours=20)  # failing for a day now
    system.deliver_all()
    system.deliver_all()
    assert len(receiver.requests) == 4
    (subscription,) = system.rows("webhooks")
    assert not subscription.enabled
    assert "4 failed attempts in a row since" in subscription.disabled_reason
    topics = [e.topic for e in system.rows("inbox")]
    assert "webhook_disabled" in topics
    assert any(m["Subject"] == "Webhook 已停用" for m in mailbox.messages)
    webhook_row = next(r for r in system.rows("deliveries") if r.channel == "webhook")
    assert webhook_row.status == "failed"
    assert webhook_row.target == hook["id"]
    system.dispose()


def test_a_deleted_subscription_fails_its_pending_deliveries(
    system: Notifications, receiver: Receiver
) -> None:
    data = eligible()
    hook = subscribe(system, data["uscc"], receiver.url())
    system.determination(data)
    service.unsubscribe(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(data["uscc"]),
        subscription_id=hook["id"],
        now=system.clock(),
    )
    system.deliver_all()
    assert receiver.requests == []
    (row,) = [r for r in system.rows("deliveries") if r.channel == "webhook"]
    assert row.status == "failed"
    assert row.last_error == "the subscription was deleted or disabled"
    (payload,) = [json.loads(o["payload"]) for o in system.outbox_events()]
    assert payload["data"]["status"] == "failed"
    assert payload["data"]["channel"] == "webhook"
