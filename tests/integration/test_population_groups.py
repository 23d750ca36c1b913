"""Re-matching many measures in one pass: agreement with decide(), absence as "ineligible" (ADR 0013)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from eligibility.adapters.population.signatures import moving_firms, temporary_tables
from eligibility.adapters.tables import (
    backbone,
    determination_history,
    determinations,
    enterprise_facts,
    unrecorded_ranges,
)
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from eligibility.domain.rematches import UNEXPLAINABLE
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from tests.conftest import Databases
from tests.eligibility_steps import (
    decide_profile,
    explain_pending,
    rematch_due,
    rematch_group,
    save_facts,
)
from tests.unit._snapshots import COMPLIANT, profile_snapshot

ON = date(2022, 12, 1)  # 69 measure versions in force: three packed signatures per firm
CATALOGUE = Catalogue(load_catalogue())
KINDS: list[dict[str, Any]] = [
    {"industry": "C3921", **COMPLIANT},
    {"industry": "C2710", "province": "21", "ownership": "foreign", "employees": 120},
    {"industry": "L7211", "province": "11", "tax_credit_grade": "D"},
    {"industry": "E4710", "province": "51", "revenue": 50_000_000, "employees": 40},
    {"industry": "C3670", "ownership": "central_soe", "rd_expense": 9_000_000, "revenue": 1e8},
    {"industry": "I6513", "province": "33", **COMPLIANT, "employees": 15},
]


@pytest.fixture
def uow(databases: Databases) -> Iterator[UnitOfWork]:
    url = databases.migrated("eligibility")
    engine = create_database_engine(url)
    yield UnitOfWork(engine)
    engine.dispose()


def _seed(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    firms = {}
    with uow.begin() as connection:
        for kind in KINDS * 2:
            snapshot = profile_snapshot(**kind)
            facts = facts_of(snapshot)
            save_facts(connection, uscc=snapshot["uscc"], version=1, facts=facts, exists=False)
            firms[snapshot["uscc"]] = facts
    return firms


def _stored(uow: UnitOfWork) -> dict[tuple[str, str], Any]:
    with uow.read() as connection:
        rows = connection.execute(select(determinations)).all()
    return {(r.uscc, r.measure_id): r for r in rows}


def _agree(uow: UnitOfWork, firms: dict[str, dict[str, Any]], measures: list[Measure]) -> None:
    """Every firm and measure: the stored status is decide()'s, and no row means "ineligible"."""
    stored = _stored(uow)
    for uscc, facts in firms.items():
        for measure in measures:
            status = decide(measure, facts, ON).status
            row = stored.get((uscc, measure.id))
            if row is None:
                assert status is Status.INELIGIBLE, (uscc, measure.id)
            else:
                assert (row.status, row.measure_version) == (status.value, measure.version)


def test_one_pass_over_the_catalogue_decides_as_decide_and_stores_no_first_ineligible(
    uow: UnitOfWork,
) -> None:
    firms = _seed(uow)
    measures = CATALOGUE.in_force(ON)
    assert len(measures) > 62  # more than two signatures of 31 measures
    done = rematch_due(uow, catalogue=CATALOGUE, on=ON)
    assert sorted(r.measure_id for r in done) == sorted(m.id for m in measures)
    assert sum(r.changed for r in done) == len(firms) * len(measures)  # every first decision
    statuses = {decide(m, f, ON).status for m in measures for f in firms.values()}
    assert statuses == set(Status)
    _agree(uow, firms, measures)
    # First decisions are stored unrecorded; the Explainer writes their history and events.
    assert {r.unrecorded for r in _stored(uow).values()} == {True}
    assert _history(uow) == []
    announced = explain_pending(uow, catalogue=CATALOGUE)
    history = _history(uow)
    assert len(history) == len(_stored(uow)) == sum(r.to_announce for r in done) == announced
    assert {h.previous_status for h in history} == {None}
    assert {r.unrecorded for r in _stored(uow).values()} == {None}
    assert _events(uow) == sorted((h.uscc, h.measure_id) for h in history)

    # Facts change behind the projection's back; one pass finds exactly the moved pairs.
    moved = {}
    with uow.begin() as connection:
        for uscc, facts in list(firms.items())[:6]:
            grade = "D" if facts.get("tax_credit_grade") == "A" else "A"
            moved[uscc] = {**facts, **COMPLIANT, "tax_credit_grade": grade}
            save_facts(connection, uscc=uscc, version=2, facts=moved[uscc], exists=True)
    before = _stored(uow)
    again = rematch_group(uow, measures=measures, on=ON)
    firms |= moved
    _agree(uow, firms, measures)
    expected = [
        (uscc, m.id)
        for uscc, facts in moved.items()
        for m in measures
        if decide(m, facts, ON).status.value
        != getattr(before.get((uscc, m.id)), "status", Status.INELIGIBLE.value)
    ]
    assert expected
    assert sum(r.changed for r in again) == len(expected)
    with uow.read() as connection:
        news = connection.execute(
            select(determination_history).where(determination_history.c.id > history[-1].id)
        ).all()
    assert sorted((h.uscc, h.measure_id) for h in news) == sorted(expected)
    for h in news:  # decided before: no row was "ineligible"
        held = before.get((h.uscc, h.measure_id))
        assert h.previous_status == (held.status if held else Status.INELIGIBLE.value)

    # Nothing moved: nothing is written.
    third = rematch_group(uow, measures=measures, on=ON)
    assert {(r.changed, r.refreshed, r.to_announce) for r in third} == {(0, 0, 0)}


