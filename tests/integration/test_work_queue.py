"""The caseworkers' work queue: a measure's firms by status within the caller's provinces, with
the facts each still has to give, filtered, counted, paged and exported.

Longer than most modules: one scenario registers its firms through the pipeline once and walks
every step over them (a step a function below), which costs less than a system for each."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from supportmatch_core.auth import Role, TokenService
from supportmatch_core.contracts.case import CaseChanged, State
from supportmatch_core.kafka import create_producer
from supportmatch_core.topics import CASE
from tests.clock import TODAY
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.eligibility_facts import COMPLIANT, VAT_FIGURES
from tests.integration.system import InProcessSystem, wait_until
from tests.integration.work_queue_counts import counts_stop_at_the_cap_or_the_rows_read

QUEUE = "/v1/measures/vat-credit-refund/enterprises"
WITHOUT_GRADE = {k: v for k, v in COMPLIANT.items() if k != "tax_credit_grade"}


def _firm(name: str, province: str, facts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        **enterprise_payload(province=province, industry="C3921"),
        **VAT_FIGURES,
        "name": name,
        "facts": {"fiscal_year": 2025, **facts},
        **extra,
    }


FIRMS = [
    _firm("广州星河电子有限公司", "广东", COMPLIANT, city="广州市"),
    _firm("深圳星河通信有限公司", "广东", WITHOUT_GRADE, city="深圳市"),
    _firm("佛山南海器件有限公司", "广东", WITHOUT_GRADE, city="佛山市"),
    _firm("东莞长安模具有限公司", "广东", WITHOUT_GRADE, city="东莞市"),
    _firm("北京中关村电子有限公司", "北京", WITHOUT_GRADE),
]


def test_a_caseworker_works_through_the_firms_of_its_provinces(
    broker: Any, databases: Databases, tokens: TokenService
) -> None:
    with InProcessSystem(bootstrap=broker.address, databases=databases) as system:
        admin = bearer(tokens)
        for body in FIRMS:
            answer = system.profiles.post("/v1/enterprises", json=body, headers=admin)
            assert answer.status_code == 201, answer.text
        assert wait_until(
            lambda: sum(_get(system, QUEUE, admin).json()["counts"].values()) == len(FIRMS),
            timeout=30,
        )
        _sees_its_provinces_firms_with_what_each_still_needs(system, tokens)
        _filters_narrow_the_list_and_the_counts(system, tokens)
        _pages_follow_after_until_the_last(system, tokens)
        _an_export_streams_what_the_pages_list(system, tokens)
        _nobody_sees_firms_outside_the_provinces_it_serves(system, tokens)
        counts_stop_at_the_cap_or_the_rows_read(system, sorted(f["uscc"] for f in FIRMS))
        _cases_narrow_the_list(system, tokens)
        _firms_newly_eligible_are_counted_per_province(system, tokens)
        _a_fact_given_leaves_the_missing_list(system, tokens)
        _a_firm_that_moves_moves_in_the_queue(system, tokens)
        _a_title_lists_its_holders_once_while_it_is_valid(system, tokens)


def _get(system: InProcessSystem, path: str, headers: dict[str, str], **params: Any) -> Any:
    return system.eligibility.get(path, params=params, headers=headers)


def _names(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


def _sees_its_provinces_firms_with_what_each_still_needs(
    system: InProcessSystem, tokens: TokenService
) -> None:
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    body = _get(system, QUEUE, guangdong).json()
    assert body["counts"] == {"eligible": 1, "possibly_eligible": 3}
    assert (body["capped"], body["partly_counted"], body["count_read"]) == (False, [], 50_000)
    by_fact = {m["fact"]: m for m in body["missing_counts"]}
    assert by_fact["tax_credit_grade"]["count"] == 3
    assert by_fact["tax_credit_grade"]["label_zh"] == "纳税信用等级"
    assert {item["province_zh"] for item in body["items"]} == {"广东"}
    assert [i["uscc"] for i in body["items"]] == sorted(i["uscc"] for i in body["items"])
    shenzhen = next(i for i in body["items"] if i["name"] == "深圳星河通信有限公司")
    assert shenzhen["status"] == "possibly_eligible"
    assert shenzhen["city"] == "深圳市"
    grade = next(f for f in shenzhen["missing_facts"] if f["fact"] == "tax_credit_grade")
    assert grade["label_zh"] == "纳税信用等级"
    guangzhou = next(i for i in body["items"] if i["name"] == "广州星河电子有限公司")
    assert guangzhou["status"] == "eligible"
    assert guangzhou["missing_facts"] == []


def _filters_narrow_the_list_and_the_counts(system: InProcessSystem, tokens: TokenService) -> None:
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    missing = _get(
        system,
        QUEUE,
        guangdong,
        status="possibly_eligible",
        missing="tax_credit_grade",
    )
    assert sorted(_names(missing)) == [
        "东莞长安模具有限公司",
        "佛山南海器件有限公司",
        "深圳星河通信有限公司",
    ]
    assert _names(_get(system, QUEUE, guangdong, q="星河")) == sorted(
        ["广州星河电子有限公司", "深圳星河通信有限公司"],
        key=lambda n: next(f["uscc"] for f in FIRMS if f["name"] == n),
    )
    assert _names(_get(system, QUEUE, guangdong, city="佛山市")) == ["佛山南海器件有限公司"]
    by_uscc = _get(system, QUEUE, guangdong, q=FIRMS[3]["uscc"][:12].lower())
    assert _names(by_uscc) == ["东莞长安模具有限公司"]
    counted = _get(system, QUEUE, guangdong, industry="c39", status="eligible").json()
    assert counted["counts"] == {"eligible": 1, "possibly_eligible": 3}
    assert [i["name"] for i in counted["items"]] == ["广州星河电子有限公司"]
    assert len(_names(_get(system, QUEUE, guangdong, industry="c"))) == 4  # a section
    assert _names(_get(system, QUEUE, guangdong, industry="F")) == []
    assert _names(_get(system, QUEUE, guangdong, size="large")) == []
    # A region is its provinces: 广东 is in the east.
    assert len(_names(_get(system, QUEUE, guangdong, region="east"))) == 4
    assert _names(_get(system, QUEUE, guangdong, region="west")) == []
    admin = bearer(tokens)
    assert _names(_get(system, QUEUE, admin, region="east", q="北京")) == ["北京中关村电子有限公司"]
    # A fact the measure never asks for: nobody lacks it, answered without reading the rows.
    unasked = _get(system, QUEUE, guangdong, missing="rd_expense").json()
    assert unasked["items"] == []
    assert unasked["counts"] == {"eligible": 0, "possibly_eligible": 0}
    assert "tax_credit_grade" in {m["fact"] for m in unasked["missing_counts"]}
    # LIKE's wildcards are searched for as written.
    assert _names(_get(system, QUEUE, guangdong, q="%")) == []
    assert _names(_get(system, QUEUE, guangdong, q="_")) == []


def _pages_follow_after_until_the_last(system: InProcessSystem, tokens: TokenService) -> None:
    admin = bearer(tokens)
    seen: list[str] = []
    after = None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        page = _get(system, QUEUE, admin, **params).json()
        seen += [item["uscc"] for item in page["items"]]
        after = page["after"]
        if after is None:
            break
    assert seen == sorted(f["uscc"] for f in FIRMS)


def _an_export_streams_what_the_pages_list(system: InProcessSystem, tokens: TokenService) -> None:
    """The export is the pages' items, one JSON object a line: province after province (北京 11
    before 广东 44), eligible before possibly eligible, in USCC order within each; a caseworker's
    of its provinces alone, whatever it asks for."""

    def exported(headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        answer = _get(system, f"{QUEUE}.ndjson", headers, **params)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-ndjson"
        return [json.loads(line) for line in answer.text.splitlines()]

    def in_export_order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda i: (i["province_code"], i["status"], i["uscc"]))

    admin, guangdong = bearer(tokens), bearer(tokens, Role.CASEWORKER, regions=["44"])
    listed = _get(system, QUEUE, admin, limit=10).json()["items"]
    assert len(listed) == len(FIRMS)
    assert exported(admin) == in_export_order(listed)
    assert exported(guangdong) == in_export_order(_get(system, QUEUE, guangdong).json()["items"])
    lacking = exported(guangdong, status="possibly_eligible", missing="tax_credit_grade")
    assert len(lacking) == 3
    found = _get(system, QUEUE, admin, q="星河").json()["items"]
    assert exported(admin, q="星河") == in_export_order(found)
    assert exported(guangdong, province="11") == []
    assert exported(guangdong, province="11", q="北京") == []  # a name, read in one statement
    assert exported(guangdong, missing="rd_expense") == []  # a fact the measure never asks for
    firm = bearer(tokens, Role.ENTERPRISE, uscc=FIRMS[0]["uscc"])
    assert _get(system, f"{QUEUE}.ndjson", firm).status_code == 403


def _nobody_sees_firms_outside_the_provinces_it_serves(
    system: InProcessSystem, tokens: TokenService
) -> None:
    beijing = bearer(tokens, Role.CASEWORKER, regions=["11"])
    assert _names(_get(system, QUEUE, beijing)) == ["北京中关村电子有限公司"]
    both = bearer(tokens, Role.CASEWORKER, regions=["11", "44"])
    assert len(_names(_get(system, QUEUE, both))) == len(FIRMS)
    assert _names(_get(system, QUEUE, both, province="北京")) == ["北京中关村电子有限公司"]
    # Asking for another province by filter gives nothing, not that province's firms.
    assert _names(_get(system, QUEUE, beijing, province="44")) == []
    assert _get(system, QUEUE, beijing, province="44").json()["counts"] == {
        "eligible": 0,
        "possibly_eligible": 0,
    }
    # Nor by a city of it: a city is read in its provinces, and only those the caller serves.
    by_city = _get(system, QUEUE, beijing, city="深圳市")
    assert (_names(by_city), by_city.json()["counts"]) == (
        [],
        {"eligible": 0, "possibly_eligible": 0},
    )
    nobody = bearer(tokens, Role.CASEWORKER, regions=[])
    for narrowed in (
        {},
        {"city": "深圳市"},
        {"q": "星河"},
        {"certification": "high_tech_enterprise"},
    ):
        answer = _get(system, QUEUE, nobody, **narrowed)
        assert (_names(answer), answer.json()["counts"]) == (
            [],
            {"eligible": 0, "possibly_eligible": 0},
        )
    assert _names(_get(system, QUEUE, bearer(tokens), city="深圳市")) == ["深圳星河通信有限公司"]
    firm = bearer(tokens, Role.ENTERPRISE, uscc=FIRMS[0]["uscc"])
    refused = _get(system, QUEUE, firm)
    assert refused.status_code == 403
    assert refused.json()["detail_zh"] == "您的角色无权执行此操作"
    assert system.eligibility.get(QUEUE).status_code == 401


def _a_fact_given_leaves_the_missing_list(system: InProcessSystem, tokens: TokenService) -> None:
    """The Shenzhen firm gives its tax credit grade: it leaves the "missing the grade" list and
    the counts, and is listed as eligible with nothing to give."""
    shenzhen = FIRMS[1]
    admin = bearer(tokens)
    year = dict(COMPLIANT)
    answer = system.profiles.put(
        f"/v1/enterprises/{shenzhen['uscc']}/facts/2025", json=year, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert wait_until(
        lambda: (
            shenzhen["name"]
            in _names(_get(system, QUEUE, admin, status="eligible", q=shenzhen["name"]))
        ),
        timeout=30,
    )
    lacking = _get(system, QUEUE, admin, missing="tax_credit_grade")
    assert shenzhen["name"] not in _names(lacking)
    by_fact = {m["fact"]: m["count"] for m in lacking.json()["missing_counts"]}
    assert by_fact["tax_credit_grade"] == 3  # 佛山, 东莞 and 北京
    (item,) = _get(system, QUEUE, admin, q=shenzhen["name"]).json()["items"]
    assert item["missing_facts"] == []


def _case(
    uscc: str, state: State, version: int, assignee: str | None = None,
    measure_id: str = "vat-credit-refund",
) -> CaseChanged:  # fmt: skip
    return CaseChanged(
        case_id=1, uscc=uscc, province_code="44", measure_id=measure_id,
        measure_title_zh="增值税留抵退税", measure_title_en="VAT credit refund", state=state,
        previous_state=None, assignee=assignee, due_on=None, disbursed_fen=None, disbursed_on=None,
        action="moved", actor="li", reason="", changed_at="2026-12-06T09:00:00+00:00",
        version=version,
    )  # fmt: skip


def _cases_narrow_the_list(system: InProcessSystem, tokens: TokenService) -> None:
    """Cases come as casework.case.v1 events: one being worked on, one assigned to "li", one
    done with (disbursed, then an older event of it replayed, which changes nothing). The last
    event, of another measure, shares the replay's key and so its partition: once it is stored,
    the replay before it has been read."""
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    shenzhen, foshan, dongguan = (FIRMS[i]["uscc"] for i in (1, 2, 3))
    producer = create_producer(system.settings("eligibility"))
    try:
        for case in (
            _case(shenzhen, "identified", 1),
            _case(foshan, "contacted", 2, assignee="li"),
            _case(dongguan, "disbursed", 5),
            _case(dongguan, "applying", 3),
            _case(dongguan, "identified", 1, measure_id="rd-super-deduction"),
        ):
            event = case.envelope(source="urn:supportmatch:casework", subject=case.uscc)
            producer.send(CASE, key=case.uscc.encode(), value=event.to_bytes()).get(10)
    finally:
        producer.close()
    assert wait_until(lambda: system.count("eligibility", "case_states") == 4, timeout=30)
    assert len(_names(_get(system, QUEUE, guangdong, case="open"))) == 2
    assert _names(_get(system, QUEUE, guangdong, case="none")) == ["广州星河电子有限公司"]
    assert _names(_get(system, QUEUE, guangdong, assignee="li")) == ["佛山南海器件有限公司"]
    counted = _get(system, QUEUE, guangdong, case="open", status="eligible").json()
    assert counted["counts"] == {"eligible": 0, "possibly_eligible": 2}


def _firms_newly_eligible_are_counted_per_province(
    system: InProcessSystem, tokens: TokenService
) -> None:
    path = "/v1/measures/vat-credit-refund/newly-eligible"
    guangdong = _get(system, path, bearer(tokens, Role.CASEWORKER, regions=["44"])).json()
    assert guangdong["by_province"] == {"44": 1}  # 广州星河电子, eligible today
    assert guangdong["since"] == (TODAY - timedelta(days=6)).isoformat()
    beijing = _get(system, path, bearer(tokens, Role.CASEWORKER, regions=["11"])).json()
    assert beijing["by_province"] == {}
    assert _get(system, path, bearer(tokens), days=1).json()["by_province"] == {"44": 1}
    assert _get(system, path, bearer(tokens), days=0).status_code == 422
    unknown = "/v1/measures/no-such-measure/newly-eligible"
    assert _get(system, unknown, bearer(tokens)).status_code == 404
    firm = bearer(tokens, Role.ENTERPRISE, uscc=FIRMS[0]["uscc"])
    assert _get(system, path, firm).status_code == 403


def _a_firm_that_moves_moves_in_the_queue(system: InProcessSystem, tokens: TokenService) -> None:
    """The 东莞 firm moves to 广州 and makes computers (its province is its USCC's): its status
    does not change, but the queue finds it by its new city and industry only (each
    determination carries the firm's place)."""
    dongguan = FIRMS[3]
    admin, guangdong = bearer(tokens), bearer(tokens, Role.CASEWORKER, regions=["44"])
    moved = {"city": "广州市", "industry": "C3911"}
    answer = system.profiles.patch(f"/v1/enterprises/{dongguan['uscc']}", json=moved, headers=admin)
    assert answer.status_code == 200, answer.text
    assert wait_until(
        lambda: dongguan["name"] in _names(_get(system, QUEUE, guangdong, city="广州市")),
        timeout=30,
    )
    assert dongguan["name"] not in _names(_get(system, QUEUE, admin, city="东莞市"))
    assert _names(_get(system, QUEUE, admin, industry="C391")) == [dongguan["name"]]
    assert dongguan["name"] not in _names(_get(system, QUEUE, guangdong, industry="C3921"))
    (item,) = _get(system, QUEUE, guangdong, q=dongguan["name"]).json()["items"]
    assert (item["city"], item["status"]) == ("广州市", "possibly_eligible")


def _a_title_lists_its_holders_once_while_it_is_valid(
    system: InProcessSystem, tokens: TokenService
) -> None:
    """佛山 holds the high-tech title twice over (a renewal overlapping the first), 东莞 held
    it until last year: the title filter lists 佛山 once, on a page and in an export."""
    foshan, dongguan = FIRMS[2], FIRMS[3]
    admin, guangdong = bearer(tokens), bearer(tokens, Role.CASEWORKER, regions=["44"])
    for firm, valid_from, valid_to in (
        (foshan, TODAY - timedelta(days=700), TODAY + timedelta(days=400)),
        (foshan, TODAY - timedelta(days=30), None),
        (dongguan, TODAY - timedelta(days=1200), TODAY - timedelta(days=365)),
    ):
        title = {
            "kind": "high_tech_enterprise",
            "issuer": "广东省科学技术厅",
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
        }
        path = f"/v1/enterprises/{firm['uscc']}/certifications"
        answer = system.profiles.post(path, json=title, headers=admin)
        assert answer.status_code == 201, answer.text
    held = {"certification": "high_tech_enterprise"}
    assert wait_until(
        lambda: _names(_get(system, QUEUE, guangdong, **held)) == [foshan["name"]], timeout=30
    )
    page = _get(system, QUEUE, guangdong, **held).json()
    assert page["counts"] == {"eligible": 0, "possibly_eligible": 1}
    exported = _get(system, f"{QUEUE}.ndjson", admin, **held).text.splitlines()
    assert [json.loads(line)["name"] for line in exported] == [foshan["name"]]
    after = _get(system, QUEUE, admin, after=foshan["uscc"], **held)
    assert _names(after) == []
