"""Measure documents with comparisons a fact's type cannot meet are refused, with the path and
a message in English and in Chinese."""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eligibility.domain import comparisons, criteria, documents, estimates, lifecycle, measures
from eligibility.domain.criteria import InvalidCriteria, parse
from eligibility.domain.lifecycle import draft_document, retired_document
from eligibility.domain.measures import measure_from_document
from tests.unit._language import latin_words


def _vat_refund_document() -> dict[str, Any]:
    folder = resources.files("eligibility") / "catalogue"
    doc: dict[str, Any] = json.loads((folder / "vat-credit-refund.v1.json").read_text("utf-8"))
    return doc


@pytest.mark.parametrize(
    ("comparison", "message"),
    [
        ({"fact": "tax_evasion_penalties_36m", "op": "lt", "value": "2"}, "does not fit"),
        ({"fact": "tax_credit_grade", "op": "in", "value": "AB"}, "needs a non-empty list"),
        ({"fact": "tax_credit_grade", "op": "in", "value": []}, "needs a non-empty list"),
        ({"fact": "tax_credit_grade", "op": "gt", "value": "A"}, "needs a number"),
        ({"fact": "vat_refund_fraud_36m", "op": "eq", "value": 0}, "(boolean)"),
        ({"fact": "employees", "op": "ge", "value": True}, "does not fit"),
        ({"fact": "shoe_size", "op": "eq", "value": 42}, "unknown fact 'shoe_size'"),
        ({"fact": "employees", "op": "approx", "value": 1}, "unknown operator"),
    ],
)
def test_a_badly_typed_comparison_is_refused_with_its_path(
    comparison: dict[str, Any], message: str
) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = comparison
    with pytest.raises(InvalidCriteria, match=r"criteria\.all\[2\]") as caught:
        measure_from_document(doc)
    assert message in str(caught.value)


def test_the_shipped_document_loads() -> None:
    measure = measure_from_document(_vat_refund_document())
    assert measure.id == "vat-credit-refund"


@pytest.mark.parametrize("value", [2**63, -(2**63), 10**30, float("inf"), float("nan")])
def test_a_number_no_database_can_hold_is_refused_with_its_path(value: object) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = {"fact": "net_profit", "op": "ge", "value": value}
    with pytest.raises(InvalidCriteria, match=r"criteria\.all\[2\]\.value: .* does not fit"):
        measure_from_document(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d.pop("assumptions"), d["sources"].append({"document": "某公告", "verified": False})),
         "say in words"),
        (lambda d: d["sources"].append({"title": "old shape", "verified": True}), "document"),
        (lambda d: d["sources"].append({"document": "x", "verified": True, "note": "y"}), "a citation"),
        (lambda d: d["sources"].append({"document": "x", "verified": True, "url": "ftp://x"}), "url"),
        (lambda d: d.update(themes=["luck"]), "themes"),
        (lambda d: d.update(assumptions=[{"zh": "只有中文"}]), "assumptions"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "region",
                                      "tiers": [{"percent": 1}]}), "estimate.base"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "revenue",
                                      "tiers": [{"percent": 1}, {"up_to": 5, "percent": 2}]}),
         "only the last tier"),
        (lambda d: d.update(estimate={"label_zh": "甲", "label_en": "a", "base": "revenue",
                                      "tiers": []}), "estimate.tiers"),
        (lambda d: d.pop("how_to_apply_zh"), "how_to_apply_zh: required"),
        (lambda d: d.update(audience_en=""), "audience_en: expected a non-empty string"),
    ],
)  # fmt: skip
def test_a_document_whose_parts_are_wrong_is_refused(change: Any, message: str) -> None:
    doc = _vat_refund_document()
    change(doc)
    with pytest.raises(InvalidCriteria, match=message):
        measure_from_document(doc)


@pytest.mark.parametrize(
    ("comparison", "message"),
    [
        ({"fact": "vat_credit_balances", "op": "eq", "value": 1}, "is a table"),
        ({"fact": "established_on", "op": "lt", "value": "2009-13-01"}, "does not fit"),
        ({"fact": "vat_taxpayer_type", "op": "eq", "value": "big"}, "does not fit"),
        ({"fact": "tax_credit_grade", "op": "in", "value": ["A", "Z"]}, "does not fit"),
    ],
)
def test_tables_are_not_compared_and_values_must_be_known_ones(
    comparison: dict[str, Any], message: str
) -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = comparison
    with pytest.raises(InvalidCriteria, match=message):
        measure_from_document(doc)


def test_dates_compare_as_days() -> None:
    doc = _vat_refund_document()
    doc["criteria"]["all"][2] = {"fact": "established_on", "op": "between",
                                 "value": ["2009-10-01", "2019-12-31"]}  # fmt: skip
    measure = measure_from_document(doc)
    assert measure.id == "vat-credit-refund"


