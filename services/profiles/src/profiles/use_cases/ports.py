"""The ports the use cases need: the repositories of one transaction (`Work`) and the unit of
work that opens transactions; `adapters/unit_of_work.py` implements them over SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from profiles.domain.listing import Filters
from profiles.domain.model import Enterprise, Profile
from supportmatch_core.ports import Outbox, Transactions


class Row(Protocol):
    """A row read back as it is stored (a version, an import, a listed enterprise)."""

    def _asdict(self) -> dict[str, Any]: ...
    def __getattr__(self, name: str) -> Any: ...


class Profiles(Protocol):
    """What storing one profile's next version needs."""

    def add(self, enterprise: Enterprise, *, size_class: str) -> None: ...
    def replace(self, enterprise: Enterprise, *, size_class: str) -> None: ...
    def get(self, uscc: str, *, lock: bool = False) -> Profile | None: ...
    def put_year(self, uscc: str, year: int, facts: dict[str, object]) -> None: ...
    def delete_year(self, uscc: str, year: int) -> bool: ...
    def add_certification(self, uscc: str, values: dict[str, object]) -> int: ...
    def delete_certification(self, uscc: str, certification_id: int) -> bool: ...
    def add_version(
        self,
        *,
        uscc: str,
        version: int,
        changed_by: str,
        changed_at: datetime,
        changes: dict[str, object],
    ) -> None: ...


class Enterprises(Profiles, Protocol):
    def get_many(self, usccs: Collection[str], *, lock: bool = False) -> dict[str, Profile]: ...
    def versions(self, uscc: str) -> Sequence[Row]: ...
    def write_many(
        self,
        *,
        added: list[tuple[Enterprise, str]],
        replaced: list[tuple[Enterprise, str]],
        years_added: list[dict[str, object]],
        years_replaced: list[dict[str, object]],
        versions: list[dict[str, object]],
        events: list[dict[str, object]],
    ) -> None: ...
    def add_import(self, values: dict[str, object]) -> None: ...
    def finish_import(self, import_id: str, values: dict[str, object]) -> None: ...
    def get_import(self, import_id: str) -> Row | None: ...


class Search(Protocol):
    def page(self, filters: Filters, *, after: str | None, limit: int) -> Sequence[Row]: ...
    def every(self, filters: Filters, *, batch: int = 1000) -> Iterator[Row]: ...


class ProfileWork(Protocol):
    """What registering or changing one enterprise needs of a transaction."""

    @property
    def enterprises(self) -> Profiles: ...
    @property
    def outbox(self) -> Outbox: ...


class Work(Protocol):
    """The repositories of one open transaction."""

    @property
    def enterprises(self) -> Enterprises: ...
    @property
    def search(self) -> Search: ...
    @property
    def outbox(self) -> Outbox: ...


UnitOfWork = Transactions[Work]
"""Opens this service's transactions (`begin` to write, `read` to read)."""
