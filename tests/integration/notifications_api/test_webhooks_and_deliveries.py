"""Webhooks created, rotated, pinged and deleted against a receiver on loopback, the addresses
they may not reach, and the delivery log (email to a real SMTP server) with responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from notifications.domain import signing
from tests.conftest import Databases
from tests.factories import new_uscc
from tests.integration.notifications_api.calls import (
    Callers,
    client_for,
    notice,
    subscribe,
)
from tests.integration.notifying import START, Mailbox, Notifications, Receiver, notifications_on
from tests.problems import problem


@pytest.fixture(scope="module")
def shared_parts(module_databases: Databases, shared_mailbox: Mailbox) -> Iterator[Notifications]:
    """One database for this module's tests of webhooks and responses: each subscribes, files
    notices and records responses for firms of its own (fresh USCCs) and reads only those, or
    is refused before anything is written; none moves the clock, and each has a `receiver` of
    its own. The test of the delivery log runs the delivery worker, which sends whatever any
    test left due, and counts the mails: it takes `parts`, `mailbox` and `api` of its own."""
    with notifications_on(module_databases, shared_mailbox) as parts:
        yield parts


def test_a_webhook_is_created_rotated_pinged_and_deleted(
    shared_api: TestClient, shared_parts: Notifications, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    base, firm = f"/v1/enterprises/{uscc}/webhooks", who.firm(uscc)
    created = subscribe(shared_api, f"/v1/enterprises/{uscc}", firm, receiver.url())
    assert created["id"].startswith("wh_")
    assert created["secret"].startswith("whsec_")
    assert created["url"] == receiver.url()
    assert created["enabled"] is True
    assert created["previous_secret_valid_until"] is None
    (listed,) = shared_api.get(base, headers=firm).json()
    assert listed == {k: v for k, v in created.items() if k != "secret"}

    pinged = shared_api.post(f"{base}/{created['id']}/ping", headers=firm)
    assert pinged.status_code == 200, pinged.text
    assert pinged.json()["delivered"] is True
    assert pinged.json()["detail"] == "HTTP 200"
    (request,) = receiver.requests
    now = int(shared_parts.clock().timestamp())
    header = request.headers[signing.HEADER]
    assert signing.verify(header, request.body, secret=created["secret"], now=now) == now
    assert json.loads(request.body)["topic"] == "ping"
    assert request.headers["Supportmatch-Topic"] == "ping"

    rotated = shared_api.post(f"{base}/{created['id']}/rotate", headers=firm)
    assert rotated.status_code == 200, rotated.text
    fresh = rotated.json()
    assert fresh["id"] == created["id"]
    assert fresh["secret"] not in (created["secret"], None)
    valid_until = START + timedelta(hours=24)
    assert fresh["previous_secret_valid_until"].replace("Z", "+00:00") in (
        valid_until.isoformat(),
        valid_until.replace(tzinfo=None).isoformat(),
    )
    assert "secret" not in shared_api.get(base, headers=firm).json()[0]
    assert shared_api.post(f"{base}/{created['id']}/ping", headers=firm).json()["delivered"] is True
    request = receiver.requests[-1]
    for secret in (created["secret"], fresh["secret"]):
        signing.verify(request.headers[signing.HEADER], request.body, secret=secret, now=now)

    receiver.status = 500
    failed = shared_api.post(f"{base}/{created['id']}/ping", headers=firm).json()
    assert failed["delivered"] is False
    assert "500" in failed["detail"]
    assert len(receiver.requests) == 3

    assert shared_api.delete(f"{base}/{created['id']}", headers=firm).status_code == 204
    assert shared_api.get(base, headers=firm).json() == []
    for method, path in (("DELETE", ""), ("POST", "/rotate"), ("POST", "/ping")):
        problem(shared_api.request(method, f"{base}/{created['id']}{path}", headers=firm), 404)
    assert len(receiver.requests) == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/x",
        "http://169.254.169.254/",
        "http://192.168.1.20:8080/hook",
        "http://[::1]/hook",
        "http://0.0.0.0/",
        "ftp://hooks.example.com/x",
        "file:///etc/passwd",
        "hooks.example.com/x",
        "http://user:pass@127.0.0.1/x",
        "http://127.0.0.1:99999/x",
        "http://[::1/x",
        "http://[zz]/x",
        "http://[::1]:port/x",
        "http://hooks example.com/x",
        "http://" + "a" * 70 + ".example/x",
        "",
    ],
)
def test_webhook_urls_webhooks_may_not_reach_are_refused(
    shared_api: TestClient, who: Callers, url: str
) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    problem(shared_api.post(base, json={"url": url}, headers=who.admin()), 422, "url")
    assert shared_api.get(base, headers=who.admin()).json() == []


@pytest.mark.parametrize(
    ("url", "zh"),
    [
        ("https://100.64.0.1/x", "该地址属于运营商级NAT共享地址（RFC 6598）"),
        ("https://[::ffff:169.254.169.254]/", "其内嵌的IPv4地址169.254.169.254"),
        ("https://2130706433/", "IPv4地址须写成四段十进制数字"),
        ("https://localhost/", "localhost 解析为 127.0.0.1"),
    ],
)
def test_a_refused_webhook_url_is_explained_in_chinese_then_english(
    shared_parts: Notifications, shared_mailbox: Mailbox, who: Callers, url: str, zh: str
) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    with client_for(shared_parts, shared_mailbox, allowed="") as strict:
        refused = problem(strict.post(base, json={"url": url}, headers=who.admin()), 422, "url")
    chinese, english = refused["errors"][0]["message"].split(" / ")
    assert zh in chinese
    assert english.isascii()


def test_a_webhook_url_is_stored_in_its_normal_form(
    shared_api: TestClient, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    given = f"HTTP://127.0.0.1:{receiver.port}/hook?a=1"
    created = subscribe(shared_api, f"/v1/enterprises/{uscc}", who.admin(), given)
    assert created["url"] == f"http://127.0.0.1:{receiver.port}/hook?a=1"


def test_bad_webhook_bodies_are_refused(shared_api: TestClient, who: Callers) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    for body, field in [
        ({}, "url"),
        ({"url": 5}, "url"),
        ({"url": "https://example.com/" + "x" * 2000}, "url"),
        ({"url": "https://example.com/", "events": ["all"]}, "events"),
    ]:
        problem(shared_api.post(base, json=body, headers=who.admin()), 422, field)


def test_loopback_is_refused_unless_configured(
    shared_api: TestClient,
    shared_parts: Notifications,
    shared_mailbox: Mailbox,
    receiver: Receiver,
    who: Callers,
) -> None:
    uscc = new_uscc("44")
    base = f"/v1/enterprises/{uscc}/webhooks"
    hook = subscribe(shared_api, f"/v1/enterprises/{uscc}", who.admin(), receiver.url())
    with client_for(shared_parts, shared_mailbox, allowed="") as strict:
        refused = problem(strict.post(base, json={"url": receiver.url()}, headers=who.admin()), 422)
        assert refused["errors"][0]["field"] == "url"
        assert "loopback" in refused["errors"][0]["message"]
        # Subscribed while loopback was allowed: the address is checked again when pinging.
        pinged = strict.post(f"{base}/{hook['id']}/ping", headers=who.admin()).json()
        assert pinged["delivered"] is False
        assert "loopback" in pinged["detail"]
    assert receiver.requests == []


def test_the_delivery_log_shows_each_delivery_with_its_attempts(
    api: TestClient, parts: Notifications, mailbox: Mailbox, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    base, firm = f"/v1/enterprises/{uscc}", who.firm(uscc)
    api.patch(f"{base}/preferences", json={"email": "cfo@firm.example"}, headers=firm)
    hook = subscribe(api, base, firm, receiver.url())
    notice(parts, uscc)
    assert api.get(f"{base}/deliveries", headers=firm).json()[0]["status"] == "pending"
    parts.deliver_all()
    assert len(mailbox.messages) == 1
    assert len(receiver.requests) == 1
    log = api.get(f"{base}/deliveries", headers=firm).json()
    assert {d["channel"] for d in log} == {"email", "webhook"}
    assert [d["id"] for d in log] == sorted((d["id"] for d in log), reverse=True)
    (email,) = [d for d in log if d["channel"] == "email"]
    assert email["status"] == "sent"
    assert email["topic"] == "newly_eligible"
    assert email["subject"] == mailbox.messages[0]["Subject"]
    assert email["finished_at"] is not None
    assert email["last_error"] is None
    (attempt,) = email["attempts"]
    assert attempt["attempt"] == 1
    assert attempt["outcome"] == "sent"
    (webhook,) = api.get(f"{base}/deliveries?channel=webhook", headers=firm).json()
    assert webhook["target"] == hook["id"]
    assert webhook["status"] == "sent"
    assert api.get(f"{base}/deliveries?channel=email", headers=firm).json() == [email]
    assert len(api.get(f"{base}/deliveries?status=sent", headers=firm).json()) == 2
    assert api.get(f"{base}/deliveries?status=failed", headers=firm).json() == []
    assert api.get(f"{base}/deliveries?status=pending", headers=firm).json() == []
    assert api.get(f"{base}/deliveries?limit=1", headers=firm).json() == [log[0]]
    older = api.get(f"{base}/deliveries?before={log[0]['id']}", headers=firm).json()
    assert older == log[1:]
    other = new_uscc("44")
    assert api.get(f"/v1/enterprises/{other}/deliveries", headers=who.admin()).json() == []


def test_responses_are_recorded_and_listed(
    shared_api: TestClient, shared_parts: Notifications, who: Callers
) -> None:
    uscc = notice(shared_parts)  # known here, so its caseworkers see it by its stored province
    base, firm = f"/v1/enterprises/{uscc}/responses", who.firm(uscc)
    assert shared_api.get(base, headers=firm).json() == []
    applied = shared_api.put(
        f"{base}/vat-credit-refund", json={"response": "applied"}, headers=firm
    )
    assert applied.status_code == 204, applied.text
    declined = {"response": "declined"}
    by_caseworker = shared_api.put(
        f"{base}/sme-relief", json=declined, headers=who.caseworker("44")
    )
    assert by_caseworker.status_code == 204, by_caseworker.text
    listed = shared_api.get(base, headers=firm).json()
    assert [(r["measure_id"], r["response"], r["by"]) for r in listed] == [
        ("sme-relief", "declined", "test-caseworker"),
        ("vat-credit-refund", "applied", "test-enterprise"),
    ]
    assert (
        shared_api.put(f"{base}/vat-credit-refund", json=declined, headers=firm).status_code == 204
    )
    assert shared_api.get(base, headers=firm).json()[1]["response"] == "declined"
    for body, field in [
        ({"response": "maybe"}, "response"),
        ({}, "response"),
        ({"response": "applied", "note": "x"}, "note"),
    ]:
        problem(shared_api.put(f"{base}/vat-credit-refund", json=body, headers=firm), 422, field)
    assert len(shared_api.get(base, headers=firm).json()) == 2
