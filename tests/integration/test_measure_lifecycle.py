"""Measures published and retired through the API, on SQLite and PostgreSQL: the catalogue seeded
at start-up, the population decided again and told only of changes, a publish that fails half way,
and every instance following the catalogue. Drafts: test_measure_drafts.py."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select

from eligibility.adapters.tables import (
    backbone,
    catalogue_revision,
    determination_history,
    determinations,
    measure_drafts,
    measure_versions,
)
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.api.deps import _uow
from eligibility.app import build_app
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.lifecycle import StaleCatalogue
from eligibility.domain.measures import shipped_documents
from eligibility.use_cases import publish
from eligibility.use_cases.catalogue import ensure_current, refresh
from eligibility.use_cases.explain import explain_pending
from supportmatch_core.auth import TokenService
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox
from supportmatch_core.topics import DETERMINATION, MEASURE
from tests.clock import TODAY, today
from tests.conftest import bearer
from tests.integration.lifecycle import (
    VAT,
    count,
    decided_with_v1,
    outbox,
    seed_firms,
    v2,
    vat_document,
)
from tests.integration.system import InProcessSystem
from tests.unit._snapshots import COMPLIANT


@pytest.fixture
def uow(offline: InProcessSystem) -> Iterator[UnitOfWork]:
    engine = create_database_engine(offline.urls["eligibility"])
    yield UnitOfWork(engine)
    engine.dispose()


def test_start_up_seeds_every_shipped_version_once_and_a_restart_keeps_what_was_published(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    shipped = len(shipped_documents())
    with uow.read() as connection:
        assert count(connection, measure_versions) == shipped
        seeded = outbox(connection, MEASURE)
    assert len(seeded) == shipped
    assert {e.data["lifecycle"] for e in seeded} == {"published"}
    admin = bearer(tokens)
    client = offline.eligibility
    assert client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin).status_code == 201
    retire = {"effective_on": TODAY.isoformat()}
    assert client.post(
        f"/v1/measures/{VAT}/versions/1/retire", json=retire, headers=admin
    ).is_success
    published = client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin)
    assert published.status_code == 200, published.text

    with TestClient(build_app(offline.settings("eligibility"), today=today)) as restarted:  # type: ignore[arg-type]
        versions = restarted.get(f"/v1/measures/{VAT}/versions").json()
    assert [(v["version"], v["ended"]) for v in versions] == [(1, True), (2, False)]
    assert versions[0]["valid_to"] == (TODAY - timedelta(days=1)).isoformat()
    with uow.read() as connection:
        assert count(connection, measure_versions) == shipped + 1
        assert len(outbox(connection, MEASURE)) == shipped + 2  # the restart announced nothing


def test_publishing_re_decides_the_population_and_announces_only_the_changes(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    firms = seed_firms(uow)
    catalogue: Catalogue = offline.eligibility.app.state.catalogue  # type: ignore[attr-defined]
    decided_with_v1(uow, catalogue)
    admin, client = bearer(tokens), offline.eligibility
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    overlapping = client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin)
    assert overlapping.status_code == 409, overlapping.text
    assert "retire version 1" in overlapping.json()["detail"]

    retired = client.post(
        f"/v1/measures/{VAT}/versions/1/retire",
        json={"effective_on": TODAY.isoformat()},
        headers=admin,
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["rematch"] is None  # nothing of it is in force any more
    with uow.read() as connection:
        before = count(connection, backbone.outbox, backbone.outbox.c.topic == DETERMINATION)
    published = client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin)
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["measure"]["version"] == 2
    assert body["rematch"]["changed"] == 3  # the grade-M firms
    assert body["rematch"]["refreshed"] == 7

    with uow.read() as connection:
        d = determinations.c
        held = dict(
            connection.execute(select(d.uscc, d.measure_version).where(d.measure_id == VAT)).all()
        )
        announced = outbox(connection, DETERMINATION)[before:]
        measure_events = outbox(connection, MEASURE)[-2:]
        assert count(connection, measure_drafts) == 0
    assert set(held.values()) == {2}
    assert sorted(e.subject for e in announced) == firms["grade_m"]
    assert {(e.data["status"], e.data["previous_status"]) for e in announced} == {
        ("eligible", "ineligible")
    }
    assert [(e.data["version"], e.data["lifecycle"]) for e in measure_events] == [
        (1, "retired"),
        (2, "published"),
    ]
    assert measure_events[1].data["document"] == v2()
    assert catalogue.current(VAT, TODAY).version == 2  # type: ignore[union-attr]
    again = client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin)
    assert again.status_code == 404


class FailingOutbox(Outbox):
    """An outbox whose database goes away after `after` events."""

    def __init__(self, after: int) -> None:
        super().__init__(backbone)
        self.left = after

    def add_many(self, connection: Connection, *, topic: str, events: list[Event]) -> None:
        self.left -= len(events)
        if self.left < 0:
            raise RuntimeError("the database went away half-way")
        super().add_many(connection, topic=topic, events=events)


def _state(uow: UnitOfWork) -> dict[str, Any]:
    with uow.read() as connection:
        d = determinations.c
        return {
            "versions": count(connection, measure_versions),
            "drafts": count(connection, measure_drafts),
            "history": count(connection, determination_history),
            "outbox": count(connection, backbone.outbox),
            "on_v2": count(connection, determinations, d.measure_version == 2),
            "revision": connection.execute(select(catalogue_revision.c.revision)).scalar_one(),
        }


def test_a_publish_that_fails_half_way_leaves_nothing_behind(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    seed_firms(uow)
    catalogue: Catalogue = offline.eligibility.app.state.catalogue  # type: ignore[attr-defined]
    decided_with_v1(uow, catalogue)
    admin, client = bearer(tokens), offline.eligibility
    client.post(
        f"/v1/measures/{VAT}/versions/1/retire",
        json={"effective_on": TODAY.isoformat()},
        headers=admin,
    )
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    before, revision = _state(uow), catalogue.revision

    # The version, its event and the re-decided determinations are written; then the
    # announcement of the three grade-M firms fails.
    failing = SqlUnitOfWork(uow.engine, outbox=FailingOutbox(after=2))
    with pytest.raises(RuntimeError, match="half-way"), failing.begin() as work:
        publish.publish(work, measure_id=VAT, version=2, actor="test", on=TODAY)
    assert _state(uow) == before
    assert catalogue.revision == revision
    assert catalogue.current(VAT, TODAY).version == 1  # type: ignore[union-attr]

    # The same through the API: a 500 problem, and still nothing stored or announced.
    offline.eligibility.app.dependency_overrides[_uow] = lambda: failing  # type: ignore[attr-defined]
    failed = client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin)
    assert failed.status_code == 500
    assert failed.headers["content-type"].startswith("application/problem+json")
    assert _state(uow) == before
    offline.eligibility.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert (
        client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin).json()["rematch"][
            "changed"
        ]
        == 3
    )


def test_retiring_ends_a_version_from_its_effective_day(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    seed_firms(uow)
    admin, client = bearer(tokens), offline.eligibility
    path = f"/v1/measures/{VAT}/versions/1/retire"
    later = TODAY + timedelta(days=30)
    answer = client.post(path, json={"effective_on": later.isoformat()}, headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["measure"]["valid_to"] == (later - timedelta(days=1)).isoformat()
    assert body["measure"]["ended"] is False
    assert body["rematch"]["changed"] == 10  # still in force: decided with its new end date
    assert client.get(f"/v1/measures/{VAT}").json()["valid_to"] == body["measure"]["valid_to"]

    for effective, status in [
        (TODAY - timedelta(days=1), 422),  # the past stays as decided
        (later + timedelta(days=5), 409),  # it already ends earlier
    ]:
        refused = client.post(path, json={"effective_on": effective.isoformat()}, headers=admin)
        assert refused.status_code == status, refused.text
        assert refused.json()["errors"][0]["field"] == "effective_on"
    for bad in ({"effective_on": "soon"}, {}, {"effective_on": TODAY.isoformat(), "why": 1}):
        assert client.post(path, json=bad, headers=admin).status_code == 422
    assert (
        client.post(
            f"/v1/measures/{VAT}/versions/9/retire",
            json={"effective_on": later.isoformat()},
            headers=admin,
        ).status_code
        == 404
    )

    today = client.post(path, json={"effective_on": TODAY.isoformat()}, headers=admin)
    assert today.status_code == 200, today.text
    shown = client.get(f"/v1/measures/{VAT}").json()
    assert shown["ended"] is True
    assert shown["valid_to"] == (TODAY - timedelta(days=1)).isoformat()
    check = client.post(
        "/v1/checks",
        json={"industry": "C3921", "province": "44", "ownership": "private", "facts": COMPLIANT},
    ).json()
    assert VAT not in {d["measure"]["id"] for d in check["decisions"]}  # no longer pushed as open


def test_the_day_is_the_services_clock_not_the_machines(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    """A run that crosses midnight in China (16:00 UTC) keeps the day its clock gives."""
    ahead = TODAY + timedelta(days=3)
    settings = offline.settings("eligibility")
    with TestClient(build_app(settings, today=lambda: ahead)) as later:  # type: ignore[arg-type]
        path = f"/v1/measures/{VAT}/versions/1/retire"
        refused = later.post(path, json={"effective_on": TODAY.isoformat()}, headers=bearer(tokens))
        assert refused.status_code == 422, refused.text
        assert f"(today is {ahead.isoformat()})" in refused.json()["detail"]


def test_every_instance_sees_a_published_version(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    with TestClient(build_app(offline.settings("eligibility"), today=today)) as other:  # type: ignore[arg-type]
        held: Catalogue = other.app.state.catalogue  # type: ignore[attr-defined]
        admin, client = bearer(tokens), offline.eligibility
        retire = {"effective_on": TODAY.isoformat()}
        client.post(f"/v1/measures/{VAT}/versions/1/retire", json=retire, headers=admin)
        client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
        assert client.post(f"/v1/measures/{VAT}/drafts/2/publish", headers=admin).status_code == 200
        # The other instance's daily tick refuses to re-decide with the catalogue it holds ...
        units = SqlUnitOfWork(uow.engine)
        with pytest.raises(StaleCatalogue), units.begin() as work:
            ensure_current(work, held)
        # ... and its API answers with the new version at once.
        versions = other.get(f"/v1/measures/{VAT}/versions").json()
        assert [v["version"] for v in versions] == [1, 2]
        with units.begin() as work:
            ensure_current(work, held)
    # A consumer reloads in the transaction it decides in, holding the revision still.
    consumer_view = Catalogue([], revision=-1)
    with SqlUnitOfWork(uow.engine).begin() as work:
        refresh(work, consumer_view, hold=True)
    assert consumer_view.current(VAT, TODAY).version == 2  # type: ignore[union-attr]
    # The explainer reloads as each of its transactions starts.
    explainer_view = Catalogue([], revision=-1)
    explain_pending(uow=SqlUnitOfWork(uow.engine), catalogue=explainer_view, follow=True)
    assert explainer_view.current(VAT, TODAY).version == 2  # type: ignore[union-attr]


def test_seeding_keeps_what_an_administrator_changed_and_takes_edits_of_the_rest(
    uow: UnitOfWork,
) -> None:
    documents = shipped_documents()
    edited = copy.deepcopy(documents)
    for doc in edited:
        doc["how_to_apply_en"] += " (edited)"
    with uow.begin() as connection:
        connection.execute(
            measure_versions.update()
            .where(measure_versions.c.measure_id == VAT)
            .values(managed_by="admin")
        )
    revision = _seed(uow, edited)
    with uow.read() as connection:
        rows = {(r.measure_id, r.version): r for r in connection.execute(select(measure_versions))}
        changed = [e for e in outbox(connection, MEASURE) if e.data["lifecycle"] == "changed"]
    assert not rows[(VAT, 1)].document["how_to_apply_en"].endswith("(edited)")
    assert len(changed) == len(documents) - 1
    assert _seed(uow, edited) == revision
    assert rows[(VAT, 1)].document == vat_document()


def _seed(uow: UnitOfWork, documents: list[dict[str, Any]]) -> int:
    with SqlUnitOfWork(uow.engine).begin() as work:
        return publish.seed(work, documents=documents)
