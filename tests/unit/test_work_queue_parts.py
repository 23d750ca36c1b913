"""The work queue's files: headings and cells in the reader's language, and no cell that a
spreadsheet program would run as a formula, in CSV or XLSX; and how a search reads a USCC."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from eligibility.adapters.queue_filters import _USCC_START, _after_every
from eligibility.domain.queue import name_grams
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters
from portal.use_cases.queue import every_row
from portal.web.exports import write_csv, write_xlsx, written
from supportmatch_core.auth import Role

HOSTILE = '=HYPERLINK("http://example.invalid","点此")'


def _item(**changes: Any) -> dict[str, Any]:
    return {
        "uscc": "914403001922038216",
        "name": "深圳市示例电子有限公司",
        "province_code": "44",
        "city": "深圳市",
        "industry_code": "C3921",
        "size_class": "small",
        "ownership": "private",
        "status": "possibly_eligible",
        "missing_facts": [
            {
                "fact": "tax_credit_grade",
                "label_zh": "纳税信用等级",
                "label_en": "tax credit grade",
            },
            {"fact": "vat_sales", "label_zh": "增值税销售额", "label_en": "VAT sales"},
        ],
        "evaluated_on": "2026-12-06",
    } | changes


def test_a_csv_export_reads_in_chinese_and_runs_nothing() -> None:
    rows = [_item(), _item(name=HOSTILE, city="-1+2")]
    text = b"".join(written(write_csv, rows, "zh")).decode("utf-8-sig")
    heading, first, second = list(csv.reader(io.StringIO(text)))
    assert heading[:3] == ["统一社会信用代码", "企业名称", "省份"]
    assert first[2:9] == [
        "广东", "深圳市", "C3921 通信系统设备制造", "小型企业", "民营企业", "可能符合",
        "纳税信用等级、增值税销售额",
    ]  # fmt: skip
    assert second[1] == "'" + HOSTILE
    assert second[3] == "'-1+2"


def test_an_xlsx_export_stores_every_cell_as_text() -> None:
    rows = [_item(name=HOSTILE, city="-1+2")]
    book = io.BytesIO(b"".join(written(write_xlsx, rows, "en", "Work queue")))
    sheet = load_workbook(book).active
    assert sheet is not None
    heading, row = list(sheet.iter_rows(values_only=True))
    assert heading[:2] == ("USCC", "Firm")
    assert row[1] == HOSTILE  # shown as written, never run
    assert row[3] == "-1+2"
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert row[8] == "tax credit grade, VAT sales"


def test_a_uscc_prefix_is_a_range_of_keys() -> None:
    assert _after_every("914403") == "914404"
    assert _after_every("9144039") == "914403A"
    assert _after_every("91440Z") == "91441"
    assert _after_every("ZZ") is None
    assert _USCC_START.fullmatch("914403")
    assert _USCC_START.fullmatch("y1")
    assert not _USCC_START.fullmatch("TCL")
    assert not _USCC_START.fullmatch("华信")


def test_a_name_is_read_as_pairs_of_neighbouring_characters() -> None:
    assert name_grams("华信 科技") == {"华信", "信科", "科技"}
    assert name_grams("TCL科技") == {"tc", "cl", "l科", "科技"}
    assert name_grams("华") == set()


class _Eligibility:
    """The eligibility service's queue, as an export calls it: two pages of 广东, one of 北京."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def call(self, service: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = kwargs["params"]
        self.asked.append((params["province"], params["after"]))
        if params["province"] == "44" and params["after"] is None:
            return {"items": [_item(uscc="A")], "after": "A"}
        if params["province"] in {"11", "44"}:
            return {"items": [_item(uscc=params["province"])], "after": None}
        return {"items": [], "after": None}


def test_an_export_reads_province_after_province() -> None:
    """An export asks for one province at a time, page after page; a caseworker's its own."""
    measure = QueueFilters(measure="vat-credit-refund")
    admin = Account(id=1, username="a", role=Role.ADMIN, display_name="a")
    caseworker = Account(
        id=2,
        username="c",
        role=Role.CASEWORKER,
        display_name="c",
        provinces=frozenset({"44", "11"}),
    )
    for account, filters, asked in (
        (caseworker, measure, [("11", None), ("44", None), ("44", "A")]),
        (caseworker, replace(measure, province="44"), [("44", None), ("44", "A")]),
    ):
        service = _Eligibility()
        rows = list(every_row(service, account, filters))  # type: ignore[arg-type]
        assert service.asked == asked
        assert [r["uscc"] for r in rows] == [p for p, _ in asked if p == "11"] + ["A", "44"]
    service = _Eligibility()
    assert [r["uscc"] for r in every_row(service, admin, measure)] == ["11", "A", "44"]  # type: ignore[arg-type]
    assert len(service.asked) == 32  # every province, 广东 twice
