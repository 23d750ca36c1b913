"""Enterprise size by 工信部联企业〔2011〕300号: every threshold of every row, unknowns, and the route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from profiles.api.routes_size import router
from supportmatch_core.problems import install_problem_handlers
from supportmatch_reference.size import (
    SizeClass,
    SizeResult,
    classify,
    classify_by_vat_sales,
    row_for,
)

LARGE, MEDIUM, SMALL, MICRO, UNKNOWN = (
    SizeClass.LARGE,
    SizeClass.MEDIUM,
    SizeClass.SMALL,
    SizeClass.MICRO,
    SizeClass.UNKNOWN,
)
WAN = 10_000
NAMES = {"X": "employees", "Y": "revenue", "Z": "total_assets"}

# Copied from FACTS.md section 1, not from size.py: key, a sample code, lower bounds of large,
# medium and small by indicator (X persons; Y and Z in 万元).
TABLE: list[tuple[str, str, dict[str, tuple[int, int, int]]]] = [
    ("industry", "C3311", {"X": (1000, 300, 20), "Y": (40000, 2000, 300)}),
    ("construction", "E4710", {"Y": (80000, 6000, 300), "Z": (80000, 5000, 300)}),
    ("wholesale", "F5191", {"X": (200, 20, 5), "Y": (40000, 5000, 1000)}),
    ("retail", "F5211", {"X": (300, 50, 10), "Y": (20000, 500, 100)}),
    ("transport", "G5411", {"X": (1000, 300, 20), "Y": (30000, 3000, 200)}),
    ("warehousing", "G5951", {"X": (200, 100, 20), "Y": (30000, 1000, 100)}),
    ("postal", "G6010", {"X": (1000, 300, 20), "Y": (30000, 2000, 100)}),
    ("accommodation_catering", "H6110", {"X": (300, 100, 10), "Y": (10000, 2000, 100)}),
    ("telecoms_internet", "I6311", {"X": (2000, 100, 10), "Y": (100000, 1000, 100)}),
    ("software_it", "I6513", {"X": (300, 100, 10), "Y": (10000, 1000, 50)}),
    ("real_estate_development", "K7010", {"Y": (200000, 1000, 100), "Z": (10000, 5000, 2000)}),
    ("property_management", "K7020", {"X": (1000, 300, 100), "Y": (5000, 1000, 500)}),
    ("leasing_business_services", "L7111", {"X": (300, 100, 10), "Z": (120000, 8000, 100)}),
    ("agriculture", "A0111", {"Y": (20000, 500, 50)}),
    ("other", "M7310", {"X": (300, 100, 10)}),
]
CLASSES = (LARGE, MEDIUM, SMALL)
BELOW = {LARGE: MEDIUM, MEDIUM: SMALL, SMALL: MICRO}


def bound(letter: str, value: int) -> int:
    """A bound of the table in the unit classify takes: persons, or yuan for 万元 amounts."""
    return value if letter == "X" else value * WAN


def size_of(code: str, figures: Mapping[str, int | None]) -> SizeResult:
    """classify with figures keyed by X, Y, Z; absent letters are unknown."""
    return classify(
        code,
        employees=figures.get("X"),
        revenue=figures.get("Y"),
        total_assets=figures.get("Z"),
    )


def threshold_cases() -> list[Any]:
    """For each row, class and indicator: exactly at its bound, and one unit below it.

    The other indicators sit at the large bound, so the one under test alone decides.
    """
    cases = []
    for key, code, bounds in TABLE:
        top = {letter: bound(letter, b[0]) for letter, b in bounds.items()}
        for index, size in enumerate(CLASSES):
            at_all = {letter: bound(letter, b[index]) for letter, b in bounds.items()}
            cases.append(pytest.param(key, code, at_all, size, id=f"{key}-{size}-all-at"))
            for letter, b in bounds.items():
                at = bound(letter, b[index])
                name = NAMES[letter]
                cases.append(
                    pytest.param(key, code, top | {letter: at}, size, id=f"{key}-{size}-{name}-at")
                )
                cases.append(
                    pytest.param(
                        key,
                        code,
                        top | {letter: at - 1},
                        BELOW[size],
                        id=f"{key}-{size}-{name}-below",
                    )
                )
    return cases


def test_the_test_table_bounds_fall_strictly_from_large_to_small() -> None:
    # One unit below a class's bound then lands exactly one class lower.
    for key, _, bounds in TABLE:
        for letter, (large, medium, small) in bounds.items():
            assert large > medium > small > 0, (key, letter)


@pytest.mark.parametrize(("key", "code", "figures", "expected"), threshold_cases())
def test_every_threshold_from_both_sides(
    key: str, code: str, figures: dict[str, int], expected: SizeClass
) -> None:
    result = size_of(code, figures)
    assert result.size_class is expected, result.rule
    assert result.row is not None
    assert result.row.key == key
    assert result.missing == []


@pytest.mark.parametrize(("key", "code", "bounds"), TABLE, ids=[row[0] for row in TABLE])
def test_the_row_uses_exactly_the_listed_indicators(
    key: str, code: str, bounds: dict[str, tuple[int, int, int]]
) -> None:
    row = row_for(code)
    assert row.key == key
    assert [str(i) for i in row.indicators] == [NAMES[letter] for letter in bounds]
    assert row.name_zh
    assert row.name_en
    nothing = size_of(code, {})
    assert nothing.size_class is UNKNOWN
    assert nothing.missing == [NAMES[letter] for letter in bounds]
    assert size_of(code, dict.fromkeys(bounds, 0)).size_class is MICRO


def test_indicators_outside_the_row_are_ignored() -> None:
    result = classify("M7310", employees=100, revenue=None, total_assets=None)
    assert (result.size_class, result.missing) == (MEDIUM, [])
    leasing = classify("L7111", employees=10, revenue=0, total_assets=1_000_000)
    assert leasing.size_class is SMALL


# --- the examples of the brief -----------------------------------------------------------------


def test_250_employees_with_large_revenue_is_small() -> None:
    result = classify("C3311", employees=250, revenue=500_000_000, total_assets=None)
    assert result.size_class is SMALL
    assert result.row is not None
    assert (result.row.key, result.row.name_zh) == ("industry", "工业")
    assert result.missing == []
    assert "employees 250 < 300" in result.rule
    assert result.rule.endswith("small needs employees ≥ 20 and revenue ≥ 3,000,000 yuan; met")


def test_one_indicator_below_the_large_bound_drops_to_medium() -> None:
    result = classify("C", employees=1200, revenue=300_000_000, total_assets=None)
    assert result.size_class is MEDIUM
    assert "not large (revenue 300,000,000 yuan < 400,000,000 yuan)" in result.rule


def test_both_large_bounds_met_is_large() -> None:
    assert classify("C", employees=1000, revenue=400_000_000, total_assets=None).size_class is LARGE


def test_below_the_small_bound_is_micro_whatever_the_unknown() -> None:
    result = classify("C", employees=19, revenue=None, total_assets=None)
    assert (result.size_class, result.missing) == (MICRO, [])
    assert "whatever the revenue" in result.rule


@pytest.mark.parametrize(
    ("code", "figures", "missing"),
    [
        pytest.param("C", {"X": 25}, ["revenue"], id="small-or-micro"),
        pytest.param("C", {"X": 500}, ["revenue"], id="medium-or-lower"),
        pytest.param("C", {"X": 5000}, ["revenue"], id="large-or-lower"),
        pytest.param("C", {"Y": 10**10}, ["employees"], id="employees-unknown"),
        pytest.param("E4710", {"Y": 10**9}, ["total_assets"], id="construction-assets"),
        pytest.param("K7010", {"Z": 10**9}, ["revenue"], id="real-estate-revenue"),
        pytest.param("A0111", {}, ["revenue"], id="agriculture-nothing"),
        pytest.param("M7310", {"Y": 10**9}, ["employees"], id="other-revenue-does-not-help"),
    ],
)
def test_unknown_when_the_unknown_could_change_the_class(
    code: str, figures: dict[str, int | None], missing: list[str]
) -> None:
    result = size_of(code, figures)
    assert result.size_class is UNKNOWN
    assert result.missing == missing
    assert "unknown" in result.rule


@pytest.mark.parametrize(
    ("code", "figures"),
    [
        pytest.param("F5191", {"X": 4}, id="wholesale-few-staff"),
        pytest.param("F5211", {"Y": 999_999}, id="retail-low-revenue"),
        pytest.param("E4710", {"Z": 2_999_999}, id="construction-low-assets"),
        pytest.param("K7010", {"Z": 19_999_999}, id="real-estate-low-assets"),
        pytest.param("L7111", {"Z": 999_999}, id="leasing-low-assets"),
    ],
)
def test_micro_with_an_unknown_when_a_known_indicator_is_below_small(
    code: str, figures: dict[str, int | None]
) -> None:
    result = size_of(code, figures)
    assert (result.size_class, result.missing) == (MICRO, [])


# --- industry codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("B", "industry"), ("B0610", "industry"), ("C", "industry"), ("C39", "industry"),
        ("D4411", "industry"), ("E", "construction"), ("E50", "construction"),
        ("F51", "wholesale"), ("F52", "retail"), ("G53", "other"), ("G5311", "other"),
        ("G54", "transport"), ("G55", "transport"), ("G56", "transport"), ("G57", "transport"),
        ("G58", "transport"), ("G591", "transport"), ("G5910", "transport"),
        ("G592", "warehousing"), ("G5951", "warehousing"), ("G599", "warehousing"), ("G60", "postal"),
        ("H", "accommodation_catering"), ("H61", "accommodation_catering"),
        ("H62", "accommodation_catering"), ("I63", "telecoms_internet"),
        ("I64", "telecoms_internet"), ("I65", "software_it"), ("K701", "real_estate_development"),
        ("K702", "property_management"), ("K703", "other"), ("K709", "other"), ("K7090", "other"),
        ("L", "leasing_business_services"), ("L72", "leasing_business_services"),
        ("A", "agriculture"), ("A05", "agriculture"), ("M", "other"),
        ("c3311", "industry"), (" G54 ", "transport"),
    ],
)  # fmt: skip
def test_row_for_maps_gbt4754_codes(code: str, key: str) -> None:
    assert row_for(code).key == key


def test_rail_is_sized_as_other_industries() -> None:
    result = classify("G53", employees=150, revenue=None, total_assets=None)
    assert result.row is not None
    assert (result.row.key, result.size_class, result.missing) == ("other", MEDIUM, [])


@pytest.mark.parametrize(
    ("code", "hint"),
    [("F", "F51"), ("G", "G53"), ("G59", "G591"), ("I", "I65"), ("K", "K701"), ("K70", "K702")],
)
def test_too_coarse_codes_are_unknown_with_a_reason(code: str, hint: str) -> None:
    result = classify(code, employees=1, revenue=1, total_assets=1)
    assert result.size_class is UNKNOWN
    assert result.row is None
    assert result.missing == []
    assert "too coarse" in result.rule
    assert hint in result.rule
    assert hint in result.rule_zh


@pytest.mark.parametrize("code", ["", "C9", "Z01", "C33111", "3311"])
def test_malformed_codes_raise(code: str) -> None:
    with pytest.raises(ValueError, match="not a GB/T 4754-2017 code"):
        row_for(code)


@pytest.mark.parametrize("indicator", ["employees", "revenue", "total_assets"])
def test_negative_input_raises(indicator: str) -> None:
    figures: dict[str, int | None] = dict.fromkeys(("employees", "revenue", "total_assets"), 1)
    figures[indicator] = -1
    with pytest.raises(ValueError, match=f"{indicator} cannot be negative"):
        classify(
            "C3311",
            employees=figures["employees"],
            revenue=figures["revenue"],
            total_assets=figures["total_assets"],
        )


# --- the public route ----------------------------------------------------------------------------


def client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    install_problem_handlers(app)
    return TestClient(app)


def post(body: dict[str, Any]) -> Any:
    return client().post("/v1/size-classification", json=body)


def fields_of(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json()["errors"]]


def test_route_classifies_the_example_without_authentication() -> None:
    response = post({"industry": "C3311", "employees": 250, "revenue": 500_000_000, "assets": None})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["size_class"] == "small"
    assert body["industry"] == {"code": "C3311", "name_zh": body["industry"]["name_zh"]}
    assert body["industry"]["name_zh"]
    assert body["row"] == {"key": "industry", "name_zh": "工业", "name_en": "industry"}
    assert "small needs employees ≥ 20" in body["rule"]
    assert body["missing"] == []
    assert body["standard"] == "工信部联企业〔2011〕300号"


def test_route_names_missing_assets_as_the_request_does() -> None:
    body = post({"industry": "e4710", "revenue": 50_000_000}).json()
    assert (body["size_class"], body["missing"]) == ("unknown", ["assets"])
    assert body["industry"]["code"] == "E4710"


def test_route_answers_unknown_for_a_coarse_code() -> None:
    body = post({"industry": "K70", "employees": 10, "revenue": 10, "assets": 10}).json()
    assert (body["size_class"], body["row"]) == ("unknown", None)
    assert "K701" in body["rule"]


def test_route_rejects_employees_as_text() -> None:
    assert fields_of(post({"industry": "C3311", "employees": "250"})) == ["employees"]


def test_route_rejects_an_industry_not_in_gbt4754() -> None:
    assert fields_of(post({"industry": "C9999", "employees": 250})) == ["industry"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"industry": "C3311", "revenue": -1}, "revenue"),
        ({"industry": "C3311", "assets": 1.5}, "assets"),
        ({"industry": "C3311", "staff": 3}, "staff"),
        ({"employees": 3}, "industry"),
    ],
)
def test_route_rejects_bad_figures(body: dict[str, Any], field: str) -> None:
    assert fields_of(post(body)) == [field]


# --- scope of the standard (统计上大中小微型企业划分办法（2017）) ------------------------------------


def test_loading_and_unloading_is_sized_as_transport() -> None:
    # 装卸搬运 G591: 150 staff and 5000万元 is small as transport (medium needs 300 staff), but
    # would be medium as warehousing (100 staff, 1000万元).
    result = classify("G5910", employees=150, revenue=50_000_000, total_assets=None)
    assert result.row is not None
    assert result.row.key == "transport"
    assert result.size_class is SMALL
    assert classify("G5920", employees=150, revenue=50_000_000, total_assets=None).size_class is (
        MEDIUM
    )


@pytest.mark.parametrize("code", ["J", "J66", "J6621", "K704", "K7040"])
def test_finance_and_own_property_leasing_are_not_sized_by_this_standard(code: str) -> None:
    result = classify(code, employees=5, revenue=1_000_000, total_assets=1_000_000)
    assert (result.size_class, result.row, result.missing) == (UNKNOWN, None, [])
    assert "309" in result.rule if code.startswith("J") else "K7040" in result.rule
    assert result.rule_zh


def test_every_rule_is_said_in_chinese_too() -> None:
    result = classify("C3311", employees=250, revenue=500_000_000, total_assets=None)
    assert result.rule_zh == (
        "工业（B、C、D）：不是大型（从业人员 250人 < 1,000人）；"
        "不是中型（从业人员 250人 < 300人）；"
        "小型需从业人员 ≥ 20人且营业收入 ≥ 300万元；已满足"
    )
    unknown = classify("C", employees=25, revenue=None, total_assets=None)
    assert unknown.rule_zh.endswith("可能为小型或微型：营业收入未知")
    micro = classify("C", employees=19, revenue=None, total_assets=None)
    assert "微型：从业人员 19人 < 20人，无论营业收入如何" in micro.rule_zh


# --- size for the VAT credit refund (公告2022年第14号) ------------------------------------------


@pytest.mark.parametrize(
    ("code", "vat_sales", "assets", "expected"),
    [
        # industry: revenue bounds only (staff not counted), VAT sales standing for revenue
        ("C3311", 19_999_999, None, SMALL),
        ("C3311", 20_000_000, None, MEDIUM),
        ("C3311", 2_999_999, None, MICRO),
        # wholesale has its own bounds: 1000万元 small, 5000万元 medium
        ("F5191", 49_999_999, None, SMALL),
        ("F5191", 50_000_000, None, MEDIUM),
        # leasing sizes on assets alone once staff is dropped
        ("L7111", 10**10, 79_999_999, SMALL),
        ("L7111", 0, 80_000_000, MEDIUM),
        # construction needs both revenue and assets
        ("E4710", 10**9, None, UNKNOWN),
        ("E4710", 10**9, 49_999_999, SMALL),
        # staff-only rows and own-property leasing: the VAT-sales bounds
        ("M7310", 999_999, None, MICRO),
        ("M7310", 19_999_999, None, SMALL),
        ("M7310", 20_000_000, None, MEDIUM),
        ("K7040", 19_999_999, None, SMALL),
        ("K7040", 100_000_000, None, LARGE),
        # finance: 银发〔2015〕309号, not held
        ("J6621", 1, 1, UNKNOWN),
    ],
)
def test_vat_refund_size_uses_each_industry_bounds_with_vat_sales(
    code: str, vat_sales: int, assets: int | None, expected: SizeClass
) -> None:
    result = classify_by_vat_sales(code, vat_sales=vat_sales, total_assets=assets)
    assert result.size_class is expected, result.rule
