"""The eligibility.determination.v1 event: a determination whose status changed."""

from __future__ import annotations

from eligibility.domain.decision import Decision, Status, evidence
from supportmatch_core.contracts.determination import EligibilityChanged

SOURCE = "urn:supportmatch:eligibility"


def eligibility_changed(
    *,
    uscc: str,
    province_code: str,
    decision: Decision,
    previous: Status | None,
    profile_version: int,
) -> EligibilityChanged:
    return EligibilityChanged.from_data(
        {
            "uscc": uscc,
            "province_code": province_code,
            "measure": decision.measure.reference(),
            "status": decision.status.value,
            "previous_status": previous.value if previous else None,
            "evaluated_on": decision.evaluated_on.isoformat(),
            "profile_version": profile_version,
            "facts_digest": decision.facts_digest,
            "criteria": decision.criteria,
            "missing_facts": decision.missing_facts,
            "tree": decision.tree,
            "reasons": decision.reasons,
            "estimate": decision.estimate,
            **evidence(decision.measure),
        }
    )
