"""A firm hears of its case as casework.case.v1 tells it: the decision on its application (with
the reason of a refusal) and the money paid, in its inbox and by email, once per event; the
service centre's own steps are not news to it. The case's assignee is reminded of its due date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from notifications import handlers
from notifications.adapters.recipients import Recipients
from notifications.adapters.unit_of_work import SqlWork
from notifications.domain.recipients import RecipientKind
from notifications.use_cases.schedule import remind_of_cases
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.contracts.case import CaseChanged, State
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE
from tests.conftest import Databases, bearer
from tests.factories import new_uscc
from tests.integration.notifying import START, Clock, Mailbox, Notifications
from tests.security.apps import service_app
from tests.unit._snapshots import profile_snapshot

FIRM = new_uscc("44")


@pytest.fixture
def system(databases: Databases, mailbox: Mailbox) -> Iterator[Notifications]:
    parts = Notifications(
        databases.migrated("notifications"), smtp_port=mailbox.port, clock=Clock(START)
    )
    data = {**profile_snapshot(), "uscc": FIRM, "contact": {"email": "finance@example.cn"}}
    parts.handle(parts.on_profile, Event(type=PROFILE, source="test", subject=FIRM, data=data))
    yield parts
    parts.dispose()


def case_event(state: State, version: int, **changes: Any) -> Event:
    case = CaseChanged(
        case_id=7, uscc=FIRM, province_code="44", measure_id="vat-credit-refund",
        measure_title_zh="增值税留抵退税", measure_title_en="VAT credit refund", state=state,
        previous_state=None, assignee="li", due_on=None, disbursed_fen=None, disbursed_on=None,
        action="moved", actor="li", reason="", changed_at="2026-12-06T09:00:00+00:00",
        version=version,
    )  # fmt: skip
    case = CaseChanged.from_data({**case.to_data(), **changes})
    return case.envelope(source="urn:supportmatch:casework", subject=FIRM)


def tell(system: Notifications, event: Event) -> None:
    def handler(connection: Connection, event: Event) -> None:
        handlers.case_changed(SqlWork(connection), event, now=system.clock())

    system.handle(handler, event)


def test_the_firm_hears_of_the_decision_and_the_money_once(
    system: Notifications, mailbox: Mailbox
) -> None:
    for event in (
        case_event("identified", 1, action="opened"),
        case_event("contacted", 2),
        case_event("applying", 3),
        case_event("applying", 4, action="noted", reason="材料齐全"),
    ):
        tell(system, event)
    assert system.count("inbox") == 0
    approved = case_event("approved", 5)
    tell(system, approved)
    tell(system, approved)  # delivered twice by the broker
    tell(system, case_event("disbursed", 6, disbursed_fen=12_500_050, disbursed_on="2026-12-06"))
    system.deliver_all()

    entries = sorted(system.rows("inbox"), key=lambda r: r.id)
    assert [e.title_zh for e in entries] == [
        "您申请的增值税留抵退税已获批准",
        "增值税留抵退税已兑付125,000.50元",
    ]
    assert entries[1].body_zh == "兑付日期：2026-12-06。请留意账户入账情况。"
    assert entries[1].title_en == "VAT credit refund: 125,000.50 yuan paid"
    assert {(e.topic, e.uscc, e.measure_id) for e in entries} == {
        ("case_changed", FIRM, "vat-credit-refund")
    }
    assert [e.status for e in entries] == ["approved", "disbursed"]
    assert len(mailbox.messages) == 2
    assert all(str(m["To"]) == "finance@example.cn" for m in mailbox.messages)


def test_a_refusal_says_why(system: Notifications, mailbox: Mailbox) -> None:
    tell(system, case_event("rejected", 4, reason="纳税信用等级为C级"))
    (entry,) = system.rows("inbox")
    assert entry.title_zh == "您申请的增值税留抵退税未获批准"
    assert entry.body_zh == "原因：纳税信用等级为C级。如有疑问，请联系所在地企业服务中心。"
    assert entry.title_en == "Your application for VAT credit refund was not approved"


def reminded(system: Notifications) -> int:
    with system.uow.begin() as connection:
        return remind_of_cases(SqlWork(connection), now=system.clock())


def test_the_assignee_is_reminded_as_the_case_comes_due_and_once_overdue(
    system: Notifications,
) -> None:
    with system.uow.begin() as connection:
        li = Recipients(connection).ensure_recipient(
            RecipientKind.CASEWORKER, "portal:li", now=system.clock()
        )
    due = (START + timedelta(days=2)).date()
    tell(system, case_event("applying", 3, due_on=due.isoformat()))
    other = case_event("applying", 3, due_on=due.isoformat(), measure_id="rd-super-deduction")
    tell(system, other)
    tell(system, case_event("rejected", 4, measure_id="rd-super-deduction", reason="不符合"))
    assert reminded(system) == 0  # two days ahead
    system.clock.advance(days=1)
    assert reminded(system) == 1
    assert reminded(system) == 1  # asked again the same day: the same notice, not a second
    system.clock.advance(days=2)
    assert reminded(system) == 1
    titles = [r.title_zh for r in system.rows("inbox") if r.recipient_id == li.id]
    firm = profile_snapshot()["name"]
    assert titles == [
        f"个案即将到期：{firm}（增值税留抵退税）",
        f"个案已逾期：{firm}（增值税留抵退税）",
    ]
    (overdue,) = [r for r in system.rows("inbox") if r.title_zh.startswith("个案已逾期")]
    assert overdue.body_zh == f"办理期限为{due}，已逾期1天。请在个案办理中更新进度或调整期限。"
    assert overdue.topic == "case_due"


def test_a_measure_granted_without_applying_is_told_as_such(
    system: Notifications, mailbox: Mailbox
) -> None:
    tell(system, case_event("approved", 1, action="granted", previous_state=None))
    (entry,) = system.rows("inbox")
    assert entry.title_zh == "已为您自动享受增值税留抵退税"
    assert entry.body_zh.endswith("经主管部门确认，无需申请即可享受。")
    assert entry.title_en == "VAT credit refund is granted to you without applying"


def test_the_deliveries_of_a_measures_notices_are_counted_per_province(
    system: Notifications, mailbox: Mailbox, databases: Databases, tokens: TokenService
) -> None:
    tell(system, case_event("approved", 5))
    tell(system, case_event("disbursed", 6, disbursed_fen=100, disbursed_on="2026-03-02"))
    tell(system, case_event("approved", 5, measure_id="rd-super-deduction"))
    system.deliver_all()
    path = "/v1/measures/vat-credit-refund/deliveries"
    with TestClient(service_app("notifications", system.settings.database_url)) as api:
        guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
        answer = api.get(path, params={"days": 366}, headers=guangdong)
        assert answer.status_code == 200, answer.text
        assert answer.json()["by_province"] == {"44": {"sent": 2, "failed": 0, "pending": 0}}
        beijing = bearer(tokens, Role.CASEWORKER, regions=["11"])
        assert api.get(path, params={"days": 366}, headers=beijing).json()["by_province"] == {}
        assert api.get(path, headers=guangdong).json()["by_province"] == {}  # months ago
        assert api.get(path, params={"days": 0}, headers=guangdong).status_code == 422
        firm = bearer(tokens, Role.ENTERPRISE, uscc=FIRM)
        assert api.get(path, headers=firm).status_code == 403