# --- what an administrator is told, in both languages ------------------------------------------


def _read(change: Callable[[dict[str, Any]], object]) -> None:
    """Read the shipped document with `change` made to it."""
    doc = _vat_refund_document()
    change(doc)
    measure_from_document(doc)


def _compare(comparison: dict[str, Any]) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["criteria"]["all"].__setitem__(2, comparison)


@pytest.mark.parametrize(
    ("change", "field", "english", "chinese"),
    [
        (_compare({"fact": "employees", "op": "gte", "value": 1}), "criteria.all[2].op",
         "unknown operator 'gte'", "未知的比较方式“gte”"),
        (lambda d: d.update(valid_to="2022-03-31"), "valid_to", "before valid_from",
         "结束日期早于开始日期"),
        (_compare({"fact": "tax_evasion_penalties_36m", "op": "lt", "value": "2"}),
         "criteria.all[2].value", "'2' does not fit tax_evasion_penalties_36m (integer)",
         "“2”不符合“36个月内因偷税受处罚次数”的类型，应为整数"),
        (_compare({"fact": "vat_taxpayer_type", "op": "eq", "value": "big"}),
         "criteria.all[2].value",
         "'big' does not fit vat_taxpayer_type (string: one of general, small_scale)",
         "“big”不是“增值税纳税人类型”的可选值，应为以下之一：general、small_scale"),
        (_compare({"fact": "tax_credit_grade", "op": "gt", "value": "A"}), "criteria.all[2].op",
         "gt needs a number or a date, tax_credit_grade is string",
         "比较方式“gt”只适用于数值或日期，“纳税信用等级”的类型为文本"),
        (_compare({"fact": "shoe_size", "op": "eq", "value": 42}), "criteria.all[2].fact",
         "unknown fact 'shoe_size'", "未知的信息项“shoe_size”"),
        (lambda d: d.update(kind="gift"), "kind", "one of benefit, obligation, opportunity",
         "应为以下之一：benefit、obligation、opportunity"),
        (lambda d: d.update(title_en=" "), "title_en", "expected a non-empty string",
         "应为文本，不能为空"),
        (lambda d: d.pop("clause"), "clause", "required", "必填"),
        (lambda d: d.update(valid_from="1 July 2022"), "valid_from",
         "expected a date as YYYY-MM-DD, got '1 July 2022'",
         "应为“年-月-日”格式的日期，如2022-07-01，现为“1 July 2022”"),
    ],
)  # fmt: skip
def test_a_refusal_names_the_path_and_says_the_same_in_both_languages(
    change: Any, field: str, english: str, chinese: str
) -> None:
    with pytest.raises(InvalidCriteria) as caught:
        _read(change)
    refused = caught.value
    assert (refused.field, refused.reason, refused.zh) == (field, english, chinese)


def _doc(change: Callable[[dict[str, Any]], object]) -> Callable[[], None]:
    return lambda: _read(change)


def _cite(**citation: object) -> Callable[[], None]:
    return _doc(lambda d: d["sources"].append(citation))


def _cmp(**comparison: object) -> Callable[[], None]:
    return _doc(_compare(comparison))


def _est(**change: object) -> Callable[[], None]:
    return _doc(lambda d: d["estimate"].update(change))


