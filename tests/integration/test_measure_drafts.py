"""Measure drafts through the API, on SQLite and PostgreSQL: stored, listed, read, replaced and
discarded, refused with the path of their error, following the published versions, and for
administrators only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supportmatch_core.auth import Role, TokenService
from tests.clock import TODAY
from tests.conftest import Databases, bearer
from tests.integration.lifecycle import (
    GRADE,
    VAT,
    v2,
    vat_document,
)
from tests.integration.system import InProcessSystem, offline_system


@pytest.fixture(scope="module")
def shared(module_databases: Databases) -> Iterator[InProcessSystem]:
    """One system for this module's tests whose drafts are refused (403, 401, 409, 422): none of
    them stores a draft or publishes or retires a version, so none can see another's, and their
    check that no draft is stored holds for every test before it too. The test that stores,
    replaces and discards a draft, and lists all drafts, takes an `offline` system of its own."""
    with offline_system(module_databases) as running:
        yield running


def test_drafts_are_stored_listed_read_replaced_and_discarded(
    offline: InProcessSystem, tokens: TokenService
) -> None:
    admin, client = bearer(tokens), offline.eligibility
    path = f"/v1/measures/{VAT}/drafts/2"
    created = client.put(path, json=v2(), headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["updated_by"] == "test-admin"
    changed = v2()
    changed["title_en"] = "Monthly refund of incremental VAT credits, grade M too"
    assert client.put(path, json=changed, headers=admin).status_code == 200
    (listed,) = client.get("/v1/measures/drafts", headers=admin).json()
    assert (listed["measure_id"], listed["version"]) == (VAT, 2)
    assert client.get(path, headers=admin).json()["document"]["title_en"].endswith("grade M too")
    assert client.get(f"/v1/measures/{VAT}/versions").json()[-1]["version"] == 1  # not published
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404
    assert client.delete(path, headers=admin).status_code == 404
    assert client.get("/v1/measures/drafts", headers=admin).json() == []


def _with(change: Any) -> dict[str, Any]:
    doc = v2()
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        (
            _with(
                lambda d: d["criteria"]["all"].append(
                    {"fact": "shoe_size", "op": "eq", "value": 42}
                )
            ),
            "criteria.all[9].fact",
            422,
        ),
        (
            _with(
                lambda d: d["criteria"]["all"].__setitem__(
                    GRADE, {"fact": "tax_credit_grade", "op": "gt", "value": "A"}
                )
            ),
            "criteria.all[5].op",
            422,
        ),
        (
            _with(
                lambda d: d["criteria"]["all"].__setitem__(
                    3, {"fact": "tax_evasion_penalties_36m", "op": "lt", "value": "2"}
                )
            ),
            "criteria.all[3].value",
            422,
        ),
        (_with(lambda d: d.update(valid_from="2026-02-30")), "valid_from", 422),
        (_with(lambda d: d.update(valid_from="next week")), "valid_from", 422),
        (_with(lambda d: d.update(valid_from=20260101)), "valid_from", 422),
        (_with(lambda d: d.update(valid_to="2020-01-01")), "valid_to", 422),
        (_with(lambda d: d.update(kind="gift")), "kind", 422),
        (_with(lambda d: d.pop("criteria")), "criteria", 422),
        (_with(lambda d: d.update(criteria=[1, 2])), "criteria", 422),
        (_with(lambda d: d.update(id="another-measure")), "id", 422),
        (_with(lambda d: d.update(version=3)), "version", 422),
        ([1, 2, 3], "", 422),
        ("not a document", "", 422),
    ],
)
def test_a_bad_draft_is_refused_with_the_path_of_the_error(
    shared: InProcessSystem, tokens: TokenService, body: Any, field: str, status: int
) -> None:
    answer = shared.eligibility.put(
        f"/v1/measures/{VAT}/drafts/2", json=body, headers=bearer(tokens)
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    if field:
        assert answer.json()["errors"][0]["field"] == field
    assert shared.count("eligibility", "measure_drafts") == 0


def test_a_draft_must_follow_the_published_versions(
    shared: InProcessSystem, tokens: TokenService
) -> None:
    doc = vat_document()
    answer = shared.eligibility.put(
        f"/v1/measures/{VAT}/drafts/1", json=doc, headers=bearer(tokens)
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["errors"][0]["field"] == "version"
    reserved = shared.eligibility.put(
        "/v1/measures/drafts/drafts/1", json=doc, headers=bearer(tokens)
    )
    assert reserved.status_code == 422


ADMIN_CALLS = [
    ("get", "/v1/measures/drafts", None),
    ("get", f"/v1/measures/{VAT}/drafts/2", None),
    ("put", f"/v1/measures/{VAT}/drafts/2", v2()),
    ("delete", f"/v1/measures/{VAT}/drafts/2", None),
    ("post", f"/v1/measures/{VAT}/drafts/2/preview", None),
    ("post", f"/v1/measures/{VAT}/drafts/2/preview/firms?group=eligible", None),
    ("post", f"/v1/measures/{VAT}/drafts/2/check", v2()),
    ("get", "/v1/measures/log", None),
    ("post", f"/v1/measures/{VAT}/drafts/2/publish", None),
    ("post", f"/v1/measures/{VAT}/versions/1/retire", {"effective_on": TODAY.isoformat()}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_only_an_administrator_manages_measures(
    shared: InProcessSystem, tokens: TokenService, method: str, path: str, body: Any
) -> None:
    client = shared.eligibility
    for headers in (
        bearer(tokens, Role.ENTERPRISE, uscc="914403001922038216"),
        bearer(tokens, Role.CASEWORKER, regions=["44"]),
    ):
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "admin" in answer.json()["detail"]
    assert client.request(method, path, json=body).status_code == 401
    assert shared.count("eligibility", "measure_drafts") == 0
    assert client.get(f"/v1/measures/{VAT}").json()["valid_to"] is None
