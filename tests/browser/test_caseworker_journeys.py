"""The caseworker's workspace in Debian's chromium: the work queue and its exports, a case taken
from the queue to the money, the dashboard, support granted without applying, and a caseworker
account told of its provinces without signing in."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from contextlib import closing
from datetime import datetime
from functools import partial
from pathlib import Path

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from portal.domain.demo import DEMO_ACCOUNTS
from portal.use_cases.firm import CHINA
from tests.browser.conftest import check_page, keep, sign_in
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload
from tests.integration.eligibility_facts import VAT_FIGURES
from tests.integration.system import wait_until
from tests.integration.test_work_queue import WITHOUT_GRADE


def test_a_caseworker_filters_the_work_queue_exports_it_and_opens_a_firm(
    page: Page, system: RunningSystem
) -> None:
    # Three manufacturers of 广东 that have not given their tax credit grade.
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    for name in ("广州星河电子有限公司", "佛山南海器件有限公司", "东莞长安模具有限公司"):
        _manufacturer_without_a_grade(system, admin, name)
    caseworker = DEMO_ACCOUNTS[1]
    sign_in(page, caseworker.username, caseworker.password)
    page.get_by_role("link", name="工作清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作清单")
    expect(page.get_by_label("政策")).to_have_value("vat-credit-refund")
    page.get_by_label("匹配结果").select_option(label="可能符合")
    page.get_by_role("button", name="筛选").click()
    # The choices of the missing-fact filter come with their counts: "缺纳税信用等级（3家）".
    grade = page.get_by_label("待补充信息").locator("option", has_text="缺纳税信用等级")
    for _ in range(60):  # until eligibility has decided the three
        found = re.fullmatch(r"缺纳税信用等级（(\d+)家）", grade.inner_text())
        if found and int(found.group(1)) >= 3:
            break
        page.wait_for_timeout(500)
        page.reload()
    choice = grade.inner_text()
    fact = re.fullmatch(r"缺(纳税信用等级)（(\d+)家）", choice)
    assert fact, choice
    assert int(fact.group(2)) >= 3, choice
    rows = page.locator("#queue tbody tr")
    page.get_by_label("待补充信息").select_option(label=choice)
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("status")).to_contain_text(f"可能符合：{fact.group(2)}家")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        assert "可能符合" in row.inner_text()
        assert fact.group(1) in row.locator("td").nth(5).inner_text()
    check_page(page)
    keep(page, "work-queue", readme=True)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    heading, *lines = list(csv.reader(io.StringIO(text)))
    assert heading[:3] == ["统一社会信用代码", "企业名称", "省份"]
    assert len(lines) == int(fact.group(2))
    assert all(line[7] == "可能符合" and fact.group(1) in line[8] for line in lines)
    assert {line[2] for line in lines} == {"广东"}
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").click()
    book = io.BytesIO(Path(xlsx_download.value.path()).read_bytes())  # the file has no suffix
    sheet = load_workbook(book, read_only=True).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        line[0] for line in lines
    ]

    first = rows.first.get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def _manufacturer_without_a_grade(system: RunningSystem, admin: dict[str, str], name: str) -> str:
    """A manufacturer of 广东 that has not given its tax credit grade; its USCC."""
    body = {
        **enterprise_payload(province="广东", industry="C3921"),
        **VAT_FIGURES,
        "name": name,
        "facts": {"fiscal_year": 2025, **WITHOUT_GRADE},
    }
    answer = httpx.post(f"{system.url('profiles')}/v1/enterprises", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    return str(body["uscc"])


def _the_dashboard_counts_the_money(page: Page) -> None:
    page.get_by_role("link", name="统计").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政策兑现统计")
    guangdong = page.locator("#dashboard tbody tr", has_text="广东")
    expect(guangdong).to_contain_text("125,000.50")
    expect(page.locator("#dashboard tr.total")).to_contain_text("合计")
    check_page(page)
    keep(page, "dashboard", readme=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith(
        "省份,符合（家）,可能符合（家）,近7日新符合（家）,已立案（件）"
    )
    assert "125,000.50" in text


def _is_told(system: RunningSystem, admin: dict[str, str], uscc: str, told: list[str]) -> bool:
    return _told_of_its_case(system, admin, uscc) == told


def _told_of_its_case(system: RunningSystem, admin: dict[str, str], uscc: str) -> list[str]:
    inbox = f"{system.url('notifications')}/v1/enterprises/{uscc}/inbox"
    entries = httpx.get(inbox, headers=admin).json()["entries"]
    return [e["title_zh"] for e in entries if e["topic"] == "case_changed"]


def test_a_caseworker_opens_a_case_from_the_queue_and_takes_it_to_disbursement(
    page: Page, system: RunningSystem
) -> None:
    name = "珠海横琴精工有限公司"
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    uscc = _manufacturer_without_a_grade(system, admin, name)
    caseworker = DEMO_ACCOUNTS[1]
    sign_in(page, caseworker.username, caseworker.password)
    page.goto(f"/queue?measure=vat-credit-refund&q={name}")
    row = page.locator("#queue tbody tr", has_text=name)
    for _ in range(60):  # until eligibility has decided the firm
        if row.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    row.get_by_role("button", name="开立个案").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"个案：{name}")
    expect(page.locator("#case-state")).to_have_text("已识别")
    for state, reason in (("申报中", "企业已在电子税务局提交申请"), ("已批准", "")):
        page.get_by_label("新状态").select_option(label=state)
        page.get_by_label("原因或说明").fill(reason)
        page.locator("#move").get_by_role("button", name="保存").click()
        expect(page.locator("#case-state")).to_have_text(state)
    page.get_by_label("新状态").select_option(label="已兑付")
    page.get_by_label("兑付金额（元）").fill("十二万元")
    page.get_by_label("兑付日期").fill(datetime.now(CHINA).date().isoformat())
    page.locator("#move").get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("兑付金额须为大于零的元数")
    page.get_by_label("兑付金额（元）").fill("125000.50")
    page.locator("#move").get_by_role("button", name="保存").click()
    expect(page.locator("#case-state")).to_contain_text("已兑付（125,000.50 元，")
    # The firm hears of it through casework.case.v1: the decision, then the money.
    measure = page.locator("#case dd").nth(1).inner_text()
    told = [f"{measure}已兑付125,000.50元", f"您申请的{measure}已获批准"]
    assert wait_until(lambda: _told_of_its_case(system, admin, uscc) == told, timeout=30)
    page.get_by_label("添加备注").fill("退税款已到账，企业确认")
    page.locator("#note").get_by_role("button", name="保存").click()
    trail = page.locator("#trail tbody tr")
    expect(trail).to_have_count(5)
    expect(trail.nth(1)).to_contain_text("已识别 → 申报中")
    expect(trail.nth(1)).to_contain_text("企业已在电子税务局提交申请")
    expect(trail.nth(4)).to_contain_text("退税款已到账，企业确认")
    check_page(page)
    keep(page, "case", readme=True)
    page.get_by_role("link", name="个案办理").click()
    expect(page.locator("#cases tbody tr", has_text=name)).to_contain_text("已兑付")
    _the_dashboard_counts_the_money(page)
    # The queue hears of the case through casework.case.v1: the firm leaves "尚未立案".
    page.goto(f"/queue?measure=vat-credit-refund&case=none&q={name}")
    for _ in range(60):
        if not page.locator("#queue").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_text("没有符合筛选条件的企业。")).to_be_visible()


def test_a_caseworker_confirms_support_granted_without_applying(
    page: Page, system: RunningSystem
) -> None:
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    names = ("中山小榄五金商行有限公司", "江门蓬江灯饰有限公司")
    usccs = []
    for name in names:  # small-scale VAT taxpayers: "六税两费" halved, on the data held
        body = {**enterprise_payload(province="广东"), "vat_taxpayer_type": "small_scale"}
        body["name"] = name
        answer = httpx.post(f"{system.url('profiles')}/v1/enterprises", json=body, headers=admin)
        assert answer.status_code == 201, answer.text
        usccs.append(str(body["uscc"]))
    caseworker = DEMO_ACCOUNTS[1]
    sign_in(page, caseworker.username, caseworker.password)
    page.get_by_role("link", name="免申即享").click()
    page.get_by_label("政策").select_option(value="six-taxes-two-fees")
    page.get_by_role("button", name="筛选").click()
    for _ in range(60):  # until eligibility has decided the two firms
        if all(page.get_by_label(f"选择{name}").count() for name in names):
            break
        page.wait_for_timeout(500)
        page.reload()
    page.get_by_label(f"选择{names[0]}").check()
    check_page(page)
    keep(page, "grants", readme=True)
    page.get_by_role("button", name="确认所选企业").click()
    expect(page.locator("#granted")).to_have_text("已确认1家企业免申即享。")
    page.get_by_role("button", name=re.compile("^确认全部")).click()
    expect(page.locator("#granted")).to_contain_text("已确认")
    page.get_by_role("link", name="查看已确认的个案").click()
    for name in names:
        expect(page.locator("#cases tbody tr", has_text=name)).to_contain_text("已批准")
    told = ["已为您自动享受“六税两费”减半征收"]
    for uscc in usccs:  # each firm is told
        assert wait_until(partial(_is_told, system, admin, uscc, told), timeout=30)


def test_a_caseworker_account_is_told_of_its_provinces_without_ever_signing_in(
    system: RunningSystem,
) -> None:
    # The demo caseworker of Guangdong is made a recipient by the portal when the system starts:
    # its daily digest does not wait for a first call of the notifications API.
    database = system.var_dir / "notifications.sqlite3"
    query = (
        "SELECT r.key, c.province_code FROM recipients r"
        " JOIN caseworker_regions c ON c.recipient_id = r.id WHERE r.kind = 'caseworker'"
    )

    def registered() -> list[tuple[str, str]]:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            return list(connection.execute(query))

    assert wait_until(lambda: ("portal:demo-caseworker", "44") in registered(), timeout=90)
