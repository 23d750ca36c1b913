"""Use cases of the profiles service: each change is one transaction, one version, one event."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from profiles.adapters import repository
from profiles.domain.changes import diff
from profiles.domain.model import Certification, Enterprise, Profile
from profiles.domain.rules import check_province
from profiles.domain.snapshot import profile_changed, snapshot_data
from supportmatch_core.auth import Principal
from supportmatch_core.db import UnitOfWork
from supportmatch_core.events import Event
from supportmatch_core.outbox import Outbox, outbox_rows
from supportmatch_core.problems import Forbidden, UnknownEnterprise
from supportmatch_core.topics import PROFILE
from supportmatch_reference.size import SizeResult, classify

# Snapshot fields that change with every save and are not news in the history.
_VOLATILE = ("version", "updated_at")


def size_of(profile: Profile) -> SizeResult:
    """The size class from the latest fiscal year's facts (unknown when they are missing)."""
    latest = profile.latest_year()
    facts = profile.years.get(latest, {}) if latest is not None else {}
    return classify(
        profile.enterprise.industry.code,
        employees=_int(facts.get("employees")),
        revenue=_int(facts.get("revenue")),
        total_assets=_int(facts.get("total_assets")),
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _may_access(principal: Principal, enterprise: Enterprise) -> bool:
    return principal.may_access(uscc=enterprise.uscc, province_code=enterprise.province.code)


def load(connection: Connection, principal: Principal, uscc: str, *, lock: bool = False) -> Profile:
    """The profile of `uscc` if it exists and the caller may see it; one answer if either fails."""
    if principal.uscc is not None and principal.uscc != uscc:
        raise UnknownEnterprise(uscc)
    profile = repository.get(connection, uscc, lock=lock)
    if profile is None or not _may_access(principal, profile.enterprise):
        raise UnknownEnterprise(uscc)
    return profile


def save(
    connection: Connection, *, before: Profile | None, after: Profile, by: str, outbox: Outbox
) -> tuple[Profile, bool]:
    """Store `after` as the next version of `before` and publish it; no-op when nothing changed.

    Returns the stored profile and whether it changed.
    """
    size = size_of(after)
    old = _stable(snapshot_data(before, size_of(before))) if before else None
    changes = diff(old, _stable(snapshot_data(after, size)))
    if before is not None and not changes:
        return before, False
    now = datetime.now(UTC)
    enterprise = dataclasses.replace(
        after.enterprise,
        version=before.enterprise.version + 1 if before else 1,
        created_at=before.enterprise.created_at if before else now,
        updated_at=now,
    )
    if before is None:
        repository.add(connection, enterprise, size_class=size.size_class.value)
    else:
        repository.replace(connection, enterprise, size_class=size.size_class.value)
    _sync_years(connection, enterprise.uscc, before, after)
    certifications = _sync_certifications(connection, enterprise.uscc, before, after)
    stored = Profile(enterprise, dict(after.years), certifications)
    repository.add_version(
        connection,
        uscc=enterprise.uscc,
        version=enterprise.version,
        changed_by=by,
        changed_at=now,
        changes=changes,
    )
    outbox.add(connection, topic=PROFILE, event=profile_changed(snapshot_data(stored, size)))
    return stored, True


def _stable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _VOLATILE}


def _sync_years(connection: Connection, uscc: str, before: Profile | None, after: Profile) -> None:
    old = before.years if before else {}
    for year in old.keys() - after.years.keys():
        repository.delete_year(connection, uscc, year)
    for year, facts in after.years.items():
        if old.get(year) != facts:
            repository.put_year(connection, uscc, year, facts)


def _sync_certifications(
    connection: Connection, uscc: str, before: Profile | None, after: Profile
) -> tuple[Certification, ...]:
    kept = {c.id for c in after.certifications if c.id}
    for certification in before.certifications if before else ():
        if certification.id not in kept:
            repository.delete_certification(connection, uscc, certification.id)
    stored = []
    for certification in after.certifications:
        if certification.id:
            stored.append(certification)
            continue
        values = dataclasses.asdict(certification)
        del values["id"]
        values["kind"], values["level"] = certification.kind.value, certification.level.value
        new_id = repository.add_certification(connection, uscc, values)
        stored.append(dataclasses.replace(certification, id=new_id))
    return tuple(stored)


