"""Use cases run on fakes of their ports, with no database: deciding a firm on a profile change
(eligibility), and registering and changing an enterprise (profiles)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from eligibility.adapters.tables import QUEUE_COLUMNS
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, Held, Recorded, Status
from eligibility.domain.facts import Facts, facts_of
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import Claimed, Unexplained
from eligibility.use_cases.decide import Snapshot, decide_firm, decide_firms
from profiles.domain.model import Enterprise, Profile
from profiles.use_cases.enterprises import change, register
from supportmatch_core.auth import Principal, Role
from supportmatch_core.contracts.determination import EligibilityChanged
from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.contracts.profile import ProfileChanged
from supportmatch_core.errors import NotAllowed, UnknownEnterprise
from tests.factories import new_uscc
from tests.unit._snapshots import COMPLIANT, DAY, profile_snapshot, vat_refund


@dataclass
class Outbox:
    published: list[TypedEvent] = field(default_factory=list)

    def publish(self, events: Sequence[TypedEvent]) -> None:
        self.published.extend(events)


@dataclass
class Firms:
    held: dict[str, tuple[int, Facts]] = field(default_factory=dict)

    def lock_for_writing(self) -> None:
        pass

    def versions(self, usccs: Sequence[str]) -> dict[str, int]:
        return {uscc: self.held[uscc][0] for uscc in usccs if uscc in self.held}

    def facts(self, uscc: str) -> dict[str, Any] | None:
        return dict(self.held[uscc][1]) if uscc in self.held else None

    def save(
        self,
        *,
        uscc: str,
        version: int,
        facts: Facts,
        exists: bool,
        name: str | None = None,
        city: str | None = None,
    ) -> None:
        assert exists == (uscc in self.held)
        self.held[uscc] = (version, facts)


@dataclass
class Determinations:
    rows: dict[tuple[str, str], Decision] = field(default_factory=dict)
    history: list[tuple[str, str, Status | None, Status]] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)  # firms whose queue place was copied
    places: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # as the rows were written

    def held(self, usccs: Sequence[str]) -> dict[str, dict[str, Held]]:
        held: dict[str, dict[str, Held]] = {uscc: {} for uscc in usccs}
        for (uscc, measure_id), d in self.rows.items():
            if uscc in held:
                held[uscc][measure_id] = Held(d.status, d.measure.version, d.facts_digest)
        return held

    def decided_for_everyone(self, measure_ids: Iterable[str]) -> set[str]:
        return set()

    def refresh(
        self, decided: Sequence[tuple[str, Decision]], places: Mapping[str, Mapping[str, Any]]
    ) -> None:
        for uscc, decision in decided:
            self.rows[uscc, decision.measure.id] = decision

    def record(self, recorded: Sequence[Recorded], places: Mapping[str, Mapping[str, Any]]) -> None:
        self.places.update(places)
        for r in recorded:
            assert r.stored == ((r.uscc, r.decision.measure.id) in self.rows)
            self.rows[r.uscc, r.decision.measure.id] = r.decision
            self.history.append((r.uscc, r.decision.measure.id, r.previous, r.decision.status))

    def follow_projection(self, usccs: Sequence[str]) -> None:
        self.followed.extend(usccs)

    def place_misplaced(self, measure_ids: Sequence[str], changed_since: datetime) -> int:
        return 0

    def of_firm(self, uscc: str) -> list[Any]:
        return []


class Explanations:
    """No population re-match ran: nothing waits to be explained."""

    def pending(
        self, *, uscc: str | None = None, measure: Measure | None = None, limit: int | None = None
    ) -> list[Unexplained]:
        return []

    def unrecorded_in(self, claimed: Sequence[Claimed]) -> list[Unexplained]:
        return []

    def unrecorded_of_firm(self, uscc: str) -> list[Unexplained]:
        return []

    def unrecorded_of_measure(
        self, measure: Measure, *, after: str, limit: int
    ) -> list[Unexplained]:
        return []

    def unlogged_of_firm(self, uscc: str) -> list[Unexplained]:
        return []

    def complete(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None:
        assert not done

    def explain_in_place(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None:
        assert not done


@dataclass
class DecideWork:
    firms: Firms = field(default_factory=Firms)
    determinations: Determinations = field(default_factory=Determinations)
    explanations: Explanations = field(default_factory=Explanations)
    outbox: Outbox = field(default_factory=Outbox)


def _decide(work: DecideWork, version: int, **facts: Any) -> int:
    snapshot = profile_snapshot(**facts)
    snapshot["uscc"] = "91440300192203821J"
    return decide_firm(
        work,
        uscc=snapshot["uscc"],
        version=version,
        facts=facts_of(snapshot),
        catalogue=Catalogue([vat_refund()]),
        on=DAY,
    )


def test_a_firm_is_decided_and_only_its_changes_announced_without_a_database() -> None:
    work = DecideWork()
    assert _decide(work, 1, **COMPLIANT) == 1
    (event,) = work.outbox.published
    assert isinstance(event, EligibilityChanged)
    assert (event.status, event.previous_status) == ("eligible", None)
    assert _decide(work, 2, **COMPLIANT) == 0  # the same status is not news
    assert _decide(work, 3, **(COMPLIANT | {"tax_credit_grade": "M"})) == 1
    assert [e.status for e in work.outbox.published if isinstance(e, EligibilityChanged)] == [
        "eligible",
        "ineligible",
    ]
    assert work.determinations.history[-1][2:] == (Status.ELIGIBLE, Status.INELIGIBLE)


def test_an_older_snapshot_than_the_one_held_changes_nothing() -> None:
    work = DecideWork()
    _decide(work, 5, **COMPLIANT)
    assert _decide(work, 4, tax_credit_grade="M") == 0
    assert work.firms.versions(["91440300192203821J"]) == {"91440300192203821J": 5}
    assert work.determinations.followed == ["91440300192203821J"]  # its place in the queue: once
    place = work.determinations.places["91440300192203821J"]
    assert set(place) == set(QUEUE_COLUMNS)  # every column the queue filters on, from the facts
    assert place["province_code"] == "44"


def test_a_first_ineligible_is_neither_stored_nor_announced() -> None:
    work = DecideWork()
    assert _decide(work, 1, tax_credit_grade="M") == 0
    assert work.determinations.rows == {}
    assert work.outbox.published == []


def _snapshot(uscc: str, version: int, **facts: Any) -> Snapshot:
    snapshot = profile_snapshot(**facts)
    snapshot["uscc"] = uscc
    return Snapshot(uscc=uscc, version=version, facts=facts_of(snapshot))


def _changes(work: DecideWork) -> list[tuple[str, str]]:
    published = work.outbox.published
    return [(e.uscc, e.status) for e in published if isinstance(e, EligibilityChanged)]


def test_a_batch_has_the_effect_of_its_snapshots_one_by_one() -> None:
    a, b, c = (new_uscc() for _ in range(3))
    batch = [
        _snapshot(a, 1, **COMPLIANT),
        _snapshot(b, 1, tax_credit_grade="M"),
        _snapshot(a, 2, **(COMPLIANT | {"tax_credit_grade": "M"})),  # the same firm again
        _snapshot(c, 2, **COMPLIANT),
        _snapshot(c, 1, tax_credit_grade="M"),  # older than the one before it: ignored
        _snapshot(a, 3, **COMPLIANT),
    ]
    catalogue = Catalogue([vat_refund()])
    together, alone = DecideWork(), DecideWork()
    assert decide_firms(together, batch, catalogue=catalogue, on=DAY) == 4
    for snapshot in batch:
        decide_firms(alone, [snapshot], catalogue=catalogue, on=DAY)
    for firm in (a, b, c):  # each firm's history the same, in the same order
        assert [h for h in together.determinations.history if h[0] == firm] == [
            h for h in alone.determinations.history if h[0] == firm
        ]
    # Each firm's changes in its order; firms' changes interleave by round.
    assert _changes(together) == [
        (a, "eligible"),
        (c, "eligible"),
        (a, "ineligible"),
        (a, "eligible"),
    ]
    assert _changes(alone) == [
        (a, "eligible"),
        (a, "ineligible"),
        (c, "eligible"),
        (a, "eligible"),
    ]
    assert together.firms.held == alone.firms.held


@dataclass
class Profiles:
    stored: dict[str, Profile] = field(default_factory=dict)
    versions: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    def add(self, enterprise: Enterprise, *, size_class: str) -> None:
        self.stored[enterprise.uscc] = Profile(enterprise)

    def replace(self, enterprise: Enterprise, *, size_class: str) -> None:
        self.stored[enterprise.uscc] = dataclasses.replace(
            self.stored[enterprise.uscc], enterprise=enterprise
        )

    def get(self, uscc: str, *, lock: bool = False) -> Profile | None:
        return self.stored.get(uscc)

    def put_year(self, uscc: str, year: int, facts: dict[str, Any]) -> None:
        profile = self.stored[uscc]
        years = {**profile.years, year: facts}
        self.stored[uscc] = dataclasses.replace(profile, years=years)

    def delete_year(self, uscc: str, year: int) -> bool:
        return False

    def add_certification(self, uscc: str, values: dict[str, Any]) -> int:
        return 1

    def delete_certification(self, uscc: str, certification_id: int) -> bool:
        return False

    def add_version(
        self,
        *,
        uscc: str,
        version: int,
        changed_by: str,
        changed_at: datetime,
        changes: dict[str, Any],
    ) -> None:
        self.versions.append((uscc, version, changes))


@dataclass
class ProfileWork:
    enterprises: Profiles = field(default_factory=Profiles)
    outbox: Outbox = field(default_factory=Outbox)


USCC = new_uscc("44")


def _profile() -> Profile:
    from profiles.api.schemas import EnterpriseCreate

    body = EnterpriseCreate.model_validate(
        {"uscc": USCC, "name": "深圳测试有限公司", "province": "44", "industry": "C3921"}
        | {"ownership": "private"}
    )
    return body.to_profile()


def test_registering_and_changing_an_enterprise_versions_it_without_a_database() -> None:
    work, caseworker = ProfileWork(), Principal("cw", Role.CASEWORKER, regions=frozenset({"44"}))
    stored = register(work, principal=caseworker, profile=_profile())
    assert stored.enterprise.version == 1
    renamed = change(
        work,
        principal=caseworker,
        uscc=stored.enterprise.uscc,
        edit=lambda p: dataclasses.replace(
            p, enterprise=dataclasses.replace(p.enterprise, name="深圳新名有限公司")
        ),
    )
    assert renamed.enterprise.version == 2
    assert [v[1] for v in work.enterprises.versions] == [1, 2]
    assert work.enterprises.versions[1][2]["name"] == {
        "from": "深圳测试有限公司",
        "to": "深圳新名有限公司",
    }
    events = [e for e in work.outbox.published if isinstance(e, ProfileChanged)]
    assert [e.version for e in events] == [1, 2]


def test_the_one_rule_refuses_a_firm_out_of_a_caseworkers_provinces() -> None:
    work, elsewhere = ProfileWork(), Principal("cw", Role.CASEWORKER, regions=frozenset({"33"}))
    with pytest.raises(NotAllowed):
        register(work, principal=elsewhere, profile=_profile())
    register(work, principal=Principal("admin", Role.ADMIN), profile=_profile())
    with pytest.raises(UnknownEnterprise):
        change(work, principal=elsewhere, uscc=USCC, edit=lambda p: p)