def _history(uow: UnitOfWork) -> list[Any]:
    with uow.read() as connection:
        return list(
            connection.execute(select(determination_history).order_by(determination_history.c.id))
        )


def _events(uow: UnitOfWork) -> list[tuple[str, str]]:
    with uow.read() as connection:
        payloads = connection.execute(select(backbone.outbox.c.payload)).scalars()
        events = [Event.from_bytes(p.encode()) for p in payloads]
    return sorted((e.subject, e.data["measure"]["id"]) for e in events)


def _queued(uow: UnitOfWork) -> set[str]:
    """The firms that lie in a queued range."""
    q, f = unrecorded_ranges.c, enterprise_facts.c
    with uow.read() as connection:
        return set(
            connection.execute(
                select(f.uscc).join(unrecorded_ranges, f.uscc.between(q.first_uscc, q.last_uscc))
            ).scalars()
        )


def test_first_decisions_are_counted_beside_the_consumers_rows_and_their_firms_queued(
    uow: UnitOfWork,
) -> None:
    measures = CATALOGUE.in_force(ON)
    firms = {}
    with uow.begin() as connection:
        for i, kind in enumerate(KINDS * 2):
            snapshot = profile_snapshot(**kind)
            firms[snapshot["uscc"]] = facts_of(snapshot)
            if i < 3:  # the profile consumer decided these before the population was
                decide_profile(connection, profile=snapshot, catalogue=CATALOGUE, on=ON)
            else:
                save_facts(
                    connection,
                    uscc=snapshot["uscc"],
                    version=1,
                    facts=firms[snapshot["uscc"]],
                    exists=False,
                )
    held = _stored(uow)
    assert held
    # The consumer stores no first "ineligible" either (ADR 0013).
    assert Status.INELIGIBLE.value not in {r.status for r in held.values()}
    assert len(_events(uow)) == len(held)

    done = rematch_due(uow, catalogue=CATALOGUE, on=ON)
    # Each firm and measure once: the consumer's rows did not move, every other pair is a first
    # decision, counted whether stored or "ineligible" and not stored.
    assert sum(r.changed for r in done) == len(firms) * len(measures) - len(held)
    _agree(uow, firms, measures)
    assert _queued(uow) == set(firms)  # each had a measure never decided and no row for it
    explain_pending(uow, catalogue=CATALOGUE, batch=8)  # two firms at a time
    assert _queued(uow) == set()
    assert {r.unrecorded for r in _stored(uow).values()} == {None}
    assert len(_history(uow)) == len(_stored(uow))
    assert _events(uow) == sorted(_stored(uow))

    # Every measure now decided for everyone: a re-match gives no first decision, queues nobody.
    uscc = next(iter(firms))
    with uow.begin() as connection:
        facts = {**firms[uscc], "tax_credit_grade": "D"}
        save_facts(connection, uscc=uscc, version=9, facts=facts, exists=True)
    assert sum(r.changed for r in rematch_group(uow, measures=measures, on=ON)) > 0
    assert _queued(uow) == set()


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
def test_a_queued_firm_whose_rows_another_transaction_holds_stays_queued(
    uow: UnitOfWork,
) -> None:
    firms = _seed(uow)
    (vat,) = [m for m in CATALOGUE.in_force(ON) if m.id == "vat-credit-refund"]
    rematch_group(uow, measures=[vat], on=ON, firms_per_range=2)  # six ranges of two firms
    first = {uscc for uscc, _ in _stored(uow)}
    assert first
    assert _queued(uow) == set(firms)
    held = min(first)
    with uow.begin() as other:  # another transaction holds the firm's rows meanwhile
        other.execute(
            select(determinations).where(determinations.c.uscc == held).with_for_update()
        ).all()
        explained = explain_pending(uow, catalogue=CATALOGUE, firms_per_range=2)
        assert explained == len(first) - 1
        ordered = sorted(firms)
        start = ordered.index(held) // 2 * 2
        assert _queued(uow) == set(ordered[start : start + 2])  # the range of `held` only
    assert explain_pending(uow, catalogue=CATALOGUE, firms_per_range=2) == 1
    assert _queued(uow) == set()
    assert _events(uow) == sorted((uscc, vat.id) for uscc in first)


