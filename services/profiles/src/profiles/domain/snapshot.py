"""The enterprise.profile.v1 event: a full snapshot of the enterprise after each change."""

from __future__ import annotations

from typing import Any

from profiles.domain.model import Profile
from supportmatch_core.contracts.profile import ProfileChanged
from supportmatch_reference.size import SizeResult

SOURCE = "urn:supportmatch:profiles"


def snapshot_data(profile: Profile, size: SizeResult) -> dict[str, Any]:
    """The snapshot of `profile`; `facts` holds the latest fiscal year, `years` every year."""
    e = profile.enterprise
    latest = profile.latest_year()
    return {
        "uscc": e.uscc,
        "version": e.version,
        "name": e.name,
        "name_en": e.name_en,
        "registration_date": e.registration_date.isoformat() if e.registration_date else None,
        "legal_form": e.legal_form.value if e.legal_form else None,
        "ownership": e.ownership.value,
        "foreign_kind": e.foreign_kind.value if e.foreign_kind else None,
        "listed": e.listed,
        "province": {
            "code": e.province.code,
            "name_zh": e.province.full_name_zh,
            "checked_against_uscc": e.province_checked,
        },
        "city": e.city,
        "region": e.province.region.value,
        "industry": {
            "code": e.industry.code,
            "section": e.industry.section,
            "division": e.industry.division,
            "name_zh": e.industry.name_zh,
        },
        "main_products": list(e.main_products),
        "contact": {"email": e.contact_email},
        "flags": dict(e.flags),
        "covid_risk_periods": [
            {"start": p.start.isoformat(), "end": p.end.isoformat()} for p in e.covid_risk_periods
        ],
        "vat_taxpayer_type": e.vat_taxpayer_type.value if e.vat_taxpayer_type else None,
        "vat_credit_balances": dict(sorted(e.vat_credit_balances.items())),
        "vat_sales_by_industry": dict(sorted(e.vat_sales_by_industry.items())),
        "size": {
            "class": size.size_class.value,
            "fiscal_year": latest,
            "rule": size.rule,
            "rule_zh": size.rule_zh,
            "missing": list(size.missing),
        },
        "facts": {**profile.years[latest], "fiscal_year": latest} if latest is not None else {},
        "years": [{**profile.years[y], "fiscal_year": y} for y in sorted(profile.years)],
        "certifications": [
            {
                "id": c.id,
                "kind": c.kind.value,
                "level": c.level.value,
                "issuer": c.issuer,
                "certificate_no": c.certificate_no,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat() if c.valid_to else None,
            }
            for c in profile.certifications
        ],
        "updated_at": e.updated_at.isoformat(),
    }


def profile_changed(profile: Profile, size: SizeResult) -> ProfileChanged:
    """The enterprise.profile.v1 event of `profile`: its snapshot."""
    return ProfileChanged.from_data(snapshot_data(profile, size))
