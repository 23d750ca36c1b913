"""What each service holds before it is attacked: the callers' firm and the things named in paths
(a certification, a webhook subscription, a measure), so that generated requests reach real rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import load_catalogue
from profiles.api.schemas import EnterpriseCreate
from profiles.domain.snapshot import SOURCE, snapshot_data
from profiles.domain.versions import size_of
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.topics import PROFILE
from tests.clock import TODAY
from tests.eligibility_steps import decide_profile
from tests.factories import enterprise_payload
from tests.notifications_steps import profile_handler
from tests.security.apps import Callers

# A public address literal: accepted by the address check without resolving a name, and never
# connected to, since the tests' webhook sender opens no connection (apps.no_connections).
PUBLIC_HOOK = "https://1.2.3.4/hooks/supportmatch"
MEASURE = "vat-credit-refund"


@dataclass(frozen=True)
class Seeded:
    """Path parameters that name what was seeded: the firm, its certification, a webhook..."""

    path_parameters: dict[str, str]


def firm_payload(callers: Callers) -> dict[str, Any]:
    return enterprise_payload(uscc=callers.firm, province="44", employees=80, revenue=30_000_000)


def seed(name: str, client: Any, callers: Callers, database_url: str) -> Seeded:
    """Seed the service `name` through its API (or, for eligibility, as its consumer would)."""
    admin = callers.headers("admin")
    if name == "profiles":
        answer = client.post("/v1/enterprises", json=firm_payload(callers), headers=admin)
        assert answer.status_code == 201, answer.text
        path = f"/v1/enterprises/{callers.firm}"
        certification = {
            "kind": "little_giant",
            "issuer": "工业和信息化部",
            "valid_from": "2024-07-01",
        }
        answer = client.post(f"{path}/certifications", json=certification, headers=admin)
        assert answer.status_code == 201, answer.text
        return Seeded(
            {"uscc": callers.firm, "year": "2024", "certification_id": str(answer.json()["id"])}
        )
    if name == "eligibility":
        decide_firm(firm_payload(callers), database_url)
        return Seeded({"uscc": callers.firm, "measure_id": MEASURE, "version": "1"})
    project_firm(firm_payload(callers), database_url)
    subscribed = client.post(
        f"/v1/enterprises/{callers.firm}/webhooks", json={"url": PUBLIC_HOOK}, headers=admin
    )
    assert subscribed.status_code == 201, subscribed.text
    return Seeded(
        {
            "uscc": callers.firm,
            "subscription_id": subscribed.json()["id"],
            "entry_id": "1",
            "measure_id": MEASURE,
        }
    )


def _snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    """The enterprise.profile.v1 document of the firm registered with `payload`, as profiles
    publishes it on registration."""
    profile = EnterpriseCreate.model_validate(payload).to_profile()
    return {**snapshot_data(profile, size_of(profile)), "version": 1}


def decide_firm(payload: dict[str, Any], database_url: str) -> None:
    """Give eligibility the firm's facts and decisions, as its consumer does from a snapshot."""
    engine = create_database_engine(database_url)
    try:
        with UnitOfWork(engine).begin() as connection:
            decide_profile(
                connection,
                profile=_snapshot(payload),
                catalogue=Catalogue(load_catalogue()),
                on=TODAY,
            )
    finally:
        engine.dispose()


def project_firm(payload: dict[str, Any], database_url: str) -> None:
    """Give notifications the firm's profile, as its consumer does: the province it stores
    decides which caseworkers see the firm."""
    event = Event(type=PROFILE, source=SOURCE, subject=payload["uscc"], data=_snapshot(payload))
    engine = create_database_engine(database_url)
    try:
        with UnitOfWork(engine).begin() as connection:
            profile_handler(lambda: datetime.now(UTC))(connection, event)
    finally:
        engine.dispose()
