"""Where a webhook's connection goes: to the address the check resolved and passed, with the
host name kept for the Host header and TLS SNI. A fake network stands in for the sockets."""

from __future__ import annotations

from typing import Any

import httpcore
import pytest

from notifications.adapters.destinations import DestinationPolicy, Unresolvable
from notifications.adapters.webhooks import WebhookFailed, WebhookSender
from notifications.domain.webhook_urls import RefusedDestination

PUBLIC, OTHER = "93.184.216.34", "93.184.216.35"
URL = "https://hooks.example.com/hook"


class Wire(httpcore.MockStream):
    """One fake connection: records what was written and the TLS server name asked for."""

    def __init__(self, answer: bytes) -> None:
        super().__init__([answer])
        self.written = b""
        self.server_name: str | None = None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.written += buffer

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: Any = None
    ) -> Wire:
        self.server_name = server_hostname
        return self


class Network:
    """Stands in for connect(): records where each connection went, and answers `answer`."""

    def __init__(
        self, answer: bytes = b"HTTP/1.1 204 No Content\r\n\r\n", *, down: str = ""
    ) -> None:
        self.answer, self.down = answer, down
        self.connections: list[tuple[str, int]] = []
        self.wires: list[Wire] = []

    def __call__(self, host: str, port: int, **options: Any) -> Wire:
        self.connections.append((host, port))
        if host == self.down:
            raise httpcore.ConnectError(f"{host} does not answer")
        self.wires.append(Wire(self.answer))
        return self.wires[-1]


class Rebinding:
    """A resolver that answers a public address on the first call and loopback on every later one."""

    def __init__(self, first: str = PUBLIC) -> None:
        self.first = first
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return [self.first] if self.calls == 1 else ["127.0.0.1"]


def sender(resolver: Any, network: Network) -> WebhookSender:
    return WebhookSender(DestinationPolicy(resolver=resolver), connect=network)


def send(webhooks: WebhookSender, url: str = URL) -> int:
    return webhooks.send(
        url, b"{}", secrets_in_use=["whsec_a"], delivery_id="d-1", topic="ping", timestamp=1
    )


def test_the_connection_goes_to_the_checked_address_and_keeps_the_name() -> None:
    resolver, network = Rebinding(), Network()
    assert send(sender(resolver, network)) == 204
    assert resolver.calls == 1  # resolved once; nothing resolves again to connect
    assert network.connections == [(PUBLIC, 443)]
    (wire,) = network.wires
    assert wire.server_name == "hooks.example.com"  # SNI, and so the certificate check
    assert wire.written.startswith(b"POST /hook HTTP/1.1\r\n")
    assert b"\r\nHost: hooks.example.com\r\n" in wire.written


def test_a_name_that_rebinds_to_loopback_is_refused_before_any_connection() -> None:
    resolver, network = Rebinding(), Network()
    webhooks = sender(resolver, network)
    assert webhooks.check(URL) == URL  # the subscription's check: first answer, public
    with pytest.raises(RefusedDestination, match="loopback"):
        send(webhooks)  # the delivery resolves afresh, gets loopback, and checks it
    assert resolver.calls == 2
    assert network.connections == []


def test_each_delivery_opens_a_new_checked_connection() -> None:
    resolver, network = Rebinding(), Network()
    webhooks = sender(resolver, network)
    assert send(webhooks) == 204
    with pytest.raises(RefusedDestination, match="RFC 1122"):
        send(webhooks)  # no kept-alive connection to the first address carries it
    assert network.connections == [(PUBLIC, 443)]


def test_when_a_checked_address_does_not_answer_the_next_checked_one_is_tried() -> None:
    network = Network(down=PUBLIC)
    assert (
        send(sender(lambda host, port: [PUBLIC, OTHER], network), "http://hooks.example.com:8080/")
        == 204
    )
    assert network.connections == [(PUBLIC, 8080), (OTHER, 8080)]


def test_an_ip_literal_connects_to_itself_without_a_lookup() -> None:
    network = Network()

    def no_lookup(host: str, port: int) -> list[str]:
        raise AssertionError("an IP literal needs no lookup")

    assert send(sender(no_lookup, network), "https://[2606:4700::1111]:8443/x") == 204
    assert network.connections == [("2606:4700::1111", 8443)]
    assert network.wires[0].server_name == "2606:4700::1111"


def test_redirects_are_not_followed() -> None:
    network = Network(
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1/\r\nContent-Length: 0\r\n\r\n"
    )
    with pytest.raises(WebhookFailed, match="HTTP 307"):
        send(sender(lambda host, port: [PUBLIC], network))
    assert network.connections == [(PUBLIC, 443)]


def test_a_receivers_body_is_never_read() -> None:
    network = Network(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nonly the start")
    assert send(sender(lambda host, port: [PUBLIC], network)) == 200


def test_a_name_without_addresses_is_retried_when_delivering_and_refused_when_subscribing() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise Unresolvable("无法解析主机名 hooks.example.com", "cannot resolve hooks.example.com")

    network = Network()
    webhooks = sender(nowhere, network)
    with pytest.raises(RefusedDestination, match="无法解析主机名"):
        webhooks.check(URL)
    attempt = webhooks.attempt(
        URL, b"{}", secrets_in_use=["s"], delivery_id="d", topic="ping", timestamp=1
    )
    assert attempt.outcome == "error"  # DNS may be back on the next attempt
    assert "cannot resolve hooks.example.com" in attempt.detail
    assert network.connections == []


def test_a_refusal_at_delivery_is_recorded_as_refused_with_the_reason() -> None:
    network = Network()
    webhooks = sender(lambda host, port: ["169.254.169.254"], network)
    attempt = webhooks.attempt(
        URL, b"{}", secrets_in_use=["s"], delivery_id="d", topic="ping", timestamp=1
    )
    assert attempt.outcome == "refused"
    assert "云主机元数据" in attempt.detail
    assert "(RFC 3927)" in attempt.detail
    assert network.connections == []
