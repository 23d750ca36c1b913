"""Webhook destinations: a URL's host resolved once, and every address it resolves to checked
against the special-purpose registries, unless configuration allows its network."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from notifications.domain.special_addresses import IpAddress, IpNetwork, refusal
from notifications.domain.webhook_urls import (
    RefusedDestination,
    UrlRules,
    WebhookUrl,
    is_loopback_name,
    normal_host,
    parse_url,
)

Resolver = Callable[[str, int], list[str]]
LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


class Unresolvable(RefusedDestination):
    """The host name has no address (now): refused when subscribing, retried when delivering."""


def resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for `host`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unresolvable(f"无法解析主机名 {host}", f"cannot resolve {host}: {error}") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Destination:
    url: WebhookUrl
    addresses: tuple[IpAddress, ...]


class DestinationPolicy:
    """Where webhooks may go: the URL rules, the allowed networks, and the resolver."""

    def __init__(
        self,
        *,
        allowed: Sequence[IpNetwork] = (),
        rules: UrlRules | None = None,
        resolver: Resolver = resolve,
    ) -> None:
        self._allowed = tuple(allowed)
        self._rules = rules or UrlRules()
        self._resolver = resolver

    def parse(self, url: str) -> WebhookUrl:
        """The URL's normal form, if it passes the rules; its addresses are not looked at."""
        return parse_url(url, self._rules)

    def check(self, url: str) -> Destination:
        """The URL's normal form and its addresses, when every one of them may be reached."""
        parsed = self.parse(url)
        return Destination(parsed, self.addresses(parsed.host, parsed.port))

    def addresses(self, host: str, port: int) -> tuple[IpAddress, ...]:
        """Resolve `host` once and check every address; a connection may use only these."""
        self._rules.check_port(port)
        name, literal = normal_host(host)
        if literal is not None:
            found: tuple[IpAddress, ...] = (literal,)
        elif is_loopback_name(name):
            found = LOOPBACK
        else:
            found = tuple(_address(text) for text in self._resolver(name, port))
        if not found:
            raise Unresolvable(f"{name} 没有地址", f"{name} has no address")
        for address in found:
            refused = refusal(address, self._allowed)
            if refused is not None:
                raise RefusedDestination(*refused.reason(name))
        return found


def _address(text: str) -> IpAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError as error:  # a resolver answering something that is not an address
        raise Unresolvable(f"解析结果无效：{text}", f"not an address: {text}") from error
