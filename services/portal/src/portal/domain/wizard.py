"""The public self-check's steps and what the visitor has answered so far (kept in the form only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from portal.domain.facts import FIELDS, SIZE_FIELDS, Value, parse_fields
from supportmatch_reference.industries import UnknownIndustry, parse_industry
from supportmatch_reference.regions import BY_CODE

OWNERSHIPS = ("private", "local_soe", "central_soe", "foreign", "mixed", "collective")


class Step(StrEnum):
    INDUSTRY = "industry"
    PROVINCE = "province"
    OWNERSHIP = "ownership"
    SIZE = "size"
    FACTS = "facts"
    RESULT = "result"


STEPS = tuple(Step)


@dataclass(frozen=True, slots=True)
class SelfCheck:
    """The answers carried from step to step; nothing is stored on the server."""

    industry: str | None = None
    province: str | None = None
    ownership: str | None = None
    size_done: bool = False
    facts_done: bool = False
    facts: dict[str, Value | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def step(self) -> Step:
        if self.industry is None:
            return Step.INDUSTRY
        if self.province is None:
            return Step.PROVINCE
        if self.ownership is None:
            return Step.OWNERSHIP
        if not self.size_done:
            return Step.SIZE
        if not self.facts_done:
            return Step.FACTS
        return Step.RESULT

    def request(self, size_class: str | None) -> dict[str, Any]:
        """The body of the eligibility service's self-check for these answers."""
        known = {k: v for k, v in self.facts.items() if v is not None}
        return {
            "industry": self.industry,
            "province": self.province,
            "ownership": self.ownership,
            "size_class": size_class,
            "facts": {k: v for k, v in known.items() if FIELDS[k].home == "year"},
            "flags": {k: v for k, v in known.items() if FIELDS[k].home == "flag"},
        }

    def size_facts(self) -> dict[str, Value]:
        return {k: v for k in SIZE_FIELDS if (v := self.facts.get(k)) is not None}

    def hidden(self) -> dict[str, str]:
        """The answers as the hidden fields of the next step's form."""
        out = {
            name: value
            for name, value in (
                ("industry", self.industry),
                ("province", self.province),
                ("ownership", self.ownership),
            )
            if value
        }
        if self.size_done:
            out["size_done"] = "1"
        if self.facts_done:
            out["facts_done"] = "1"
        out.update({k: FIELDS[k].shown(v) for k, v in self.facts.items() if v is not None})
        return out


def read_answers(form: dict[str, str], *, back_to: Step | None = None) -> SelfCheck:
    """The answers in a submitted step's form; a value that does not parse is an error beside it.

    `back_to` forgets the answers from that step on, so the visitor can change them.
    """
    errors: dict[str, str] = {}
    industry = form.get("industry") or None
    if industry is not None:
        try:
            industry = parse_industry(industry).code
        except UnknownIndustry:
            errors["industry"], industry = "choose_one", None
    province = form.get("province") or None
    if province is not None and province not in BY_CODE:
        errors["province"], province = "choose_one", None
    ownership = form.get("ownership") or None
    if ownership is not None and ownership not in OWNERSHIPS:
        errors["ownership"], ownership = "choose_one", None
    facts, fact_errors = parse_fields([n for n in FIELDS if n in form], form)
    errors.update(fact_errors)
    answers = SelfCheck(
        industry=industry,
        province=province,
        ownership=ownership,
        size_done=form.get("size_done") == "1" and not (fact_errors.keys() & set(SIZE_FIELDS)),
        facts_done=form.get("facts_done") == "1" and not fact_errors,
        facts=facts,
        errors=errors,
    )
    return answers if back_to is None else forget_from(answers, back_to)


def forget_from(answers: SelfCheck, step: Step) -> SelfCheck:
    order = STEPS.index(step)
    kept = {
        "industry": answers.industry if order > 0 else None,
        "province": answers.province if order > 1 else None,
        "ownership": answers.ownership if order > 2 else None,
        "size_done": answers.size_done and order > 3,
        "facts_done": False,
    }
    facts = answers.facts if order > 3 else {}
    return SelfCheck(**kept, facts=facts)  # type: ignore[arg-type]
