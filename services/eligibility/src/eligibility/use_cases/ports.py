"""The ports the use cases need: the repositories of one transaction (`Work`) and the unit of
work that opens transactions; `adapters/unit_of_work.py` implements them over SQL, tests in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from eligibility.domain.decision import Decision, Held, Recorded
from eligibility.domain.facts import Facts
from eligibility.domain.lifecycle import Draft, LoggedStep, StoredVersion
from eligibility.domain.measures import Measure
from eligibility.domain.queue import QueueFilter, QueuePage
from eligibility.domain.rematches import Claimed, Rematch, Rematched, Stored, Unexplained
from supportmatch_core.ports import Outbox, Transactions


class Firms(Protocol):
    """The projection of enterprise facts."""

    def lock_for_writing(self) -> None: ...
    def versions(self, usccs: Sequence[str]) -> dict[str, int]: ...
    def facts(self, uscc: str) -> dict[str, Any] | None: ...
    def save(
        self,
        *,
        uscc: str,
        version: int,
        facts: Facts,
        exists: bool,
        name: str | None = None,
        city: str | None = None,
    ) -> None: ...


class StoredDetermination(Stored, Protocol):
    """A stored determination with what the explainer and the API read besides."""

    @property
    def facts_digest(self) -> str: ...
    def _asdict(self) -> dict[str, object]: ...


class Determinations(Protocol):
    def held(self, usccs: Sequence[str]) -> dict[str, dict[str, Held]]: ...
    def decided_for_everyone(self, measure_ids: Iterable[str]) -> set[str]: ...
    def refresh(
        self, decided: Sequence[tuple[str, Decision]], places: Mapping[str, Mapping[str, Any]]
    ) -> None: ...
    def record(
        self, recorded: Sequence[Recorded], places: Mapping[str, Mapping[str, Any]]
    ) -> None: ...
    def follow_projection(self, usccs: Sequence[str]) -> None: ...
    def place_misplaced(self, measure_ids: Sequence[str], changed_since: datetime) -> int: ...
    def of_firm(self, uscc: str) -> Sequence[StoredDetermination]: ...


class Measures(Protocol):
    """Published versions, drafts and the catalogue revision."""

    def revision(self, *, hold: bool = False) -> int: ...
    def lock(self) -> int: ...
    def bump(self, held: int) -> int: ...
    def versions(self, measure_id: str | None = None) -> list[StoredVersion]: ...
    def version(self, measure_id: str, number: int) -> StoredVersion | None: ...
    def add_version(
        self, *, document: dict[str, object], measure: Measure, managed_by: str, actor: str
    ) -> None: ...
    def change_version(self, *, document: dict[str, object], measure: Measure) -> None: ...
    def retire_version(
        self, *, document: dict[str, object], measure: Measure, actor: str
    ) -> None: ...
    def log(self, limit: int) -> list[LoggedStep]: ...
    def drafts(self) -> list[Draft]: ...
    def draft(self, measure_id: str, number: int) -> Draft | None: ...
    def save_draft(self, *, document: dict[str, object], actor: str, exists: bool) -> None: ...
    def remove_draft(self, measure_id: str, number: int) -> bool: ...


class Population(Protocol):
    """Every firm's statuses decided in the database."""

    def take_daily_turn(self) -> None: ...
    def rematched(self) -> list[Rematched]: ...
    def rematch(self, measures: Sequence[Measure], on: date) -> list[Rematch]: ...


class RangeQueue(Protocol):
    """Firms whose first decisions wait to be explained, by ranges of keys."""

    def ranges_for(self, firms: int) -> int: ...
    def claim(self, count: int) -> Sequence[Claimed]: ...
    def release(self, claimed: Sequence[Claimed]) -> int: ...


class Explanations(Protocol):
    """Determinations stored by status alone, and their completion."""

    def pending(
        self, *, uscc: str | None = None, measure: Measure | None = None, limit: int | None = None
    ) -> list[Unexplained]: ...
    def unrecorded_in(self, claimed: Sequence[Claimed]) -> list[Unexplained]: ...
    def unrecorded_of_firm(self, uscc: str) -> list[Unexplained]: ...
    def unrecorded_of_measure(
        self, measure: Measure, *, after: str, limit: int
    ) -> list[Unexplained]: ...
    def unlogged_of_firm(self, uscc: str) -> list[Unexplained]: ...
    def complete(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None: ...
    def explain_in_place(self, done: Sequence[tuple[Unexplained, Decision | None]]) -> None: ...


class Reach(Protocol):
    def reach(self, *, draft: Measure, current: Measure | None, on: date) -> dict[str, object]: ...
    def firms(
        self,
        *,
        draft: Measure,
        current: Measure | None,
        on: date,
        group: str,
        after: str,
        limit: int,
    ) -> list[dict[str, object]]: ...
    def breakdown(
        self, *, draft: Measure, current: Measure | None, on: date
    ) -> dict[str, object]: ...


class Queue(Protocol):
    """The caseworkers' work queue."""

    def page(
        self, wanted: QueueFilter, *, after: str, limit: int, on: date, counted: bool = True
    ) -> QueuePage: ...
    def newly_eligible(
        self, measure_id: str, provinces: frozenset[str] | None, since: datetime
    ) -> dict[str, int]: ...


class Cases(Protocol):
    """The caseworkers' cases as their events tell them."""

    def follow(
        self, *, uscc: str, measure_id: str, state: str, assignee: str | None, version: int
    ) -> None: ...


class QueueWork(Protocol):
    """What reading the work queue needs of a transaction."""

    @property
    def queue(self) -> Queue: ...


class ExplainWork(Protocol):
    """What explaining stored determinations needs of a transaction."""

    @property
    def explanations(self) -> Explanations: ...
    @property
    def outbox(self) -> Outbox: ...


class DecideWork(ExplainWork, Protocol):
    """What deciding firms on their new profiles needs of a transaction."""

    @property
    def firms(self) -> Firms: ...
    @property
    def determinations(self) -> Determinations: ...


class Work(Protocol):
    """The repositories of one open transaction."""

    @property
    def firms(self) -> Firms: ...
    @property
    def determinations(self) -> Determinations: ...
    @property
    def measures(self) -> Measures: ...
    @property
    def population(self) -> Population: ...
    @property
    def ranges(self) -> RangeQueue: ...
    @property
    def explanations(self) -> Explanations: ...
    @property
    def reach(self) -> Reach: ...
    @property
    def queue(self) -> Queue: ...
    @property
    def cases(self) -> Cases: ...
    @property
    def outbox(self) -> Outbox: ...


UnitOfWork = Transactions[Work]
"""Opens this service's transactions (`begin` to write, `read` to read)."""
