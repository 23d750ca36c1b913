"""Re-matching the whole population for a measure in the database, and previewing a draft."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, update

from eligibility.adapters.tables import (
    backbone,
    determination_history,
    determinations,
    enterprise_facts,
    unrecorded_ranges,
)
from eligibility.adapters.unit_of_work import SqlUnitOfWork, SqlWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import load_catalogue, uses_certifications
from eligibility.domain.rematches import PENDING
from eligibility.use_cases.determinations import determinations_as_of, list_determinations
from supportmatch_core import contracts
from supportmatch_core.auth import Principal, Role, TokenService
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from tests.conftest import Databases, bearer
from tests.eligibility_steps import (
    decide_profile,
    explain_pending,
    rematch,
    rematch_due,
    save_facts,
)
from tests.integration.population_steps import CATALOGUE, ON, misplaced, seed, stored_facts, vat
from tests.integration.system import InProcessSystem
from tests.unit._snapshots import COMPLIANT, profile_snapshot


@pytest.fixture
def uow(databases: Databases) -> Iterator[UnitOfWork]:
    url = databases.migrated("eligibility")
    engine = create_database_engine(url)
    yield UnitOfWork(engine)
    engine.dispose()


def _count(uow: UnitOfWork, table: Any) -> int:
    with uow.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_rematch_decides_everyone_once_and_then_only_changes(uow: UnitOfWork) -> None:
    usccs = seed(uow, 30)
    first = rematch(uow, measure=vat(), on=ON, announce=False)
    assert first.changed == 30
    assert _count(uow, determinations) == 30
    assert misplaced(uow) == set()
    assert _count(uow, backbone.outbox) == 0  # announced afterwards, by explain_pending
    # First decisions: their history rows are written when they are explained.
    assert _count(uow, determination_history) == 0
    assert explain_pending(uow, catalogue=CATALOGUE) == (first.to_announce)
    assert _count(uow, determination_history) == first.to_announce
    assert _count(uow, backbone.outbox) == first.to_announce
    again = rematch(uow, measure=vat(), on=ON)
    assert again.changed == 0
    with uow.begin() as connection:
        changed_facts = {**stored_facts(connection, usccs[0]), "tax_credit_grade": "D"}
        save_facts(connection, uscc=usccs[0], version=2, facts=changed_facts, exists=True)
    third = rematch(uow, measure=vat(), on=ON)  # announces
    assert (third.changed, third.to_announce) == (1, 1)
    with uow.read() as connection:
        status = connection.execute(
            select(determinations.c.status).where(determinations.c.uscc == usccs[0])
        ).scalar_one()
    assert status == "ineligible"
    assert _announced(uow)[-1].data["previous_status"] in {"eligible", "possibly_eligible"}
    seed(uow, 1)  # a first row after everyone was decided: a change, stored
    assert rematch(uow, measure=vat(), on=ON).changed == 1
    assert misplaced(uow) == set()  # each row, first or changed, in its firm's place


def test_a_rematch_that_writes_many_rows_leaves_the_table_analysed(
    uow: UnitOfWork, databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next re-match is planned on the table's new size, not the one before the writes."""
    monkeypatch.setattr("eligibility.adapters.population.ANALYZE_AFTER_ROWS", 20)
    seed(uow, 30)
    assert rematch(uow, measure=vat(), on=ON, announce=False).changed == 30
    if databases.kind == "postgres":
        with uow.read() as connection:
            planned_rows = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'determinations'"
            ).scalar_one()
        assert planned_rows == 30


def _announced(uow: UnitOfWork) -> list[Event]:
    with uow.read() as connection:
        payloads = connection.execute(
            select(backbone.outbox.c.payload).order_by(backbone.outbox.c.id)
        ).scalars()
        return [Event.from_bytes(p.encode()) for p in payloads]


def test_only_news_is_announced_and_every_row_reproduces_its_decision(uow: UnitOfWork) -> None:
    usccs = seed(uow, 12)
    with uow.begin() as connection:
        for uscc in usccs[:4]:  # grade D: ineligible
            worse = {**stored_facts(connection, uscc), "tax_credit_grade": "D"}
            save_facts(connection, uscc=uscc, version=2, facts=worse, exists=True)
    rematch(uow, measure=vat(), on=ON, announce=False)
    with uow.read() as connection:
        facts = {uscc: stored_facts(connection, uscc) for uscc in usccs}
        pending = connection.execute(select(determinations.c.facts_digest)).scalars().all()
    assert set(pending) == {PENDING}
    explain_pending(uow, catalogue=CATALOGUE, batch=5)
    decided = {uscc: decide(vat(), facts[uscc], ON) for uscc in usccs}
    events = _announced(uow)
    # A first "ineligible" is neither stored nor announced (ADR 0013); every other change is.
    assert sorted(e.subject for e in events) == sorted(
        u for u, d in decided.items() if d.status is not Status.INELIGIBLE
    )
    assert {d.status for d in decided.values()} == set(Status)
    for event in events:
        contracts.check(event)
        decision = decided[event.subject]
        assert event.data["criteria"] == decision.criteria
        assert event.data["facts_digest"] == decision.facts_digest
    with uow.read() as connection:
        history = connection.execute(select(determination_history)).all()
        stored = {r.uscc: r for r in connection.execute(select(determinations))}
    assert len(history) == len(events)
    for row in history:
        assert (row.status, row.facts_digest) == (
            decided[row.uscc].status.value,
            decided[row.uscc].facts_digest,
        )
        assert row.explanation == decided[row.uscc].explanation()
    for uscc, decision in decided.items():
        if decision.status is Status.INELIGIBLE:
            # A first "ineligible" is not stored: absence is "ineligible" (ADR 0013).
            assert uscc not in stored
            continue
        row = stored[uscc]
        assert (row.status, row.facts_digest) == (decision.status.value, decision.facts_digest)
        assert row.explanation == decision.explanation()


