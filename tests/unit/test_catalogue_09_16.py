"""The measures of clauses (九) to (十六): each version admits one firm and refuses another, for a reason."""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue
from tests.unit._snapshots import profile_snapshot
from tests.unit.test_catalogue_today import TODAY

CLAUSES = {
    "09": "（九）",
    "10": "（十）",
    "11": "（十一）",
    "12": "（十二）",
    "13": "（十三）",
    "14": "（十四）",
    "15": "（十五）",
    "16": "（十六）",
}
FILE_NAME = re.compile(r"^c(09|1[0-6])-([a-z0-9]+(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)\.json$")
NOTICE = (
    Path(__file__).resolve().parents[2] / "docs" / "sources" / "notice-2022-industrial-economy.txt"
)
KINDS = {"benefit", "obligation", "opportunity"}


def _documents() -> dict[str, dict[str, Any]]:
    """The c09-c16 documents by file name."""
    folder = resources.files("eligibility") / "catalogue"
    return {
        item.name: json.loads(item.read_text(encoding="utf-8"))
        for item in folder.iterdir()
        if FILE_NAME.match(item.name)
    }


DOCUMENTS = _documents()
# The versions that carry the notice on to today have their own table (test_catalogue_today).
OURS = {(doc["id"], int(doc["version"])) for doc in DOCUMENTS.values()} - TODAY


@functools.cache  # loading the catalogue takes a tenth of a second; the measures are frozen
def _measures() -> dict[tuple[str, int], Measure]:
    return {(m.id, m.version): m for m in load_catalogue() if (m.id, m.version) in OURS}


# --- firms ----------------------------------------------------------------------------------------
# A firm is the keyword arguments of profile_snapshot plus: flags, certs ((kind, level), ...),
# covid (district listed in 2022), revenue_before (2021 revenue, for revenue_growth), foreign_kind.

SMALL_MAKER: dict[str, Any] = {
    "industry": "C3921",
    "employees": 200,
    "revenue": 50_000_000,
    "total_assets": 40_000_000,
}
LARGE_SIZE: dict[str, Any] = {
    "employees": 2_000,
    "revenue": 600_000_000,
    "total_assets": 900_000_000,
}
SMALL_SOFTWARE: dict[str, Any] = {
    "industry": "I6513",
    "employees": 50,
    "revenue": 10_000_000,
    "total_assets": 8_000_000,
}
SMALL_RESTAURANT: dict[str, Any] = {
    "industry": "H6210",
    "employees": 30,
    "revenue": 3_000_000,
    "total_assets": 1_000_000,
    "flags": {"renting_state_premises": True},
}
LITTLE_GIANT: dict[str, Any] = {
    "industry": "C3921",
    "employees": 250,
    "revenue": 120_000_000,
    "revenue_before": 100_000_000,
    "main_business_revenue": 100_000_000,
    "rd_expense": 6_000_000,
    "total_assets": 100_000_000,
    "total_liabilities": 40_000_000,
    "niche_market_share": 15.0,
    "years_in_niche": 5,
    "certs": (("specialised_sme", "provincial"),),
}
FOREIGN = {"ownership": "foreign", "foreign_kind": "wholly_foreign_owned"}
SMALL_PROFIT = {**SMALL_MAKER, "taxable_income": 2_000_000}


def snapshot(firm: dict[str, Any], on: date) -> dict[str, Any]:
    """The enterprise.profile.v1 data of `firm`, its titles valid around the day `on`."""
    spec = dict(firm)
    flags = spec.pop("flags", {})
    certs = spec.pop("certs", ())
    covid = spec.pop("covid", False)
    before = spec.pop("revenue_before", None)
    foreign_kind = spec.pop("foreign_kind", None)
    snap = profile_snapshot(**spec)
    snap["flags"] = dict(flags)
    snap["foreign_kind"] = foreign_kind
    snap["covid_risk_periods"] = [{"start": "2022-04-01", "end": "2022-04-30"}] if covid else []
    snap["certifications"] = [
        {
            "id": number,
            "kind": kind,
            "level": level,
            "issuer": "test",
            "certificate_no": None,
            "valid_from": (on - timedelta(days=365)).isoformat(),
            "valid_to": (on + timedelta(days=730)).isoformat(),
        }
        for number, (kind, level) in enumerate(certs, start=1)
    ]
    if before is not None:
        snap["years"] = [{"fiscal_year": 2021, "revenue": before}, *snap["years"]]
    return snap


