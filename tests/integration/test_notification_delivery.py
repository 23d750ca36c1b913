"""Email over a real SMTP server and webhooks to a real HTTP receiver, with a settable clock:
languages, retries while the server is down, exactly-once effects, signatures, refusals,
quiet hours, digests and reminders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from eligibility.domain.decision import Status
from notifications.adapters.recipients import Recipients
from notifications.adapters.tables import holdings
from notifications.domain import signing
from notifications.domain.preferences import Cadence, Language, QuietHours
from notifications.domain.recipients import RecipientKind
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts import check
from supportmatch_core.errors import RuleBroken
from supportmatch_core.events import Event
from tests import notifications_steps as service
from tests.conftest import Databases
from tests.integration.notifying import START, Clock, Mailbox, Notifications, Receiver
from tests.notifications_steps import send_digests, send_reminders
from tests.unit._snapshots import COMPLIANT, decide_for, determination, vat_refund

ADMIN = Principal(subject="admin", role=Role.ADMIN)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def system(databases: Databases, mailbox: Mailbox, clock: Clock) -> Iterator[Notifications]:
    parts = Notifications(databases.migrated("notifications"), smtp_port=mailbox.port, clock=clock)
    yield parts
    parts.dispose()


def eligible(uscc: str | None = None, previous: Status | None = None) -> dict[str, Any]:
    return determination(decide_for(**COMPLIANT), previous=previous, uscc=uscc)


def set_preferences(system: Notifications, uscc: str, **changes: Any) -> None:
    service.update_preferences(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(uscc),
        changes=changes,
        now=system.clock(),
    )


def subscribe(system: Notifications, uscc: str, url: str) -> dict[str, Any]:
    return service.subscribe(
        uow=system.uow,
        principal=ADMIN,
        scope=service.Scope.enterprise(uscc),
        url=url,
        sender=system.sender,
        now=system.clock(),
    )


def test_the_email_arrives_in_the_chosen_language_once(
    system: Notifications, mailbox: Mailbox
) -> None:
    zh, en = eligible(), eligible()
    set_preferences(system, zh["uscc"], email="finance@zh.example.cn")
    set_preferences(system, en["uscc"], email="cfo@en.example.com", language=Language.EN)
    system.determination(zh)
    system.determination(en)
    assert system.deliver_all() == 2
    by_address = {m["To"]: m for m in mailbox.messages}
    assert set(by_address) == {"finance@zh.example.cn", "cfo@en.example.com"}
    chinese = by_address["finance@zh.example.cn"]
    assert chinese["Subject"] == f"符合条件：{vat_refund().title_zh}"
    text = chinese.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "（十六）" in text
    assert "申请方式：" in text
    english = by_address["cfo@en.example.com"]
    assert english["Subject"] == f"You qualify: {vat_refund().title_en}"
    html = english.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "How to apply:" in html
    assert "clause (16)" in html
    assert "[met] tax credit grade: grade A" in html
    # Nothing more is due, and handling the same events again creates nothing.
    assert system.deliver_all() == 0
    system.determination(zh, event_id=None)
    assert len(mailbox.messages) == 2


def test_the_same_event_twice_gives_one_entry_and_one_email(
    system: Notifications, mailbox: Mailbox
) -> None:
    data = eligible()
    set_preferences(system, data["uscc"], email="a@b.example")
    first = system.determination(data)
    system.determination(data, event_id=first.id)
    assert system.count("inbox") == 1
    assert system.count("deliveries") == 1
    system.deliver_all()
    assert len(mailbox.messages) == 1


def test_with_the_smtp_server_down_deliveries_retry_and_succeed_once_it_is_back(
    system: Notifications, mailbox: Mailbox, clock: Clock
) -> None:
    data = eligible()
    set_preferences(system, data["uscc"], email="a@b.example")
    mailbox.stop()
    system.determination(data)
    assert system.deliver_all() == 1  # tried once, then waits for its backoff
    (row,) = system.rows("deliveries")
    assert row.status == "pending"
    assert row.attempts == 1
    assert "SMTP" in row.last_error
    assert row.next_attempt_at > clock()
    clock.advance(seconds=11)
    system.deliver_all()
    assert system.rows("deliveries")[0].attempts == 2
    mailbox.start()
    clock.advance(seconds=30)
    system.deliver_all()
    (row,) = system.rows("deliveries")
    assert row.status == "sent"
    assert row.attempts == 3
    assert len(mailbox.messages) == 1
    outcomes = [a.outcome for a in system.rows("delivery_attempts")]
    assert outcomes == ["error", "error", "sent"]
    clock.advance(hours=5)
    system.deliver_all()
    assert len(mailbox.messages) == 1
    (event,) = [json.loads(o["payload"]) for o in system.outbox_events()]
    check(Event.from_bytes(json.dumps(event).encode()))
    assert event["data"]["status"] == "sent"
    assert event["data"]["attempts"] == 3


def test_after_the_last_attempt_the_delivery_fails_and_is_reported(
    databases: Databases, mailbox: Mailbox, clock: Clock
) -> None:
    system = Notifications(
        databases.migrated("notifications"),
        smtp_port=mailbox.port,
        clock=clock,
        delivery_max_attempts=3,
    )
    data = eligible()
    set_preferences(system, data["uscc"], email="a@b.example")
    mailbox.stop()
    system.determination(data)
    for _ in range(5):
        system.deliver_all()
        clock.advance(hours=2)
    (row,) = system.rows("deliveries")
    assert row.status == "failed"
    assert row.attempts == 3
    (payload,) = [json.loads(o["payload"]) for o in system.outbox_events()]
    assert payload["type"] == "notification.delivery.v1"
    assert payload["data"]["status"] == "failed"
    assert payload["data"]["error"].startswith("SMTP")
    check(Event.from_bytes(json.dumps(payload).encode()))
    system.dispose()


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


def test_quiet_hours_hold_the_email_until_they_end(
    system: Notifications, mailbox: Mailbox, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    data = eligible()
    set_preferences(
        system, data["uscc"], email="a@b.example", quiet_hours=QuietHours(time(22), time(7, 30))
    )
    system.determination(data)
    assert system.count("inbox") == 1  # the inbox is not an interruption
    system.deliver_all()
    assert mailbox.messages == []
    clock.now = datetime(2026, 3, 2, 23, 29, tzinfo=UTC)  # 07:29
    system.deliver_all()
    assert mailbox.messages == []
    clock.now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 07:30
    system.deliver_all()
    assert len(mailbox.messages) == 1
    assert system.rows("deliveries")[0].attempts == 1


def test_a_firm_on_a_daily_digest_gets_one_email_a_day(
    system: Notifications, mailbox: Mailbox, clock: Clock
) -> None:
    first = eligible()
    uscc = first["uscc"]
    set_preferences(system, uscc, email="a@b.example", cadence=Cadence.DIGEST)
    system.determination(first)
    system.determination(determination(decide_for(industry="C3921"), uscc=uscc))
    assert system.count("inbox") == 2
    system.deliver_all()
    assert mailbox.messages == []
    with system.uow.begin() as connection:  # 10:00 in Shanghai: today's digest goes now
        assert send_digests(connection, now=clock(), hour=8) == 1
        assert send_digests(connection, now=clock(), hour=8) == 0
    system.deliver_all()
    (message,) = mailbox.messages
    assert message["Subject"] == "变化摘要 2026-03-02（2条）"
    assert system.count("inbox") == 2  # the digest went by email only
    # A change after today's digest waits for tomorrow's.
    clock.advance(hours=3)
    later = determination(decide_for(**COMPLIANT), previous=Status.POSSIBLY_ELIGIBLE, uscc=uscc)
    system.determination(later)
    with system.uow.begin() as connection:
        assert send_digests(connection, now=clock(), hour=8) == 0
    clock.advance(hours=20)  # 09:00 the next day
    with system.uow.begin() as connection:
        assert send_digests(connection, now=clock(), hour=8) == 1
    system.deliver_all()
    assert [m["Subject"] for m in mailbox.messages][1:] == ["变化摘要 2026-03-03（1条）"]


def test_caseworkers_get_a_digest_of_their_regions_at_the_digest_hour(
    system: Notifications, mailbox: Mailbox, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # 06:00 on 2 March in Shanghai
    worker = Principal(subject="cw-guangdong", role=Role.CASEWORKER, regions=frozenset({"44"}))
    other = Principal(subject="cw-zhejiang", role=Role.CASEWORKER, regions=frozenset({"33"}))
    for who in (worker, other):
        service.update_preferences(
            uow=system.uow,
            principal=who,
            scope=service.Scope.caseworker(who),
            changes={"email": f"{who.subject}@gov.example"},
            now=clock(),
        )
    firms = [eligible() for _ in range(3)]  # firms of Guangdong (44)
    for data in firms:
        system.determination(data)
    with system.uow.begin() as connection:
        assert send_digests(connection, now=clock(), hour=8) == 0  # not 08:00 yet
    clock.advance(hours=2)
    with system.uow.begin() as connection:
        assert send_digests(connection, now=clock(), hour=8) == 1
    system.deliver_all()
    (message,) = mailbox.messages
    assert message["To"] == "cw-guangdong@gov.example"
    assert message["Subject"] == "贵辖区企业政策匹配变化摘要 2026-03-02（3条）"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Each line names the firm by its USCC (its name is not known here yet) and the change.
    for data in firms:
        assert f"- {data['uscc']}：" in text
    assert text.count("判断为符合") == 3
    assert "您的企业" not in text
    page = service.inbox(
        uow=system.uow,
        principal=worker,
        scope=service.Scope.caseworker(worker),
        limit=10,
        before=None,
        unread=False,
        now=clock(),
    )
    (entry,) = page["entries"]
    assert entry["topic"] == "digest"
    assert page["unread"] == 1


def _hold(system: Notifications, uscc: str, valid_to: date) -> None:
    with system.uow.begin() as connection:
        connection.execute(
            update(holdings).where(holdings.c.uscc == uscc).values(valid_to=valid_to)
        )


def test_reminders_at_30_7_and_1_days_once_each_and_none_after_applying(
    system: Notifications, mailbox: Mailbox, clock: Clock
) -> None:
    applied, waiting = eligible(), eligible()
    for data in (applied, waiting):
        set_preferences(system, data["uscc"], email=f"{data['uscc']}@firm.example")
        system.determination(data)
    system.deliver_all()
    mailbox.messages.clear()
    end = date(2026, 4, 30)
    _hold(system, applied["uscc"], end)
    _hold(system, waiting["uscc"], end)
    service.respond(
        uow=system.uow,
        principal=ADMIN,
        uscc=applied["uscc"],
        measure_id="vat-credit-refund",
        response="applied",
        now=clock(),
    )
    seen: list[str] = []
    day = datetime(2026, 3, 25, 2, tzinfo=UTC)
    while day.date() <= end:
        clock.now = day
        with system.uow.begin() as connection:
            send_reminders(connection, now=clock())
            send_reminders(connection, now=clock())  # twice a day changes nothing
        system.deliver_all()
        seen += [m["Subject"] for m in mailbox.messages]
        mailbox.messages.clear()
        day += timedelta(days=1)
    title = vat_refund().title_zh
    assert seen == [
        f"即将截止（30天）：{title}",
        f"即将截止（7天）：{title}",
        f"即将截止（1天）：{title}",
    ]
    with system.uow.read() as connection:
        firm = Recipients(connection).recipient(RecipientKind.ENTERPRISE, waiting["uscc"])
    assert firm is not None  # the waiting firm got them; the one that applied did not
    reminded = {r.recipient_id for r in system.rows("deliveries") if r.topic == "ending_soon"}
    assert reminded == {firm.id}


def test_an_opted_out_kind_is_not_told(system: Notifications, mailbox: Mailbox) -> None:
    data = eligible()
    set_preferences(
        system, data["uscc"], email="a@b.example", opted_out_kinds=frozenset({"benefit"})
    )
    system.determination(data)
    system.deliver_all()
    assert system.count("inbox") == 0
    assert mailbox.messages == []
    assert system.count("holdings") == 1  # still known, for when the firm opts back in


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
