"""The profiles API on real databases across firms and over time: changes and their history,
lists and their export, and each caller's access. One firm's own record is tested in
test_profile_records.py."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from supportmatch_core.auth import Role, TokenService
from tests.conftest import Databases, bearer
from tests.factories import new_uscc
from tests.integration.profiles_calls import register
from tests.integration.system import InProcessSystem, offline_system


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    """A system of the test's own: each test here counts or lists what every test stored."""
    with offline_system(databases) as running:
        yield running


def test_changes_make_versions_with_who_and_what(
    system: InProcessSystem, tokens: TokenService
) -> None:
    uscc = register(system, tokens)["uscc"]
    admin = bearer(tokens)
    changed = system.profiles.patch(
        f"/v1/enterprises/{uscc}", json={"city": "深圳", "listed": True}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    # The same change again is no change: no new version.
    again = system.profiles.patch(f"/v1/enterprises/{uscc}", json={"city": "深圳"}, headers=admin)
    assert again.json()["version"] == 2
    put = system.profiles.put(
        f"/v1/enterprises/{uscc}/facts/2024",
        json={"employees": 1200, "revenue": 300_000_000},
        headers=admin,
    )
    assert put.status_code == 200, put.text
    read = system.profiles.get(f"/v1/enterprises/{uscc}", headers=admin).json()
    assert read["version"] == 3
    assert read["size"]["class"] == "medium"  # 1200 employees but revenue under the large bound
    history = system.profiles.get(f"/v1/enterprises/{uscc}/history", headers=admin).json()
    assert [h["version"] for h in history] == [3, 2, 1]
    assert history[1]["changes"] == {
        "city": {"from": None, "to": "深圳"},
        "listed": {"from": None, "to": True},
    }
    assert history[1]["changed_by"] == "test-admin"
    assert "facts.employees" in history[0]["changes"]
    assert system.count("profiles", "outbox") == 3


def test_lists_filter_and_page(system: InProcessSystem, tokens: TokenService) -> None:
    firms = [
        register(system, tokens, province="广东", industry="C3921", name="广州甲电子有限公司"),
        register(system, tokens, province="广东", industry="I6513", name="深圳乙软件有限公司"),
        register(
            system,
            tokens,
            province="四川",
            industry="C3311",
            ownership="central_soe",
            facts={"employees": 5, "revenue": 100_000},
        ),
        register(system, tokens, province="辽宁", industry="C3921"),
    ]
    admin = bearer(tokens)

    def usccs(query: str, headers: dict[str, str] = admin) -> list[str]:
        answer = system.profiles.get(f"/v1/enterprises?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return [item["uscc"] for item in answer.json()["items"]]

    assert set(usccs("province=广东")) == {firms[0]["uscc"], firms[1]["uscc"]}
    assert set(usccs("region=west")) == {firms[2]["uscc"]}
    assert set(usccs("industry=C39")) == {firms[0]["uscc"], firms[3]["uscc"]}
    assert usccs("size_class=micro") == [firms[2]["uscc"]]
    assert usccs("ownership=central_soe") == [firms[2]["uscc"]]
    assert usccs("q=乙软件") == [firms[1]["uscc"]]
    assert usccs("certification=little_giant") == []
    caseworker = bearer(tokens, Role.CASEWORKER, regions=["44"])
    assert set(usccs("", caseworker)) == {firms[0]["uscc"], firms[1]["uscc"]}
    assert usccs("province=四川", caseworker) == []
    two_provinces = bearer(tokens, Role.CASEWORKER, regions=["44", "51"])
    expected = sorted(f["uscc"] for f in firms[:3])
    seen, cursor = [], ""
    for _ in range(3):  # one firm a page, merged across the two provinces in USCC order
        page = system.profiles.get(f"/v1/enterprises?limit=1{cursor}", headers=two_provinces).json()
        seen += [item["uscc"] for item in page["items"]]
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == expected
    me = bearer(tokens, Role.ENTERPRISE, uscc=firms[3]["uscc"])
    assert usccs("", me) == [firms[3]["uscc"]]
    first = system.profiles.get("/v1/enterprises?limit=3", headers=admin).json()
    second = system.profiles.get(
        f"/v1/enterprises?limit=3&cursor={first['next_cursor']}", headers=admin
    ).json()
    assert len(first["items"]) == 3
    assert [i["uscc"] for i in first["items"] + second["items"]] == sorted(f["uscc"] for f in firms)
    assert second["next_cursor"] is None
    for bad in (
        "limit=0",
        "limit=501",
        "size_class=huge",
        "region=south",
        "industry=39",
        "province=Atlantis",
        "q=软件",
        "colour=red",
    ):
        assert system.profiles.get(f"/v1/enterprises?{bad}", headers=admin).status_code == 422, bad


def test_csv_export_follows_the_filters(system: InProcessSystem, tokens: TokenService) -> None:
    register(system, tokens, province="广东", name="广州甲电子有限公司")
    register(system, tokens, province="浙江")
    answer = system.profiles.get("/v1/enterprises.csv?province=44", headers=bearer(tokens))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["广州甲电子有限公司"]
    assert rows[0]["province_code"] == "44"


def test_every_endpoint_with_an_id_checks_the_caller(
    system: InProcessSystem, tokens: TokenService
) -> None:
    theirs = register(system, tokens, province="浙江")["uscc"]
    mine = register(system, tokens, province="广东")["uscc"]
    me = bearer(tokens, Role.ENTERPRISE, uscc=mine)
    guangdong = bearer(tokens, Role.CASEWORKER, regions=["44"])
    calls = [
        ("GET", "", None),
        ("PATCH", "", {"city": "x"}),
        ("GET", "/history", None),
        ("GET", "/facts", None),
        ("PUT", "/facts/2024", {"employees": 1}),
        ("DELETE", "/facts/2024", None),
        ("GET", "/certifications", None),
        (
            "POST",
            "/certifications",
            {"kind": "little_giant", "issuer": "x", "valid_from": "2024-01-01"},
        ),
        ("DELETE", "/certifications/1", None),
    ]
    for method, suffix, body in calls:
        for headers in (me, guangdong):
            answer = system.profiles.request(
                method, f"/v1/enterprises/{theirs}{suffix}", json=body, headers=headers
            )
            assert answer.status_code == 404, (method, suffix, answer.status_code)
        mine_answer = system.profiles.request(
            method, f"/v1/enterprises/{mine}{suffix}", json=body, headers=me
        )
        assert mine_answer.status_code in (200, 201, 204, 404), (method, suffix, mine_answer.text)
    assert system.profiles.get(f"/v1/enterprises/{new_uscc()}", headers=me).status_code == 404
