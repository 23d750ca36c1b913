"""Forged, stale and malformed tokens are answered 401 with a problem, on every service, and the
answer gives away neither the signing key nor the token; the same claims, signed as the services
sign, are let in (so each refusal is the token's fault, not the route's)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from supportmatch_core.auth import TokenService
from tests.conftest import Databases
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.seeds import seed

# One route per service that names the firm; a valid token of its caseworker reads it.
ROUTES = {
    "profiles": "/v1/enterprises/{uscc}",
    "eligibility": "/v1/enterprises/{uscc}/determinations/stored",
    "notifications": "/v1/enterprises/{uscc}/preferences",
}
Claims = dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _caseworker(firm: str) -> Claims:
    """The claims of a genuine caseworker of 广东, where the firm is."""
    now = _now()
    return {
        "sub": "caseworker-gd",
        "role": "caseworker",
        "regions": ["44"],
        "iss": "supportmatch",
        "aud": "supportmatch",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }


def _unsigned(claims: Claims) -> str:
    """alg=none: a header and the claims, with an empty signature."""

    def part(value: dict[str, Any]) -> str:
        text = json.dumps(value, default=lambda d: int(d.timestamp())).encode()
        return base64.urlsafe_b64encode(text).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


# Each forgery: how the genuine claims are changed, and how they are then signed ("key": with
# the services' own key; "another key"; "none": not at all).
FORGERIES: dict[str, tuple[Callable[[Claims], Claims], str]] = {
    "alg=none": (lambda c: c, "none"),
    "HS256 with a wrong key": (lambda c: c, "another key"),
    "expired": (lambda c: {**c, "exp": _now() - timedelta(seconds=30)}, "key"),
    "not yet valid": (lambda c: {**c, "nbf": _now() + timedelta(hours=1)}, "key"),
    "issued in the future": (lambda c: {**c, "iat": _now() + timedelta(hours=1)}, "key"),
    "wrong issuer": (lambda c: {**c, "iss": "someone-else"}, "key"),
    "wrong audience": (lambda c: {**c, "aud": "another-platform"}, "key"),
    "no expiry": (lambda c: {k: v for k, v in c.items() if k != "exp"}, "key"),
    "a role that does not exist": (lambda c: {**c, "role": "superuser"}, "key"),
    "an enterprise without a USCC": (lambda c: {**c, "role": "enterprise"}, "key"),
    "an enterprise whose USCC is a number": (
        lambda c: {**c, "role": "enterprise", "uscc": 914403001234567890},
        "key",
    ),
    "provinces as a string": (lambda c: {**c, "regions": "44"}, "key"),
    "provinces as a number": (lambda c: {**c, "regions": 44}, "key"),
    "provinces as objects": (lambda c: {**c, "regions": [{"code": "44"}]}, "key"),
    "a subject that is not text": (lambda c: {**c, "sub": ["caseworker-gd"]}, "key"),
}


@pytest.fixture
def services(databases: Databases) -> Iterator[tuple[dict[str, TestClient], Callers]]:
    callers = Callers()
    with ExitStack() as stack:
        clients = {}
        for name in SERVICES:
            url = databases.url(name)
            client = TestClient(service_app(name, url), raise_server_exceptions=False)
            clients[name] = stack.enter_context(client)
            seed(name, client, callers, url)
        yield clients, callers


def _secret(client: TestClient) -> str:
    """The key the service signs and checks tokens with, as its settings configured it."""
    tokens: TokenService = client.app.state.tokens  # type: ignore[attr-defined]
    return tokens.secret


def _token(client: TestClient, claims: Claims, signing: str) -> str:
    if signing == "none":
        return _unsigned(claims)
    key = _secret(client) if signing == "key" else "another-signing-key-long-enough-for-hs256"
    return jwt.encode(claims, key, algorithm="HS256")


def _refused(answer: Any, token: str, secret: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    problem = answer.json()
    assert problem["status"] == 401, problem
    assert problem["detail"], problem
    assert secret not in answer.text
    assert token[-20:] not in answer.text  # the signature (or its end) is never echoed


def test_forged_stale_and_malformed_tokens_are_refused_on_every_service(
    services: tuple[dict[str, TestClient], Callers],
) -> None:
    clients, callers = services
    for name, client in clients.items():
        path = ROUTES[name].format(uscc=callers.firm)
        genuine = _token(client, _caseworker(callers.firm), "key")
        answer = client.get(path, headers={"Authorization": f"Bearer {genuine}"})
        assert answer.status_code == 200, (name, answer.text)
        headers = {
            forgery: f"Bearer {_token(client, change(_caseworker(callers.firm)), signing)}"
            for forgery, (change, signing) in FORGERIES.items()
        } | {
            "no scheme": genuine,
            "another scheme": f"Token {genuine}",
            "basic": "Basic " + base64.b64encode(b"caseworker-gd:password").decode(),
            "the scheme alone": "Bearer",
            "two tokens": f"Bearer {genuine} {genuine}",
            "a token cut short": f"Bearer {genuine[:-10]}",
            "not a JWT": "Bearer not-a-token",
            "a megabyte of token": "Bearer " + "A" * (1 << 20),
            "a long token with a valid start": f"Bearer {genuine}{'A' * 20_000}",
        }
        for case, header in headers.items():
            answer = client.get(path, headers={"Authorization": header})
            assert answer.status_code == 401, (name, case, answer.status_code, answer.text[:300])
            _refused(answer, header.removeprefix("Bearer "), _secret(client))
        in_query = client.get(path, params={"access_token": genuine})
        assert in_query.status_code == 401, (name, "a token in the query")
