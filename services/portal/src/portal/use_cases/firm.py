"""What a signed-in person does with one firm: its profile, facts, answers, inbox and notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.adapters.services import ServiceRefused, Services, ServiceUnavailable
from portal.domain.accounts import Account
from portal.domain.facts import FIELDS, Value, parse_fields
from portal.use_cases.self_check import with_measures

CHINA = ZoneInfo("Asia/Shanghai")


class NotYourFirm(Exception):
    """An enterprise asked for another firm's pages."""


def guard(account: Account, uscc: str) -> str:
    """The USCC upper-cased, if this person may open it at all (the services check the rest)."""
    if not account.may_open_firm(uscc):
        raise NotYourFirm(uscc)
    return uscc.upper()


def profile(services: Services, account: Account, uscc: str) -> dict[str, Any]:
    return dict(
        services.call("profiles", "GET", f"/v1/enterprises/{guard(account, uscc)}", account=account)
    )


def history(services: Services, account: Account, uscc: str) -> list[dict[str, Any]]:
    path = f"/v1/enterprises/{guard(account, uscc)}/history"
    return list(services.call("profiles", "GET", path, account=account))


def change_profile(
    services: Services, account: Account, uscc: str, changes: dict[str, Any]
) -> dict[str, Any]:
    path = f"/v1/enterprises/{guard(account, uscc)}"
    return dict(services.call("profiles", "PATCH", path, account=account, json=changes))


def measures(services: Services, account: Account, uscc: str) -> dict[str, list[dict[str, Any]]]:
    """The firm's answer for each measure in force, grouped by status."""
    path = f"/v1/enterprises/{guard(account, uscc)}/determinations"
    return with_measures(services, services.call("eligibility", "GET", path, account=account))


@dataclass(frozen=True, slots=True)
class Answers:
    """A firm's profile beside its answer for each measure in force, grouped by status."""

    profile: dict[str, Any]
    groups: dict[str, list[dict[str, Any]]]


def answers(services: Services, account: Account, uscc: str) -> Answers:
    """What the firm's measures page and its report show, asked of profiles and eligibility at
    the same time: the reader waits for the slower of the two, not for both."""
    found, groups = services.together(
        lambda: profile(services, account, uscc), lambda: measures(services, account, uscc)
    )
    return Answers(found, groups)


def provide_facts(
    services: Services,
    account: Account,
    uscc: str,
    form: dict[str, str],
    names: list[str],
    *,
    now: datetime,
) -> dict[str, str]:
    """Add the facts `names` typed into `form` to the firm's latest fiscal year (and its flags);
    the error code of each field that does not parse, or nothing when they were stored."""
    uscc = guard(account, uscc)
    values, errors = parse_fields([n for n in names if n in FIELDS], form)
    if errors:
        return errors
    given = {k: v for k, v in values.items() if v is not None}
    year_facts = {k: v for k, v in given.items() if FIELDS[k].home == "year"}
    flags = {k: v for k, v in given.items() if FIELDS[k].home == "flag"}
    if year_facts:
        _add_year_facts(services, account, uscc, year_facts, now=now)
    if flags:
        current = profile(services, account, uscc).get("flags") or {}
        change_profile(services, account, uscc, {"flags": {**current, **flags}})
    return {}


def replace_year_facts(
    services: Services,
    account: Account,
    uscc: str,
    values: dict[str, Value | None],
    *,
    now: datetime,
) -> None:
    """The latest fiscal year's facts become `values` (empty fields unknown), if they changed."""
    uscc = guard(account, uscc)
    years = services.call("profiles", "GET", f"/v1/enterprises/{uscc}/facts", account=account)
    latest = dict(years[-1]) if years else {"fiscal_year": now.astimezone(CHINA).year - 1}
    year = latest.pop("fiscal_year")
    body = {k: v for k, v in values.items() if v is not None}
    if body != latest:
        path = f"/v1/enterprises/{uscc}/facts/{year}"
        services.call("profiles", "PUT", path, account=account, json=body)


def _add_year_facts(
    services: Services, account: Account, uscc: str, facts: dict[str, Value], *, now: datetime
) -> None:
    years = services.call("profiles", "GET", f"/v1/enterprises/{uscc}/facts", account=account)
    latest = dict(years[-1]) if years else {"fiscal_year": now.astimezone(CHINA).year - 1}
    year = latest.pop("fiscal_year")
    body = {**latest, **facts}
    services.call(
        "profiles", "PUT", f"/v1/enterprises/{uscc}/facts/{year}", account=account, json=body
    )


def inbox(
    services: Services, account: Account, uscc: str, *, before: int | None = None, limit: int = 20
) -> dict[str, Any]:
    path = f"/v1/enterprises/{guard(account, uscc)}/inbox"
    params = {"limit": limit, "before": before}
    return dict(services.call("notifications", "GET", path, account=account, params=params))


def unread(services: Services, account: Account) -> int | None:
    """The unread count of the person's own firm, for the header; None when there is none."""
    if account.uscc is None:
        return None
    try:
        return int(inbox(services, account, account.uscc, limit=1)["unread"])
    except (ServiceRefused, ServiceUnavailable):  # the header does without it; the page goes on
        return None


def mark_read(services: Services, account: Account, uscc: str, entry_id: int | None) -> None:
    base = f"/v1/enterprises/{guard(account, uscc)}/inbox"
    path = f"{base}/{entry_id}/read" if entry_id is not None else f"{base}/read"
    try:
        services.call("notifications", "POST", path, account=account)
    except ServiceRefused as error:
        if error.status != 404:  # already read: nothing to do
            raise


def notifications(services: Services, account: Account, uscc: str, what: str) -> Any:
    """GET preferences, webhooks or deliveries of the firm."""
    path = f"/v1/enterprises/{guard(account, uscc)}/{what}"
    return services.call("notifications", "GET", path, account=account)


def change_notifications(
    services: Services,
    account: Account,
    uscc: str,
    method: str,
    what: str,
    body: dict[str, Any] | None = None,
) -> Any:
    """Change preferences, subscribe, ping or remove a webhook of the firm."""
    path = f"/v1/enterprises/{guard(account, uscc)}/{what}"
    return services.call("notifications", method, path, account=account, json=body)


def firms(services: Services, account: Account, query: str | None) -> list[dict[str, Any]]:
    """The firms a caseworker or admin may see whose name contains `query`, or the USCC given."""
    text = (query or "").strip()
    if len(text) == 18 and text.isalnum():
        try:
            return [profile(services, account, text)]
        except ServiceRefused:
            return []
    params = {"limit": 50, "q": text if len(text) >= 3 else None}
    page = services.call("profiles", "GET", "/v1/enterprises", account=account, params=params)
    return list(page["items"])
