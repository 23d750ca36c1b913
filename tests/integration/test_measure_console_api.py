"""What the administrator's console asks of the eligibility service: a draft checked as it is
typed, the reach of a draft with names and breakdowns, a version replaced in one step, the log of
who published and retired what, and the "measure changed" event saying what changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from eligibility.domain.measures import shipped_documents
from supportmatch_core.auth import TokenService
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.topics import MEASURE
from tests.clock import TODAY
from tests.conftest import bearer
from tests.integration.lifecycle import (
    GRADE,
    VAT,
    decided_with_v1,
    outbox,
    seed_firms,
    v2,
)
from tests.integration.system import InProcessSystem


@pytest.fixture
def uow(offline: InProcessSystem) -> Iterator[UnitOfWork]:
    engine = create_database_engine(offline.urls["eligibility"])
    yield UnitOfWork(engine)
    engine.dispose()


def test_a_draft_is_checked_without_being_stored(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    admin, client = bearer(tokens), offline.eligibility
    good = client.post(f"/v1/measures/{VAT}/drafts/2/check", json=v2(), headers=admin)
    assert good.status_code == 200, good.text
    read_back = good.json()
    assert read_back["version"] == 2
    assert read_back["criteria"]["node"] == "all"
    sentences = [c["text_zh"] for c in read_back["criteria"]["children"]]
    assert "纳税信用等级为A级、B级或M级" in sentences

    broken = v2()
    broken["criteria"]["all"][0]["op"] = "gte"
    refused = client.post(f"/v1/measures/{VAT}/drafts/2/check", json=broken, headers=admin)
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "criteria.all[0].op"
    assert error["message_zh"] == "未知的比较方式“gte”"
    stale = client.post(
        f"/v1/measures/{VAT}/drafts/1/check", json={**v2(), "version": 1}, headers=admin
    )
    assert stale.status_code == 409
    assert client.get("/v1/measures/drafts", headers=admin).json() == []


def test_the_preview_names_the_firms_gained_and_breaks_them_down(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    firms = seed_firms(uow)
    admin, client = bearer(tokens), offline.eligibility
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    answer = client.post(f"/v1/measures/{VAT}/drafts/2/preview", headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["current_version"] == 1
    assert body["draft"]["by_status"]["eligible"] == 7
    assert body["current"]["by_status"]["eligible"] == 4
    gained = body["firms"]["newly_eligible"]
    assert gained["count"] == 3
    assert [f["uscc"] for f in gained["firms"]] == firms["grade_m"]
    assert gained["by_province"] == {"44": 3}
    assert gained["by_region"] == {"east": 3}
    assert gained["by_ownership"] == {"private": 3}
    assert sum(gained["by_size"].values()) == 3
    assert body["firms"]["no_longer_eligible"]["count"] == 0
    assert body["firms"]["eligible"]["count"] == 7
    assert body["changes"] == [
        {
            "zh": "新增条件“纳税信用等级为A级、B级或M级”",
            "en": "new condition: tax credit grade: grade A, grade B or grade M",
        },
        {
            "zh": "取消条件“纳税信用等级为A级或B级”",
            "en": "condition dropped: tax credit grade: grade A or grade B",
        },
    ]
    assert client.post(f"/v1/measures/{VAT}/drafts/3/preview", headers=admin).status_code == 404
    assert offline.count("eligibility", "determinations") == 0


def test_the_preview_lists_every_firm_of_a_group_page_by_page(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    firms = seed_firms(uow)
    admin, client = bearer(tokens), offline.eligibility
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    path = f"/v1/measures/{VAT}/drafts/2/preview/firms"
    seen: list[str] = []
    after = ""
    while True:
        page = client.post(
            path, params={"group": "eligible", "limit": 2, "after": after}, headers=admin
        )
        assert page.status_code == 200, page.text
        seen += [f["uscc"] for f in page.json()["items"]]
        if page.json()["after"] is None:
            break
        after = page.json()["after"]
    assert seen == sorted(firms["compliant"] + firms["grade_m"])
    wrong = client.post(path, params={"group": "everyone"}, headers=admin)
    assert wrong.status_code == 422


def test_a_draft_replaces_the_version_in_force_in_one_step_and_says_what_changed(
    offline: InProcessSystem, uow: UnitOfWork, tokens: TokenService
) -> None:
    firms = seed_firms(uow)
    decided_with_v1(uow, offline.eligibility.app.state.catalogue)  # type: ignore[attr-defined]
    admin, client = bearer(tokens), offline.eligibility
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    published = client.post(
        f"/v1/measures/{VAT}/drafts/2/publish", json={"replaces": 1}, headers=admin
    )
    assert published.status_code == 200, published.text
    assert published.json()["rematch"]["changed"] == len(firms["grade_m"])
    versions = client.get(f"/v1/measures/{VAT}/versions").json()
    assert versions[0]["valid_to"] == (TODAY - timedelta(days=1)).isoformat()
    with uow.read() as connection:
        retired, announced = outbox(connection, MEASURE)[-2:]
    assert (retired.data["lifecycle"], announced.data["lifecycle"]) == ("retired", "published")
    assert retired.data["changes"] == [
        {
            "zh": f"施行期限改为至{(TODAY - timedelta(days=1)).isoformat()}",
            "en": f"it is in force until {(TODAY - timedelta(days=1)).isoformat()}",
        }
    ]
    assert [c["zh"] for c in announced.data["changes"]] == [
        "新增条件“纳税信用等级为A级、B级或M级”",
        "取消条件“纳税信用等级为A级或B级”",
    ]

    log = client.get("/v1/measures/log", headers=admin, params={"limit": 500}).json()
    steps = [(s["measure_id"], s["version"], s["step"], s["by"]) for s in log[:2]]
    assert sorted(steps) == [
        (VAT, 1, "retired", "test-admin"),
        (VAT, 2, "published", "test-admin"),
    ]
    assert log[0]["at"] >= log[-1]["at"]
    shipped = {(d["id"], d["version"]) for d in shipped_documents()}
    assert {(s["measure_id"], s["version"]) for s in log if s["by"] == "catalogue"} <= shipped


def test_replacing_a_version_that_does_not_exist_publishes_nothing(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    admin, client = bearer(tokens), offline.eligibility
    client.put(f"/v1/measures/{VAT}/drafts/2", json=v2(), headers=admin)
    answer = client.post(
        f"/v1/measures/{VAT}/drafts/2/publish", json={"replaces": 9}, headers=admin
    )
    assert answer.status_code == 404
    unknown = client.post(
        f"/v1/measures/{VAT}/drafts/2/publish", json={"replace": 1}, headers=admin
    )
    assert unknown.status_code == 422
    assert client.get(f"/v1/measures/{VAT}").json()["version"] == 1
    assert len(client.get("/v1/measures/drafts", headers=admin).json()) == 1


def test_a_published_version_s_document_is_where_the_next_draft_starts(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    admin, client = bearer(tokens), offline.eligibility
    found = client.get(f"/v1/measures/{VAT}/versions/1/document", headers=admin)
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["version"]) == (VAT, 1)
    assert found.json()["criteria"]["all"][GRADE]["value"] == ["A", "B"]  # not version 2's
    missing = client.get(f"/v1/measures/{VAT}/versions/9/document", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
