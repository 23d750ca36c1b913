"""Bulk import rules without a database: merging a row into a stored profile, first snapshots."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from profiles.api.schemas import EnterpriseCreate
from profiles.domain.changes import diff
from profiles.domain.model import ForeignKind, Ownership, Profile
from profiles.use_cases.imports import merged
from tests.factories import new_uscc


def body(**values: Any) -> EnterpriseCreate:
    base: dict[str, Any] = {"uscc": new_uscc("44"), "name": "广东华信科技有限公司"}
    base |= {"province": "44", "industry": "C3921", "ownership": "foreign"}
    return EnterpriseCreate.model_validate(base | values)


def stored(row: EnterpriseCreate) -> Profile:
    return row.to_profile()


def test_a_row_replaces_what_it_states_and_keeps_what_it_leaves_empty() -> None:
    first = body(
        city="深圳市",
        listed=True,
        foreign_kind="joint_venture",
        flags={"export_oriented": True},
        facts={"fiscal_year": 2024, "employees": 120, "revenue": 5},
    )
    before = stored(first)
    again = body(
        uscc=first.uscc,
        name="广东华信通信有限公司",
        listed=False,
        flags={"energy_intensive": True},
        facts={"fiscal_year": 2024, "employees": 130},
    )
    after = merged(before, again.to_profile(), again.model_fields_set)
    e = after.enterprise
    assert (e.name, e.city, e.listed, e.foreign_kind) == (
        "广东华信通信有限公司",
        "深圳市",
        False,
        ForeignKind.JOINT_VENTURE,
    )
    assert e.flags == {"export_oriented": True, "energy_intensive": True}
    assert after.years == {2024: {"employees": 130, "revenue": 5}}
    assert (e.version, e.created_at) == (before.enterprise.version, before.enterprise.created_at)


def test_a_row_that_is_not_foreign_clears_the_foreign_kind() -> None:
    first = body(foreign_kind="joint_venture")
    again = body(uscc=first.uscc, ownership="private")
    after = merged(stored(first), again.to_profile(), again.model_fields_set)
    assert (after.enterprise.ownership, after.enterprise.foreign_kind) == (Ownership.PRIVATE, None)


def test_the_same_row_again_merges_into_an_equal_profile() -> None:
    row = body(city="深圳市", main_products=["路由器"], facts={"fiscal_year": 2024, "employees": 3})
    before = stored(row)
    assert merged(before, row.to_profile(), row.model_fields_set) == before


leaves = st.none() | st.booleans() | st.integers() | st.text()
snapshots = st.dictionaries(
    st.text(min_size=1), leaves | st.dictionaries(st.text(min_size=1), leaves), min_size=1
)


@given(snapshots)
def test_a_first_snapshot_changes_every_field_that_has_a_value(after: dict[str, Any]) -> None:
    assert diff(None, after) == diff(dict.fromkeys(after), after)
    assert diff({}, after, "x.") == diff(dict.fromkeys(after), after, "x.")
