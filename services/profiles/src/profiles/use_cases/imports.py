"""Bulk import of enterprises from a CSV or XLSX file: each row validated as the API would,
the valid ones stored in batches, every error reported with its row and column.

A filled cell sets the value, an empty cell leaves what is stored (unknown for a new
enterprise); a row's facts go to its fiscal year, other years and certifications stay as they
are. Rows apply in file order: a USCC given twice is applied twice, so the later row wins.
Importing the same file again changes nothing and publishes nothing.
"""

from __future__ import annotations

import dataclasses
import gc
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from profiles.adapters import sheets
from profiles.domain import rows
from profiles.domain.imports import MAX_ERRORS, Summary
from profiles.domain.model import Ownership, Profile
from profiles.domain.rules import check_province
from profiles.use_cases.ports import UnitOfWork
from profiles.use_cases.saving import save_many
from supportmatch_core.access import may_see
from supportmatch_core.auth import Principal, Role
from supportmatch_core.errors import ConflictError, NotAllowed, NotFoundError, RuleBroken
from supportmatch_reference.regions import BY_CODE

BATCH = 1000
_ATTEMPTS = 3  # tries of a batch that meets a concurrent writer


class StatedRow(Protocol):
    """A row read as the API reads a new enterprise: what it states, and which fields it gave."""

    @property
    def uscc(self) -> str: ...
    @property
    def province(self) -> str: ...
    @property
    def model_fields_set(self) -> set[str]: ...

    def to_profile(self, *, province_checked: bool = True) -> Profile: ...


# Reads a row's body as the API reads a request (raising pydantic's ValidationError); the
# route and the command pass the API's own model, so a row is refused exactly as a request is.
ReadRow = Callable[[dict[str, object]], StatedRow]


@dataclass(frozen=True, slots=True)
class _Row:
    """A valid row: its number, the profile it states and which optional attributes it gave.

    The validated body is not kept: fewer live objects per held row make the garbage
    collector's passes cheaper.
    """

    number: int
    uscc: str
    stated: tuple[str, ...]
    profile: Profile


def run(
    *,
    uow: UnitOfWork,
    read_row: ReadRow,
    principal: Principal,
    path: Path,
    file_name: str,
    batch_size: int = BATCH,
    progress: Callable[[int, int | None], None] | None = None,
    limits: sheets.Limits | None = None,
) -> Summary:
    """Import the file at `path`; raises Invalid("file") when it cannot be read at all or passes
    a limit (rows, cell length, unpacked size), before any row is stored."""
    if principal.role not in (Role.ADMIN, Role.CASEWORKER):
        raise NotAllowed(
            "only an admin or a caseworker may import enterprises",
            zh="只有管理员或服务专员可以导入企业",
        )
    limits = limits or sheets.Limits()
    try:
        sheet = sheets.inspect(path, limits)
        reading = sheets.rows(sheet, limits)
        header = rows.read_header(next(reading, (1, []))[1])
    except (sheets.Unreadable, rows.BadHeader) as error:
        raise RuleBroken("file", str(error), zh="文件无法读取或表头不符合导入格式") from error
    summary = Summary(str(uuid.uuid4()), file_name[:300], sheet.sha256, principal.subject, _now())
    with uow.begin() as work:
        work.enterprises.add_import(summary.record())
    for name in header.unknown:
        summary.error(
            1, name, f"unknown column, ignored; the columns are {', '.join(rows.COLUMNS)}"
        )
    with _heap_frozen():
        _import_rows(
            uow, principal, read_row, (sheet, header, reading), summary, batch_size, progress
        )
    if progress:
        progress(summary.rows, sheet.rows_estimate)
    if summary.error_count > len(summary.errors):
        summary.note = f"{summary.error_count} errors; the first {MAX_ERRORS} are kept"
    summary.finished_at = _now()
    with uow.begin() as work:
        work.enterprises.finish_import(summary.id, summary.record())
    return summary


