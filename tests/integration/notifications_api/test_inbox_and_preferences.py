"""The inbox paged newest first and marked read, and the preferences with their defaults."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eligibility.domain.decision import Status
from tests.factories import new_uscc
from tests.integration.notifications_api.calls import (
    Callers,
    inbox,
    notice,
)
from tests.integration.notifying import Notifications
from tests.problems import problem


def test_a_known_firm_reads_its_inbox_while_a_writer_holds_the_database(
    api: TestClient, parts: Notifications, who: Callers
) -> None:
    uscc = notice(parts)
    base, firm = f"/v1/enterprises/{uscc}", who.firm(uscc)
    assert inbox(api, base, firm)["unread"] == 1  # the firm's first read: known from now on
    with parts.engine.begin() as writer:  # SQLite: BEGIN IMMEDIATE, the file's write lock
        if writer.dialect.name == "postgresql":
            writer.exec_driver_sql("LOCK TABLE inbox_entries, recipients IN EXCLUSIVE MODE")
        started = time.monotonic()
        assert inbox(api, base, firm)["unread"] == 1
        assert time.monotonic() - started < 5  # not the 30 s a writer waits for the lock


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