@dataclass(frozen=True)
class Case:
    """A measure version, a day it is in force, a firm that qualifies, and the change that fails it."""

    measure: str
    version: int
    on: date
    firm: dict[str, Any]
    change: dict[str, Any]
    decisive: str  # the fact (or certification kind) the explanation must name as deciding
    note: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.measure, self.version)


NOTICE_DAY = date(2023, 3, 1)
MID_2022 = date(2022, 6, 1)
Q4_2022 = date(2022, 11, 15)

CASES = [
    # （九）-（十一） regions
    Case("east-innovation-platforms", 1, NOTICE_DAY, SMALL_MAKER, {"province": "51"}, "region"),
    Case(
        "centre-west-industrial-transfer",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, "province": "42"},
        {"province": "32"},
        "region",
    ),
    Case(
        "west-clean-energy-high-load-industries",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, "industry": "C3110", "flags": {"energy_intensive": True}},
        {"flags": {"energy_intensive": False}},
        "energy_intensive",
    ),
    Case(
        "northeast-industrial-upgrading",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, "province": "21"},
        {"industry": "H6210"},
        "industry_section",
    ),
    Case(
        "northeast-central-soe-support",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, **LARGE_SIZE, "province": "22", "ownership": "central_soe"},
        {"ownership": "local_soe"},
        "ownership",
    ),
    # （十二） large enterprises and SOEs
    Case(
        "rent-relief-service-smes-6-months",
        1,
        MID_2022,
        {**SMALL_RESTAURANT, "covid": True},
        {"covid": False},
        "covid_risk_district_2022",
    ),
    Case(
        "rent-relief-service-smes-3-months",
        1,
        MID_2022,
        SMALL_RESTAURANT,
        {"flags": {"renting_state_premises": False}},
        "renting_state_premises",
    ),
    Case(
        "soe-landlord-rent-relief",
        1,
        MID_2022,
        {**SMALL_MAKER, "ownership": "local_soe"},
        {"ownership": "private"},
        "ownership",
    ),
    # （十三） SMEs
    Case("sme-service-platforms-and-bases", 1, NOTICE_DAY, SMALL_MAKER, LARGE_SIZE, "sme"),
    Case(
        "sme-digital-empowerment",
        1,
        NOTICE_DAY,
        SMALL_SOFTWARE,
        {"employees": 500, "revenue": 200_000_000},
        "sme",
    ),
    Case("large-small-collaborative-innovation", 1, NOTICE_DAY, SMALL_MAKER, LARGE_SIZE, "sme"),
    Case(
        "sme-arrears-and-fee-complaints",
        1,
        NOTICE_DAY,
        SMALL_MAKER,
        {**LARGE_SIZE, "ownership": "local_soe"},
        "ownership",
    ),
    Case(
        "quality-sme-capital-market-access",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, "certs": (("specialised_sme", "provincial"),)},
        {"certs": ()},
        "specialised_sme",
    ),
    # （十四） foreign-invested enterprises
    Case(
        "foreign-invested-enterprise-services",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, **FOREIGN},
        {"ownership": "private", "foreign_kind": None},
        "ownership",
    ),
    Case(
        "foreign-staff-entry-exit",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, **FOREIGN},
        {"ownership": "mixed", "foreign_kind": None},
        "ownership",
    ),
    Case(
        "foreign-manufacturing-investment-services",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, **FOREIGN},
        {"industry": "I6513"},
        "industry_section",
    ),
    # （十五）
    Case(
        "local-industrial-growth-coordination",
        1,
        NOTICE_DAY,
        SMALL_MAKER,
        {"industry": "H6210"},
        "industry_section",
    ),
    # （十六） tax and finance
    Case(
        "high-tech-equipment-deduction-q4-2022",
        1,
        Q4_2022,
        {**SMALL_MAKER, "certs": (("high_tech_enterprise", "provincial"),)},
        {"certs": ()},
        "high_tech_enterprise",
    ),
    Case(
        "manufacturing-special-loans",
        1,
        NOTICE_DAY,
        SMALL_MAKER,
        {"industry": "I6513"},
        "industry_section",
    ),
    Case(
        "key-industry-financial-support",
        1,
        NOTICE_DAY,
        {**SMALL_MAKER, "industry": "C3973"},
        {"industry": "C1811"},
        "industry_division",
    ),
    Case(
        "financing-guarantee-fee-reduction",
        1,
        NOTICE_DAY,
        SMALL_MAKER,
        LARGE_SIZE,
        "small_or_micro",
    ),
    Case("sme-relief-funds", 1, NOTICE_DAY, SMALL_MAKER, LARGE_SIZE, "sme"),
    Case(
        "small-low-profit-income-tax",
        1,
        MID_2022,
        SMALL_PROFIT,
        {"taxable_income": 3_500_000},
        "taxable_income",
    ),
]
IDS = [f"{c.measure}.v{c.version}" for c in CASES]


