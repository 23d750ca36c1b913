"""Storing the next version of profiles, one (an edit) or many (an import batch): each change is
one version, one history row and one enterprise.profile.v1 event, by `domain.versions`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from profiles.domain.model import Certification, Enterprise, Profile
from profiles.domain.snapshot import SOURCE, profile_changed
from profiles.domain.versions import next_version
from profiles.use_cases.ports import ProfileWork, Work
from supportmatch_core.events import Event
from supportmatch_core.outbox import outbox_rows
from supportmatch_core.topics import PROFILE


def save(
    work: ProfileWork, *, before: Profile | None, after: Profile, by: str
) -> tuple[Profile, bool]:
    """Store `after` as the next version of `before` and publish it; no-op when nothing changed.

    Returns the stored profile and whether it changed.
    """
    now = datetime.now(UTC)
    new = next_version(before, after, now=now)
    if new is None:
        return before or after, False
    enterprise, size_class = new.enterprise, new.size.size_class.value
    if before is None:
        work.enterprises.add(enterprise, size_class=size_class)
    else:
        work.enterprises.replace(enterprise, size_class=size_class)
    _sync_years(work, enterprise.uscc, before, after)
    certifications = _sync_certifications(work, enterprise.uscc, before, after)
    stored = Profile(enterprise, dict(after.years), certifications)
    work.enterprises.add_version(
        uscc=enterprise.uscc,
        version=enterprise.version,
        changed_by=by,
        changed_at=now,
        changes=new.changes,
    )
    work.outbox.publish([profile_changed(stored, new.size)])
    return stored, True


def save_many(work: Work, pairs: Sequence[tuple[Profile | None, Profile]], *, by: str) -> list[str]:
    """`save` for many profiles at once, in one statement per table: created, updated, unchanged.

    Years may be added or changed but not removed, and certifications must be as stored (bulk
    import never touches them).
    """
    now = datetime.now(UTC)
    stamp = now.isoformat(timespec="milliseconds")  # the events' time: when the batch is saved
    outcomes: list[str] = []
    added: list[tuple[Enterprise, str]] = []
    replaced: list[tuple[Enterprise, str]] = []
    rows: dict[str, list[dict[str, object]]] = {
        k: [] for k in ("years_added", "years_replaced", "versions")
    }
    events: list[Event] = []
    for before, after in pairs:
        if before is not None and (
            before.years.keys() - after.years.keys()
            or before.certifications != after.certifications
        ):
            raise ValueError("save_many neither removes years nor changes certifications")
        new = next_version(before, after, now=now)
        if new is None:
            outcomes.append("unchanged")
            continue
        enterprise = new.enterprise
        (replaced if before else added).append((enterprise, new.size.size_class.value))
        old_years = before.years if before else {}
        for year, facts in after.years.items():
            if old_years.get(year) != facts:
                kind = "years_replaced" if year in old_years else "years_added"
                rows[kind].append({"uscc": enterprise.uscc, "fiscal_year": year, "facts": facts})
        rows["versions"].append(
            {
                "uscc": enterprise.uscc,
                "version": enterprise.version,
                "changed_by": by,
                "changed_at": now,
                "changes": new.changes,
            }
        )
        stored = dataclasses.replace(after, enterprise=enterprise)
        changed = profile_changed(stored, new.size)
        events.append(changed.envelope(source=SOURCE, subject=changed.uscc, time=stamp))
        outcomes.append("updated" if before else "created")
    work.enterprises.write_many(
        added=added,
        replaced=replaced,
        years_added=rows["years_added"],
        years_replaced=rows["years_replaced"],
        versions=rows["versions"],
        events=outbox_rows(PROFILE, events),
    )
    return outcomes


def _sync_years(work: ProfileWork, uscc: str, before: Profile | None, after: Profile) -> None:
    old = before.years if before else {}
    for year in old.keys() - after.years.keys():
        work.enterprises.delete_year(uscc, year)
    for year, facts in after.years.items():
        if old.get(year) != facts:
            work.enterprises.put_year(uscc, year, facts)


def _sync_certifications(
    work: ProfileWork, uscc: str, before: Profile | None, after: Profile
) -> tuple[Certification, ...]:
    kept = {c.id for c in after.certifications if c.id}
    for certification in before.certifications if before else ():
        if certification.id not in kept:
            work.enterprises.delete_certification(uscc, certification.id)
    stored = []
    for certification in after.certifications:
        if certification.id:
            stored.append(certification)
            continue
        values = dataclasses.asdict(certification)
        del values["id"]
        values["kind"], values["level"] = certification.kind.value, certification.level.value
        new_id = work.enterprises.add_certification(uscc, values)
        stored.append(dataclasses.replace(certification, id=new_id))
    return tuple(stored)