def test_a_pending_row_is_explained_on_read_and_a_first_ineligible_decided_on_read(
    uow: UnitOfWork,
) -> None:
    usccs = seed(uow, 6)
    with uow.begin() as connection:
        worse = {**stored_facts(connection, usccs[0]), "tax_credit_grade": "D"}
        save_facts(connection, uscc=usccs[0], version=2, facts=worse, exists=True)
    rematch(uow, measure=vat(), on=ON, announce=False)
    admin = Principal(subject="admin", role=Role.ADMIN)
    for uscc in usccs:
        with SqlUnitOfWork(uow.engine).read() as work:
            shown = list_determinations(work, principal=admin, uscc=uscc, catalogue=CATALOGUE)
        with uow.read() as connection:
            decision = decide(vat(), stored_facts(connection, uscc), ON)
        if decision.status is Status.INELIGIBLE:
            # Not stored (ADR 0013): the decision on read (ADR 0008) gives it with its reasons.
            assert shown == []
            with SqlUnitOfWork(uow.engine).read() as work:
                (on_read,) = determinations_as_of(
                    work, principal=admin, uscc=uscc, catalogue=Catalogue([vat()]), on=ON
                )
            assert (on_read.status, on_read.facts_digest) == (
                decision.status,
                decision.facts_digest,
            )
            continue
        assert shown[0]["facts_digest"] == decision.facts_digest
        assert shown[0]["explanation"] == decision.explanation()
    assert decide(vat(), worse, ON).status is Status.INELIGIBLE


def test_a_profile_change_first_explains_what_was_decided_on_the_old_facts(
    uow: UnitOfWork,
) -> None:
    compliant = profile_snapshot(industry="C3921", **COMPLIANT)
    with uow.begin() as connection:
        old_facts = facts_of(compliant)
        save_facts(connection, uscc=compliant["uscc"], version=1, facts=old_facts, exists=False)
    rematch(uow, measure=vat(), on=ON, announce=False)
    newer = {**compliant, "version": 2, "facts": {**compliant["facts"], "tax_credit_grade": "D"}}
    _profile_event(uow, newer)
    first, second = _announced(uow)
    assert (first.data["status"], first.data["previous_status"]) == ("eligible", None)
    assert first.data["facts_digest"] == decide(vat(), old_facts, ON).facts_digest
    assert (second.data["status"], second.data["previous_status"]) == ("ineligible", "eligible")
    assert explain_pending(uow, catalogue=CATALOGUE) == 0


def test_the_consumer_reads_absence_as_the_rematch_does(uow: UnitOfWork) -> None:
    """After the population is decided, no row is "ineligible" for the profile consumer too."""
    poor = profile_snapshot(industry="L7211", tax_credit_grade="D")
    with uow.begin() as connection:
        facts = facts_of(poor)
        save_facts(connection, uscc=poor["uscc"], version=1, facts=facts, exists=False)
    assert decide(vat(), facts, ON).status is Status.INELIGIBLE
    rematch(uow, measure=vat(), on=ON)
    assert _count(uow, determinations) == 0

    _profile_event(uow, {**poor, "version": 2})  # still "ineligible": nothing stored or told
    assert (_count(uow, determinations), _announced(uow)) == (0, [])
    compliant = profile_snapshot(industry="C3921", **COMPLIANT)
    _profile_event(uow, {**compliant, "uscc": poor["uscc"], "version": 3})
    (event,) = _announced(uow)
    assert (event.data["status"], event.data["previous_status"]) == ("eligible", "ineligible")
    with uow.read() as connection:
        (history,) = connection.execute(select(determination_history)).all()
    assert (history.previous_status, history.status) == ("ineligible", "eligible")


