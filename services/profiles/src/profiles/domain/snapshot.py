"""The enterprise.profile.v1 event: a full snapshot of the enterprise after each change."""

from __future__ import annotations

from profiles.domain.model import Enterprise
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE

SOURCE = "urn:supportmatch:profiles"


def profile_changed(enterprise: Enterprise) -> Event:
    industry = enterprise.industry
    return Event(
        type=PROFILE,
        source=SOURCE,
        subject=enterprise.uscc,
        data={
            "uscc": enterprise.uscc,
            "version": enterprise.version,
            "name": enterprise.name,
            "province": {
                "code": enterprise.province.code,
                "name_zh": enterprise.province.full_name_zh,
                "checked_against_uscc": enterprise.province_checked,
            },
            "region": enterprise.province.region.value,
            "industry": {
                "code": industry.code,
                "section": industry.section,
                "division": industry.division,
                "name_zh": industry.name_zh,
            },
            "ownership": enterprise.ownership.value,
            "facts": enterprise.facts,
            "updated_at": enterprise.updated_at.isoformat(),
        },
    )
