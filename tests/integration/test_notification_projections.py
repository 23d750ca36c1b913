"""What notifications learns from enterprise.profile.v1 and policy.measure.v1: a firm's name and
province, a contact email, new and changed measures, and end dates for the reminders."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from eligibility.domain.decision import decide
from eligibility.domain.facts import facts_of
from eligibility.domain.lifecycle import Lifecycle, measure_changed
from eligibility.domain.measures import measure_from_document, shipped_documents
from notifications.adapters.recipients import Recipients
from notifications.domain.recipients import RecipientKind
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts import check
from supportmatch_core.contracts.measure import Change
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE
from tests import notifications_steps as service
from tests.conftest import Databases
from tests.integration.notifying import START, Clock, Mailbox, Notifications
from tests.notifications_steps import send_reminders
from tests.unit._snapshots import COMPLIANT, DAY, determination, profile_snapshot, vat_refund

CASEWORKER = Principal(subject="cw-44", role=Role.CASEWORKER, regions=frozenset({"44"}))
VAT = "vat-credit-refund"


@pytest.fixture
def system(databases: Databases) -> Iterator[Notifications]:
    parts = Notifications(
        databases.migrated("notifications"), smtp_port=Mailbox().port, clock=Clock(START)
    )
    yield parts
    parts.dispose()


def _measure_event(
    version: int, lifecycle: Lifecycle, *, said: tuple[Change, ...] = (), **changes: Any
) -> Event:
    """The VAT refund's first version, open-ended here, as version `version`; `said`: what it
    changes, in words."""
    (shipped,) = [d for d in shipped_documents() if (d["id"], d["version"]) == (VAT, 1)]
    document = {**shipped, "version": version, "valid_to": None, **changes}
    typed = measure_changed(
        document=document,
        measure=measure_from_document(document),
        lifecycle=lifecycle,
        actor="admin",
        changes=said,
    )
    event = typed.envelope(source="urn:supportmatch:eligibility", subject=typed.subject)
    check(event)
    return event


def _holder() -> dict[str, Any]:
    """A firm eligible under that open-ended first version."""
    first = dataclasses.replace(vat_refund(1), valid_to=None)
    return determination(decide(first, facts_of(profile_snapshot(**COMPLIANT)), DAY))


def _firm(system: Notifications, uscc: str) -> Any:
    with system.uow.read() as connection:
        return Recipients(connection).recipient(RecipientKind.ENTERPRISE, uscc)


def test_a_profile_gives_the_firm_its_name_province_and_contact(system: Notifications) -> None:
    data = profile_snapshot(province="33")
    system.handle(
        system.on_profile, Event(type=PROFILE, source="t", subject=data["uscc"], data=data)
    )
    firm = _firm(system, data["uscc"])
    assert (firm.name, firm.province_code, firm.email) == ("测试制造有限公司", "33", None)
    renamed = {**data, "name": "新名称有限公司", "contact": {"email": "cfo@firm.example"}}
    system.handle(
        system.on_profile, Event(type=PROFILE, source="t", subject=data["uscc"], data=renamed)
    )
    firm = _firm(system, data["uscc"])
    assert (firm.name, firm.email) == ("新名称有限公司", "cfo@firm.example")
    # What the firm chose here wins over the profile's contact.
    service.update_preferences(
        uow=system.uow,
        principal=Principal(subject="owner", role=Role.ENTERPRISE, uscc=data["uscc"]),
        scope=service.Scope.enterprise(data["uscc"]),
        changes={"email": "own@firm.example"},
        now=system.clock(),
    )
    system.handle(
        system.on_profile, Event(type=PROFILE, source="t", subject=data["uscc"], data=renamed)
    )
    assert _firm(system, data["uscc"]).email == "own@firm.example"


def test_a_new_measure_reaches_caseworkers_and_a_new_version_its_holders(
    system: Notifications,
) -> None:
    service.preferences(
        uow=system.uow,
        principal=CASEWORKER,
        scope=service.Scope.caseworker(CASEWORKER),
        now=system.clock(),
    )
    holder = _holder()
    system.determination(holder)
    first = _measure_event(1, Lifecycle.PUBLISHED)
    system.handle(system.on_measure, first)
    system.handle(system.on_measure, first)  # redelivered: nothing new
    caseworker_entries = [e for e in system.rows("inbox") if e.topic == "measure_published"]
    assert len(caseworker_entries) == 1
    assert caseworker_entries[0].title_en.startswith("New measure: ")
    grade_m = Change("新增条件“纳税信用等级为M级”", "new condition: tax credit grade: grade M")
    second = _measure_event(2, Lifecycle.PUBLISHED, said=(grade_m,), valid_from="2026-01-01")
    system.handle(system.on_measure, second)
    told = [e for e in system.rows("inbox") if e.topic == "measure_published"]
    assert len(told) == 3  # the caseworker twice, the holder once
    firm = _firm(system, holder["uscc"])
    (holder_entry,) = [e for e in told if e.recipient_id == firm.id]
    assert holder_entry.title_zh.startswith("措施已更新：")
    assert "第2版自2026-01-01起施行" in holder_entry.body_zh
    assert holder_entry.body_zh.endswith("主要变化：新增条件“纳税信用等级为M级”。")
    assert holder_entry.body_en.endswith("What changes: new condition: tax credit grade: grade M.")
    # The holding now follows version 2: the same version announced again tells no firm.
    again = _measure_event(2, Lifecycle.CHANGED, valid_from="2026-01-01", audience="all firms")
    system.handle(system.on_measure, again)
    told = [e for e in system.rows("inbox") if e.topic == "measure_published"]
    assert [e.recipient_id for e in told].count(firm.id) == 1
    assert len(told) == 4  # the caseworker hears of the change


def test_firms_decided_under_a_version_are_not_told_it_is_new(system: Notifications) -> None:
    """At first start the catalogue's versions are announced after or before the determinations
    they produced; neither order tells a firm that a measure changed."""
    holder = _holder()
    system.determination(holder)
    system.handle(system.on_measure, _measure_event(1, Lifecycle.PUBLISHED))
    assert not [e for e in system.rows("inbox") if e.topic == "measure_published"]


def test_a_retirement_moves_the_end_date_the_reminders_use(system: Notifications) -> None:
    holder = _holder()
    system.determination(holder)
    assert system.rows("holdings")[0].valid_to is None
    retired = _measure_event(1, Lifecycle.RETIRED, valid_to="2026-03-20")
    system.handle(system.on_measure, retired)
    (holding,) = system.rows("holdings")
    assert holding.valid_to == date(2026, 3, 20)
    assert holding.measure["valid_to"] == "2026-03-20"
    assert not [e for e in system.rows("inbox") if e.topic == "measure_published"]
    with system.uow.begin() as connection:  # 2 March: 18 days left, within 30
        assert send_reminders(connection, now=system.clock()) == 1
    (reminder,) = [e for e in system.rows("inbox") if e.topic == "ending_soon"]
    assert reminder.title_en.startswith("Ends in 18 days: ")


def test_a_recipient_made_by_two_transactions_at_once_is_one_recipient(
    system: Notifications,
) -> None:
    """A webhook subscription and the profile consumer (or two replicas) may create a firm's
    recipient at the same moment: the second finds the first's row instead of failing."""
    uscc = profile_snapshot()["uscc"]
    found: list[int] = []
    with system.uow.begin() as first:
        mine = Recipients(first).ensure_recipient(RecipientKind.ENTERPRISE, uscc, now=START)

        def second() -> None:
            with system.uow.begin() as connection:  # waits for the first to commit
                theirs = Recipients(connection).enterprises({uscc: "44"}, now=START)
                found.append(theirs[uscc].id)

        other = threading.Thread(target=second)
        other.start()
        other.join(0.5)  # still waiting on the first transaction's row
    other.join(30)
    assert found == [mine.id]
