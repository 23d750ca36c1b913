"""Every route of every service, asked by every kind of caller, answers as one table says: allowed,
401, 403, or 404 as for a firm that does not exist. The routes come from the apps themselves, so a
new route fails here until the table says who may use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from eligibility.domain.clock import china_today
from supportmatch_core.auth import Role, TokenService
from tests.conftest import Databases
from tests.factories import enterprise_payload
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.seeds import MEASURE, PUBLIC_HOOK, seed
from tests.security.test_not_yours import REQUESTS as FIRM_REQUESTS

ALLOWED = "allowed"
CALLERS = (
    "anonymous",
    "forged",
    "other enterprise",
    "other caseworker",
    "enterprise",
    "caseworker",
    "admin",
)
_REFUSED_TO_STRANGERS = {"anonymous": 401, "forged": 401}
POLICIES: dict[str, dict[str, int | str]] = {
    "public": dict.fromkeys(CALLERS, ALLOWED),
    "any token": {**_REFUSED_TO_STRANGERS, **dict.fromkeys(CALLERS[2:], ALLOWED)},
    "the firm": {
        **_REFUSED_TO_STRANGERS,
        "other enterprise": 404,
        "other caseworker": 404,
        "enterprise": ALLOWED,
        "caseworker": ALLOWED,
        "admin": ALLOWED,
    },
    "register in 广东": {
        **_REFUSED_TO_STRANGERS,
        **dict.fromkeys(("other enterprise", "other caseworker", "enterprise"), 403),
        "caseworker": ALLOWED,
        "admin": ALLOWED,
    },
    "staff": {
        **_REFUSED_TO_STRANGERS,
        **dict.fromkeys(("other enterprise", "enterprise"), 403),
        **dict.fromkeys(("other caseworker", "caseworker", "admin"), ALLOWED),
    },
    "who imported": {
        **_REFUSED_TO_STRANGERS,
        **dict.fromkeys(("other enterprise", "enterprise", "other caseworker"), 403),
        "caseworker": ALLOWED,
        "admin": ALLOWED,
    },
    "caseworker's own": {
        **_REFUSED_TO_STRANGERS,
        **dict.fromkeys(("other enterprise", "enterprise", "admin"), 403),
        **dict.fromkeys(("other caseworker", "caseworker"), ALLOWED),
    },
    "admin": {**_REFUSED_TO_STRANGERS, **dict.fromkeys(CALLERS[2:6], 403), "admin": ALLOWED},
}
# Open to anyone on every service: health, metrics, the API's own description.
_OPEN = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/docs-assets")
_FIRM = "/v1/enterprises/{uscc}"
_ME = "/v1/caseworkers/me"
ROUTES: dict[tuple[str, str, str], str] = {
    **{(service, "get", path): "public" for service in SERVICES for path in _OPEN},
    ("profiles", "post", "/v1/size-classification"): "public",
    ("profiles", "post", "/v1/enterprises"): "register in 广东",
    ("profiles", "get", "/v1/enterprises"): "any token",
    ("profiles", "get", "/v1/enterprises.csv"): "any token",
    ("profiles", "get", _FIRM): "the firm",
    ("profiles", "patch", _FIRM): "the firm",
    ("profiles", "get", f"{_FIRM}/history"): "the firm",
    ("profiles", "get", f"{_FIRM}/facts"): "the firm",
    ("profiles", "put", f"{_FIRM}/facts/{{year}}"): "the firm",
    ("profiles", "delete", f"{_FIRM}/facts/{{year}}"): "the firm",
    ("profiles", "get", f"{_FIRM}/certifications"): "the firm",
    ("profiles", "post", f"{_FIRM}/certifications"): "the firm",
    ("profiles", "delete", f"{_FIRM}/certifications/{{certification_id}}"): "the firm",
    ("profiles", "post", "/v1/imports"): "staff",
    ("profiles", "get", "/v1/imports/{import_id}"): "who imported",
    ("profiles", "get", "/v1/imports/{import_id}/report.csv"): "who imported",
    ("eligibility", "post", "/v1/checks"): "public",
    ("eligibility", "get", "/v1/measures"): "public",
    ("eligibility", "get", "/v1/measures/{measure_id}"): "public",
    ("eligibility", "get", "/v1/measures/{measure_id}/versions"): "public",
    ("eligibility", "get", "/v1/measures/{measure_id}/enterprises"): "staff",
    ("eligibility", "get", "/v1/measures/{measure_id}/newly-eligible"): "staff",
    ("notifications", "get", "/v1/measures/{measure_id}/deliveries"): "staff",
    ("eligibility", "get", f"{_FIRM}/determinations"): "the firm",
    ("eligibility", "get", f"{_FIRM}/determinations/stored"): "the firm",
    ("eligibility", "post", "/v1/measures/{measure_id}/preview"): "admin",
    ("eligibility", "get", "/v1/measures/drafts"): "admin",
    ("eligibility", "get", "/v1/measures/{measure_id}/drafts/{version}"): "admin",
    ("eligibility", "put", "/v1/measures/{measure_id}/drafts/{version}"): "admin",
    ("eligibility", "delete", "/v1/measures/{measure_id}/drafts/{version}"): "admin",
    ("eligibility", "post", "/v1/measures/{measure_id}/drafts/{version}/preview"): "admin",
    ("eligibility", "post", "/v1/measures/{measure_id}/drafts/{version}/publish"): "admin",
    ("eligibility", "post", "/v1/measures/{measure_id}/versions/{version}/retire"): "admin",
    ("notifications", "put", f"{_FIRM}/responses/{{measure_id}}"): "the firm",
    ("notifications", "get", f"{_FIRM}/responses"): "the firm",
    **{
        ("notifications", method, f"{scope}{path}"): policy
        for scope, policy in ((_FIRM, "the firm"), (_ME, "caseworker's own"))
        for method, path in (
            ("get", "/inbox"),
            ("post", "/inbox/{entry_id}/read"),
            ("post", "/inbox/read"),
            ("get", "/preferences"),
            ("patch", "/preferences"),
            ("get", "/deliveries"),
            ("get", "/webhooks"),
            ("post", "/webhooks"),
            ("post", "/webhooks/{subscription_id}/rotate"),
            ("post", "/webhooks/{subscription_id}/ping"),
            ("delete", "/webhooks/{subscription_id}"),
        )
    },
}
_BODIES: dict[tuple[str, str], Any] = {
    **FIRM_REQUESTS,
    ("post", "/v1/enterprises/{uscc}/webhooks"): {"url": PUBLIC_HOOK},
    ("post", "/v1/size-classification"): {"industry": "C3921"},
    ("post", "/v1/checks"): {"industry": "C3921", "province": "44", "ownership": "private"},
    ("post", "/v1/measures/{measure_id}/preview"): {},
    ("put", "/v1/measures/{measure_id}/drafts/{version}"): {},
    ("post", "/v1/measures/{measure_id}/versions/{version}/retire"): {
        "effective_on": (china_today() + timedelta(days=400)).isoformat()
    },
    ("patch", "/v1/caseworkers/me/preferences"): {"language": "en"},
    ("post", "/v1/caseworkers/me/webhooks"): {"url": PUBLIC_HOOK},
}
_CSV = b"uscc,name,province,industry,ownership\n"
_NOT_YOURS = "that you may see"  # the sentence of the one answer for "no such firm" and "not yours"


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves: its OpenAPI operations and the routes it
    keeps out of the document (the docs page, the schema, the docs' files)."""
    documented = {
        (method, path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    hidden = {
        (method.lower(), str(getattr(route, "path", "")))
        for route in app.routes
        if isinstance(route, Mount) or not getattr(route, "include_in_schema", True)
        for method in getattr(route, "methods", None) or {"GET"}
        if method != "HEAD"
    }
    return documented | hidden


@dataclass
class Running:
    callers: Callers
    clients: dict[str, TestClient]
    ids: dict[str, str]  # what the path parameters name: the firm, its certification...

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {}
        if who == "forged":  # an admin token of the right shape, signed with another key
            forger = TokenService("another-signing-key-that-is-long-enough-for-hs256")
            return {"Authorization": f"Bearer {forger.issue(subject='x', role=Role.ADMIN)}"}
        return self.callers.headers(who)

    def ask(self, service: str, method: str, template: str, who: str) -> int | str:
        """The class of the answer to `who`: 401, 403, 404 (not yours) or allowed."""
        path = template.format(**self.ids).replace("/docs-assets", "/docs-assets/swagger-ui.css")
        extra: dict[str, Any] = {"json": _BODIES.get((method, template))}
        if template == "/v1/enterprises":
            extra["json"] = enterprise_payload(province="44") if method == "post" else None
        if template == "/v1/imports":
            extra = {"files": {"file": ("firms.csv", _CSV, "text/csv")}}
        answer = self.clients[service].request(
            method.upper(), path, headers=self.headers(who), **extra
        )
        assert answer.status_code < 500, (service, method, path, who, answer.text)
        if answer.status_code in (401, 403):
            assert answer.headers["content-type"] == "application/problem+json", answer.text
            return int(answer.status_code)
        if answer.status_code == 404 and _NOT_YOURS in answer.text:
            return 404
        return ALLOWED


@pytest.fixture
def running(databases: Databases) -> Iterator[Running]:
    """The three services, each with the callers' firm and what its paths name, seeded."""
    callers, ids = Callers(), {"version": "1"}
    urls = {name: databases.url(name) for name in SERVICES}  # on PostgreSQL, each call a new one
    with ExitStack() as stack:
        clients = {
            name: stack.enter_context(
                TestClient(service_app(name, url), raise_server_exceptions=False)
            )
            for name, url in urls.items()
        }
        for name, client in clients.items():
            ids |= seed(name, client, callers, urls[name]).path_parameters
        imported = clients["profiles"].post(
            "/v1/imports",
            files={"file": ("firms.csv", _CSV, "text/csv")},
            headers=callers.headers("caseworker"),
        )
        assert imported.status_code == 201, imported.text
        yield Running(callers, clients, {**ids, "import_id": imported.json()["id"]})


def test_every_caller_gets_the_answer_the_table_gives_on_every_route(running: Running) -> None:
    served = {
        (service, method, path)
        for service, client in running.clients.items()
        for method, path in _routes(client.app)  # type: ignore[arg-type]
    }
    assert served - ROUTES.keys() == set(), "routes the table does not cover"
    assert ROUTES.keys() - served == set(), "routes in the table that no service serves"
    wrong = []
    # Deletions last, so that the other routes find what they name.
    for route in sorted(ROUTES, key=lambda r: (r[1] == "delete", r)):
        expected = POLICIES[ROUTES[route]]
        for who in CALLERS:
            got = running.ask(*route, who)
            if got != expected[who]:
                wrong.append(f"{' '.join(route)} as {who}: {got}, expected {expected[who]}")
    assert wrong == [], "\n".join(wrong)
    assert MEASURE in running.ids.values()
