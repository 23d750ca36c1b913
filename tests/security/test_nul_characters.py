"""What schemathesis found on PostgreSQL, kept as plain cases: a NUL or other control character
in a list filter or an email address is refused (422), not passed to the database (which refuses
NUL in text, and answered 500)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Databases
from tests.security.apps import Callers, service_app
from tests.security.seeds import seed


@pytest.fixture
def clients(databases: Databases) -> Iterator[tuple[TestClient, TestClient, Callers]]:
    callers = Callers()
    profiles_url, notifications_url = databases.url("profiles"), databases.url("notifications")
    with (
        TestClient(service_app("profiles", profiles_url)) as profiles,
        TestClient(service_app("notifications", notifications_url)) as notifications,
    ):
        seed("profiles", profiles, callers, profiles_url)
        yield profiles, notifications, callers


def test_control_characters_in_filters_and_addresses_are_refused(
    clients: tuple[TestClient, TestClient, Callers],
) -> None:
    profiles, notifications, callers = clients
    admin = callers.headers("admin")
    for path in ("/v1/enterprises", "/v1/enterprises.csv"):
        for query in ({"q": "测试\x00公司"}, {"q": "abc\x07"}):
            answer = profiles.get(path, params=query, headers=admin)
            assert answer.status_code == 422, (path, query, answer.text)
            assert answer.json()["errors"][0]["field"] == "q"
    for cursor in ("\n\x00", "91440300ma5f"):
        answer = profiles.get("/v1/enterprises", params={"cursor": cursor}, headers=admin)
        assert answer.status_code == 422, (cursor, answer.text)
    assert profiles.get("/v1/enterprises", params={"q": "测试制造"}, headers=admin).json()["items"]
    for import_id in ("%00", "abc%00def", "..%2F..%2Fetc"):
        for tail in ("", "/report.csv"):
            answer = profiles.get(f"/v1/imports/{import_id}{tail}", headers=admin)
            assert answer.status_code in (404, 422), (import_id, tail, answer.text)
    unknown = profiles.get("/v1/imports/00000000-0000-4000-8000-000000000000", headers=admin)
    assert unknown.status_code == 404, unknown.text
    for scope in (f"/v1/enterprises/{callers.firm}", "/v1/caseworkers/me"):
        who = admin if scope.startswith("/v1/enterprises") else callers.headers("caseworker")
        for email in ("cfo\x00@firm.example", "cfo@firm\x1b.example"):
            answer = notifications.patch(f"{scope}/preferences", json={"email": email}, headers=who)
            assert answer.status_code == 422, (scope, email, answer.text)
        kept = notifications.patch(
            f"{scope}/preferences", json={"email": "财务@firm.example"}, headers=who
        )
        assert kept.status_code == 200, kept.text
