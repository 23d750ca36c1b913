"""Webhook connections on real sockets, all on 127.0.0.1: a name the system resolver rebinds to
loopback reaches no loopback receiver, and over TLS the name is what the Host header, SNI and
the certificate check use while the socket goes to the checked address."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import httpcore
import pytest
import trustme

from notifications.adapters.webhooks import WebhookFailed, WebhookSender
from notifications.settings import NotificationsSettings
from notifications.worker import webhook_sender
from tests.integration.notifying import Receiver

PUBLIC = "93.184.216.34"


def send(webhooks: WebhookSender, url: str) -> int:
    return webhooks.send(
        url, b"{}", secrets_in_use=["s"], delivery_id="d", topic="ping", timestamp=1
    )


class LoopbackOnly:
    """Real connections to 127.0.0.1 only; any other address is recorded and not dialled."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, host: str, port: int, **options: Any) -> httpcore.NetworkStream:
        if host != "127.0.0.1":
            self.refused.append(host)
            raise httpcore.ConnectError(f"the test dials nothing but 127.0.0.1, not {host}")
        return httpcore.SyncBackend().connect_tcp(host, port, **options)


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system resolver answers hooks.example.com with a public address once, then loopback."""
    real, asked = socket.getaddrinfo, []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example.com":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return real(PUBLIC if len(asked) == 1 else "127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_rebound_to_loopback_between_check_and_connect_reaches_no_loopback_receiver(
    rebinding_dns: list[str], receiver: Receiver
) -> None:
    network = LoopbackOnly()
    webhooks = webhook_sender(NotificationsSettings(), connect=network)
    with pytest.raises(WebhookFailed, match=r"dials nothing but 127\.0\.0\.1"):
        send(webhooks, receiver.url(host="hooks.example.com"))
    webhooks.close()
    assert rebinding_dns == ["hooks.example.com"]  # one lookup, whose answer was checked
    assert network.refused == [PUBLIC]  # and dialled
    assert receiver.requests == []


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


def https_receiver(authority: trustme.CA, name: str) -> Receiver:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    return Receiver(tls=context)


def production_sender(authority: trustme.CA, port: int) -> WebhookSender:
    settings = NotificationsSettings(
        environment="production",
        database_url="postgresql://notifications@db.internal/notifications",
        oidc_issuer="https://id.example.cn/realms/supportmatch",
        webhook_allowed_networks="127.0.0.0/8",
        webhook_allowed_ports=str(port),
    )
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    return webhook_sender(settings, resolver=lambda host, port: ["127.0.0.1"], ssl_context=trusted)


def test_over_tls_the_name_is_sent_as_host_and_sni_and_its_certificate_is_checked(
    authority: trustme.CA,
) -> None:
    receiver = https_receiver(authority, "hooks.example.com")
    webhooks = production_sender(authority, receiver.port)
    try:
        assert send(webhooks, receiver.url(host="hooks.example.com")) == 200
    finally:
        webhooks.close()
        receiver.close()
    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.example.com:{receiver.port}"
    assert receiver.server_names == ["hooks.example.com"]


def test_a_certificate_for_another_name_is_refused(authority: trustme.CA) -> None:
    receiver = https_receiver(authority, "other.example")
    webhooks = production_sender(authority, receiver.port)
    try:
        with pytest.raises(WebhookFailed, match="CERTIFICATE_VERIFY_FAILED"):
            send(webhooks, receiver.url(host="hooks.example.com"))
    finally:
        webhooks.close()
        receiver.close()
    assert receiver.requests == []
