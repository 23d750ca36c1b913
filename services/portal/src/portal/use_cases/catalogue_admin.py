"""The administrator's console: the catalogue with every version, drafts checked as they are
typed, a draft's reach before it is published, publishing and retiring, and the log of both.
The eligibility service keeps the catalogue and decides who may change it; this asks it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.adapters.services import ServiceRefused, Services
from portal.domain.accounts import Account
from portal.domain.drafts import NotJson, Problem, next_draft, read_text

ELIGIBILITY = "eligibility"
LOGGED = 50  # steps of the log on the console's first page
PAGE = 1000  # firms asked for at a time for the full list of a preview


@dataclass(frozen=True, slots=True)
class Overview:
    measures: list[dict[str, Any]]
    drafts: list[dict[str, Any]]
    log: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the service answered to a draft checked or saved, a version published or retired:
    the answer (and how many firms changed status), or why it refused, with the status the page
    answers."""

    changed: int = 0
    problems: list[Problem] = field(default_factory=list)
    status: int = 200
    read_back: dict[str, Any] | None = None


def refused_here(problem: Problem) -> Outcome:
    """A step refused before the service is asked: the page's own check of the input."""
    return Outcome(problems=[problem], status=422)


def _call(services: Services, account: Account, method: str, path: str, **kwargs: Any) -> Any:
    return services.call(ELIGIBILITY, method, path, account=account, **kwargs)


def overview(services: Services, account: Account) -> Overview:
    measures, drafts, log = services.together(
        lambda: _call(services, account, "GET", "/v1/measures"),
        lambda: _call(services, account, "GET", "/v1/measures/drafts"),
        lambda: _call(services, account, "GET", "/v1/measures/log", params={"limit": LOGGED}),
    )
    return Overview(sorted(measures, key=lambda m: m["id"]), drafts, log)


def versions(
    services: Services, account: Account, measure_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every version of the measure, oldest first, and its drafts."""
    found, drafts = services.together(
        lambda: _call(services, account, "GET", f"/v1/measures/{measure_id}/versions"),
        lambda: _call(services, account, "GET", "/v1/measures/drafts"),
    )
    return found, [d for d in drafts if d["measure_id"] == measure_id]


def start_draft(services: Services, account: Account, measure_id: str, *, today: date) -> int:
    """The number of the measure's draft to edit: one under way, else a new one made from the
    latest version, in force from today."""
    found, drafts = versions(services, account, measure_id)
    if drafts:
        return max(int(d["version"]) for d in drafts)
    latest = found[-1]["version"]
    path = f"/v1/measures/{measure_id}/versions/{latest}/document"
    document = next_draft(_call(services, account, "GET", path), starts=today)
    path = f"/v1/measures/{measure_id}/drafts/{document['version']}"
    _call(services, account, "PUT", path, json=document)
    return int(document["version"])


def draft(services: Services, account: Account, measure_id: str, version: int) -> dict[str, Any]:
    return dict(_call(services, account, "GET", f"/v1/measures/{measure_id}/drafts/{version}"))


def check(
    services: Services, account: Account, measure_id: str, version: int, text: str
) -> Outcome:
    """What the text would be as a draft, without storing it."""
    return _send(
        services, account, "POST", f"/v1/measures/{measure_id}/drafts/{version}/check", text
    )


def save(services: Services, account: Account, measure_id: str, version: int, text: str) -> Outcome:
    """Store the text as the draft, if it reads and checks."""
    return _send(services, account, "PUT", f"/v1/measures/{measure_id}/drafts/{version}", text)


def _send(services: Services, account: Account, method: str, path: str, text: str) -> Outcome:
    try:
        document = read_text(text)
    except NotJson as error:
        return refused_here(error.problem)
    return _asked(services, account, method, path, document)


def _asked(services: Services, account: Account, method: str, path: str, body: object) -> Outcome:
    """The service's answer, or its refusal of the input (409, 422) as problems to show; any
    other refusal is the page's to answer."""
    try:
        answer = _call(services, account, method, path, json=body)
    except ServiceRefused as refused:
        if refused.status not in (409, 422):
            raise
        return Outcome(problems=problems_of(refused), status=refused.status)
    return Outcome(changed=int((answer.get("rematch") or {}).get("changed", 0)), read_back=answer)


def problems_of(refused: ServiceRefused) -> list[Problem]:
    """A refusal's errors, each at its path in both languages."""
    found = [
        Problem(
            e.get("field", ""), e.get("message_zh") or e.get("message", ""), e.get("message", "")
        )
        for e in refused.errors
    ]
    return found or [Problem("", refused.detail, refused.detail)]


def preview(services: Services, account: Account, measure_id: str, version: int) -> dict[str, Any]:
    path = f"/v1/measures/{measure_id}/drafts/{version}/preview"
    return dict(_call(services, account, "POST", path))


def reached(
    services: Services, account: Account, measure_id: str, version: int, group: str
) -> Iterator[dict[str, Any]]:
    """Every firm of one of the preview's groups, asked for a page at a time."""
    path = f"/v1/measures/{measure_id}/drafts/{version}/preview/firms"
    after = ""
    while True:
        params = {"group": group, "after": after, "limit": PAGE}
        page = _call(services, account, "POST", path, params=params)
        yield from page["items"]
        if page["after"] is None:
            return
        after = page["after"]


def publish(
    services: Services, account: Account, measure_id: str, version: int, *, replaces: int | None
) -> Outcome:
    path = f"/v1/measures/{measure_id}/drafts/{version}/publish"
    return _asked(services, account, "POST", path, {"replaces": replaces})


def retire(
    services: Services, account: Account, measure_id: str, version: int, *, effective_on: str
) -> Outcome:
    path = f"/v1/measures/{measure_id}/versions/{version}/retire"
    return _asked(services, account, "POST", path, {"effective_on": effective_on})


def discard(services: Services, account: Account, measure_id: str, version: int) -> None:
    _call(services, account, "DELETE", f"/v1/measures/{measure_id}/drafts/{version}")
