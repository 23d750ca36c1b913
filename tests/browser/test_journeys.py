"""The portal as people use it, in Debian's chromium: the self-check, a firm providing a missing
fact, its notification settings with a test webhook, and the language switch."""

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

from portal.domain.demo import DEMO_ACCOUNTS, DEMO_FIRM, DEMO_USCC
from portal.use_cases.firm import CHINA
from tests.browser.conftest import check_page, keep, sign_in, tab_to
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload
from tests.integration.notifying import Receiver
from tests.integration.system import wait_until
from tests.integration.test_eligibility_api import VAT_FIGURES
from tests.integration.test_work_queue import WITHOUT_GRADE

FIRM = DEMO_ACCOUNTS[0]
VAT = "#measure-vat-credit-refund"


def test_a_visitor_checks_a_firm_from_the_first_step_to_a_grouped_answer(page: Page) -> None:
    page.goto("/")
    check_page(page)
    page.get_by_role("link", name="开始自测").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("所属行业")
    check_page(page)
    page.get_by_label("输入行业名称或代码搜索").fill("通信系统")
    page.get_by_label(re.compile("C3921 通信系统设备制造")).check()  # filled in place by htmx
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("所在省份")
    check_page(page)
    page.get_by_label("企业注册所在省份").select_option(label="广东省")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("企业类型")
    check_page(page)
    page.get_by_label("民营企业").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("企业规模")
    check_page(page)
    page.get_by_label("从业人员（人）").fill("120")
    page.get_by_label("营业收入（万元）").fill("5000")
    page.get_by_label("资产总额（万元）").fill("abc")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("请输入数字。")).to_be_visible()  # the message beside the field
    page.get_by_label("资产总额（万元）").fill("3000")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("补充情况")
    check_page(page)
    page.get_by_label("纳税信用等级").select_option("A")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".progress [aria-current=step]")).to_have_text("结果")
    for group in ("符合", "可能符合", "不符合"):
        expect(page.get_by_role("heading", name=re.compile(f"^{group}\\s*（"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("企业规模：小型企业")
    expect(page.locator(".answer").first).to_contain_text("依据：通知第")
    expect(page.get_by_role("button", name="打印或另存为PDF")).to_be_visible()
    check_page(page)
    keep(page, "self-check", readme=True)


def test_a_firm_gives_a_missing_fact_and_sees_the_measure_become_eligible(page: Page) -> None:
    page.goto("/sign-in")
    check_page(page)
    sign_in(page, FIRM.username, FIRM.password)
    expect(page).to_have_url(re.compile(f"/firms/{DEMO_USCC}/measures$"))
    vat = page.locator(VAT)
    expect(vat).to_have_class(re.compile("possibly_eligible"))
    expect(vat.locator(".status")).to_contain_text("可能符合（需补充：纳税信用等级")
    check_page(page)
    form = page.locator("form.gap").filter(has=page.locator("#vat-credit-refund-tax_credit_grade"))
    form.get_by_label("纳税信用等级").select_option("A")
    form.get_by_label("近36个月内是否有骗取留抵退税或虚开发票情形").select_option("no")
    form.get_by_label("近36个月内因偷税受到处罚的次数").fill("0")
    form.get_by_label("2019年4月1日起是否享受过增值税即征即退、先征后返（退）").select_option("no")
    form.get_by_role("button", name="提交").click()
    # No reload: the answers section is polled in place until the decision comes back.
    expect(page.locator(f"{VAT}.eligible")).to_be_visible(timeout=20_000)
    expect(page.locator(VAT)).to_contain_text("纳税信用等级为A、B：贵企业为A，满足。")
    keep(page, "firm-measures", readme=True)
    expect(page.locator("#inbox-link .badge")).to_be_visible(timeout=15_000)
    page.locator("#inbox-link").click()
    entry = page.locator(".inbox > li").filter(has_text="增值税期末留抵税额按月全额退还").first
    expect(entry).to_contain_text("符合条件")
    check_page(page)
    entry.get_by_role("button", name="标为已读").click()
    expect(page.locator(".inbox > li").first).to_have_class(re.compile("read"))
    keep(page, "firm-inbox")


def test_a_firm_changes_its_notices_and_sends_a_test_webhook(page: Page) -> None:
    receiver = Receiver()
    try:
        sign_in(page, FIRM.username, FIRM.password)
        page.goto(f"/firms/{DEMO_USCC}/notices")
        check_page(page)
        page.get_by_label("接收通知的邮箱").fill("不是邮箱")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("请输入有效的电子邮箱地址。")).to_be_visible()
        page.get_by_label("接收通知的邮箱").fill("caiwu@example.cn")
        page.get_by_label("每日汇总").check()
        page.get_by_label("Webhook 推送").check()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        expect(page.get_by_label("每日汇总")).to_be_checked()
        page.get_by_label("接收地址").fill(receiver.url())
        page.get_by_role("button", name="添加订阅").click()
        expect(page.get_by_text("签名密钥（仅显示这一次")).to_be_visible()
        page.get_by_role("button", name="发送测试").click()
        expect(page.locator("#test-result")).to_contain_text("测试请求已送达")
        assert len(receiver.requests) == 1
        assert "supportmatch-signature" in {k.lower() for k in receiver.requests[0].headers}
        check_page(page)
        keep(page, "firm-notices")
        page.get_by_role("link", name="发送记录").click()
        check_page(page)
    finally:
        receiver.close()


def test_the_language_switch_is_kept_for_the_signed_in_person(page: Page) -> None:
    page.goto("/policies")
    check_page(page)
    page.get_by_role("button", name="切换语言").click()
    expect(page.get_by_role("heading", name="Policies")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Keyword").fill("VAT")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=re.compile("Monthly refund of the whole VAT credit")).click()
    expect(page.get_by_role("heading", name="Conditions checked")).to_be_visible()
    check_page(page)
    # Signed in, the account's language counts, and the switch is kept with the account:
    # a browser without cookies shows English after signing in.
    page.goto("/sign-in")
    check_page(page)
    page.get_by_label("User name").fill(FIRM.username)
    page.get_by_label("Password").fill(FIRM.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("我的政策"))).to_be_visible()
    page.get_by_role("button", name="切换语言").click()
    expect(page.get_by_role("heading", name=re.compile("My measures"))).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, FIRM.username, FIRM.password)
    expect(page.get_by_role("heading", name=re.compile("My measures"))).to_be_visible()
    check_page(page)
    keep(page, "language-switch")
    page.get_by_role("button", name="Switch language").click()  # as the other journeys expect
    expect(page.get_by_role("heading", name=re.compile("我的政策"))).to_be_visible()


def test_the_wizard_works_from_the_keyboard_alone(page: Page) -> None:
    page.goto("/self-check")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Enter")  # past the header: the next Tab lands in the page's content
    tab_to(page, "#q", presses=3)
    page.keyboard.type("通信系统")
    expect(page.get_by_label(re.compile("C3921 通信系统设备制造"))).to_be_checked()
    tab_to(page, "input[name=industry]:checked")
    tab_to(page, "button:not(.secondary)")
    page.keyboard.press("Enter")
    expect(page.locator(".progress [aria-current=step]")).to_have_text("所在省份")
    tab_to(page, "#province")
    page.keyboard.press("ArrowDown")  # the first province of the list
    expect(page.get_by_label("企业注册所在省份")).to_have_value("11")
    tab_to(page, "button:not(.secondary)")
    page.keyboard.press("Enter")
    expect(page.locator(".progress [aria-current=step]")).to_have_text("企业类型")
    tab_to(page, "input[name=ownership]")
    page.keyboard.press("Space")
    expect(page.get_by_label("民营企业")).to_be_checked()
    tab_to(page, "button:not(.secondary)")
    page.keyboard.press("Enter")
    expect(page.locator(".progress [aria-current=step]")).to_have_text("企业规模")
    # Back, by keyboard too: the ownership step is asked again.
    tab_to(page, "button.secondary")
    page.keyboard.press("Enter")
    expect(page.locator(".progress [aria-current=step]")).to_have_text("企业类型")


def test_every_page_of_a_firm_and_a_caseworker_reads_at_both_widths(page: Page) -> None:
    sign_in(page, FIRM.username, FIRM.password)
    uscc = DEMO_USCC
    for path, heading in (
        (f"/firms/{uscc}", str(DEMO_FIRM["name"])),
        (f"/firms/{uscc}/edit", "修改企业信息"),
        (f"/firms/{uscc}/history", "变更记录"),
        (f"/firms/{uscc}/deliveries", "发送记录"),
        ("/policies?theme=&keyword=专精特新", "政策目录"),
        ("/no-such-page", "出错了"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        check_page(page)
    caseworker = DEMO_ACCOUNTS[1]
    page.context.clear_cookies()
    sign_in(page, caseworker.username, caseworker.password)
    expect(page.get_by_role("heading", name="企业查询")).to_be_visible()
    page.get_by_label("统一社会信用代码").fill("示例电子")
    page.get_by_role("button", name="查询").click()
    check_page(page)
    page.get_by_role("link", name=str(DEMO_FIRM["name"])).click()
    expect(page.get_by_role("heading", name=re.compile("^政策匹配结果："))).to_be_visible()
    check_page(page)


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
    assert text.splitlines()[0].startswith("省份,符合（家）,可能符合（家）,已立案（件）")
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
