"""The versioning rules of a profile: what changed, the size it has, the next version and its
snapshot; one implementation for a single save and for a bulk import's batches."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from profiles.domain.changes import diff
from profiles.domain.model import Enterprise, Profile
from profiles.domain.snapshot import snapshot_data
from supportmatch_reference.size import SizeResult, classify

# Snapshot fields that change with every save and are not news in the history.
_VOLATILE = ("version", "updated_at")
_SIZE_FACTS = ("employees", "revenue", "total_assets")


@dataclass(frozen=True, slots=True)
class NewVersion:
    """The next version of a profile: its enterprise (version and timestamps set), the size
    class it has and the changes since the version before, field by field."""

    enterprise: Enterprise
    size: SizeResult
    changes: dict[str, object]


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


def next_version(before: Profile | None, after: Profile, *, now: datetime) -> NewVersion | None:
    """`after` as the version that follows `before` (None: a new enterprise), or None when
    nothing a snapshot shows changed."""
    if after == before:  # equal profiles have equal snapshots: nothing to diff
        return None
    size = size_of(after)
    old = None
    if before is not None:
        # Classifying is costly; the same industry and latest indicators give the same size.
        same = _size_inputs(before) == _size_inputs(after)
        old = _stable(snapshot_data(before, size if same else size_of(before)))
    changes = diff(old, _stable(snapshot_data(after, size)))
    if before is not None and not changes:
        return None
    enterprise = dataclasses.replace(
        after.enterprise,
        version=before.enterprise.version + 1 if before else 1,
        created_at=before.enterprise.created_at if before else now,
        updated_at=now,
    )
    return NewVersion(enterprise, size, changes)


def _stable(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if k not in _VOLATILE}


def _size_inputs(profile: Profile) -> tuple[object, ...]:
    latest = profile.latest_year()
    facts = profile.years.get(latest, {}) if latest is not None else {}
    return (profile.enterprise.industry.code, latest, *(facts.get(k) for k in _SIZE_FACTS))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
