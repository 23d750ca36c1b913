"""The firm's report (PDF) through the portal, the services behind it: the demo firm downloads its
profile and measures in Chinese or English, read back with a PDF text extractor; a caseworker of
its province may download it, a caseworker elsewhere and another firm may not; without the system
library WeasyPrint loads, the page says so (503) in both languages."""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from portal.domain.demo import DEMO_ACCOUNTS, DEMO_FIRM, DEMO_USCC
from portal.web.messages import translate
from tests.conftest import Databases
from tests.factories import new_uscc
from tests.security.portal_system import (
    PortalSystem,
    enterprise,
    form_token,
    portal_system,
    staff,
)

FIRM, CASEWORKER = DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[1]
REPORT = f"/firms/{DEMO_USCC}/report.pdf"
# Facts that make one measure eligible with an estimated amount (R&D super-deduction) while
# others wait on facts the firm has not given (the VAT credit refund: its tax credit grade).
FACTS = {
    "employees": 80,
    "revenue": 30_000_000,
    "total_assets": 20_000_000,
    "rd_expense": 3_000_000,
}


@pytest.fixture
def system(databases: Databases) -> Iterator[PortalSystem]:
    accounts = {"other-firm": enterprise(new_uscc("44")), "zhejiang": staff(["33"])}
    firm = {**DEMO_FIRM, "facts": FACTS}
    with portal_system(databases, firm=firm, accounts=accounts, demo_accounts=True) as running:
        yield running


def text_of(pdf: bytes) -> str:
    """The document's text with white space removed: lines break wherever the page ends them."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def download(browser: TestClient) -> tuple[bytes, dict[str, str]]:
    started = time.perf_counter()
    answer = browser.get(REPORT)
    print(f"report: {len(answer.content)} bytes in {time.perf_counter() - started:.2f} s")
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-")
    return answer.content, dict(answer.headers)


def test_the_firm_downloads_its_report_in_chinese_and_in_english(system: PortalSystem) -> None:
    browser = system.browser(FIRM.username, FIRM.password)
    page = browser.get(f"/firms/{DEMO_USCC}/measures").text
    assert f'href="{REPORT}"' in page
    assert "下载政策匹配报告（PDF）" in page

    pdf, headers = download(browser)
    assert headers["content-type"] == "application/pdf"
    assert headers["cache-control"] == "no-store"
    disposition = headers["content-disposition"]
    assert re.fullmatch(
        rf'attachment; filename="supportmatch-report-{DEMO_USCC}-\d{{8}}\.pdf"; '
        rf"filename\*=UTF-8''[%0-9A-F]+-{DEMO_USCC}-\d{{8}}\.pdf",
        disposition,
    ), disposition
    assert unquote(disposition.split("''")[1]).startswith("政策匹配报告-")
    text = text_of(pdf)
    for expected in (
        str(DEMO_FIRM["name"]),
        DEMO_USCC,
        "政策匹配报告",
        "生成时间：",
        "营业收入（万元）3,000万元",  # the profile, as its page shows it
        "符合（",
        "科技创新和技术改造再贷款及设备更新贷款贴息",  # an eligible measure's title
        "研发费用税前加计扣除100%",
        "金额估算：",  # the estimate eligibility gives for the R&D super-deduction
        "增值税期末留抵税额按月全额退还",  # possibly eligible, waiting on:
        "需补充的信息",
        "纳税信用等级",
        "：尚缺此项信息。",  # the reason of a fact not given
        "，满足。",  # a criterion met, with the firm's value
        "依据：通知第（十六）条",
        "工信部联运行〔2022〕160号",
        squeezed(translate("site.footer", "zh")),
        "第1页/共",
    ):
        assert squeezed(expected) in text, expected
    assert "Eligible" not in text

    switched = browser.post(
        "/language", data={"csrf_token": form_token(browser, "/"), "language": "en", "next": "/"}
    )
    assert switched.status_code == 200
    pdf, headers = download(browser)
    assert re.fullmatch(
        rf'attachment; filename="supportmatch-report-{DEMO_USCC}-\d{{8}}\.pdf"',
        headers["content-disposition"],
    )
    text = text_of(pdf)
    for expected in (
        str(DEMO_FIRM["name"]),
        DEMO_USCC,
        "Support measures report",
        "Made on",
        "Eligible (",
        "Possibly eligible (",
        "Facts still to give",
        "tax credit grade",
        "Estimated amount: ",
        "Under clause",
        translate("site.footer", "en"),
        "Page 1 of",
    ):
        assert squeezed(expected) in text, expected
    assert "符合（" not in text
    assert "需补充" not in text


def test_only_the_firm_and_the_staff_of_its_province_get_the_report(
    system: PortalSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf, _ = download(system.browser(CASEWORKER.username, CASEWORKER.password))
    assert DEMO_USCC in text_of(pdf)
    page = system.browser(CASEWORKER.username, CASEWORKER.password)
    assert f'href="{REPORT}"' in page.get(f"/firms/{DEMO_USCC}/measures").text

    elsewhere = system.browser("zhejiang").get(REPORT)
    assert elsewhere.status_code == 404  # as for a firm that does not exist: nothing is learnt
    assert elsewhere.headers["content-type"].startswith("text/html")
    another = system.browser("other-firm").get(REPORT)
    assert another.status_code == 403
    assert "您无权查看此页面" in another.text
    nobody = system.browser().get(REPORT, follow_redirects=False)
    assert nobody.status_code == 303
    assert nobody.headers["location"].startswith("/sign-in?next=")

    # As on a machine without pango: importing WeasyPrint fails, and the page says why.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    refused = system.browser(FIRM.username, FIRM.password).get(REPORT)
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith("text/html")
    assert translate("error.pdf_unavailable", "zh") in refused.text
    assert translate("error.pdf_unavailable", "en").replace("'", "&#39;") in refused.text
