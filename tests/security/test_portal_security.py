"""The portal's defences: other firms' pages, CSRF, session expiry, the sign-in rate limit, and
passwords that are never logged, stored in clear or sent back."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from portal.use_cases.accounts import disable_account
from supportmatch_core.db import UnitOfWork
from tests.conftest import Databases
from tests.security.portal_client import (
    FIRM,
    OTHER,
    PASSWORD,
    Clock,
    sign_in,
    token,
)


def test_an_enterprise_cannot_open_another_firms_pages(portal: TestClient) -> None:
    assert sign_in(portal) == 303
    csrf = token(portal, "/")
    for path in ("", "/measures", "/edit", "/history", "/inbox", "/notices", "/deliveries"):
        assert portal.get(f"/firms/{OTHER}{path}").status_code == 403, path
    for path, form in (
        ("/facts", {"tax_credit_grade": "A"}),
        ("/edit", {"name": "改名"}),
        ("/notices", {"email": "a@example.cn"}),
        ("/webhooks", {"url": "https://example.cn/hook"}),
        ("/inbox/read", {}),
    ):
        answer = portal.post(f"/firms/{OTHER}{path}", data={"csrf_token": csrf, **form})
        assert answer.status_code == 403, path
    # Lower case is the same firm, and a USCC in a form field names nothing: the path decides.
    assert portal.get(f"/firms/{OTHER.lower()}/measures").status_code == 403


def test_a_firm_never_reaches_the_work_queue_or_its_exports(portal: TestClient) -> None:
    assert sign_in(portal) == 303
    # The services are unreachable: a 303 to the firm's own page is the portal's own refusal.
    for path in (
        "/queue",
        "/queue/export.csv",
        "/queue/export.xlsx",
        "/queue?province=11",
        "/dashboard",
        "/dashboard.csv",
        "/grants",
    ):
        answer = portal.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/firms/{FIRM}/measures", path


def test_the_work_queue_without_its_service_is_an_error_page_never_a_cut_file(
    portal: TestClient,
) -> None:
    assert sign_in(portal, username="caseworker") == 303
    for path in ("/queue", "/queue/export.csv", "/queue/export.xlsx", "/dashboard.csv", "/grants"):
        answer = portal.get(path)
        assert answer.status_code == 502, path
        assert answer.headers["content-type"].startswith("text/html"), path
        assert "相关服务暂时无法访问" in answer.text, path
    assert portal.get("/queue/export.pdf").status_code == 422  # no such kind of file


def test_every_form_route_refuses_a_missing_or_foreign_csrf_token(portal: TestClient) -> None:
    assert sign_in(portal) == 303
    paths = portal.app.openapi()["paths"]  # type: ignore[attr-defined]
    posts = [
        path.replace("{uscc}", FIRM)
        .replace("{entry_id}", "1")
        .replace("{case_id}", "1")
        .replace("{webhook_id}", "wh_" + "0" * 16)
        for path, operations in paths.items()
        if "post" in operations
    ]
    assert len(posts) >= 10
    for path in posts:
        assert portal.post(path, data={}).status_code == 403, path
        assert portal.post(path, data={"csrf_token": "0" * 64}).status_code == 403, path
    # A token from another browser does not fit this browser's cookie either.
    other = TestClient(portal.app)
    assert portal.post("/language", data={"csrf_token": token(other, "/")}).status_code == 403


def test_sessions_end_after_idle_time_and_at_their_lifetime(
    portal: TestClient, clock: Clock
) -> None:
    assert sign_in(portal) == 303
    assert (
        portal.get("/firms", follow_redirects=False).status_code == 303
    )  # enterprise: to its page
    clock.now += timedelta(minutes=29)
    assert (
        portal.get("/firms", follow_redirects=False).headers["location"] != "/sign-in?next=%2Ffirms"
    )
    clock.now += timedelta(minutes=31)
    gone = portal.get(f"/firms/{FIRM}/measures", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/sign-in?next=")
    assert sign_in(portal) == 303
    for _ in range(26):  # active all day, the session still ends 12 hours after signing in
        clock.now += timedelta(minutes=29)
        portal.get("/")
    answer = portal.get(f"/firms/{FIRM}/inbox", follow_redirects=False)
    assert answer.status_code == 303


def test_a_disabled_account_loses_its_sessions_and_cannot_sign_in(
    portal: TestClient, clock: Clock
) -> None:
    assert sign_in(portal) == 303
    uow = UnitOfWork(portal.app.state.runtime.engine)  # type: ignore[attr-defined]
    assert disable_account(uow=uow, username="firm", now=clock())
    gone = portal.get(f"/firms/{FIRM}/measures", follow_redirects=False)
    assert gone.headers["location"].startswith("/sign-in?next=")
    assert sign_in(portal) == 401  # told as a wrong password: the name's state is not given away


def test_sign_in_is_rate_limited_per_account(portal: TestClient, clock: Clock) -> None:
    for _ in range(3):
        assert sign_in(portal, "wrong password 1") == 401
    assert sign_in(portal) == 429  # even the right password waits
    clock.now += timedelta(minutes=16)
    assert sign_in(portal) == 303


def test_passwords_are_never_logged_stored_or_sent_back(
    portal: TestClient, databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-that-must-not-leak"
    answer = portal.post(
        "/sign-in", data={"csrf_token": token(portal), "username": "firm", "password": wrong}
    )
    assert answer.status_code == 401
    assert wrong not in answer.text
    assert sign_in(portal) == 303
    assert PASSWORD not in caplog.text
    assert wrong not in caplog.text
    engine = create_engine(databases.url("portal") if databases.kind == "sqlite" else "sqlite://")
    if databases.kind == "sqlite":
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT password_hash FROM accounts WHERE username = 'firm'")
            ).scalar_one()
        assert stored.startswith("$argon2id$")
        assert PASSWORD not in stored
    engine.dispose()
