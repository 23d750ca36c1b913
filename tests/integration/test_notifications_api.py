"""The notifications API on real databases: who may reach which inbox, preferences, webhooks
(to a real HTTP receiver), the delivery log (email to a real SMTP server) and responses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from eligibility.domain.decision import Status
from notifications.app import build_app
from notifications.domain import signing
from notifications.settings import NotificationsSettings
from supportmatch_core.auth import Role, TokenService
from tests.conftest import TEST_SECRET, Databases, bearer
from tests.factories import new_uscc
from tests.integration.notifying import START, Clock, Mailbox, Notifications, Receiver
from tests.notifications_steps import send_digests
from tests.unit._snapshots import COMPLIANT, decide_for, determination

Headers = dict[str, str]
Route = tuple[str, str, dict[str, str] | None, int]


def _never_500(response: httpx.Response) -> None:
    assert response.status_code != 500, f"{response.request.method} {response.request.url}"


def client_for(parts: Notifications, mailbox: Mailbox, *, allowed: str) -> TestClient:
    """The app on the database of `parts`, webhooks allowed into the networks `allowed`."""
    settings = NotificationsSettings(
        database_url=parts.engine.url.render_as_string(hide_password=False),
        jwt_secret=TEST_SECRET,
        run_workers=False,
        webhook_allowed_networks=allowed,
        smtp_port=mailbox.port,
    )
    client = TestClient(build_app(settings, clock=parts.clock), raise_server_exceptions=False)
    client.event_hooks["response"].append(_never_500)
    return client


@pytest.fixture
def parts(databases: Databases, mailbox: Mailbox) -> Iterator[Notifications]:
    system = Notifications(
        databases.migrated("notifications"), smtp_port=mailbox.port, clock=Clock(START)
    )
    yield system
    system.dispose()


@pytest.fixture
def api(parts: Notifications, mailbox: Mailbox) -> Iterator[TestClient]:
    with client_for(parts, mailbox, allowed="127.0.0.0/8") as client:
        yield client


@dataclass
class Callers:
    tokens: TokenService

    def firm(self, uscc: str) -> Headers:
        return bearer(self.tokens, Role.ENTERPRISE, uscc=uscc)

    def caseworker(self, *regions: str, subject: str = "test-caseworker") -> Headers:
        token = self.tokens.issue(subject=subject, role=Role.CASEWORKER, regions=list(regions))
        return {"Authorization": f"Bearer {token}"}

    def admin(self) -> Headers:
        return bearer(self.tokens, Role.ADMIN)


@pytest.fixture
def who(tokens: TokenService) -> Callers:
    return Callers(tokens)


def problem(answer: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if field is not None:
        named = [e["field"] for e in body["errors"]]
        assert any(f == field or f.startswith(f"{field}.") for f in named), body
    return body


def notice(parts: Notifications, uscc: str | None = None, **kwargs: Any) -> str:
    """File one eligibility notice in a Guangdong (44) firm's inbox; returns the firm's USCC."""
    data = determination(decide_for(**COMPLIANT), uscc=uscc or new_uscc("44"), **kwargs)
    parts.determination(data)
    return str(data["uscc"])


def subscribe(api: TestClient, base: str, headers: Headers, url: str) -> dict[str, Any]:
    created = api.post(f"{base}/webhooks", json={"url": url}, headers=headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


def inbox(api: TestClient, base: str, headers: Headers, **params: Any) -> dict[str, Any]:
    answer = api.get(f"{base}/inbox", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# Every route that takes an id: (method, path after the scope, body, status when allowed).
ROUTES: list[Route] = [
    ("GET", "/inbox", None, 200),
    ("POST", "/inbox/{entry}/read", None, 204),
    ("POST", "/inbox/read", None, 200),
    ("GET", "/preferences", None, 200),
    ("PATCH", "/preferences", {"language": "en"}, 200),
    ("GET", "/deliveries", None, 200),
    ("POST", "/webhooks", {"url": "{hook_url}"}, 201),
    ("GET", "/webhooks", None, 200),
    ("POST", "/webhooks/{hook}/rotate", None, 200),
    ("DELETE", "/webhooks/{hook}", None, 204),
    ("POST", "/webhooks/{hook}/ping", None, 200),
]
FIRM_ONLY: list[Route] = [
    ("PUT", "/responses/vat-credit-refund", {"response": "applied"}, 204),
    ("GET", "/responses", None, 200),
]


def _call(
    api: TestClient,
    route: Route,
    base: str,
    headers: Headers,
    ids: dict[str, Any],
) -> httpx.Response:
    method, path, body, _ = route
    payload = {k: v.format(**ids) for k, v in body.items()} if body is not None else None
    answer: httpx.Response = api.request(
        method, base + path.format(**ids), json=payload, headers=headers
    )
    return answer


def _firm_with_hook(
    api: TestClient, parts: Notifications, receiver: Receiver, who: Callers
) -> tuple[str, dict[str, Any]]:
    uscc = notice(parts)
    base = f"/v1/enterprises/{uscc}"
    hook = subscribe(api, base, who.admin(), receiver.url())
    entry = inbox(api, base, who.admin())["entries"][0]["id"]
    return base, {"entry": entry, "hook": hook["id"], "hook_url": receiver.url()}


@pytest.mark.parametrize("route", ROUTES + FIRM_ONLY, ids=lambda r: f"{r[0]} {r[1]}")
def test_an_enterprise_is_reached_by_itself_its_region_and_admins_only(
    api: TestClient,
    parts: Notifications,
    receiver: Receiver,
    who: Callers,
    route: Route,
) -> None:
    base, ids = _firm_with_hook(api, parts, receiver, who)
    for headers, status in (
        (who.firm(new_uscc("44")), 404),  # another's firm answers as an unknown one
        (who.caseworker("33", "11"), 404),
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
    ):
        problem(_call(api, route, base, headers, ids), status)
    # Nothing changed for the refused callers.
    assert inbox(api, base, who.admin())["unread"] == 1
    (hook,) = api.get(f"{base}/webhooks", headers=who.admin()).json()
    assert hook["previous_secret_valid_until"] is None
    assert receiver.requests == []
    assert api.get(f"{base}/responses", headers=who.admin()).json() == []
    allowed: list[Callable[[str], tuple[str, Headers]]] = [
        lambda base: (base, who.firm(base.rsplit("/", 1)[1])),
        lambda base: (base, who.caseworker("44")),
        lambda base: (base, who.admin()),
        # The firm's own token, its USCC written in lower case in the path.
        lambda base: (base.lower(), who.firm(base.rsplit("/", 1)[1])),
    ]
    for index, caller in enumerate(allowed):
        if index:
            base, ids = _firm_with_hook(api, parts, receiver, who)
        path, headers = caller(base)
        answer = _call(api, route, path, headers, ids)
        assert answer.status_code == route[3], answer.text


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_caseworkers_me_is_for_caseworker_tokens_only(
    api: TestClient, parts: Notifications, receiver: Receiver, who: Callers, route: Route
) -> None:
    me, caseworker = "/v1/caseworkers/me", who.caseworker("44")
    hook = subscribe(api, me, caseworker, receiver.url())
    uscc = notice(parts)
    parts.clock.advance(days=1)
    with parts.uow.begin() as connection:  # a digest gives the caseworker an inbox entry
        assert send_digests(connection, now=parts.clock(), hour=8) == 1
    entry = inbox(api, me, caseworker)["entries"][0]["id"]
    ids = {"entry": entry, "hook": hook["id"], "hook_url": receiver.url()}
    for headers, status in (
        (who.firm(uscc), 403),
        (who.admin(), 403),
        ({}, 401),
    ):
        problem(_call(api, route, me, headers, ids), status)
    assert receiver.requests == []
    answer = _call(api, route, me, caseworker, ids)
    assert answer.status_code == route[3], answer.text


def test_ids_of_another_recipient_are_not_found(
    api: TestClient, parts: Notifications, receiver: Receiver, who: Callers
) -> None:
    mine, theirs = notice(parts), notice(parts)
    their_hook = subscribe(api, f"/v1/enterprises/{theirs}", who.admin(), receiver.url())["id"]
    their_entry = inbox(api, f"/v1/enterprises/{theirs}", who.admin())["entries"][0]["id"]
    cw_hook = subscribe(api, "/v1/caseworkers/me", who.caseworker("44"), receiver.url())["id"]
    attempts = [
        (f"/v1/enterprises/{mine}", who.firm(mine), their_hook),
        (f"/v1/enterprises/{mine}", who.admin(), cw_hook),
        ("/v1/caseworkers/me", who.caseworker("44"), their_hook),
        ("/v1/caseworkers/me", who.caseworker("44", subject="cw-other"), cw_hook),
    ]
    for base, headers, hook in attempts:
        for method, path in (("POST", "rotate"), ("POST", "ping"), ("DELETE", "")):
            url = f"{base}/webhooks/{hook}" + (f"/{path}" if path else "")
            body = problem(api.request(method, url, headers=headers), 404)
            assert theirs not in body["detail"]
    base = f"/v1/enterprises/{mine}"
    problem(api.post(f"{base}/inbox/{their_entry}/read", headers=who.firm(mine)), 404)
    assert api.post(f"{base}/inbox/read", headers=who.firm(mine)).json() == {"marked": 1}
    assert inbox(api, f"/v1/enterprises/{theirs}", who.admin())["unread"] == 1
    assert receiver.requests == []
    assert len(api.get(f"/v1/enterprises/{theirs}/webhooks", headers=who.admin()).json()) == 1


def test_the_inbox_pages_newest_first_and_marks_read(
    api: TestClient, parts: Notifications, who: Callers
) -> None:
    uscc = notice(parts)
    for _ in range(4):
        parts.clock.advance(minutes=5)
        notice(parts, uscc, previous=Status.POSSIBLY_ELIGIBLE)
    base, firm = f"/v1/enterprises/{uscc}", who.firm(uscc)
    everything = inbox(api, base, firm)
    ids = [e["id"] for e in everything["entries"]]
    assert len(ids) == 5
    assert ids == sorted(ids, reverse=True)
    assert everything["unread"] == 5
    assert everything["next_before"] is None
    first = everything["entries"][0]
    assert first["uscc"] == uscc
    assert first["measure_id"] == "vat-credit-refund"
    assert first["read_at"] is None
    page = inbox(api, base, firm, limit=2)
    assert [e["id"] for e in page["entries"]] == ids[:2]
    assert page["next_before"] == ids[1]
    page = inbox(api, base, firm, limit=2, before=page["next_before"])
    assert [e["id"] for e in page["entries"]] == ids[2:4]
    page = inbox(api, base, firm, limit=2, before=page["next_before"])
    assert [e["id"] for e in page["entries"]] == ids[4:]
    assert page["next_before"] is None

    assert api.post(f"{base}/inbox/{ids[1]}/read", headers=firm).status_code == 204
    problem(api.post(f"{base}/inbox/{ids[1]}/read", headers=firm), 404)
    problem(api.post(f"{base}/inbox/999999/read", headers=firm), 404)
    unread = inbox(api, base, firm, unread="true")
    assert [e["id"] for e in unread["entries"]] == [ids[0], *ids[2:]]
    assert unread["unread"] == 4
    read = inbox(api, base, firm)["entries"][1]
    assert read["read_at"] is not None
    assert api.post(f"{base}/inbox/read", headers=firm).json() == {"marked": 4}
    assert api.post(f"{base}/inbox/read", headers=firm).json() == {"marked": 0}
    after = inbox(api, base, firm, unread="true")
    assert after == {"entries": [], "unread": 0, "next_before": None}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/inbox", {"limit": 0}, "limit"),
        ("/inbox", {"limit": 201}, "limit"),
        ("/inbox", {"before": 0}, "before"),
        ("/inbox", {"before": "latest"}, "before"),
        ("/inbox", {"before": 2**64}, "before"),
        ("/inbox", {"unread": "perhaps"}, "unread"),
        ("/deliveries", {"status": "lost"}, "status"),
        ("/deliveries", {"channel": "sms"}, "channel"),
        ("/deliveries", {"limit": -1}, "limit"),
        ("/deliveries", {"before": 2**63}, "before"),
    ],
)
def test_bad_query_parameters_are_named(
    api: TestClient, who: Callers, path: str, params: dict[str, Any], field: str
) -> None:
    uscc = new_uscc("44")
    for base in (f"/v1/enterprises/{uscc}", "/v1/caseworkers/me"):
        headers = who.admin() if base.startswith("/v1/ent") else who.caseworker("44")
        problem(api.get(base + path, params=params, headers=headers), 422, field)


def test_malformed_ids_in_paths_are_named(api: TestClient, who: Callers) -> None:
    uscc = new_uscc("44")
    base, admin = f"/v1/enterprises/{uscc}", who.admin()
    for method, path, field in [
        ("POST", "/inbox/first/read", "entry_id"),
        ("POST", "/inbox/0/read", "entry_id"),
        ("POST", f"/inbox/{2**63}/read", "entry_id"),
        ("POST", "/webhooks/wh_xyz/rotate", "subscription_id"),
        ("POST", "/webhooks/12345/ping", "subscription_id"),
        ("DELETE", "/webhooks/wh_0123456789abcdef0", "subscription_id"),
        ("DELETE", "/webhooks/WH_0123456789ABCDEF", "subscription_id"),
        ("PUT", "/responses/VAT_Refund", "measure_id"),
        ("PUT", "/responses/-vat", "measure_id"),
        ("PUT", "/responses/" + "a" * 101, "measure_id"),
    ]:
        body = {"response": "applied"} if method == "PUT" else None
        problem(api.request(method, base + path, json=body, headers=admin), 422, field)
    for bad in ("9144", "91440300192203821!", "9" * 19):
        problem(api.get(f"/v1/enterprises/{bad}/inbox", headers=admin), 422, "uscc")
    assert api.get(f"{base}/responses", headers=admin).json() == []


DEFAULTS = {
    "email": None,
    "channels": ["email", "inbox", "webhook"],
    "language": "zh",
    "cadence": "immediate",
    "quiet_hours": None,
    "time_zone": "Asia/Shanghai",
    "opted_out_kinds": [],
}


def test_preferences_have_defaults_and_change_only_what_is_given(
    api: TestClient, who: Callers
) -> None:
    uscc = new_uscc("44")
    base, firm = f"/v1/enterprises/{uscc}/preferences", who.firm(uscc)
    first = api.get(base, headers=firm).json()
    assert first == {"recipient": {"kind": "enterprise", "key": uscc}, **DEFAULTS}
    changed = api.patch(base, json={"language": "en", "email": "cfo@firm.example"}, headers=firm)
    assert changed.status_code == 200, changed.text
    expected = {**first, "language": "en", "email": "cfo@firm.example"}
    assert changed.json() == expected
    quiet = {"start": "22:00", "end": "07:30"}
    changed = api.patch(base, json={"quiet_hours": quiet, "channels": ["inbox"]}, headers=firm)
    expected |= {"quiet_hours": {"start": "22:00:00", "end": "07:30:00"}, "channels": ["inbox"]}
    assert changed.json() == expected
    changed = api.patch(
        base,
        json={"cadence": "digest", "time_zone": "Europe/Berlin", "opted_out_kinds": ["obligation"]},
        headers=firm,
    )
    expected |= {
        "cadence": "digest",
        "time_zone": "Europe/Berlin",
        "opted_out_kinds": ["obligation"],
    }
    assert changed.json() == expected
    assert api.patch(base, json={}, headers=firm).json() == expected
    removed = api.patch(base, json={"quiet_hours": None, "email": None}, headers=firm)
    expected |= {"quiet_hours": None, "email": None}
    assert removed.json() == expected
    assert api.get(base, headers=firm).json() == expected
    me = api.get("/v1/caseworkers/me/preferences", headers=who.caseworker("44")).json()
    assert me == {"recipient": {"kind": "caseworker", "key": "test-caseworker"}, **DEFAULTS}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["inbox", "sms"]}, "channels"),
        ({"channels": "inbox"}, "channels"),
        ({"language": "fr"}, "language"),
        ({"cadence": "hourly"}, "cadence"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"opted_out_kinds": ["tax"]}, "opted_out_kinds"),
        ({"colour": "red"}, "colour"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": "07:00+08:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": "07:00", "days": 5}}, "quiet_hours.days"),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(
    api: TestClient, who: Callers, body: dict[str, Any], field: str
) -> None:
    uscc = new_uscc("44")
    base = f"/v1/enterprises/{uscc}/preferences"
    before = api.get(base, headers=who.firm(uscc)).json()
    problem(api.patch(base, json=body, headers=who.firm(uscc)), 422, field)
    me = "/v1/caseworkers/me/preferences"
    problem(api.patch(me, json=body, headers=who.caseworker("44")), 422, field)
    assert api.get(base, headers=who.firm(uscc)).json() == before


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"en"'])
def test_unreadable_preference_bodies_are_422(api: TestClient, who: Callers, raw: bytes) -> None:
    headers = {**who.admin(), "content-type": "application/json"}
    url = f"/v1/enterprises/{new_uscc('44')}/preferences"
    problem(api.patch(url, content=raw, headers=headers), 422)


def test_a_webhook_is_created_rotated_pinged_and_deleted(
    api: TestClient, parts: Notifications, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    base, firm = f"/v1/enterprises/{uscc}/webhooks", who.firm(uscc)
    created = subscribe(api, f"/v1/enterprises/{uscc}", firm, receiver.url())
    assert created["id"].startswith("wh_")
    assert created["secret"].startswith("whsec_")
    assert created["url"] == receiver.url()
    assert created["enabled"] is True
    assert created["previous_secret_valid_until"] is None
    (listed,) = api.get(base, headers=firm).json()
    assert listed == {k: v for k, v in created.items() if k != "secret"}

    pinged = api.post(f"{base}/{created['id']}/ping", headers=firm)
    assert pinged.status_code == 200, pinged.text
    assert pinged.json()["delivered"] is True
    assert pinged.json()["detail"] == "HTTP 200"
    (request,) = receiver.requests
    now = int(parts.clock().timestamp())
    header = request.headers[signing.HEADER]
    assert signing.verify(header, request.body, secret=created["secret"], now=now) == now
    assert json.loads(request.body)["topic"] == "ping"
    assert request.headers["Supportmatch-Topic"] == "ping"

    rotated = api.post(f"{base}/{created['id']}/rotate", headers=firm)
    assert rotated.status_code == 200, rotated.text
    fresh = rotated.json()
    assert fresh["id"] == created["id"]
    assert fresh["secret"] not in (created["secret"], None)
    valid_until = START + timedelta(hours=24)
    assert fresh["previous_secret_valid_until"].replace("Z", "+00:00") in (
        valid_until.isoformat(),
        valid_until.replace(tzinfo=None).isoformat(),
    )
    assert "secret" not in api.get(base, headers=firm).json()[0]
    assert api.post(f"{base}/{created['id']}/ping", headers=firm).json()["delivered"] is True
    request = receiver.requests[-1]
    for secret in (created["secret"], fresh["secret"]):
        signing.verify(request.headers[signing.HEADER], request.body, secret=secret, now=now)

    receiver.status = 500
    failed = api.post(f"{base}/{created['id']}/ping", headers=firm).json()
    assert failed["delivered"] is False
    assert "500" in failed["detail"]
    assert len(receiver.requests) == 3

    assert api.delete(f"{base}/{created['id']}", headers=firm).status_code == 204
    assert api.get(base, headers=firm).json() == []
    for method, path in (("DELETE", ""), ("POST", "/rotate"), ("POST", "/ping")):
        problem(api.request(method, f"{base}/{created['id']}{path}", headers=firm), 404)
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
    api: TestClient, who: Callers, url: str
) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    problem(api.post(base, json={"url": url}, headers=who.admin()), 422, "url")
    assert api.get(base, headers=who.admin()).json() == []


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
    parts: Notifications, mailbox: Mailbox, who: Callers, url: str, zh: str
) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    with client_for(parts, mailbox, allowed="") as strict:
        refused = problem(strict.post(base, json={"url": url}, headers=who.admin()), 422, "url")
    chinese, english = refused["errors"][0]["message"].split(" / ")
    assert zh in chinese
    assert english.isascii()


def test_a_webhook_url_is_stored_in_its_normal_form(
    api: TestClient, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    given = f"HTTP://127.0.0.1:{receiver.port}/hook?a=1"
    created = subscribe(api, f"/v1/enterprises/{uscc}", who.admin(), given)
    assert created["url"] == f"http://127.0.0.1:{receiver.port}/hook?a=1"


def test_bad_webhook_bodies_are_refused(api: TestClient, who: Callers) -> None:
    base = f"/v1/enterprises/{new_uscc('44')}/webhooks"
    for body, field in [
        ({}, "url"),
        ({"url": 5}, "url"),
        ({"url": "https://example.com/" + "x" * 2000}, "url"),
        ({"url": "https://example.com/", "events": ["all"]}, "events"),
    ]:
        problem(api.post(base, json=body, headers=who.admin()), 422, field)


def test_loopback_is_refused_unless_configured(
    api: TestClient, parts: Notifications, mailbox: Mailbox, receiver: Receiver, who: Callers
) -> None:
    uscc = new_uscc("44")
    base = f"/v1/enterprises/{uscc}/webhooks"
    hook = subscribe(api, f"/v1/enterprises/{uscc}", who.admin(), receiver.url())
    with client_for(parts, mailbox, allowed="") as strict:
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
    api: TestClient, parts: Notifications, who: Callers
) -> None:
    uscc = notice(parts)  # known here, so its caseworkers see it by its stored province
    base, firm = f"/v1/enterprises/{uscc}/responses", who.firm(uscc)
    assert api.get(base, headers=firm).json() == []
    applied = api.put(f"{base}/vat-credit-refund", json={"response": "applied"}, headers=firm)
    assert applied.status_code == 204, applied.text
    declined = {"response": "declined"}
    by_caseworker = api.put(f"{base}/sme-relief", json=declined, headers=who.caseworker("44"))
    assert by_caseworker.status_code == 204, by_caseworker.text
    listed = api.get(base, headers=firm).json()
    assert [(r["measure_id"], r["response"], r["by"]) for r in listed] == [
        ("sme-relief", "declined", "test-caseworker"),
        ("vat-credit-refund", "applied", "test-enterprise"),
    ]
    assert api.put(f"{base}/vat-credit-refund", json=declined, headers=firm).status_code == 204
    assert api.get(base, headers=firm).json()[1]["response"] == "declined"
    for body, field in [
        ({"response": "maybe"}, "response"),
        ({}, "response"),
        ({"response": "applied", "note": "x"}, "note"),
    ]:
        problem(api.put(f"{base}/vat-credit-refund", json=body, headers=firm), 422, field)
    assert len(api.get(base, headers=firm).json()) == 2
