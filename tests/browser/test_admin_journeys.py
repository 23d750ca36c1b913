"""The administrator's console in Debian's chromium: a draft of the next version edited with a
mistake, corrected as the check beside it says, its reach previewed and exported, published once
confirmed; the firm it gains is told in its inbox."""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from portal.domain.demo import DEMO_ACCOUNTS
from tests.browser.conftest import check_page, keep, sign_in
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload
from tests.integration.lifecycle import GRADE, REFUND_FIGURES, VAT
from tests.integration.system import wait_until
from tests.unit._snapshots import COMPLIANT

NAME = "广州万通商贸有限公司"


def _wholesaler_of_grade_m(system: RunningSystem, admin: dict[str, str]) -> str:
    """A wholesaler that meets every condition of the other industries' VAT refund but the tax
    credit grade (M); its USCC."""
    body = {
        **enterprise_payload(province="广东", industry="F5191"),
        **REFUND_FIGURES,
        "name": NAME,
        "facts": {"fiscal_year": 2025, **COMPLIANT, "tax_credit_grade": "M"},
    }
    answer = httpx.post(f"{system.url('profiles')}/v1/enterprises", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    return str(body["uscc"])


def _refund_entries(system: RunningSystem, admin: dict[str, str], uscc: str) -> list[str]:
    inbox = f"{system.url('notifications')}/v1/enterprises/{uscc}/inbox"
    entries = httpx.get(inbox, headers=admin).json()["entries"]
    return [e["title_zh"] for e in entries if e.get("measure_id") == VAT]


def _decided(system: RunningSystem, admin: dict[str, str], uscc: str) -> bool:
    """Whether eligibility has decided the firm (it keeps no row of a first "ineligible")."""
    path = f"{system.url('eligibility')}/v1/enterprises/{uscc}/determinations/stored"
    answer = httpx.get(path, headers=admin)
    return answer.status_code == 200 and answer.json() != []


def test_an_administrator_corrects_previews_and_publishes_a_draft_and_the_firm_is_told(
    page: Page, system: RunningSystem
) -> None:
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    uscc = _wholesaler_of_grade_m(system, admin)
    assert wait_until(partial(_decided, system, admin, uscc), timeout=60)
    assert _refund_entries(system, admin, uscc) == []  # not told of a first "ineligible"

    administrator = DEMO_ACCOUNTS[2]
    sign_in(page, administrator.username, administrator.password)
    page.get_by_role("link", name="政策管理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政策管理")
    page.locator("#catalogue tr", has_text=VAT).get_by_role("link", name="各版本").click()
    page.get_by_role("button", name="起草第2版").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第2版草稿")
    editor = page.get_by_label("措施文档（JSON）")
    document = json.loads(editor.input_value())
    document["criteria"]["all"][GRADE]["value"] = ["A", "B", "M"]
    text = json.dumps(document, ensure_ascii=False, indent=2)

    editor.fill(text.replace('"M"', '"M",', 1))  # a slip: a comma too many
    expect(page.locator("#check")).to_contain_text("不是有效的JSON")
    editor.fill(text.replace('"M"', '"Z"', 1))  # a grade that does not exist
    expect(page.locator("#check")).to_contain_text("纳税信用等级")
    expect(page.locator("#check")).to_contain_text(f"criteria.all[{GRADE}].value")
    editor.fill(text)
    expect(page.locator("#read-back")).to_contain_text("纳税信用等级为A级、B级或M级")
    check_page(page)
    keep(page, "admin-draft", readme=True)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#saved")).to_have_text("草稿已保存。")

    page.get_by_role("link", name="预览影响范围").click()
    expect(page.locator("#changes")).to_contain_text("新增条件“纳税信用等级为A级、B级或M级”")
    expect(page.locator("#newly_eligible")).to_contain_text(NAME)
    check_page(page)
    keep(page, "admin-preview", readme=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [row[:3] for row in rows[1:] if row[1] == uscc] == [["新增符合", uscc, NAME]]

    page.get_by_label("我已核对影响范围", exact=False).check()
    page.get_by_role("button", name="发布第2版").click()
    expect(page.locator("#done")).to_contain_text("已发布第2版")
    check_page(page)
    told = partial(_refund_entries, system, admin, uscc)
    assert wait_until(lambda: len(told()) == 1, timeout=60), told()
    assert told()[0].startswith("符合条件")