def test_a_first_decision_overwritten_before_it_is_explained_keeps_its_place_in_history(
    uow: UnitOfWork,
) -> None:
    firms = _seed(uow)
    (vat,) = [m for m in CATALOGUE.in_force(ON) if m.id == "vat-credit-refund"]
    rematch_group(uow, measures=[vat], on=ON)
    first = {k: r for k, r in _stored(uow).items() if k[1] == vat.id}
    assert first
    assert {r.unrecorded for r in first.values()} == {True}
    uscc = next(u for u, _ in first)
    with uow.begin() as connection:  # behind the projection's back: no consumer completes it
        worse = {**firms[uscc], "tax_credit_grade": "D"}
        save_facts(connection, uscc=uscc, version=2, facts=worse, exists=True)
    (again,) = rematch_group(uow, measures=[vat], on=ON)
    assert again.changed == 1
    history = [(h.uscc, h.previous_status, h.status) for h in _history(uow)]
    status = first[(uscc, vat.id)].status
    assert history == [(uscc, None, status), (uscc, status, Status.INELIGIBLE.value)]
    explain_pending(uow, catalogue=CATALOGUE)
    assert len(_history(uow)) == len(first) + 1  # every change once, none twice
    # Its facts changed without the consumer completing the firm: the first decision can no
    # longer be explained (as before ADR 0015), the change after it is.
    assert _history(uow)[0].facts_digest == UNEXPLAINABLE
    assert _events(uow) == sorted([(u, vat.id) for u, _ in first])


def test_a_new_version_refreshes_stored_rows_and_leaves_absent_ones_absent(
    uow: UnitOfWork,
) -> None:
    firms = _seed(uow)
    (vat,) = [m for m in CATALOGUE.in_force(ON) if m.id == "vat-credit-refund"]
    rematch_group(uow, measures=[vat], on=ON)
    held = {k: r for k, r in _stored(uow).items() if k[1] == vat.id}
    assert 0 < len(held) < len(firms)
    v2 = dataclasses.replace(vat, version=vat.version + 1, digest="v2")
    (done,) = rematch_group(uow, measures=[v2], on=ON)
    assert (done.changed, done.refreshed) == (0, len(held))
    after = {k: r for k, r in _stored(uow).items() if k[1] == vat.id}
    assert after.keys() == held.keys()
    assert {r.measure_version for r in after.values()} == {v2.version}


def test_the_detection_reads_typed_columns_only_never_the_facts_json(
    databases: Databases,
) -> None:
    measures = CATALOGUE.in_force(ON)
    group, firms, *_ = temporary_tables(len(measures))
    query = moving_firms(measures, ON, group, firms, set(), databases.kind == "postgres")
    engine = create_database_engine(databases.url("eligibility"))
    sql = str(query.compile(engine))
    engine.dispose()
    assert "enterprise_facts.facts" not in sql
    assert "enterprise_facts.uscc" in sql
