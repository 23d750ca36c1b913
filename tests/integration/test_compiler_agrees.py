"""One tree, two evaluators: the SQL compiled from a criteria tree decides as the Python evaluator does."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import enterprise_certifications, enterprise_facts
from eligibility.domain.criteria import All, AnyOf, Certified, Compare, Criterion, Not, evaluate
from supportmatch_core.db import UnitOfWork, create_database_engine
from tests.conftest import Databases
from tests.eligibility_steps import save_facts

ON = date(2024, 6, 30)
VALUES: dict[str, list[Any]] = {
    "employees": [0, 9, 10, 300, 1000],
    "revenue": [0, 1_000_000, 20_000_000, 400_000_000],
    "rd_ratio": [0.0, 2.9999, 3.0, 5.5],
    "tax_credit_grade": ["A", "B", "M", "D"],
    "export_oriented": [True, False],
    "region": ["east", "central", "west", "northeast"],
    "established_on": ["2009-09-30", "2009-10-01", "2015-06-01"],
    "vat_taxpayer_type": ["general", "small_scale"],
    "vat_credit_increment": [-1, 0, 499_999, 500_000, 200_000_000],
    "innovative_sme_score": [35.0, 59.0, 60.0, 80.0],
}
OPERATORS = {
    "employees": ["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between"],
    "revenue": ["lt", "ge", "between", "eq"],
    "rd_ratio": ["ge", "lt", "between"],
    "tax_credit_grade": ["eq", "ne", "in", "not_in"],
    "export_oriented": ["eq", "ne"],
    "region": ["eq", "in", "not_in"],
    "established_on": ["lt", "ge", "between", "eq", "in"],
    "vat_taxpayer_type": ["eq", "ne"],
    "vat_credit_increment": ["ge", "gt", "between"],
    "innovative_sme_score": ["ge", "lt"],
}
KINDS = ["specialised_sme", "high_tech_enterprise"]
LEVELS = ["municipal", "provincial", "national"]


@st.composite
def comparisons(draw: st.DrawFn) -> Criterion:
    if draw(st.integers(0, 5)) == 0:
        return Certified(draw(st.sampled_from(KINDS)), draw(st.sampled_from([None, *LEVELS])))
    fact = draw(st.sampled_from(sorted(VALUES)))
    op = draw(st.sampled_from(OPERATORS[fact]))
    pool = VALUES[fact]
    if op in ("in", "not_in"):
        value: Any = tuple(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3)))
    elif op == "between":
        low, high = sorted(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=2)))
        value = (low, high)
    else:
        value = draw(st.sampled_from(pool))
    return Compare(fact, op, value)


trees = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: All(tuple(c))),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: AnyOf(tuple(c))),
        inner.map(Not),
    ),
    max_leaves=8,
)


@st.composite
def firms(draw: st.DrawFn) -> dict[str, Any]:
    facts: dict[str, Any] = {
        name: draw(st.one_of(st.none(), st.sampled_from(pool))) for name, pool in VALUES.items()
    }
    certificates = draw(
        st.lists(
            st.tuples(
                st.sampled_from(KINDS),
                st.sampled_from(LEVELS),
                st.sampled_from(["2022-01-01", "2024-06-30", "2024-07-01"]),
                st.sampled_from([None, "2024-06-29", "2024-06-30", "2026-12-31"]),
            ),
            max_size=2,
        )
    )
    facts["certifications"] = [c for c in certificates if c[3] is None or c[2] <= c[3]]
    facts["province_code"] = "44"
    return facts


def test_sql_and_python_decide_alike(databases: Databases) -> None:
    url = databases.migrated("eligibility")
    engine = create_database_engine(url)
    uow = UnitOfWork(engine)

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(tree=trees, population=st.lists(firms(), min_size=1, max_size=6))
    def agree(tree: Criterion, population: list[dict[str, Any]]) -> None:
        with uow.begin() as connection:
            connection.execute(delete(enterprise_certifications))
            connection.execute(delete(enterprise_facts))
            for number, facts in enumerate(population):
                save_facts(connection, uscc=f"{number:018d}", version=1, facts=facts, exists=False)
            rows = connection.execute(
                select(enterprise_facts.c.uscc, status_of(tree, ON).label("status"))
            ).all()
        in_sql = {row.uscc: row.status for row in rows}
        for number, facts in enumerate(population):
            outcome = evaluate(tree, facts, ON).outcome.value
            expected = {"pass": "eligible", "fail": "ineligible", "unknown": "possibly_eligible"}
            assert in_sql[f"{number:018d}"] == expected[outcome], (tree, facts)

    try:
        agree()
    finally:
        engine.dispose()
