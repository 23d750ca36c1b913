"""Who may reach which inbox, preference, webhook and delivery: each route of an enterprise's
scope for the firm itself, caseworkers of its region and not of others, and admins; ids and
parameters that are malformed or belong to someone else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Databases
from tests.factories import new_uscc
from tests.integration.notifications_api.calls import (
    Callers,
    Headers,
    Route,
    inbox,
    notice,
    subscribe,
)
from tests.integration.notifying import Mailbox, Notifications, Receiver, notifications_on
from tests.notifications_steps import send_digests
from tests.problems import problem

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


@pytest.fixture(scope="module")
def shared_parts(module_databases: Databases, shared_mailbox: Mailbox) -> Iterator[Notifications]:
    """One database for this module's tests of an enterprise's routes and of malformed input:
    each files notices and subscribes webhooks for firms of its own (fresh USCCs) and reads
    only those, or is refused before anything is written; none moves the clock, sends digests
    or runs the delivery worker, and each has a `receiver` of its own, so none can see what
    another wrote. The tests of /v1/caseworkers/me share one caseworker's inbox and webhooks
    and send digests: they take `parts` and `api` of their own."""
    with notifications_on(module_databases, shared_mailbox) as parts:
        yield parts


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
    shared_api: TestClient,
    shared_parts: Notifications,
    receiver: Receiver,
    who: Callers,
    route: Route,
) -> None:
    base, ids = _firm_with_hook(shared_api, shared_parts, receiver, who)
    for headers, status in (
        (who.firm(new_uscc("44")), 404),  # another's firm answers as an unknown one
        (who.caseworker("33", "11"), 404),
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
    ):
        problem(_call(shared_api, route, base, headers, ids), status)
    # Nothing changed for the refused callers.
    assert inbox(shared_api, base, who.admin())["unread"] == 1
    (hook,) = shared_api.get(f"{base}/webhooks", headers=who.admin()).json()
    assert hook["previous_secret_valid_until"] is None
    assert receiver.requests == []
    assert shared_api.get(f"{base}/responses", headers=who.admin()).json() == []
    allowed: list[Callable[[str], tuple[str, Headers]]] = [
        lambda base: (base, who.firm(base.rsplit("/", 1)[1])),
        lambda base: (base, who.caseworker("44")),
        lambda base: (base, who.admin()),
        # The firm's own token, its USCC written in lower case in the path.
        lambda base: (base.lower(), who.firm(base.rsplit("/", 1)[1])),
    ]
    for index, caller in enumerate(allowed):
        if index:
            base, ids = _firm_with_hook(shared_api, shared_parts, receiver, who)
        path, headers = caller(base)
        answer = _call(shared_api, route, path, headers, ids)
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
    shared_api: TestClient, who: Callers, path: str, params: dict[str, Any], field: str
) -> None:
    uscc = new_uscc("44")
    for base in (f"/v1/enterprises/{uscc}", "/v1/caseworkers/me"):
        headers = who.admin() if base.startswith("/v1/ent") else who.caseworker("44")
        problem(shared_api.get(base + path, params=params, headers=headers), 422, field)


def test_malformed_ids_in_paths_are_named(shared_api: TestClient, who: Callers) -> None:
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
        problem(shared_api.request(method, base + path, json=body, headers=admin), 422, field)
    for bad in ("9144", "91440300192203821!", "9" * 19):
        problem(shared_api.get(f"/v1/enterprises/{bad}/inbox", headers=admin), 422, "uscc")
    assert shared_api.get(f"{base}/responses", headers=admin).json() == []