# One bad document (or step) for every place a measure document is refused.
REFUSALS: list[tuple[str, Callable[[], object]]] = [
    ("(root)", lambda: measure_from_document([])),  # type: ignore[arg-type]
    ("title_en", _doc(lambda d: d.update(title_en=""))),
    ("version", _doc(lambda d: d.update(version=0))),
    ("kind", _doc(lambda d: d.update(kind="gift"))),
    ("grant", _doc(lambda d: d.update(grant="by_lottery"))),
    ("assumptions", _doc(lambda d: (
        d.pop("assumptions"), d["sources"].append({"document": "某公告", "verified": False})))),
    ("clause", _doc(lambda d: d.pop("clause"))),
    ("(root)", _doc(lambda d: d.update(extra={1}))),  # not JSON: only the safety net catches it
    ("valid_to", _doc(lambda d: d.update(valid_to="2022-03-31"))),
    ("sources", _doc(lambda d: d.update(sources=[]))),
    ("sources[2]", _cite(document="x", verified=True, note="y")),
    ("sources[2].verified", _cite(document="x")),
    ("sources[2].document", _cite(verified=True)),
    ("sources[2].url", _cite(document="x", verified=True, url="ftp://x")),
    ("sources[2].issued", _cite(document="x", verified=True, issued="2022")),
    ("assumptions", _doc(lambda d: d.update(assumptions="all of them"))),
    ("assumptions[0]", _doc(lambda d: d.update(assumptions=[{"zh": "只有中文"}]))),
    ("themes", _doc(lambda d: d.update(themes=[["tax"]]))),
    ("departments", _doc(lambda d: d.update(departments="财政部"))),
    ("criteria.all[2].certified", _cmp(certified="lucky_firm")),
    ("criteria.all[2].fact", _cmp(fact="shoe_size", op="eq", value=1)),
    ("criteria.all[2].fact", _cmp(fact="vat_credit_balances", op="eq", value=1)),
    ("criteria.all[2].value", _cmp(fact="listed", op="eq", value=0)),
    ("criteria.all[2].value", _cmp(fact="ownership", op="eq", value="state")),
    ("criteria.all[2].value", _cmp(fact="ownership", op="in", value=[])),
    ("criteria.all[2].value", _cmp(fact="employees", op="between", value=[1])),
    ("criteria.all[2].value", _cmp(fact="employees", op="between", value=[9, 1])),
    ("criteria.all[2].op", _cmp(fact="listed", op="ge", value=True)),
    ("criteria.all[2]", _doc(_compare(["fact"]))),  # type: ignore[arg-type]
    ("criteria.all[2]", _cmp(all=[], any=[])),
    ("criteria.all[2].level_at_least", _cmp(certified="little_giant", level_at_least="world")),
    ("criteria.all[2].any", _cmp(any=[])),
    ("criteria.all[2].op", _cmp(fact="employees", op=["ge"], value=1)),
    ("criteria.all[2]", _cmp(fact="employees", op="ge")),
    ("estimate", _doc(lambda d: d.update(estimate=[]))),
    ("estimate.base", _est(base="region")),
    ("estimate.tiers", _est(tiers=[])),
    ("estimate.tiers[0]", _est(tiers=[{"percent": -5}])),
    ("estimate.tiers[0].up_to", _est(tiers=[{"percent": 60}, {"up_to": 5, "percent": 30}])),
    ("estimate.times_percent", _est(times_percent="25%")),
    ("estimate.label_en", _est(label_en="")),
    ("criteria", lambda: parse({"fact": "a", "op": "eq"})),
    ("(root)", lambda: draft_document([], measure_id="m", version=1)),
    ("id", lambda: draft_document({}, measure_id="drafts", version=1)),
    ("(root)", lambda: draft_document({"x": float("nan")}, measure_id="m", version=1)),
    ("id", lambda: draft_document({"id": "other"}, measure_id="m", version=1)),
    ("effective_on", lambda: retired_document(
        {"valid_from": "2027-01-01"}, effective_on=date(2026, 1, 1), today=date(2026, 6, 1))),
    ("effective_on", lambda: retired_document(
        {"valid_from": "2027-01-01"}, effective_on=date(2027, 1, 1), today=date(2026, 6, 1))),
]  # fmt: skip
# Latin a Chinese message may hold beyond the codes its English names: the JSON literals, a URL's.
_LITERALS = {"true", "false", "null", "http", "https"}


def _raised(call: Callable[[], object]) -> InvalidCriteria:
    try:
        call()
    except InvalidCriteria as error:
        return error
    raise AssertionError("no refusal")


@pytest.mark.parametrize(("field", "call"), REFUSALS, ids=[f for f, _ in REFUSALS])
def test_every_refusal_says_its_own_message_in_chinese(
    field: str, call: Callable[[], object]
) -> None:
    refused = _raised(call)
    assert refused.field == field
    assert re.search(r"[\u4e00-\u9fff]", refused.zh or ""), refused.zh
    # Outside the values it quotes, the Chinese holds no English besides the codes it names.
    unquoted = re.sub(r"“[^”]*”", "", refused.zh or "")
    assert set(latin_words(unquoted)) <= set(latin_words(refused.reason)) | _LITERALS, refused.zh


def _raise_sites(module: ModuleType, *, only: str | None = None) -> set[tuple[str, int]]:
    """The lines of `raise X(...)` in a module (with `only`: of that exception alone)."""
    path = inspect.getsourcefile(module)
    assert path is not None
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return {
        (path, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
        if only is None or ast.unparse(node.exc.func) == only
    }


def test_the_refusals_above_reach_every_place_that_refuses_a_document() -> None:
    sites = {
        site
        for module in (measures, documents, comparisons, criteria, estimates)
        for site in _raise_sites(module)
    } | _raise_sites(lifecycle, only="InvalidCriteria")
    reached = set()
    for _, call in REFUSALS:
        trace = _raised(call).__traceback__
        while trace is not None and trace.tb_next is not None:
            trace = trace.tb_next
        assert trace is not None
        reached.add((trace.tb_frame.f_code.co_filename, trace.tb_lineno))
    assert sites - reached == set()