def _import_rows(
    uow: UnitOfWork,
    principal: Principal,
    read_row: ReadRow,
    source: tuple[sheets.Sheet, rows.Header, Iterator[tuple[int, list[str]]]],
    summary: Summary,
    batch_size: int,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    """Validate each row and store the valid ones, `batch_size` at a time, in file order."""
    sheet, header, reading = source
    batch: dict[str, _Row] = {}
    try:
        for number, cells in reading:
            summary.rows += 1
            body = rows.body_of(header, cells)
            row = _validated(lambda: read_row(body), number, principal, summary)  # noqa: B023
            if row is None:
                continue
            if row.uscc in batch or len(batch) >= batch_size:
                _count(summary, *_store(uow, principal, list(batch.values())))
                batch = {}
                if progress:
                    progress(summary.rows, sheet.rows_estimate)
            batch[row.uscc] = row
    except sheets.Unreadable as error:
        summary.error(summary.rows + 2, "", f"{error}; the rows after it were not read")
    if batch:
        _count(summary, *_store(uow, principal, list(batch.values())))


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """Keep the objects alive before the import out of the garbage collector's passes meanwhile.

    Rows held for a batch survive into the oldest generation, so a full pass, which rescans the
    whole process (about 150,000 objects, 0.1 s), ran every batch or two: a quarter of the
    import's CPU time. The objects are handed back at the end, so nothing dead meanwhile leaks
    (the freeze is process-wide: an import ending meanwhile only makes another's passes slower).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _validated(
    read: Callable[[], StatedRow], number: int, principal: Principal, summary: Summary
) -> _Row | None:
    """The row as a profile, or None after reporting each of its errors."""
    try:
        body = read()
    except ValidationError as error:
        found = [(rows.column_of(e["loc"]), _message(e["msg"])) for e in error.errors()]
        _reject(summary, number, found)
        return None
    try:
        checked = check_province(body.uscc, BY_CODE[body.province])
    except RuleBroken as error:
        _reject(summary, number, [("province", error.reason)])
        return None
    if not may_see(principal, uscc=body.uscc, province_code=body.province):
        _reject(
            summary, number, [("province", f"you may not import enterprises of {body.province}")]
        )
        return None
    stated = tuple(name for name in rows.ATTRIBUTES if name in body.model_fields_set)
    return _Row(number, body.uscc, stated, body.to_profile(province_checked=checked))


def _reject(summary: Summary, number: int, found: list[tuple[str, str]]) -> None:
    summary.rejected += 1
    for column, message in found:
        summary.error(number, column, message)


def _message(text: str) -> str:
    return text.removeprefix("Value error, ")


def _count(summary: Summary, outcomes: list[str], refused: list[_Row]) -> None:
    for row in refused:
        summary.rejected += 1
        summary.error(
            row.number, "province", "the enterprise is registered in a province you do not serve"
        )
    summary.created += outcomes.count("created")
    summary.updated += outcomes.count("updated")
    summary.unchanged += outcomes.count("unchanged")


def _store(
    uow: UnitOfWork, principal: Principal, batch: list[_Row]
) -> tuple[list[str], list[_Row]]:
    """Store one batch in one transaction, each row against what is stored now.

    Returns each stored row's outcome and the rows refused (stored in a province not served).
    """

    def attempt() -> tuple[list[str], list[_Row]]:
        refused: list[_Row] = []
        with uow.begin() as work:
            stored = work.enterprises.get_many([r.uscc for r in batch], lock=True)
            pairs = []
            for row in batch:
                before = stored.get(row.uscc)
                if before is not None and not may_see(
                    principal, uscc=row.uscc, province_code=before.enterprise.province.code
                ):
                    refused.append(row)
                    continue
                pairs.append((before, merged(before, row.profile, row.stated)))
            return save_many(work, pairs, by=principal.subject), refused

    # A batch that meets a concurrent writer (a unique key) is read again and stored again.
    retrying = Retrying(
        stop=stop_after_attempt(_ATTEMPTS),
        retry=retry_if_exception_type(ConflictError),
        reraise=True,
    )
    return retrying(attempt)


def merged(before: Profile | None, fresh: Profile, stated: Collection[str]) -> Profile:
    """`before` with what a row states laid over it: `fresh`, the profile of the row alone, whose
    optional attributes named in `stated` (those the row gave) replace the stored ones."""
    if before is None:
        return fresh
    new, old = fresh.enterprise, before.enterprise
    given = {name: getattr(new, name) for name in rows.ATTRIBUTES if name in stated}
    foreign_kind = given.pop("foreign_kind", old.foreign_kind)
    e = dataclasses.replace(
        old,
        name=new.name,
        province=new.province,
        province_checked=new.province_checked,
        industry=new.industry,
        ownership=new.ownership,
        **given,
        flags={**old.flags, **new.flags},
        foreign_kind=foreign_kind if new.ownership is Ownership.FOREIGN else None,
    )
    years = dict(before.years)
    for year, facts in fresh.years.items():
        years[year] = {**years.get(year, {}), **facts}
    return Profile(e, years, before.certifications)


def read(*, uow: UnitOfWork, principal: Principal, import_id: str) -> Summary:
    """An import, for an admin or whoever ran it."""
    with uow.read() as work:
        row = work.enterprises.get_import(import_id)
    if row is None:
        raise NotFoundError(f"no import {import_id}", zh=f"没有导入记录{import_id}")
    if principal.role is not Role.ADMIN and principal.subject != row.imported_by:
        raise NotAllowed(
            "only an admin or whoever ran an import may see it",
            zh="只有管理员或导入人可以查看该导入记录",
        )
    values = row._asdict()
    values["errors"] = list(values["errors"] or [])
    return Summary(**values, error_count=len(values["errors"]))


def _now() -> datetime:
    return datetime.now(UTC)
