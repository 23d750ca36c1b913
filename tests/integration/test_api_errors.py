"""Bad input and unauthorised callers get problem details, never a 500, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eligibility.domain.measures import shipped_documents
from supportmatch_core.auth import Role, TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload, new_uscc
from tests.integration.system import InProcessSystem, offline_system
from tests.problems import problem


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    """A system of the test's own, for the tests that store firms."""
    with offline_system(databases) as running:
        yield running


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for this module's tests whose callers are refused (401, 403, 404, 405, 422)
    or only read: none of them stores a row, so none can see another's. The refusals' check
    that no firm and no event is stored then holds for every test before it too. The tests
    that store firms take a `system` of their own."""
    with offline_system(module_databases) as running:
        yield running


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uscc": "914403001922038217"}, "uscc"),
        ({"uscc": "91440300192203821"}, "uscc"),
        ({"uscc": 914403001922038216}, "uscc"),
        ({"province": "Atlantis"}, "province"),
        ({"province": "北京"}, "province"),
        ({"industry": "C9999"}, "industry"),
        ({"industry": "manufacturing"}, "industry"),
        ({"ownership": "pirate"}, "ownership"),
        ({"name": ""}, "name"),
        ({"facts": {"employees": "twelve"}}, "facts.employees"),
        ({"facts": {"employees": "12"}}, "facts.employees"),
        ({"facts": {"revenue": -5}}, "facts.revenue"),
        ({"facts": {"fiscal_year": 2999}}, "facts.fiscal_year"),
        ({"facts": {"tax_credit_grade": "E"}}, "facts.tax_credit_grade"),
        ({"facts": {"colour": "red"}}, "facts.colour"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_enterprise_is_refused_naming_the_field(
    shared: InProcessSystem, tokens: TokenService, change: dict[str, Any], field: str
) -> None:
    body = {**enterprise_payload(uscc="914403001922038216"), **change}
    answer = shared.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
    refused = problem(answer, 422)
    assert field in [e["field"] for e in refused["errors"]], refused
    assert shared.count("profiles", "enterprises") == 0
    assert shared.count("profiles", "outbox") == 0


@pytest.mark.parametrize("field", ["uscc", "name", "province", "industry", "ownership"])
def test_missing_field_is_named(shared: InProcessSystem, tokens: TokenService, field: str) -> None:
    body = enterprise_payload()
    del body[field]
    refused = problem(
        shared.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)), 422
    )
    assert field in [e["field"] for e in refused["errors"]]


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"text"', b'{"name": "\\ud800"}'])
def test_unreadable_bodies_are_422(
    shared: InProcessSystem, tokens: TokenService, raw: bytes
) -> None:
    headers = {**bearer(tokens), "content-type": "application/json"}
    answer = shared.profiles.post("/v1/enterprises", content=raw, headers=headers)
    assert answer.status_code == 422, answer.text


def test_province_given_as_code_or_full_name_is_accepted(
    system: InProcessSystem, tokens: TokenService
) -> None:
    for province in ("44", "广东省", "广东"):
        answer = system.profiles.post(
            "/v1/enterprises", json=enterprise_payload(province=province), headers=bearer(tokens)
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["province"]["code"] == "44"


def test_a_second_registration_of_the_same_code_conflicts(
    system: InProcessSystem, tokens: TokenService
) -> None:
    body = enterprise_payload()
    assert (
        system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)).status_code
        == 201
    )
    problem(system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)), 409)
    assert system.count("profiles", "outbox") == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
)
def test_requests_without_a_valid_token_get_401(
    shared: InProcessSystem, headers: dict[str, str]
) -> None:
    uscc = new_uscc()
    for client, method, path in [
        (shared.profiles, "POST", "/v1/enterprises"),
        (shared.profiles, "GET", f"/v1/enterprises/{uscc}"),
        (shared.eligibility, "GET", f"/v1/enterprises/{uscc}/determinations"),
        (shared.notifications, "GET", f"/v1/enterprises/{uscc}/inbox"),
    ]:
        answer = client.request(method, path, headers=headers, json=enterprise_payload())
        problem(answer, 401)


def test_a_token_signed_with_another_key_gets_401(shared: InProcessSystem) -> None:
    forged = TokenService("another-key-another-key-another-key-1234").issue(
        subject="x", role=Role.ADMIN
    )
    answer = shared.profiles.get(
        f"/v1/enterprises/{new_uscc()}", headers={"Authorization": f"Bearer {forged}"}
    )
    problem(answer, 401)


def test_enterprises_see_only_themselves_and_caseworkers_only_their_regions(
    system: InProcessSystem, tokens: TokenService
) -> None:
    mine, other = enterprise_payload(), enterprise_payload(province="浙江")
    for body in (mine, other):
        assert (
            system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens)).status_code
            == 201
        )
    me = bearer(tokens, Role.ENTERPRISE, uscc=mine["uscc"])
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    assert system.profiles.get(f"/v1/enterprises/{mine['uscc']}", headers=me).status_code == 200
    assert (
        system.profiles.get(f"/v1/enterprises/{mine['uscc']}", headers=guangdong).status_code == 200
    )
    # Another's firm answers as a firm that does not exist (tests/security/test_not_yours.py).
    problem(system.profiles.get(f"/v1/enterprises/{other['uscc']}", headers=me), 404)
    problem(system.profiles.get(f"/v1/enterprises/{other['uscc']}", headers=guangdong), 404)
    for path in (f"/v1/enterprises/{other['uscc']}/inbox",):
        problem(system.notifications.get(path, headers=me), 404)
        problem(system.notifications.get(path, headers=guangdong), 404)
    problem(
        system.eligibility.get(f"/v1/enterprises/{other['uscc']}/determinations", headers=me), 404
    )
    # An enterprise cannot register somebody else, nor a caseworker outside its regions.
    assert (
        system.profiles.post("/v1/enterprises", json=enterprise_payload(), headers=me).status_code
        == 403
    )
    assert (
        system.profiles.post(
            "/v1/enterprises", json=enterprise_payload(province="北京"), headers=guangdong
        ).status_code
        == 403
    )


def test_unknown_enterprise_is_404(shared: InProcessSystem, tokens: TokenService) -> None:
    problem(shared.profiles.get(f"/v1/enterprises/{new_uscc()}", headers=bearer(tokens)), 404)
    problem(
        shared.eligibility.get(
            f"/v1/enterprises/{new_uscc()}/determinations", headers=bearer(tokens)
        ),
        404,
    )


def test_bad_paths_and_queries_are_4xx(shared: InProcessSystem, tokens: TokenService) -> None:
    admin = bearer(tokens)
    problem(shared.profiles.get("/v1/enterprises/short", headers=admin), 422)
    problem(
        shared.notifications.get(f"/v1/enterprises/{new_uscc()}/inbox?limit=0", headers=admin), 422
    )
    problem(
        shared.notifications.get(f"/v1/enterprises/{new_uscc()}/inbox?before=x", headers=admin), 422
    )
    problem(shared.profiles.get("/v1/nothing-here", headers=admin), 404)
    problem(shared.profiles.delete("/v1/enterprises", headers=admin), 405)


def test_health_readiness_and_metrics(shared: InProcessSystem) -> None:
    for client in shared.clients.values():
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True
        assert "http_requests_total" in client.get("/metrics").text


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        ({"uscc": "914403001922038217"}, "check character is 7", "校验码为7，按代码内容应为6"),
        ({"province": "Atlantis"}, "is not a mainland province", "不是内地省份"),
        ({"province": "北京"}, "the USCC was registered in 广东", "该统一社会信用代码登记于广东"),
        ({"facts": {"revenue": -5}}, "a number from 0 to", "应为 0 到"),
        ({"facts": {"colour": "red"}}, "Extra inputs are not permitted", "不接受此字段"),
    ],
)
def test_a_problem_speaks_the_caller_language_with_the_other_beside_it(
    shared: InProcessSystem,
    tokens: TokenService,
    change: dict[str, Any],
    english: str,
    chinese: str,
) -> None:
    body = {**enterprise_payload(uscc="914403001922038216"), **change}
    headers = bearer(tokens)
    as_english = problem(shared.profiles.post("/v1/enterprises", json=body, headers=headers), 422)
    assert english in as_english["detail"]
    assert chinese in as_english["detail_zh"]
    zh = {**headers, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    answer = shared.profiles.post("/v1/enterprises", json=body, headers=zh)
    as_chinese = problem(answer, 422)
    assert chinese in as_chinese["detail"]
    assert english in as_chinese["detail_en"]
    assert as_chinese["title"] == "输入无效"
    assert answer.headers["content-language"] == "zh"
    assert all(e["message_zh"] for e in as_chinese["errors"])


def test_a_bad_measure_draft_is_refused_at_its_path_in_chinese(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    doc = max(
        (d for d in shipped_documents() if d["id"] == "vat-credit-refund"),
        key=lambda d: int(d["version"]),
    )
    draft = {
        **doc,
        "version": 9,
        "criteria": {"all": [{"fact": "employees", "op": "gte", "value": 1}]},
    }
    zh = {**bearer(tokens), "Accept-Language": "zh"}
    answer = shared.eligibility.put(
        "/v1/measures/vat-credit-refund/drafts/9", json=draft, headers=zh
    )
    refused = problem(answer, 422)
    assert refused["errors"] == [
        {
            "field": "criteria.all[0].op",
            "message": "unknown operator 'gte'",
            "message_zh": "未知的比较方式“gte”",
        }
    ]
    assert refused["detail"] == "criteria.all[0].op：未知的比较方式“gte”"
    assert refused["detail_en"] == "criteria.all[0].op: unknown operator 'gte'"


def test_not_found_and_forbidden_say_why_in_chinese(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    zh = {"Accept-Language": "zh"}
    missing = shared.eligibility.get("/v1/measures/no-such-measure", headers=zh)
    assert problem(missing, 404)["detail"] == "没有措施no-such-measure"
    bad_clause = shared.eligibility.get("/v1/measures?clause=17th", headers=zh)
    assert "不是通知的条款" in problem(bad_clause, 422)["detail"]
    nobody = shared.profiles.get("/v1/enterprises", headers=zh)
    assert problem(nobody, 401)["detail"] == "需要身份令牌"
    english = shared.profiles.get("/v1/enterprises", headers={"Accept-Language": "en-GB"})
    assert problem(english, 401)["detail_zh"] == "需要身份令牌"
