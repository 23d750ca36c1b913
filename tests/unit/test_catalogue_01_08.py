"""The catalogue's measures of clauses （一） to （八） of the notice, decided on enterprise profiles.

One row per measure version: a firm that qualifies, the change that makes it fail, and the fact the
explanation must name as deciding. Each firm is built through the profiles service's snapshot code.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from typing import Any

import pytest

from eligibility.domain.decision import Decision, Status, decide
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import Measure, load_catalogue, measure_from_document
from tests.unit._snapshots import profile_snapshot
from tests.unit.test_catalogue_today import TODAY

CLAUSES = dict(
    enumerate(["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"], 1)
)
NOTICE_PERIOD = (date(2022, 10, 1), date(2023, 12, 31))  # Q4 2022 to 2023
KINDS = {"benefit", "obligation", "opportunity"}

# Employees, revenue and assets (yuan) that give the same class in every industry used below.
SIZES: dict[str, dict[str, int]] = {
    "small": {"employees": 30, "revenue": 15_000_000, "total_assets": 20_000_000},
    "large": {"employees": 2_000, "revenue": 5_000_000_000, "total_assets": 5_000_000_000},
}


@dataclass(frozen=True)
class Firm:
    """An enterprise: industry (GB/T 4754-2017 class), size, flags, titles (kind -> level), facts."""

    industry: str = "C3921"
    size: str = "small"
    flags: Mapping[str, bool] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)

    def decision_facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {**SIZES[self.size], **self.facts}
        snapshot = profile_snapshot(industry=self.industry, **facts)
        snapshot["flags"].update(self.flags)
        snapshot["certifications"] = [
            {
                "id": number,
                "kind": kind,
                "level": level,
                "issuer": "test",
                "certificate_no": None,
                "valid_from": "2020-01-01",
                "valid_to": "2030-12-31",
            }
            for number, (kind, level) in enumerate(self.titles.items(), start=1)
        ]
        return facts_of(snapshot)


@dataclass(frozen=True)
class Row:
    measure: str
    qualifies: Firm
    decisive: str  # the fact (or certification kind) the explanation must name as deciding
    fails: dict[str, Any]  # Firm fields replaced to make the firm ineligible
    version: int = 1

    def __str__(self) -> str:
        return f"{self.measure}.v{self.version}"


def row(measure: str, qualifies: Firm, decisive: str, version: int = 1, **fails: Any) -> Row:
    return Row(measure, qualifies, decisive, fails, version)


EXPORTER = {"export_oriented": True}
# fmt: off
ROWS = [
    # measure                                          qualifying firm  deciding fact       the change
    # （一）
    row("policy-development-financial-instruments",    Firm("D4416"), "industry_section",  industry="F5212"),
    row("equipment-renewal-relending",                 Firm("C3411"), "industry_section",  industry="F5212"),
    row("manufacturing-medium-long-term-loans",        Firm("C3921"), "industry_section",  industry="F5212"),
    row("technology-upgrade-guidance",                 Firm("C3411"), "industry_section",  industry="F5212"),
    # （二）
    row("passenger-car-purchase-tax-halving",          Firm("C3611"), "industry_code",     industry="C3670"),
    row("nev-purchase-tax-exemption",                  Firm("C3612"), "industry_code",     industry="C3611"),
    row("nev-purchase-tax-exemption",                  Firm("C3612"), "industry_code", 2,  industry="C3611"),
    row("nev-purchase-tax-exemption",                  Firm("C3612"), "industry_code", 3,  industry="C3611"),
    row("appliance-countryside-and-trade-in",          Firm("C3852"), "industry_group",    industry="C3464"),
    row("consumer-three-products-campaign",            Firm("C1811"), "industry_division", industry="C3411"),
    row("green-building-materials-countryside",        Firm("C3011"), "industry_group",    industry="C3120"),
    row("ecommerce-promotions",                        Firm("F5292"), "industry_division", industry="F5131"),
    # （三）
    row("key-foreign-trade-enterprise-service", Firm(titles={"key_foreign_trade_enterprise": "municipal"}),
        "key_foreign_trade_enterprise", titles={}),
    row("export-credit-insurance", Firm(flags={"export_oriented": False}, facts={"export_revenue": 300_000}),
        "export_revenue", facts={"export_revenue": 0}),
    row("foreign-trade-credit", Firm(flags=EXPORTER, facts={"export_revenue": 0}),
        "export_oriented", flags={"export_oriented": False}),
    row("china-europe-rail-nev-batteries", Firm("C3841", flags=EXPORTER), "industry_code", industry="C3843"),
    row("cross-border-ecommerce-overseas-warehouses", Firm(flags={"cross_border_ecommerce": True}),
        "cross_border_ecommerce", flags={"cross_border_ecommerce": False}),
    row("sme-overseas-trade-fairs", Firm(flags=EXPORTER), "sme", size="large"),
    row("canton-fair-132-online", Firm("C1811", flags=EXPORTER), "industry_section", industry="G5920"),
    # （四）
    row("chain-leader-key-node-support", Firm(flags={"chain_key_node": True}),
        "chain_key_node", flags={"chain_key_node": False}),
    row("automotive-chips",                            Firm("C3973"), "industry_code",     industry="C3921"),
    # （五）
    row("advanced-manufacturing-clusters", Firm(flags={"advanced_cluster_member": True}),
        "advanced_cluster_member", flags={"advanced_cluster_member": False}),
    row("smart-manufacturing-pilots",                  Firm("C3411"), "industry_section",  industry="I6520"),
    row("service-oriented-manufacturing-demonstration", Firm("C3411"),
        "service_manufacturing_demonstration", titles={"service_manufacturing_demonstration": "national"}),
    row("5g-fully-connected-factories",                Firm("C3411"), "industry_section",  industry="F5212"),
    # （六）
    row("raw-material-industry-clusters",              Firm("C3130"), "industry_division", industry="C3921"),
    row("energy-saving-equipment", Firm("C3120", flags={"energy_intensive": True}),
        "energy_intensive", flags={"energy_intensive": False}),
    row("first-batch-new-material-insurance", Firm(titles={"first_batch_material": "national"}),
        "first_batch_material", titles={"first_batch_material": "provincial"}),
    row("scrap-steel-and-battery-recycling",           Firm("C4210"), "industry_group",    industry="C3130"),
    # （七）
    row("first-unit-equipment-insurance", Firm(titles={"first_unit_equipment": "national"}),
        "first_unit_equipment", titles={"first_unit_equipment": "provincial"}),
    row("first-unit-government-procurement", Firm(titles={"first_unit_equipment": "provincial"}),
        "first_unit_equipment", titles={}),
    row("agricultural-machinery",                      Firm("C3571"), "industry_group",    industry="C3411"),
    row("smart-pv-and-lithium-batteries",              Firm("C3841"), "industry_code",     industry="C3843"),
    row("nev-industry",                                Firm("C3612"), "industry_code",     industry="C3611"),
    # （八）
    row("consumer-goods-three-products-strategy",      Firm("C2682"), "industry_group",    industry="C2614"),
    row("mandatory-standards-key-consumer-products",   Firm("C3770"), "industry_group",    industry="C3761"),
    row("pharmaceutical-chain",                        Firm("C2710"), "industry_division", industry="C2614"),
    row("green-textiles",                              Firm("C1711"), "industry_division", industry="C3921"),
]
# fmt: on


def _documents() -> dict[str, dict[str, Any]]:
    """The c01..c08 documents by file name."""
    folder = resources.files("eligibility") / "catalogue"
    return {
        item.name: json.loads(item.read_text(encoding="utf-8"))
        for item in folder.iterdir()
        if item.name[:3] in {f"c0{n}" for n in CLAUSES} and item.name.endswith(".json")
    }


DOCUMENTS = _documents()
CATALOGUE = load_catalogue()
# The versions that carry the notice on to today have their own table (test_catalogue_today).
OURS = {(d["id"], d["version"]) for d in DOCUMENTS.values()} - TODAY


def measure(measure_id: str, version: int = 1) -> Measure:
    (found,) = [m for m in CATALOGUE if (m.id, m.version) == (measure_id, version)]
    return found


def inside(m: Measure) -> date:
    """A day in the middle of the measure's validity."""
    end = m.valid_to or m.valid_from + timedelta(days=730)
    day = m.valid_from + (end - m.valid_from) / 2
    assert m.in_force_on(day)
    return day


