"""The services log as in production (JSON lines) through sign-in, token-bearing and failing
requests, a webhook subscription and its rotation, an SMTP login and a refused Kafka setting, and
no token, password, webhook secret or signing key appears anywhere in what they wrote."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from notifications.settings import NotificationsSettings
from supportmatch_core.auth import Principal, Role, TokenService
from supportmatch_core.logs import configure_logging
from supportmatch_core.settings import ServiceSettings
from tests import notifications_steps as notifications_service
from tests.conftest import TEST_SECRET, Databases
from tests.factories import enterprise_payload
from tests.integration.notifying import START, Clock, Notifications
from tests.integration.test_notification_smtp_tls import Relay
from tests.security.apps import Callers, service_app
from tests.security.portal_client import FIRM, PASSWORD, sign_in, unreachable_services_portal
from tests.security.portal_client import Clock as PortalClock
from tests.security.seeds import PUBLIC_HOOK
from tests.unit._snapshots import COMPLIANT, decide_for, determination

WRONG_PASSWORD = "wrong-portal-password-51be"
SMTP_PASSWORD = "s3cret"  # the one the relay of tests/integration accepts
WRONG_SMTP_PASSWORD = "wrong-smtp-password-c4d2"
SASL_PASSWORD = "kafka-sasl-password-90e1"


@pytest.fixture
def production_logs() -> Iterator[io.StringIO]:
    """Every logger writing JSON lines, as `supportmatch run` sets them up, into a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        configure_logging("security", "INFO")
    yield stream
    root.handlers[:], root.level = saved


def _services(callers: Callers, databases: Databases, secrets: list[str]) -> None:
    """Token-bearing requests, good and bad, and a webhook subscribed, rotated and pinged."""
    admin, firm = callers.headers("admin"), callers.headers("enterprise")
    forged = TokenService("another-signing-key-long-enough-for-hs256").issue(
        subject="x", role=Role.ADMIN
    )
    secrets += [h["Authorization"].removeprefix("Bearer ") for h in (admin, firm)] + [forged]
    with (
        TestClient(service_app("profiles", databases.url("profiles"))) as profiles,
        TestClient(service_app("notifications", databases.url("notifications"))) as notices,
    ):
        body = enterprise_payload(uscc=callers.firm, province="44")
        assert profiles.post("/v1/enterprises", json=body, headers=admin).status_code == 201
        path = f"/v1/enterprises/{callers.firm}"
        assert profiles.get(path, headers=firm).status_code == 200
        bad = {"Authorization": f"Bearer {forged}"}
        assert profiles.get(path, headers=bad).status_code == 401
        assert profiles.get(path, params={"access_token": forged}).status_code == 401
        assert profiles.patch(path, json={"employees": -5}, headers=firm).status_code == 422
        hooks = f"{path}/webhooks"
        created = notices.post(hooks, json={"url": PUBLIC_HOOK}, headers=firm)
        assert created.status_code == 201, created.text
        subscription = created.json()["id"]
        rotated = notices.post(f"{hooks}/{subscription}/rotate", headers=firm)
        assert rotated.status_code == 200, rotated.text
        assert notices.post(f"{hooks}/{subscription}/ping", headers=firm).status_code == 200
        secrets += [created.json()["secret"], rotated.json()["secret"]]


def _portal(databases: Databases, secrets: list[str]) -> None:
    """A failed and a good sign-in, then a page whose services are down (a 502 that is logged)."""
    with unreachable_services_portal(databases, PortalClock()) as portal:
        assert sign_in(portal, WRONG_PASSWORD) == 401
        assert sign_in(portal) == 303
        secrets += [value for value in portal.cookies.values() if len(value) >= 16]
        assert portal.get(f"/firms/{FIRM}/inbox").status_code == 502


def _smtp(databases: Databases, tmp_path: Path) -> None:
    """One email sent with the right password, one attempt with a wrong one."""
    url = databases.migrated("notifications")
    for hours, password in enumerate((WRONG_SMTP_PASSWORD, SMTP_PASSWORD)):
        with Relay(tmp_path) as relay:
            system = Notifications(
                url,
                smtp_port=relay.port,
                clock=Clock(START + timedelta(hours=hours)),  # the failed delivery is due again
                allow_loopback=False,
                smtp_starttls=True,
                smtp_username="notifier",
                smtp_password=password,
                smtp_ca_file=str(relay.ca_file),
                smtp_timeout_seconds=2,
            )
            data = determination(decide_for(**COMPLIANT))
            notifications_service.update_preferences(
                uow=system.uow,
                principal=Principal(subject="admin", role=Role.ADMIN),
                scope=notifications_service.Scope.enterprise(data["uscc"]),
                changes={"email": "cfo@firm.example"},
                now=system.clock(),
            )
            system.determination(data)
            system.deliver_all()
            system.dispose()
            assert bool(relay.messages) == (password == SMTP_PASSWORD)


def _refused_settings() -> None:
    """Kafka settings refused at start-up, logged as a service that cannot start would."""
    with pytest.raises(ValueError, match="KAFKA_SECURITY_PROTOCOL") as refused:
        ServiceSettings(
            kafka_security_protocol="PLAINTEXT",
            kafka_sasl_username="supportmatch",
            kafka_sasl_password=SASL_PASSWORD,
            jwt_secret=TEST_SECRET,
        )
    logging.getLogger("supportmatch").error("settings refused: %s", refused.value)
    accepted = NotificationsSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="supportmatch",
        kafka_sasl_password=SASL_PASSWORD,
        smtp_password=SMTP_PASSWORD,
        jwt_secret=TEST_SECRET,
    )
    # As someone finding out what a service runs with would log it.
    logging.getLogger("supportmatch").info("settings", extra={"settings": accepted})


def test_no_token_password_or_key_in_the_logs(
    production_logs: io.StringIO, databases: Databases, tmp_path: Path
) -> None:
    secrets = [TEST_SECRET, PASSWORD, WRONG_PASSWORD, SMTP_PASSWORD, WRONG_SMTP_PASSWORD]
    secrets.append(SASL_PASSWORD)
    _services(Callers(), databases, secrets)
    _portal(databases, secrets)
    _smtp(databases, tmp_path)
    _refused_settings()
    text = production_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    logged = {entry["message"] for entry in lines}
    # The failures did get logged: a service down, an SMTP login refused, the settings.
    assert "a service is unavailable" in logged
    assert any(message.startswith("settings refused") for message in logged)
    assert len(secrets) >= 12
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode().rstrip("=")):
            assert form not in text, f"a secret ({secret[:4]}…) is in the logs"
        assert secret[-12:] not in text, f"the end of a secret ({secret[:4]}…) is in the logs"
