"""Email over a real SMTP server with a settable clock: languages, exactly-once effects, retries
while the server is down, quiet hours, daily digests for firms and caseworkers, reminders and
opted-out kinds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update

from eligibility.domain.decision import Status
from notifications.adapters.recipients import Recipients
from notifications.adapters.tables import holdings
from notifications.domain.preferences import Cadence, Language, QuietHours
from notifications.domain.recipients import RecipientKind
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts import check
from supportmatch_core.events import Event
from tests import notifications_steps as service
from tests.conftest import Databases
from tests.integration.notification_delivery.steps import (
    ADMIN,
    eligible,
    set_preferences,
)
from tests.integration.notifying import Clock, Mailbox, Notifications
from tests.notifications_steps import send_digests, send_reminders
from tests.unit._snapshots import COMPLIANT, decide_for, determination, vat_refund


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