def decide_row(row: Row, firm: Firm) -> Decision:
    m = measure(row.measure, row.version)
    return decide(m, firm.decision_facts(), inside(m))


# --- decisions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_qualifying_firm_is_eligible(row: Row) -> None:
    decision = decide_row(row, row.qualifies)
    assert decision.status is Status.ELIGIBLE, decision.criteria


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_change_makes_the_firm_ineligible_and_the_explanation_names_it(row: Row) -> None:
    decision = decide_row(row, replace(row.qualifies, **row.fails))
    assert decision.status is Status.INELIGIBLE, decision.criteria
    deciding = {c["fact"] for c in decision.criteria if c["decisive"]}
    assert row.decisive in deciding, decision.criteria
    assert decision.missing_facts == []


def test_every_measure_version_has_a_row() -> None:
    rows = [(row.measure, row.version) for row in ROWS]
    assert len(rows) == len(set(rows))
    assert set(rows) == OURS


# --- the documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_file_name_gives_clause_id_and_version(name: str) -> None:
    doc = DOCUMENTS[name]
    parsed = measure_from_document(doc)
    assert parsed == measure(doc["id"], doc["version"])
    assert name == f"c{int(name[1:3]):02d}-{parsed.id}.v{parsed.version}.json"
    assert parsed.clause == CLAUSES[int(name[1:3])]
    assert parsed.kind in KINDS


