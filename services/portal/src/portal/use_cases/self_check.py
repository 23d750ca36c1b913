"""The public self-check: from the visitor's answers, the next step, or the grouped result."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from portal.adapters.services import Services
from portal.domain.answers import facts_to_ask, grouped
from portal.domain.facts import FIELDS, SIZE_FIELDS
from portal.domain.wizard import SelfCheck, Step


@dataclass(frozen=True, slots=True)
class SelfCheckView:
    answers: SelfCheck
    step: Step
    ask: list[str] = field(default_factory=list)  # the facts of the facts step
    size_class: str | None = None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def size_class(services: Services, answers: SelfCheck) -> str | None:
    """The size class by the 2011 standard from the size facts given, if they decide it."""
    given = answers.size_facts()
    if not given or answers.industry is None:
        return None
    body = {"industry": answers.industry, **given}
    if "total_assets" in body:
        body["assets"] = body.pop("total_assets")
    found = services.call("profiles", "POST", "/v1/size-classification", json=body)
    return None if found["size_class"] == "unknown" else str(found["size_class"])


def advance(services: Services, answers: SelfCheck) -> SelfCheckView:
    """What to show after the visitor's last step: the next question, or the answer."""
    step = answers.step
    if step in (Step.INDUSTRY, Step.PROVINCE, Step.OWNERSHIP, Step.SIZE):
        return SelfCheckView(answers, step)
    size = size_class(services, answers)
    checked = services.call("eligibility", "POST", "/v1/checks", json=answers.request(size))
    decisions = checked["decisions"]
    if step is Step.FACTS:
        askable = [n for n in FIELDS if n not in SIZE_FIELDS]
        ask = facts_to_ask(decisions, askable)
        if ask:
            return SelfCheckView(answers, step, ask=ask, size_class=size)
        answers = dataclasses.replace(answers, facts_done=True)
    return SelfCheckView(
        answers, Step.RESULT, size_class=size, groups=with_measures(services, decisions)
    )


def with_measures(
    services: Services, decisions: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The decisions grouped by status, each beside its measure's catalogue entry (benefit,
    departments, sources) under "about"."""
    catalogue = {m["id"]: m for m in services.measures()}
    joined = [{**d, "about": catalogue.get(d["measure"]["id"], {})} for d in decisions]
    return grouped(joined)  # type: ignore[return-value]  # dicts from JSON, kept as dicts