def test_an_older_snapshot_arriving_late_changes_nothing(uow: UnitOfWork) -> None:
    """A republish after a new broker may repeat older snapshots: the version held wins."""
    compliant = profile_snapshot(industry="C3921", **COMPLIANT)
    worse = {**compliant, "facts": {**compliant["facts"], "tax_credit_grade": "D"}}
    _profile_event(uow, {**compliant, "version": 3})
    announced = _announced(uow)
    _profile_event(uow, {**worse, "version": 2})
    assert _announced(uow) == announced
    with uow.read() as connection:
        versions = SqlWork(connection).firms.versions([compliant["uscc"]])
        assert versions == {compliant["uscc"]: 3}
        assert stored_facts(connection, compliant["uscc"])["tax_credit_grade"] == "A"


def _profile_event(uow: UnitOfWork, snapshot: dict[str, Any]) -> None:
    """The profile consumer's handling of one snapshot, against the VAT refund only."""
    with uow.begin() as connection:
        decide_profile(
            connection,
            profile=snapshot,
            catalogue=Catalogue([vat()]),
            on=ON,
        )


class FailingOutbox(Outbox):
    def __init__(self, after: int) -> None:
        super().__init__(backbone)
        self.left = after

    def add_many(self, connection: Connection, *, topic: str, events: list[Event]) -> None:
        self.left -= len(events)
        if self.left < 0:
            raise RuntimeError("the database went away half-way")
        super().add_many(connection, topic=topic, events=events)


def test_a_failure_half_way_leaves_nobody_rematched(uow: UnitOfWork) -> None:
    seed(uow, 20)
    with pytest.raises(RuntimeError):
        rematch(uow, outbox=FailingOutbox(after=3), measure=vat(), on=ON)
    assert _count(uow, determinations) == 0
    assert _count(uow, determination_history) == 0
    assert _count(uow, backbone.outbox) == 0
    assert _count(uow, unrecorded_ranges) == 0  # the Explainer's queue went with the rest
    assert rematch(uow, measure=vat(), on=ON).changed == 20
    assert _count(uow, backbone.outbox) == _count(uow, determination_history)


def test_rematch_due_runs_each_measure_in_force_once_a_day(uow: UnitOfWork) -> None:
    seed(uow, 5)
    catalogue = Catalogue(load_catalogue())
    done = rematch_due(uow, catalogue=catalogue, on=ON)
    assert {r.measure_id for r in done} == {m.id for m in catalogue.in_force(ON)}
    assert rematch_due(uow, catalogue=catalogue, on=ON) == []
    # One row per firm and measure, but for a first "ineligible" (absence, ADR 0013).
    with uow.read() as connection:
        facts = list(connection.execute(select(enterprise_facts.c.facts)).scalars())
    decided = [decide(m, f, ON).status for m in catalogue.in_force(ON) for f in facts]
    assert _count(uow, determinations) == sum(s is not Status.INELIGIBLE for s in decided)
    assert sum(r.changed for r in done) == 5 * len(catalogue.in_force(ON))
    edited = [
        dataclasses.replace(m, digest="edited") if m.id == "vat-credit-refund" else m
        for m in catalogue
    ]
    again = rematch_due(uow, catalogue=Catalogue(edited), on=ON)
    assert [r.measure_id for r in again] == ["vat-credit-refund"]
    # The next day, only measures whose criteria depend on the day are decided again.
    next_day = ON + timedelta(days=1)
    later = rematch_due(uow, catalogue=catalogue, on=next_day)
    dated = {m.id for m in catalogue.in_force(next_day) if uses_certifications(m.criteria)}
    fresh = {m.id for m in catalogue.in_force(next_day)} - {m.id for m in catalogue.in_force(ON)}
    assert {r.measure_id for r in later} == dated | fresh


def _vat_document() -> dict[str, Any]:
    folder = resources.files("eligibility") / "catalogue"
    doc: dict[str, Any] = json.loads((folder / "vat-credit-refund.v1.json").read_text("utf-8"))
    return doc


def test_preview_counts_a_draft_beside_the_current_version(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    engine = create_database_engine(offline.urls["eligibility"])
    seed(UnitOfWork(engine), 12)
    with engine.begin() as connection:
        connection.execute(update(enterprise_facts).values(region="east"))
    engine.dispose()
    draft = copy.deepcopy(_vat_document())
    draft["version"] = 2
    draft["criteria"]["all"][1] = {"fact": "tax_credit_grade", "op": "in", "value": ["A", "B", "M"]}
    path = "/v1/measures/vat-credit-refund/preview?on=2024-06-30"
    answer = offline.eligibility.post(path, json=draft, headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert sum(body["draft"]["by_status"].values()) == 12
    assert body["current"]["by_status"] == body["draft"]["by_status"]  # nobody holds grade M
    assert body["draft"]["eligible_by_region"] == {"east": body["draft"]["by_status"]["eligible"]}
    caseworker = bearer(tokens, Role.CASEWORKER, regions=["44"])
    assert offline.eligibility.post(path, json=draft, headers=caseworker).status_code == 403
    draft["criteria"]["all"][1] = {"fact": "shoe_size", "op": "eq", "value": 42}
    bad = offline.eligibility.post(path, json=draft, headers=bearer(tokens))
    assert bad.status_code == 422
    assert "criteria.all[1].fact" in bad.text
