"""What an enterprise's determinations are: as stored, or decided on a day; the self-check."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, decide
from eligibility.domain.facts import Facts
from eligibility.domain.rematches import PENDING, explained
from eligibility.use_cases.ports import Work
from supportmatch_core.access import check_may_ask, check_may_see
from supportmatch_core.auth import Principal
from supportmatch_core.errors import UnknownEnterprise


def _visible_facts(work: Work, principal: Principal, uscc: str) -> dict[str, Any]:
    check_may_ask(principal, uscc)
    facts = work.firms.facts(uscc)
    if facts is None:
        raise UnknownEnterprise(uscc)
    check_may_see(principal, uscc=uscc, province_code=facts["province_code"])
    return facts


def list_determinations(
    work: Work, *, principal: Principal, uscc: str, catalogue: Catalogue | None = None
) -> list[dict[str, object]]:
    """The enterprise's stored determinations, if the caller may see them.

    A row a population re-match stored unexplained is explained here from the firm's facts,
    which are still those it was decided on (ADR 0009); nothing is written.
    """
    facts = _visible_facts(work, principal, uscc)
    shown = []
    for row in work.determinations.of_firm(uscc):
        values = row._asdict()
        if catalogue is not None and row.facts_digest == PENDING:
            decision = explained(catalogue, facts, row)
            if decision is not None:
                values |= {
                    "facts_digest": decision.facts_digest,
                    "explanation": decision.explanation(),
                }
        shown.append(values)
    return shown


def determinations_as_of(
    work: Work, *, principal: Principal, uscc: str, catalogue: Catalogue, on: date
) -> list[Decision]:
    """The enterprise's facts decided against the measures in force on `on` (nothing stored)."""
    return check(catalogue=catalogue, facts=_visible_facts(work, principal, uscc), on=on)


def check(*, catalogue: Catalogue, facts: Facts, on: date) -> list[Decision]:
    """Decide every measure in force on `on` for these facts: the public self-check."""
    return [decide(measure, facts, on) for measure in catalogue.in_force(on)]
