"""The administrator's console through the portal, the services behind it: a draft of the next
version checked as it is typed (JSON slips by line and column, rule errors at their path, in
Chinese), saved, its reach previewed with the firm it gains named and exported, published only
once confirmed, and logged; nobody but an administrator opens it or changes the catalogue."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.clock import TODAY
from tests.conftest import Databases
from tests.factories import enterprise_payload
from tests.integration.lifecycle import GRADE, REFUND_FIGURES, VAT
from tests.security.portal_system import (
    ADMIN,
    PortalSystem,
    enterprise,
    form_token,
    portal_system,
    staff,
)
from tests.unit._snapshots import COMPLIANT

# A wholesaler that meets every condition of the other industries' VAT refund but the tax credit
# grade: it has grade M, which version 2 admits.
FIRM = {
    **enterprise_payload(province="广东", industry="F5191"),
    **REFUND_FIGURES,
    "name": "广州万通商贸有限公司",
    "facts": {"fiscal_year": 2025, **COMPLIANT, "tax_credit_grade": "M"},
}
DRAFT = f"/admin/measures/{VAT}/drafts/2"


@pytest.fixture
def system(databases: Databases) -> Iterator[PortalSystem]:
    accounts = {
        "admin": ADMIN,
        "caseworker": staff(["44"]),
        "firm": enterprise(FIRM["uscc"]),
    }
    with portal_system(databases, firm=FIRM, accounts=accounts) as running:
        yield running


def _admitting_grade_m(text: str) -> dict[str, Any]:
    document = json.loads(text)
    document["criteria"]["all"][GRADE]["value"] = ["A", "B", "M"]
    return dict(document)


def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="document"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, page
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def test_an_administrator_drafts_checks_previews_and_publishes(system: PortalSystem) -> None:
    admin = system.browser("admin")
    console = admin.get("/admin")
    assert console.status_code == 200
    assert "政策管理" in console.text
    assert VAT in console.text
    assert "随系统版本发布" in console.text  # the log: the shipped versions
    csrf = form_token(admin, "/admin")
    started = admin.post(
        f"/admin/measures/{VAT}/drafts", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert (started.status_code, started.headers["location"]) == (303, DRAFT)
    editor = admin.get(DRAFT)
    assert "文档有效" in editor.text
    text = _textarea(editor.text)
    assert json.loads(text)["valid_from"] == TODAY.isoformat()

    _checked_as_typed(admin, csrf, text)
    _previewed(admin, csrf)
    _published(admin, csrf)


def _checked_as_typed(admin: TestClient, csrf: str, text: str) -> None:
    """A slip of JSON and a rule error are shown where they are; the fixed draft is saved."""
    check = f"{DRAFT}/check"
    slip = admin.post(
        check, data={"document": text.replace('"version": 2,', '"version": 2'), "csrf_token": csrf}
    )
    assert slip.status_code == 200
    assert re.search(r"第\d+行第\d+列不是有效的JSON：此处缺少逗号", slip.text), slip.text
    wrong = json.loads(text)
    wrong["criteria"]["all"][0]["op"] = "gte"
    refused = admin.post(check, data={"document": json.dumps(wrong), "csrf_token": csrf})
    assert "criteria.all[0].op" in refused.text
    assert "未知的比较方式“gte”" in refused.text

    kept = admin.post(DRAFT, data={"document": json.dumps(wrong), "csrf_token": csrf})
    assert kept.status_code == 422
    assert json.loads(_textarea(kept.text)) == wrong  # what was typed is not lost
    fixed = json.dumps(_admitting_grade_m(text), ensure_ascii=False)
    read = admin.post(check, data={"document": fixed, "csrf_token": csrf})
    assert "纳税信用等级为A级、B级或M级" in read.text
    saved = admin.post(DRAFT, data={"document": fixed, "csrf_token": csrf}, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, f"{DRAFT}?saved=1")


def _previewed(admin: TestClient, csrf: str) -> None:
    preview = admin.get(f"{DRAFT}/preview")
    assert preview.status_code == 200
    assert "新增条件“纳税信用等级为A级、B级或M级”" in preview.text
    assert re.search(r'<table id="newly_eligible">.*广州万通商贸有限公司', preview.text, re.S)
    assert "新增符合 1 家，不再符合 0 家" in preview.text
    exported = admin.get(f"{DRAFT}/preview.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "变化",
        "统一社会信用代码",
        "企业名称",
        "所在地",
        "城市",
        "企业规模",
        "所有制",
    ]
    assert rows[1][:4] == ["新增符合", FIRM["uscc"], "广州万通商贸有限公司", "广东"]


def _published(admin: TestClient, csrf: str) -> None:
    """Only once confirmed, and replacing the version in force; then the measure and log say so."""
    unconfirmed = admin.post(f"{DRAFT}/publish", data={"replaces": "1", "csrf_token": csrf})
    assert unconfirmed.status_code == 422
    assert "请先勾选确认，再发布" in unconfirmed.text
    overlapping = admin.post(f"{DRAFT}/publish", data={"confirm": "1", "csrf_token": csrf})
    assert overlapping.status_code == 409
    assert "重叠" in overlapping.text
    published = admin.post(
        f"{DRAFT}/publish",
        data={"confirm": "1", "replaces": "1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert published.headers["location"] == f"/admin/measures/{VAT}?published=2&changed=1"
    measure = admin.get(published.headers["location"]).text
    assert "已发布第2版：1家企业的资格发生变化，已分别通知。" in measure
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert f"{TODAY.isoformat()} 至 长期" in measure
    assert f"至 {yesterday}" in measure
    log = admin.get("/admin").text
    first = re.search(r'<table id="log">.*?<tbody>(.*?)</tr>', log, re.S)
    assert first
    assert "发布" in first.group(1)
    assert "admin" in first.group(1)


def test_a_version_is_not_retired_into_the_past(system: PortalSystem) -> None:
    admin = system.browser("admin")
    csrf = form_token(admin, "/admin")
    past = (TODAY - timedelta(days=3)).isoformat()
    refused = admin.post(
        f"/admin/measures/{VAT}/versions/1/retire",
        data={"effective_on": past, "confirm": "1", "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert "早于今天" in refused.text
    unconfirmed = admin.post(
        f"/admin/measures/{VAT}/versions/1/retire",
        data={"effective_on": TODAY.isoformat(), "csrf_token": csrf},
    )
    assert unconfirmed.status_code == 422
    assert "请先勾选确认，再废止" in unconfirmed.text


@pytest.mark.parametrize("username", ["caseworker", "firm"])
def test_only_an_administrator_opens_the_console_or_changes_the_catalogue(
    system: PortalSystem, username: str
) -> None:
    admin = system.browser("admin")
    csrf = form_token(admin, "/admin")
    admin.post(f"/admin/measures/{VAT}/drafts", data={"csrf_token": csrf})
    other = system.browser(username)
    assert "政策管理" not in other.get("/policies").text
    theirs = form_token(other, "/policies")
    for path in (
        "/admin",
        f"/admin/measures/{VAT}",
        DRAFT,
        f"{DRAFT}/preview",
        f"{DRAFT}/preview.csv",
    ):
        page = other.get(path)
        assert page.status_code == 403, path
        assert "您无权查看此页面" in page.text
    for path, form in (
        (f"/admin/measures/{VAT}/drafts", {}),
        (f"{DRAFT}/check", {"document": "{}"}),
        (DRAFT, {"document": "{}"}),
        (f"{DRAFT}/publish", {"confirm": "1", "replaces": "1"}),
        (f"{DRAFT}/discard", {"confirm": "1"}),
        (
            f"/admin/measures/{VAT}/versions/1/retire",
            {"effective_on": TODAY.isoformat(), "confirm": "1"},
        ),
    ):
        assert other.post(path, data={**form, "csrf_token": theirs}).status_code == 403, path
    catalogue = admin.get(f"/admin/measures/{VAT}").text
    assert "继续编辑第2版草稿" in catalogue  # the draft is still there, unpublished
    assert "已结束" not in catalogue
    forged = admin.post(f"{DRAFT}/publish", data={"confirm": "1", "replaces": "1"})
    assert forged.status_code == 403  # without this browser's form token