def decide_case(case: Case, firm: dict[str, Any]) -> Decision:
    measure = _measures()[case.key]
    return decide(measure, facts_of(snapshot(firm, case.on)), case.on)


# --- the documents --------------------------------------------------------------------------------


def test_every_c09_c16_version_loads_and_has_exactly_one_row() -> None:
    assert len(DOCUMENTS) >= len(CLAUSES)
    assert set(_measures()) >= OURS
    keys = [case.key for case in CASES]
    assert len(keys) == len(set(keys)), "one row per measure version"
    assert set(keys) == OURS


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_file_name_gives_clause_id_and_version(name: str) -> None:
    match = FILE_NAME.match(name)
    assert match is not None
    doc = DOCUMENTS[name]
    assert doc["clause"] == CLAUSES[match[1]]
    assert (doc["id"], doc["version"]) == (match[2], int(match[3]))


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_quote_is_copied_exactly_from_its_clause(name: str) -> None:
    notice = NOTICE.read_text(encoding="utf-8")
    doc = DOCUMENTS[name]
    assert doc["quote"] in notice
    # The quote lies in the clause's own paragraph (the notice writes some numbers with ASCII brackets).
    numeral = doc["clause"][1:-1]
    paragraph = next(
        line for line in notice.splitlines() if re.match(rf"^[（(]{numeral}[）)]", line.strip())
    )
    assert doc["quote"] in paragraph


def test_every_clause_from_nine_to_sixteen_is_cited() -> None:
    cited = {doc["clause"] for doc in DOCUMENTS.values()}
    assert set(CLAUSES.values()) <= cited


def test_versions_of_one_measure_follow_each_other_without_overlap() -> None:
    by_id: dict[str, list[Measure]] = {}
    for measure in _measures().values():
        by_id.setdefault(measure.id, []).append(measure)
    for measure_id, versions in by_id.items():
        versions.sort(key=lambda m: m.version)
        assert [m.version for m in versions] == list(range(1, len(versions) + 1)), measure_id
        for earlier, later in itertools.pairwise(versions):
            assert earlier.valid_to is not None, f"{measure_id} v{earlier.version} never ends"
            assert earlier.valid_to < later.valid_from, f"{measure_id} v{later.version} overlaps"


# --- one firm in, one firm out --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_qualifying_firm_is_eligible_on_a_day_the_version_is_in_force(case: Case) -> None:
    assert _measures()[case.key].in_force_on(case.on)
    decision = decide_case(case, case.firm)
    assert decision.status is Status.ELIGIBLE, decision.criteria
    assert not any(c["decisive"] for c in decision.criteria)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_changed_firm_is_ineligible_and_told_why(case: Case) -> None:
    decision = decide_case(case, {**case.firm, **case.change})
    assert decision.status is Status.INELIGIBLE, decision.criteria
    decisive = [c for c in decision.criteria if c["decisive"]]
    assert case.decisive in {c["fact"] for c in decisive}, decisive


# --- readings worth pinning -----------------------------------------------------------------------


def test_a_tenant_in_a_listed_district_gets_six_months_not_three() -> None:
    firm = {**SMALL_RESTAURANT, "covid": True}
    facts = facts_of(snapshot(firm, MID_2022))
    measures = {m.id: m for m in _measures().values()}
    six = decide(measures["rent-relief-service-smes-6-months"], facts, MID_2022)
    three = decide(measures["rent-relief-service-smes-3-months"], facts, MID_2022)
    assert (six.status, three.status) == (Status.ELIGIBLE, Status.INELIGIBLE)
