"""On every route of the three services that names a firm by USCC, a firm that is not the
caller's answers exactly as a firm that does not exist (404, the same problem), and nothing changes:
a caseworker or an enterprise cannot learn which USCCs exist. The routes come from the services'
own OpenAPI documents, so a new route fails here until it has a request below."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import load_catalogue
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.db import UnitOfWork, create_database_engine
from tests.clock import TODAY
from tests.conftest import Databases, bearer
from tests.eligibility_steps import decide_profile
from tests.factories import enterprise_payload, new_uscc
from tests.integration.system import InProcessSystem

# A valid request for each (method, route): the answer must come from the look-up, not the body.
REQUESTS: dict[tuple[str, str], dict[str, Any] | None] = {
    ("get", "/v1/enterprises/{uscc}"): None,
    ("patch", "/v1/enterprises/{uscc}"): {"city": "杭州市"},
    ("get", "/v1/enterprises/{uscc}/history"): None,
    ("get", "/v1/enterprises/{uscc}/facts"): None,
    ("put", "/v1/enterprises/{uscc}/facts/{year}"): {"employees": 10},
    ("delete", "/v1/enterprises/{uscc}/facts/{year}"): None,
    ("get", "/v1/enterprises/{uscc}/certifications"): None,
    ("post", "/v1/enterprises/{uscc}/certifications"): {
        "kind": "little_giant",
        "issuer": "工业和信息化部",
        "valid_from": "2024-07-01",
    },
    ("delete", "/v1/enterprises/{uscc}/certifications/{certification_id}"): None,
    ("get", "/v1/enterprises/{uscc}/determinations"): None,
    ("get", "/v1/enterprises/{uscc}/determinations/stored"): None,
    ("get", "/v1/enterprises/{uscc}/inbox"): None,
    ("post", "/v1/enterprises/{uscc}/inbox/{entry_id}/read"): None,
    ("post", "/v1/enterprises/{uscc}/inbox/read"): None,
    ("get", "/v1/enterprises/{uscc}/preferences"): None,
    ("patch", "/v1/enterprises/{uscc}/preferences"): {"language": "en"},
    ("get", "/v1/enterprises/{uscc}/deliveries"): None,
    ("get", "/v1/enterprises/{uscc}/webhooks"): None,
    # A literal address: the URL is checked (without any traffic) before the firm is looked up.
    ("post", "/v1/enterprises/{uscc}/webhooks"): {"url": "https://203.0.113.7/hooks"},
    ("post", "/v1/enterprises/{uscc}/webhooks/{subscription_id}/rotate"): None,
    ("delete", "/v1/enterprises/{uscc}/webhooks/{subscription_id}"): None,
    ("post", "/v1/enterprises/{uscc}/webhooks/{subscription_id}/ping"): None,
    ("put", "/v1/enterprises/{uscc}/responses/{measure_id}"): {"response": "applied"},
    ("get", "/v1/enterprises/{uscc}/responses"): None,
}
_IDS = {
    "year": "2024",
    "certification_id": "1",
    "entry_id": "1",
    "subscription_id": "wh_0123456789abcdef",
    "measure_id": "vat-credit-refund",
}
# Tables whose row counts must not move when the callers are refused.
_WATCHED = {
    "profiles": ("enterprises", "enterprise_versions", "certifications", "outbox"),
    "eligibility": ("enterprise_facts", "determinations", "outbox"),
    "notifications": ("recipients", "webhook_subscriptions", "measure_responses"),
}


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _routes(system: InProcessSystem) -> list[tuple[str, str, str]]:
    """(service, method, template) of every route with a USCC in its path."""
    return [
        (service, method, template)
        for service, client in system.clients.items()
        for template, operations in client.get("/openapi.json").json()["paths"].items()
        if "{uscc}" in template
        for method in operations
    ]


def _known_everywhere(system: InProcessSystem, tokens: TokenService, province: str) -> str:
    """A firm registered in profiles, decided by eligibility and a recipient of notifications."""
    admin = bearer(tokens)
    body = enterprise_payload(province=province, employees=80, revenue=30_000_000)
    assert system.profiles.post("/v1/enterprises", json=body, headers=admin).status_code == 201
    snapshot = system.profiles.get(f"/v1/enterprises/{body['uscc']}", headers=admin).json()
    engine = create_database_engine(system.urls["eligibility"])
    try:
        with UnitOfWork(engine).begin() as connection:  # as its consumer would, from the event
            decide_profile(
                connection,
                profile=snapshot,
                catalogue=Catalogue(load_catalogue()),
                on=TODAY,
            )
    finally:
        engine.dispose()
    inbox = system.notifications.get(f"/v1/enterprises/{body['uscc']}/inbox", headers=admin)
    assert inbox.status_code == 200
    return str(body["uscc"])


def _counts(system: InProcessSystem) -> dict[str, int]:
    return {
        f"{service}.{table}": system.count(service, table)
        for service, tables in _WATCHED.items()
        for table in tables
    }


def _ask(
    system: InProcessSystem, route: tuple[str, str, str], uscc: str, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    service, method, template = route
    path = template.format(uscc=uscc, **_IDS)
    answer = system.clients[service].request(
        method.upper(), path, json=REQUESTS[(method, template)], headers=headers
    )
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return answer.status_code, {k: str(v).replace(uscc, "USCC") for k, v in answer.json().items()}


def test_not_yours_answers_as_no_such_firm_on_every_uscc_route(
    system: InProcessSystem, tokens: TokenService
) -> None:
    routes = _routes(system)
    assert {(method, template) for _, method, template in routes} == set(REQUESTS)
    theirs = _known_everywhere(system, tokens, "浙江")
    nobody = new_uscc("33")  # a code of the same province that no one registered
    callers = {
        "caseworker of 广东": bearer(tokens, Role.CASEWORKER, regions=["44"]),
        "another enterprise": bearer(tokens, Role.ENTERPRISE, uscc=new_uscc("44")),
    }
    before = _counts(system)
    for route in routes:
        for who, headers in callers.items():
            existing = _ask(system, route, theirs, headers)
            unknown = _ask(system, route, nobody, headers)
            assert existing == unknown, (route, who, existing, unknown)
            status = existing[0]
            url_first = route[1:] == ("post", "/v1/enterprises/{uscc}/webhooks")
            assert status == 404 or (url_first and status == 422), (route, who, existing)
    assert _counts(system) == before