def test_every_clause_one_to_eight_is_cited() -> None:
    cited = {measure(d["id"], d["version"]).clause for d in DOCUMENTS.values()}
    assert cited == set(CLAUSES.values())


def test_ids_are_unique_and_each_version_is_one_file() -> None:
    everywhere = [(m.id, m.version) for m in CATALOGUE]
    assert len(everywhere) == len(set(everywhere))
    assert len(DOCUMENTS) == len({(d["id"], d["version"]) for d in DOCUMENTS.values()})


def test_a_measure_dated_by_the_notice_period_flags_it_unverified() -> None:
    for key in OURS:
        m = measure(*key)
        if m.valid_from == NOTICE_PERIOD[0] or m.valid_to == NOTICE_PERIOD[1]:
            assert m.basis == "assumed", m.id
            assert m.assumptions, m.id


# --- validity -----------------------------------------------------------------------------------


def test_versions_follow_each_other_without_overlap() -> None:
    for measure_id in {measure_id for measure_id, _ in OURS}:
        versions = sorted((m for m in CATALOGUE if m.id == measure_id), key=lambda m: m.version)
        assert [m.version for m in versions] == list(range(1, len(versions) + 1))
        for before, after in itertools.pairwise(versions):
            assert before.valid_to is not None
            assert before.valid_to < after.valid_from


def test_one_nev_purchase_tax_version_is_in_force_each_day_from_2021_to_2027() -> None:
    day = date(2021, 1, 1)
    while day <= date(2027, 12, 31):
        in_force = [
            m.version
            for m in CATALOGUE
            if m.id == "nev-purchase-tax-exemption" and m.in_force_on(day)
        ]
        assert len(in_force) == 1, day
        day += timedelta(days=1)
    assert not measure("nev-purchase-tax-exemption", 3).in_force_on(date(2028, 1, 1))


@pytest.mark.parametrize(
    ("measure_id", "last_day"),
    [
        ("equipment-renewal-relending", date(2022, 12, 31)),  # loans of Q4 2022
        ("passenger-car-purchase-tax-halving", date(2022, 12, 31)),
        ("canton-fair-132-online", date(2023, 3, 15)),
        ("manufacturing-medium-long-term-loans", NOTICE_PERIOD[1]),
    ],
)
def test_an_ended_measure_is_no_longer_in_force(measure_id: str, last_day: date) -> None:
    m = measure(measure_id)
    assert m.valid_to == last_day
    assert m.in_force_on(last_day)
    assert not m.in_force_on(last_day + timedelta(days=1))
