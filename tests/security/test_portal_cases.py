"""Cases through the portal's pages: a caseworker reaches only its provinces' cases, by address,
by list or by form; a firm reads its own cases and changes none; no form edits the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient

from casework.adapters.unit_of_work import CaseUnitOfWork
from casework.domain.cases import Case, CaseState
from casework.domain.listing import CaseFilter
from casework.use_cases.cases import Firm, case_of, cases_page, open_case
from supportmatch_core.auth import Principal, Role
from tests.factories import new_uscc
from tests.security.portal_client import FIRM, Clock, sign_in, token

ADMIN = Principal("admin", Role.ADMIN)


def cases(portal: TestClient) -> CaseUnitOfWork:
    uow: CaseUnitOfWork = portal.app.state.cases  # type: ignore[attr-defined]
    return uow


def opened(portal: TestClient, clock: Clock, firm: Firm) -> Case:
    return open_case(
        uow=cases(portal), principal=ADMIN, firm=firm, measure_id="vat-credit-refund",
        measure_title_zh="增值税留抵退税", measure_title_en="VAT credit refund", now=clock(),
    )  # fmt: skip


def test_a_caseworker_reaches_no_case_outside_its_provinces(
    portal: TestClient, clock: Clock
) -> None:
    ours = opened(portal, clock, Firm(new_uscc("44"), "广州明德机电有限公司", "44"))
    theirs = opened(portal, clock, Firm(new_uscc("11"), "北京远方科技有限公司", "11"))
    assert sign_in(portal, username="caseworker") == 303
    listed = portal.get("/cases").text
    assert "广州明德机电有限公司" in listed
    assert "北京远方科技有限公司" not in listed
    assert "北京远方科技有限公司" not in portal.get("/cases?state=identified").text
    exported = portal.get("/cases/export.csv").content.decode("utf-8-sig").splitlines()
    assert exported[0].startswith("企业名称,统一社会信用代码,省份,政策,状态")
    assert [line.split(",")[0] for line in exported[1:]] == ["广州明德机电有限公司"]
    assert portal.get(f"/cases/{ours.id}").status_code == 200
    page = portal.get(f"/cases/{theirs.id}")
    assert page.status_code == 404
    assert "找不到此页面" in page.text
    csrf = token(portal, "/cases")
    form = {"csrf_token": csrf, "kind": "move", "to": "contacted", "version": "1"}
    assert portal.post(f"/cases/{theirs.id}", data=form).status_code == 404
    case, trail = case_of(uow=cases(portal), principal=ADMIN, case_id=theirs.id)
    assert (case.state, len(trail)) == (CaseState.IDENTIFIED, 1)


def test_a_firm_reads_its_own_case_without_a_form_and_cannot_change_it(
    portal: TestClient, clock: Clock
) -> None:
    own = opened(portal, clock, Firm(FIRM, "测试企业", "44"))
    other = opened(portal, clock, Firm(new_uscc("44"), "另一家企业", "44"))
    assert sign_in(portal) == 303
    page = portal.get(f"/cases/{own.id}")
    assert page.status_code == 200
    assert "已识别" in page.text
    assert 'id="move"' not in page.text
    assert "另一家企业" not in portal.get("/cases").text
    assert "另一家企业" not in portal.get("/cases/export.csv").content.decode("utf-8-sig")
    assert portal.get(f"/cases/{other.id}").status_code == 404
    csrf = token(portal, "/cases")
    for form in ({"kind": "move", "to": "contacted"}, {"kind": "note", "text": "自己改"}):
        answer = portal.post(f"/cases/{own.id}", data={"csrf_token": csrf, "version": "1", **form})
        assert answer.status_code == 404
    _, trail = case_of(uow=cases(portal), principal=ADMIN, case_id=own.id)
    assert len(trail) == 1


def test_no_form_edits_or_removes_the_trail_and_refusals_say_why(
    portal: TestClient, clock: Clock
) -> None:
    case = opened(portal, clock, Firm(new_uscc("44"), "广州明德机电有限公司", "44"))
    assert sign_in(portal, username="caseworker") == 303
    csrf = token(portal, "/cases")
    for form, said in (
        ({"kind": "edit", "entry": "1", "text": "改写"}, "无法识别的操作"),
        ({"kind": "delete", "entry": "1"}, "无法识别的操作"),
        ({"kind": "move", "to": "disbursed"}, "只能转为：已联系、申报中"),
        ({"kind": "due", "due_on": "31/12/2026"}, "日期请按"),
        ({"kind": "assign", "assignee": "someone-elsewhere"}, "只能指派给服务该省份的经办人员"),
        ({"kind": "note", "text": "   "}, "内容不能为空"),
    ):
        answer = portal.post(f"/cases/{case.id}", data={"csrf_token": csrf, "version": "1", **form})
        assert answer.status_code == 422, form
        assert said in answer.text, form
    for version in ("0", "²", "9" * 5000):
        outdated = {"csrf_token": csrf, "version": version, "kind": "note", "text": "旧页面"}
        assert "该个案已被他人更新" in portal.post(f"/cases/{case.id}", data=outdated).text
    for garbled in ("0000000000000000000|1", "2026-12-01T09:00:00|1", "x"):
        assert portal.get("/cases", params={"after": garbled}).status_code == 422
    _, trail = case_of(uow=cases(portal), principal=ADMIN, case_id=case.id)
    assert len(trail) == 1
    routes = portal.app.openapi()["paths"]  # type: ignore[attr-defined]
    changing = {p for p, ops in routes.items() if "case" in p and set(ops) - {"get"}}
    assert changing == {"/cases", "/cases/{case_id}"}
    assert all(set(routes[p]) <= {"get", "post"} for p in changing)


def test_a_grant_form_that_names_no_firm_properly_is_refused_and_grants_nothing(
    portal: TestClient,
) -> None:
    assert sign_in(portal, username="caseworker") == 303
    csrf = token(portal, "/cases")
    measure = {"csrf_token": csrf, "measure": "six-taxes-two-fees"}
    for form in (
        {**measure, "uscc": "not-a-uscc"},
        {**measure, "uscc": ["914403001922038216"] * 201},
        {"csrf_token": csrf, "uscc": "914403001922038216"},  # no measure
        measure,  # nobody chosen, and not "all"
    ):
        assert portal.post("/grants", data=form).status_code == 422, form
    # A proper form with the eligibility service away: an error page, no case written.
    answer = portal.post("/grants", data={**measure, "uscc": "914403001922038216"})
    assert answer.status_code == 502
    assert "相关服务暂时无法访问" in answer.text
    assert cases_page(uow=cases(portal), principal=ADMIN, chosen=CaseFilter()).cases == []


def test_a_firm_cannot_confirm_a_grant(portal: TestClient) -> None:
    assert sign_in(portal) == 303
    form = {"csrf_token": token(portal, "/"), "measure": "six-taxes-two-fees", "all": "1"}
    assert portal.post("/grants", data=form).status_code == 422
    assert cases_page(uow=cases(portal), principal=ADMIN, chosen=CaseFilter()).cases == []
