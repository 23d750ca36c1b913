"""Criteria trees and their three-valued (Kleene) evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.domain.criteria import (
    All,
    AnyOf,
    Compare,
    Criterion,
    Evaluation,
    InvalidCriteria,
    Not,
    Outcome,
    evaluate,
    parse,
)

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN


def leaf(name: str) -> Compare:
    return Compare(name, "eq", True)


def facts_for(**outcomes: Outcome) -> dict[str, Any]:
    """Facts that make leaf(name) evaluate to the given outcome; unknown facts are left out."""
    return {name: outcome is P for name, outcome in outcomes.items() if outcome is not U}


AND = {
    (P, P): P,
    (P, F): F,
    (P, U): U,
    (F, P): F,
    (F, F): F,
    (F, U): F,
    (U, P): U,
    (U, F): F,
    (U, U): U,
}
OR = {
    (P, P): P,
    (P, F): P,
    (P, U): P,
    (F, P): P,
    (F, F): F,
    (F, U): U,
    (U, P): P,
    (U, F): U,
    (U, U): U,
}
NOT = {P: F, F: P, U: U}


@pytest.mark.parametrize(("a", "b"), list(AND))
def test_all_truth_table(a: Outcome, b: Outcome) -> None:
    result = evaluate(All((leaf("a"), leaf("b"))), facts_for(a=a, b=b))
    assert result.outcome is AND[a, b]
    assert [child.outcome for child in result.children] == [a, b]


@pytest.mark.parametrize(("a", "b"), list(OR))
def test_any_truth_table(a: Outcome, b: Outcome) -> None:
    assert evaluate(AnyOf((leaf("a"), leaf("b"))), facts_for(a=a, b=b)).outcome is OR[a, b]


@pytest.mark.parametrize("a", list(NOT))
def test_not_truth_table(a: Outcome) -> None:
    result = evaluate(Not(leaf("a")), facts_for(a=a))
    assert result.outcome is NOT[a]
    assert result.children[0].outcome is a


def test_single_child_groups_take_the_child_outcome() -> None:
    for outcome in (P, F, U):
        assert evaluate(All((leaf("a"),)), facts_for(a=outcome)).outcome is outcome
        assert evaluate(AnyOf((leaf("a"),)), facts_for(a=outcome)).outcome is outcome


def test_absent_and_none_facts_are_both_unknown() -> None:
    assert evaluate(leaf("a"), {}).outcome is U
    assert evaluate(leaf("a"), {"a": None}).outcome is U


@pytest.mark.parametrize(
    ("op", "value", "actual", "outcome"),
    [
        ("eq", 1, 1, P),
        ("eq", 1, 2, F),
        ("ne", 1, 2, P),
        ("ne", 1, 1, F),
        ("lt", 2, 1, P),
        ("lt", 2, 2, F),
        ("le", 2, 2, P),
        ("le", 2, 3, F),
        ("gt", 2, 3, P),
        ("gt", 2, 2, F),
        ("ge", 2, 2, P),
        ("ge", 2, 1, F),
        ("in", ("A", "B"), "B", P),
        ("in", ("A", "B"), "M", F),
        ("not_in", ("A", "B"), "M", P),
        ("not_in", ("A", "B"), "A", F),
        ("eq", False, False, P),
        ("eq", False, True, F),
    ],
)
def test_operators(op: str, value: Any, actual: Any, outcome: Outcome) -> None:
    result = evaluate(Compare("x", op, value), {"x": actual})
    assert result.outcome is outcome
    assert result.actual == actual


def test_parse_reads_every_form() -> None:
    doc = {
        "all": [
            {
                "any": [
                    {"fact": "a", "op": "in", "value": ["X", "Y"]},
                    {"fact": "b", "op": "ge", "value": 3},
                ]
            },
            {"not": {"fact": "c", "op": "eq", "value": True}},
        ]
    }
    assert parse(doc) == All(
        (
            AnyOf((Compare("a", "in", ("X", "Y")), Compare("b", "ge", 3))),
            Not(Compare("c", "eq", True)),
        )
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {
                "all": [
                    {"fact": "a", "op": "eq", "value": 1},
                    {"fact": "b", "op": "like", "value": 1},
                ]
            },
            "criteria.all[1].op: unknown operator 'like'",
        ),
        ({"any": [{"not": {"fact": "a", "op": "??", "value": 1}}]}, "criteria.any[0].not.op"),
        (
            {"all": [{"any": [{"fact": "a", "op": "eq"}]}]},
            "criteria.all[0].any[0]: expected all, any",
        ),
        ({"all": []}, "criteria.all: expected a non-empty list"),
        ({"any": {"fact": "a"}}, "criteria.any: expected a non-empty list"),
        (["fact"], "criteria: expected an object"),
        ({"not": "a"}, "criteria.not: expected an object"),
        ({}, "criteria: expected exactly one of all, any, not, fact or certified"),
        (
            {"all": [{"fact": "a", "op": "eq", "value": 1}], "any": []},
            "criteria: expected exactly one",
        ),
    ],
)
def test_parse_errors_carry_the_path(doc: Any, message: str) -> None:
    with pytest.raises(InvalidCriteria) as caught:
        parse(doc)
    assert str(caught.value).startswith(message)


def test_parse_uses_the_given_root_path() -> None:
    with pytest.raises(InvalidCriteria, match=r"^measure\.criteria\.all\[0\]\.op"):
        parse({"all": [{"fact": "a", "op": "x", "value": 1}]}, "measure.criteria")


def test_unknown_facts_in_tree_order_without_repeats() -> None:
    tree = All((leaf("b"), AnyOf((leaf("a"), leaf("c"))), Not(leaf("b")), leaf("d")))
    result = evaluate(tree, {"d": True})
    assert result.outcome is U
    assert result.unknown_facts() == ["b", "a", "c"]


def test_unknown_facts_skip_children_that_are_decided() -> None:
    # The any is unknown; its failing child names no missing fact.
    result = evaluate(AnyOf((leaf("a"), leaf("b"), leaf("c"))), {"a": False, "c": None})
    assert result.outcome is U
    assert result.unknown_facts() == ["b", "c"]


def test_decided_outcomes_have_no_unknown_facts() -> None:
    # A failure is decided even though b is unknown.
    assert evaluate(All((leaf("a"), leaf("b"))), {"a": False}).unknown_facts() == []
    assert evaluate(AnyOf((leaf("a"), leaf("b"))), {"a": True}).unknown_facts() == []


def test_failed_lists_the_deciding_comparisons() -> None:
    tree = All((leaf("a"), Compare("n", "lt", 2), AnyOf((leaf("b"), leaf("c"))), leaf("d")))
    result = evaluate(tree, {"a": True, "n": 5, "b": False, "c": False, "d": None})
    assert result.outcome is F
    failed = result.failed()
    assert [e.criterion for e in failed] == [Compare("n", "lt", 2), leaf("b"), leaf("c")]
    assert [e.actual for e in failed] == [5, False, False]
    assert all(e.outcome is F for e in failed)


def test_failed_ignores_a_failing_branch_of_a_passing_any() -> None:
    tree = All((AnyOf((leaf("a"), leaf("b"))), leaf("c")))
    result = evaluate(tree, {"a": True, "b": False, "c": False})
    assert [e.criterion for e in result.failed()] == [leaf("c")]


def test_failed_is_empty_unless_failed() -> None:
    assert evaluate(leaf("a"), {"a": True}).failed() == []
    assert evaluate(leaf("a"), {}).failed() == []


def test_failed_explains_a_failed_not() -> None:
    result = evaluate(Not(leaf("a")), {"a": True})
    assert result.outcome is F
    assert [e.criterion for e in result.failed()] == [leaf("a")]


# --- monotonicity of three-valued logic ------------------------------------------------------

FACT_NAMES = ["a", "b", "c", "d", "e"]
SMALL = st.integers(min_value=-3, max_value=3)
OPS = ["eq", "ne", "lt", "le", "gt", "ge"]


@st.composite
def comparisons(draw: st.DrawFn) -> Compare:
    fact = draw(st.sampled_from(FACT_NAMES))
    op = draw(st.sampled_from([*OPS, "in", "not_in"]))
    value: Any = tuple(draw(st.lists(SMALL, max_size=4))) if op in ("in", "not_in") else draw(SMALL)
    return Compare(fact, op, value)


criteria_trees: st.SearchStrategy[Criterion] = st.recursive(
    comparisons(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4).map(lambda c: All(tuple(c))),
        st.lists(children, min_size=1, max_size=4).map(lambda c: AnyOf(tuple(c))),
        children.map(Not),
    ),
    max_leaves=12,
)
partial_facts = st.dictionaries(st.sampled_from(FACT_NAMES), st.one_of(st.none(), SMALL))


def assert_consistent(result: Evaluation, facts: dict[str, Any]) -> None:
    missing = result.unknown_facts()
    assert bool(missing) == (result.outcome is U)
    assert all(facts.get(name) is None for name in missing)


@settings(max_examples=300, deadline=None)
@given(criteria_trees, partial_facts, st.data())
def test_filling_unknown_facts_never_flips_a_decision(
    tree: Criterion, facts: dict[str, Any], data: st.DataObject
) -> None:
    before = evaluate(tree, facts)
    assert_consistent(before, facts)
    filled = dict(facts)
    for name in FACT_NAMES:
        if filled.get(name) is None:
            filled[name] = data.draw(SMALL, label=f"value of {name}")
    after = evaluate(tree, filled)
    assert after.outcome is not U  # every fact known: always decided
    assert after.unknown_facts() == []
    if before.outcome is not U:
        assert after.outcome is before.outcome


@settings(max_examples=200, deadline=None)
@given(criteria_trees, partial_facts)
def test_not_not_is_the_identity(tree: Criterion, facts: dict[str, Any]) -> None:
    assert evaluate(Not(Not(tree)), facts).outcome is evaluate(tree, facts).outcome


@settings(max_examples=200, deadline=None)
@given(criteria_trees, criteria_trees, partial_facts)
def test_de_morgan(left: Criterion, right: Criterion, facts: dict[str, Any]) -> None:
    lhs = evaluate(Not(All((left, right))), facts).outcome
    rhs = evaluate(AnyOf((Not(left), Not(right))), facts).outcome
    assert lhs is rhs
