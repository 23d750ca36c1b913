"""The portal as people use it, in Debian's chromium: the self-check, a firm providing a missing
fact and downloading its report, its notification settings with a test webhook, and the language
switch."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from portal.domain.demo import DEMO_ACCOUNTS, DEMO_FIRM, DEMO_USCC
from tests.browser.conftest import check_page, keep, sign_in, tab_to
from tests.integration.notifying import Receiver

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
    # The portal's first report loads WeasyPrint and the Chinese font (2.6 s of one idle core),
    # which takes several times as long while the rest of the suite shares the two cores.
    with page.expect_download(timeout=60_000) as downloading:
        page.get_by_role("link", name="下载政策匹配报告（PDF）").click()
    report = downloading.value
    assert re.fullmatch(rf"政策匹配报告-{DEMO_USCC}-\d{{8}}\.pdf", report.suggested_filename)
    assert Path(report.path()).read_bytes().startswith(b"%PDF-")
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