def register(*, uow: UnitOfWork, outbox: Outbox, principal: Principal, profile: Profile) -> Profile:
    """Register a new enterprise and publish its first snapshot."""
    enterprise = profile.enterprise
    checked = check_province(enterprise.uscc, enterprise.province)
    if not principal.may_access(uscc=enterprise.uscc, province_code=enterprise.province.code):
        raise Forbidden("you may not register this enterprise", zh="您无权登记该企业")
    profile = dataclasses.replace(
        profile, enterprise=dataclasses.replace(enterprise, province_checked=checked)
    )
    with uow.begin() as connection:
        stored, _ = save(
            connection, before=None, after=profile, by=principal.subject, outbox=outbox
        )
    return stored


def change(
    *,
    uow: UnitOfWork,
    outbox: Outbox,
    principal: Principal,
    uscc: str,
    edit: Callable[[Profile], Profile],
) -> Profile:
    """Apply `edit` (Profile -> Profile) to the current profile and save the result."""
    with uow.begin() as connection:
        before = load(connection, principal, uscc, lock=True)
        after = edit(before)
        if after.enterprise.province.code != before.enterprise.province.code:
            checked = check_province(uscc, after.enterprise.province)
            after = dataclasses.replace(
                after, enterprise=dataclasses.replace(after.enterprise, province_checked=checked)
            )
            if not _may_access(principal, after.enterprise):
                raise Forbidden("you may not move an enterprise to a province you do not serve")
        stored, _ = save(
            connection, before=before, after=after, by=principal.subject, outbox=outbox
        )
    return stored


def read(*, uow: UnitOfWork, principal: Principal, uscc: str) -> Profile:
    with uow.read() as connection:
        return load(connection, principal, uscc)


def history(*, uow: UnitOfWork, principal: Principal, uscc: str) -> list[dict[str, Any]]:
    """Every version of the enterprise, newest first: who, when and what changed."""
    with uow.read() as connection:
        load(connection, principal, uscc)
        return [row._asdict() for row in repository.versions(connection, uscc)]


def save_many(
    connection: Connection, pairs: Sequence[tuple[Profile | None, Profile]], *, by: str
) -> list[str]:
    """`save` for many profiles at once, in one statement per table: created, updated, unchanged.

    The same rules as `save` decide what changed, and each created or changed profile gets one
    version and one enterprise.profile.v1 event; years may be added or changed but not removed,
    and certifications must be as stored (bulk import never touches them).
    """
    now = datetime.now(UTC)
    stamp = now.isoformat(timespec="milliseconds")  # the events' time: when the batch is saved
    outcomes: list[str] = []
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("added", "replaced", "years_added", "years_replaced", "versions")
    }
    events: list[Event] = []
    for before, after in pairs:
        if before is not None and (
            before.years.keys() - after.years.keys()
            or before.certifications != after.certifications
        ):
            raise ValueError("save_many neither removes years nor changes certifications")
        if after == before:  # equal profiles have equal snapshots: nothing to diff
            outcomes.append("unchanged")
            continue
        size = size_of(after)
        data = snapshot_data(after, size)
        if before is not None:
            # Classifying is costly; the same industry and latest indicators give the same size.
            same = _size_inputs(before) == _size_inputs(after)
            old = _stable(snapshot_data(before, size if same else size_of(before)))
        else:
            old = None
        changes = diff(old, _stable(data))
        if before is not None and not changes:
            outcomes.append("unchanged")
            continue
        version = before.enterprise.version + 1 if before else 1
        enterprise = dataclasses.replace(
            after.enterprise,
            version=version,
            created_at=before.enterprise.created_at if before else now,
            updated_at=now,
        )
        row = repository.row_of(enterprise, size_class=size.size_class.value)
        rows["replaced" if before else "added"].append(row)
        old_years = before.years if before else {}
        for year, facts in after.years.items():
            if old_years.get(year) != facts:
                kind = "years_replaced" if year in old_years else "years_added"
                rows[kind].append({"uscc": enterprise.uscc, "fiscal_year": year, "facts": facts})
        rows["versions"].append(
            {
                "uscc": enterprise.uscc,
                "version": version,
                "changed_by": by,
                "changed_at": now,
                "changes": changes,
            }
        )
        # The stored profile differs from `after` only in version and timestamps.
        data = {**data, "version": version, "updated_at": now.isoformat()}
        events.append(profile_changed(data, time=stamp))
        outcomes.append("updated" if before else "created")
    repository.write_many(connection, **rows, events=outbox_rows(PROFILE, events))
    return outcomes


def _size_inputs(profile: Profile) -> tuple[object, ...]:
    latest = profile.latest_year()
    facts = profile.years.get(latest, {}) if latest is not None else {}
    indicators = (facts.get(k) for k in ("employees", "revenue", "total_assets"))
    return (profile.enterprise.industry.code, latest, *indicators)
