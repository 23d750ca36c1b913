"""The work queue's requests refused before anything is read: a bad filter (422, naming the
field), paging asked of an export, an unknown measure (404); for a page and for an export."""

from __future__ import annotations

from typing import Any

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import bearer
from tests.integration.system import InProcessSystem

QUEUE = "/v1/measures/vat-credit-refund/enterprises"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"missing": "favourite_colour"}, "missing"),
        ({"status": "ineligible"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"industry": "C39a"}, "industry"),
        ({"province": "Atlantis"}, "province"),
        ({"after": "x' OR 1=1"}, "after"),
        ({"q": "星\u202e河"}, "q"),
        ({"page": 2}, "page"),
        ({"case": "closed"}, "case"),
        ({"assignee": "x" * 101}, "assignee"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    offline: InProcessSystem,
    tokens: TokenService,
    params: dict[str, Any],
    field: str,
) -> None:
    answer = offline.eligibility.get(QUEUE, params=params, headers=bearer(tokens))
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]]
    if field not in {"limit", "after"}:  # an export has no pages
        exported = offline.eligibility.get(f"{QUEUE}.ndjson", params=params, headers=bearer(tokens))
        assert exported.status_code == 422, exported.text
        assert field in [e["field"] for e in exported.json()["errors"]]


def test_an_export_has_no_pages(offline: InProcessSystem, tokens: TokenService) -> None:
    answer = offline.eligibility.get(
        f"{QUEUE}.ndjson", params={"limit": 10}, headers=bearer(tokens)
    )
    assert answer.status_code == 422
    assert "limit" in [e["field"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("path", ["enterprises", "enterprises.ndjson"])
def test_an_unknown_measure_is_404(
    offline: InProcessSystem, tokens: TokenService, path: str
) -> None:
    answer = offline.eligibility.get(f"/v1/measures/no-such-measure/{path}", headers=bearer(tokens))
    assert answer.status_code == 404
    assert answer.json()["detail_zh"] == "没有措施no-such-measure"
