"""Email to an SMTP server that requires STARTTLS and a login, as a production relay does."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from supportmatch_core.auth import Principal, Role
from tests import notifications_steps as service
from tests.conftest import Databases, free_port
from tests.integration.notifying import START, Clock, Notifications
from tests.unit._snapshots import COMPLIANT, decide_for, determination


class Relay:
    """aiosmtpd with STARTTLS required before AUTH, and one account."""

    def __init__(self, folder: Path) -> None:
        authority = trustme.CA()
        self.ca_file = folder / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(context)
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"notifier",
            b"s3cret",
        )
        if good:
            self.logins.append(data.login.decode())
        return AuthResult(success=good)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def __enter__(self) -> Relay:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    with Relay(tmp_path) as server:
        yield server


def _one_email_through(databases: Databases, relay: Relay, password: str) -> Notifications:
    """The service logging in to `relay` with `password`, after one eligible notice by email."""
    system = Notifications(
        databases.migrated("notifications"),
        smtp_port=relay.port,
        clock=Clock(START),
        smtp_starttls=True,
        smtp_username="notifier",
        smtp_password=password,
        smtp_ca_file=str(relay.ca_file),
        smtp_timeout_seconds=2,
    )
    data = determination(decide_for(**COMPLIANT))
    service.update_preferences(
        uow=system.uow,
        principal=Principal(subject="admin", role=Role.ADMIN),
        scope=service.Scope.enterprise(data["uscc"]),
        changes={"email": "cfo@firm.example"},
        now=system.clock(),
    )
    system.determination(data)
    system.deliver_all()
    return system


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_starttls_and_login_as_configured(databases: Databases, relay: Relay) -> None:
    system = _one_email_through(databases, relay, "s3cret")
    (message,) = relay.messages
    assert message["To"] == "cfo@firm.example"
    assert relay.logins == ["notifier"]
    system.dispose()


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_wrong_password_is_an_error_that_is_retried(databases: Databases, relay: Relay) -> None:
    system = _one_email_through(databases, relay, "wrong")
    assert relay.messages == []
    (row,) = system.rows("deliveries")
    assert row.status == "pending"  # kept for the next attempt, once the password is fixed
    assert row.last_error.startswith("SMTP")
    system.dispose()
