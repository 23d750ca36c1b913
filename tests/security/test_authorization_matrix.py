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

from supportmatch_core.auth import Role, TokenService
from tests.clock import TODAY
from tests.conftest import Databases
from tests.factories import enterprise_payload
from tests.security.apps import SERVICES, Callers, service_app
from tests.security.portal_system import ADMIN, PortalSystem, enterprise, portal_system, staff
from tests.security.seeds import MEASURE, PUBLIC_HOOK, firm_payload, seed
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
    ("eligibility", "get", "/v1/measures/{measure_id}/enterprises.ndjson"): "staff",
    ("eligibility", "get", "/v1/measures/{measure_id}/newly-eligible"): "staff",
    ("notifications", "get", "/v1/measures/{measure_id}/deliveries"): "staff",
    ("eligibility", "get", f"{_FIRM}/determinations"): "the firm",
    ("eligibility", "get", f"{_FIRM}/determinations/stored"): "the firm",
    ("eligibility", "post", "/v1/measures/{measure_id}/preview"): "admin",
    ("eligibility", "get", "/v1/measures/drafts"): "admin",
    ("eligibility", "get", "/v1/measures/log"): "admin",
    ("eligibility", "get", "/v1/measures/{measure_id}/versions/{version}/document"): "admin",
    ("eligibility", "post", "/v1/measures/{measure_id}/drafts/{version}/check"): "admin",
    ("eligibility", "post", "/v1/measures/{measure_id}/drafts/{version}/preview/firms"): "admin",
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
    ("post", "/v1/measures/{measure_id}/drafts/{version}/check"): {},
    ("post", "/v1/measures/{measure_id}/versions/{version}/retire"): {
        "effective_on": (TODAY + timedelta(days=400)).isoformat()
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


# The portal's pages of one firm, asked by each kind of person (anonymous: nobody signed in;
# forged: a session cookie the portal never gave). The portal refuses another firm itself (403);
# for a caseworker of other provinces the services' 404 passes through, as for no such firm.
SIGN_IN = "sign in"
PAGE_POLICIES: dict[str, dict[str, int | str]] = {
    "the firm's page": {
        **dict.fromkeys(("anonymous", "forged"), SIGN_IN),
        "other enterprise": 403,
        "other caseworker": 404,
        **dict.fromkeys(("enterprise", "caseworker", "admin"), ALLOWED),
    },
}
# The header's unread count is the reader's own inbox, whichever firm's page asks for it.
PAGE_POLICIES["the reader's own count"] = {
    **PAGE_POLICIES["the firm's page"],
    "other caseworker": ALLOWED,
}
_PAGE = "/firms/{uscc}"
_FIRM_PAGES = ("", "/edit", "/history", "/measures", "/measures/answers", "/inbox", "/notices")
PAGES: dict[str, str] = {
    **{f"{_PAGE}{suffix}": "the firm's page" for suffix in _FIRM_PAGES},
    f"{_PAGE}/deliveries": "the firm's page",
    f"{_PAGE}/report.pdf": "the firm's page",
    f"{_PAGE}/inbox/badge": "the reader's own count",
}


def _username(who: str) -> str:
    return who.replace(" ", "-")


@pytest.fixture
def portal(databases: Databases) -> Iterator[tuple[PortalSystem, Callers]]:
    """The portal before the three services, the callers' firm seeded, an account per caller."""
    callers = Callers()
    accounts = {
        "enterprise": enterprise(callers.firm),
        "other enterprise": enterprise(callers.other_firm),
        "caseworker": staff(["44"]),
        "other caseworker": staff(["33"]),
        "admin": ADMIN,
    }
    named = {_username(who): fields for who, fields in accounts.items()}
    with portal_system(databases, firm=firm_payload(callers), accounts=named) as running:
        yield running, callers


def _browser(system: PortalSystem, who: str) -> TestClient:
    browser = system.browser(None if who in ("anonymous", "forged") else _username(who))
    if who == "forged":
        browser.cookies.set("sm_session", "a-session-the-portal-never-gave")
    return browser


def _page_answer(browser: TestClient, who: str, path: str) -> int | str:
    """The class of the page's answer to `who`: sent to sign in, 403, 404 or allowed."""
    answer = browser.get(path, follow_redirects=False)
    assert answer.status_code < 500, (path, who, answer.text)
    if answer.status_code == 303 and answer.headers["location"].startswith("/sign-in?"):
        return SIGN_IN
    if answer.status_code in (403, 404):
        assert answer.headers["content-type"].startswith("text/html"), answer.text
        return int(answer.status_code)
    return ALLOWED if answer.status_code in (200, 204) else int(answer.status_code)


def test_every_person_gets_the_answer_the_table_gives_on_every_page_of_a_firm(
    portal: tuple[PortalSystem, Callers],
) -> None:
    system, callers = portal
    served = {
        path
        for path, operations in system.app.openapi()["paths"].items()
        if path.startswith(_PAGE) and "get" in operations
    }
    assert served == PAGES.keys(), "the firm's pages and the table differ"
    browsers = {who: _browser(system, who) for who in CALLERS}
    wrong = []
    for template, policy in sorted(PAGES.items()):
        for who in CALLERS:
            got = _page_answer(browsers[who], who, template.format(uscc=callers.firm))
            if got != PAGE_POLICIES[policy][who]:
                wrong.append(
                    f"GET {template} as {who}: {got}, expected {PAGE_POLICIES[policy][who]}"
                )
    assert wrong == [], "\n".join(wrong)
