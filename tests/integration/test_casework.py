"""Cases on SQLite and PostgreSQL: opened once per firm and measure, changed only by the
caseworkers of the firm's province (and admins), every change kept in a trail the database
itself refuses to alter, and published as casework.case.v1 in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from casework.adapters.tables import backbone
from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.domain.cases import CaseOutdated, CaseRefused, CaseState
from casework.domain.changes import Action, Assign, Command, Move, Note
from casework.domain.listing import PAGE, CaseFilter
from casework.use_cases.cases import (
    GRANT_REASON,
    Firm,
    NoCase,
    case_of,
    cases_of_firms,
    cases_page,
    change_case,
    grant,
    open_case,
)
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts import check
from supportmatch_core.db import create_database_engine
from supportmatch_core.events import Event
from tests.conftest import Databases

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
BEIJING = Principal("li", Role.CASEWORKER, regions=frozenset({"11"}))
SHANGHAI = Principal("zhou", Role.CASEWORKER, regions=frozenset({"31"}))
ADMIN = Principal("admin", Role.ADMIN)
FIRM = Firm(uscc="91110108MA01G0FB09", name="北京星火精密机械有限公司", province_code="11")
THE_FIRM = Principal("firm", Role.ENTERPRISE, uscc=FIRM.uscc)


@dataclass
class Casework:
    uow: CaseUnitOfWork

    def open(self, who: Principal = BEIJING, firm: Firm = FIRM, measure: str = "vat-credit-refund"):  # type: ignore[no-untyped-def]
        return open_case(
            uow=self.uow,
            principal=who,
            firm=firm,
            measure_id=measure,
            measure_title_zh="增值税留抵退税",
            measure_title_en="VAT credit refund",
            now=NOW,
        )

    def events(self) -> list[Event]:
        with self.uow.engine.connect() as connection:
            rows = connection.execute(select(backbone.outbox).order_by(backbone.outbox.c.id))
            return [Event.from_bytes(row.payload.encode()) for row in rows]


@pytest.fixture
def casework(databases: Databases) -> Iterator[Casework]:
    engine = create_database_engine(databases.migrated("portal"))
    yield Casework(CaseUnitOfWork(engine))
    engine.dispose()


def test_a_case_is_opened_once_per_firm_and_measure(casework: Casework) -> None:
    first = casework.open()
    again = casework.open(ADMIN)
    assert again.id == first.id
    assert (first.state, first.version, first.opened_by) == (CaseState.IDENTIFIED, 1, "li")
    (opened,) = casework.events()
    check(opened)
    assert opened.subject == FIRM.uscc
    assert opened.data["action"] == "opened"
    assert opened.data["previous_state"] is None


def test_every_change_is_in_the_trail_and_on_the_topic(casework: Casework) -> None:
    case = casework.open()
    steps: list[Command] = [
        Move(CaseState.CONTACTED, reason="电话联系财务负责人"),
        Assign("li"),
        Note("企业已备齐材料"),
        Move(CaseState.APPLYING),
        Move(CaseState.APPROVED),
        Move(CaseState.DISBURSED, amount="86,400.00", on=date(2026, 12, 6)),
    ]
    for step in steps:
        case = change_case(
            uow=casework.uow,
            principal=BEIJING,
            case_id=case.id,
            version=case.version,
            command=step,
            now=NOW,
        )
    assert (case.state, case.disbursed_fen, case.version) == (CaseState.DISBURSED, 8_640_000, 7)
    _, trail = case_of(uow=casework.uow, principal=BEIJING, case_id=case.id)
    assert [e.action for e in trail] == [
        Action.OPENED,
        Action.MOVED,
        Action.ASSIGNED,
        Action.NOTED,
    ] + [Action.MOVED] * 3
    assert (trail[1].before, trail[1].after, trail[1].reason) == (
        "identified",
        "contacted",
        "电话联系财务负责人",
    )
    events = casework.events()
    for event in events:
        check(event)
    assert [e.data["version"] for e in events] == list(range(1, 8))
    assert events[-1].data | {"changed_at": None} == {
        "case_id": case.id,
        "uscc": FIRM.uscc,
        "province_code": "11",
        "measure_id": "vat-credit-refund",
        "measure_title_zh": "增值税留抵退税",
        "measure_title_en": "VAT credit refund",
        "state": "disbursed",
        "previous_state": "approved",
        "assignee": "li",
        "due_on": None,
        "disbursed_fen": 8_640_000,
        "disbursed_on": "2026-12-06",
        "action": "moved",
        "actor": "li",
        "reason": "",
        "changed_at": None,
        "version": 7,
    }
    assert events[3].data["previous_state"] is None  # a note leaves the state as it was


def test_a_refused_or_outdated_change_leaves_no_trace(casework: Casework) -> None:
    case = casework.open()
    with pytest.raises(CaseRefused):
        change_case(
            uow=casework.uow,
            principal=BEIJING,
            case_id=case.id,
            version=1,
            command=Move(CaseState.DISBURSED, amount="1", on=NOW.date()),
            now=NOW,
        )
    change_case(
        uow=casework.uow,
        principal=BEIJING,
        case_id=case.id,
        version=1,
        command=Note("第一次"),
        now=NOW,
    )
    with pytest.raises(CaseOutdated):  # a second page, loaded before the note
        change_case(
            uow=casework.uow,
            principal=ADMIN,
            case_id=case.id,
            version=1,
            command=Move(CaseState.CONTACTED),
            now=NOW,
        )
    stored, trail = case_of(uow=casework.uow, principal=ADMIN, case_id=case.id)
    assert (stored.state, stored.version, len(trail)) == (CaseState.IDENTIFIED, 2, 2)
    assert len(casework.events()) == 2


def test_outside_its_provinces_a_caseworker_can_neither_open_see_nor_change(
    casework: Casework,
) -> None:
    case = casework.open()
    with pytest.raises(NoCase):
        casework.open(SHANGHAI, measure="rd-super-deduction")
    with pytest.raises(NoCase):
        case_of(uow=casework.uow, principal=SHANGHAI, case_id=case.id)
    with pytest.raises(NoCase):
        change_case(
            uow=casework.uow,
            principal=SHANGHAI,
            case_id=case.id,
            version=1,
            command=Move(CaseState.CONTACTED),
            now=NOW,
        )
    assert cases_page(uow=casework.uow, principal=SHANGHAI, chosen=CaseFilter()).cases == []
    assert (
        cases_of_firms(
            uow=casework.uow, principal=SHANGHAI, usccs=[FIRM.uscc], measure_id="vat-credit-refund"
        )
        == {}
    )
    with pytest.raises(NoCase):
        case_of(uow=casework.uow, principal=BEIJING, case_id=case.id + 1000)


def test_a_firm_reads_its_own_cases_and_changes_none(casework: Casework) -> None:
    case = casework.open()
    other = casework.open(firm=Firm("91110105MA01H2XK3A", "北京另一家有限公司", "11"))
    seen, _ = case_of(uow=casework.uow, principal=THE_FIRM, case_id=case.id)
    assert seen.id == case.id
    with pytest.raises(NoCase):
        case_of(uow=casework.uow, principal=THE_FIRM, case_id=other.id)
    with pytest.raises(NoCase):
        change_case(
            uow=casework.uow,
            principal=THE_FIRM,
            case_id=case.id,
            version=1,
            command=Note("自己改"),
            now=NOW,
        )
    with pytest.raises(NoCase):
        casework.open(THE_FIRM, measure="rd-super-deduction")
    page = cases_page(uow=casework.uow, principal=THE_FIRM, chosen=CaseFilter())
    assert [c.id for c in page.cases] == [case.id]


def test_the_database_refuses_to_change_or_remove_a_trail_entry(casework: Casework) -> None:
    casework.open()
    for statement in ("UPDATE case_changes SET actor = 'someone else'", "DELETE FROM case_changes"):
        with (
            pytest.raises(DBAPIError, match="audit trail"),
            casework.uow.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    with casework.uow.engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM case_changes")).scalars().all() == ["li"]


def test_a_list_pages_by_latest_change_and_counts_each_state(casework: Casework) -> None:
    opened = []
    for n in range(PAGE + 5):
        firm = Firm(uscc=f"9111010{n:02d}MA01G0FB0", name=f"企业{n}", province_code="11")
        opened.append(casework.open(firm=firm))
    moved = change_case(
        uow=casework.uow,
        principal=BEIJING,
        case_id=opened[0].id,
        version=1,
        command=Move(CaseState.CONTACTED),
        now=NOW + timedelta(minutes=1),
    )
    first = cases_page(uow=casework.uow, principal=BEIJING, chosen=CaseFilter())
    assert first.cases[0].id == moved.id
    assert first.counts == {CaseState.IDENTIFIED: PAGE + 4, CaseState.CONTACTED: 1}
    assert first.next_after is not None
    rest = cases_page(
        uow=casework.uow, principal=BEIJING, chosen=CaseFilter(after=first.next_after)
    )
    seen = [c.id for c in first.cases + rest.cases]
    assert sorted(seen) == sorted(c.id for c in opened)
    assert rest.next_after is None
    contacted = cases_page(
        uow=casework.uow,
        principal=BEIJING,
        chosen=CaseFilter(states=frozenset({CaseState.CONTACTED})),
    )
    assert [c.id for c in contacted.cases] == [moved.id]
    assert json.dumps(sorted(s.value for s in contacted.counts)) == '["contacted", "identified"]'


def test_a_grant_opens_each_firms_case_at_approved_once(casework: Casework) -> None:
    other = Firm("91110105MA01H2XK3A", "北京另一家有限公司", "11")
    already = casework.open(measure="six-taxes-two-fees")
    granted = grant(
        uow=casework.uow, principal=BEIJING, firms=[FIRM, other], measure_id="six-taxes-two-fees",
        measure_title_zh="“六税两费”减半征收", measure_title_en="Six taxes and two fees halved",
        now=NOW,
    )  # fmt: skip
    assert granted == 1  # the firm with a case keeps it as it is
    page = cases_page(uow=casework.uow, principal=ADMIN, chosen=CaseFilter())
    states = {c.uscc: c.state for c in page.cases}
    assert states == {FIRM.uscc: CaseState.IDENTIFIED, other.uscc: CaseState.APPROVED}
    assert already.state is CaseState.IDENTIFIED
    event = casework.events()[-1]
    check(event)
    assert (event.data["action"], event.data["state"], event.data["actor"]) == (
        "granted",
        "approved",
        "li",
    )
    assert event.data["reason"] == GRANT_REASON
    with pytest.raises(NoCase):  # a firm outside the caseworker's provinces: nothing granted
        grant(
            uow=casework.uow, principal=SHANGHAI, firms=[other], measure_id="rd-super-deduction",
            measure_title_zh="研发费用加计扣除", measure_title_en="R&D super-deduction", now=NOW,
        )  # fmt: skip
    assert len(cases_page(uow=casework.uow, principal=ADMIN, chosen=CaseFilter()).cases) == 2
