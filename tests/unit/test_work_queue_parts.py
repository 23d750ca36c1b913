"""The work queue's files: headings and cells in the reader's language, and no cell that a
spreadsheet program would run as a formula, in CSV or XLSX; and how a search reads a USCC."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from eligibility.adapters.queue_filters import _USCC_START, _after_every
from eligibility.domain.queue import name_grams
from portal.adapters.services import ServiceRefused, Services, ServiceUnavailable
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters
from portal.settings import PortalSettings
from portal.use_cases.queue import every_row
from portal.web.exports import write_csv, write_xlsx, written
from supportmatch_core.auth import Role, TokenService

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


def _streaming(*chunks: bytes, failing: bool = False, status: int = 200) -> Services:
    """The portal's client of a service that answers `chunks`, then breaks off if `failing`."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/measures/vat-credit-refund/enterprises.ndjson"
        assert request.url.params["province"] == "44"
        assert request.headers["authorization"].startswith("Bearer ")
        return httpx.Response(status, stream=_Chunks(chunks, failing))

    settings = PortalSettings(
        database_url="sqlite://", jwt_secret="s" * 32, eligibility_url="http://e"
    )
    return Services(
        settings, TokenService("s" * 32), http=httpx.Client(transport=httpx.MockTransport(answer))
    )


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: tuple[bytes, ...], failing: bool) -> None:
        self._chunks, self._failing = chunks, failing

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._failing:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


CASEWORKER = Account(
    id=2, username="c", role=Role.CASEWORKER, display_name="c", provinces=frozenset({"44"})
)
FILTERS = QueueFilters(measure="vat-credit-refund", province="44")


def test_an_export_reads_the_services_lines_as_they_come() -> None:
    lines = b'{"uscc":"A","name":"\xe7\x94\xb2"}\n{"uscc"', b':"B","name":null}\n'
    rows = every_row(_streaming(*lines), CASEWORKER, FILTERS)
    assert list(rows) == [{"uscc": "A", "name": "甲"}, {"uscc": "B", "name": None}]


def test_an_export_cut_short_is_an_error_not_a_short_file() -> None:
    rows = every_row(_streaming(b'{"uscc":"A"}\n', failing=True), CASEWORKER, FILTERS)
    assert next(rows) == {"uscc": "A"}
    with pytest.raises(ServiceUnavailable):
        next(rows)
    refused = _streaming(b'{"detail":"no such measure","errors":[]}', status=404)
    with pytest.raises(ServiceRefused) as raised:
        list(every_row(refused, CASEWORKER, FILTERS))
    assert (raised.value.status, raised.value.detail) == (404, "no such measure")
    with pytest.raises(ServiceUnavailable):
        list(every_row(_streaming(b"", status=503), CASEWORKER, FILTERS))
    with pytest.raises(ServiceUnavailable):  # a line that is not JSON: not a 500 of the portal
        list(every_row(_streaming(b'{"uscc":"A"}\n<html>\n'), CASEWORKER, FILTERS))
