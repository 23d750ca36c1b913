"""The firm's report as a file: its name (the USCC and the day in China), the documents cited in
the reader's language, and a clear refusal where WeasyPrint cannot be loaded."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from portal.adapters.pdf import PdfUnavailable, print_pdf
from portal.web.report import attachment
from portal.web.wording import citation

USCC = "914403001922038216"
# 17:30 in UTC is half past one the next morning in China: the file is named after the Chinese day.
LATE = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
NOTICE = {
    "document": "工信部联运行〔2022〕160号",
    "title": "关于巩固回升向好趋势加力振作工业经济的通知",
    "article": "（十六）",
    "issued": None,
    "url": None,
}


def test_the_file_is_named_by_the_uscc_and_the_day_in_china() -> None:
    english = attachment(USCC, LATE, "en")
    assert english == f'attachment; filename="supportmatch-report-{USCC}-20261207.pdf"'
    chinese = attachment(USCC, LATE, "zh")
    plain, _, encoded = chinese.partition("; filename*=UTF-8''")
    assert plain == english
    assert unquote(encoded) == f"政策匹配报告-{USCC}-20261207.pdf"
    assert encoded.isascii()


def test_a_document_is_cited_with_its_number_title_and_article() -> None:
    assert citation(NOTICE, "zh") == (
        "工信部联运行〔2022〕160号《关于巩固回升向好趋势加力振作工业经济的通知》（十六）"
    )
    rule = {"document": "财政部 税务总局公告2025年第7号", "title": None, "issued": "2025-08-22"}
    assert citation(rule, "zh") == "财政部 税务总局公告2025年第7号（2025-08-22发布）"
    assert citation(rule, "en") == "财政部 税务总局公告2025年第7号 (issued 2025-08-22)"


def test_without_weasyprint_the_pdf_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(PdfUnavailable, match="weasyprint"):
        print_pdf("<p>报告</p>")
