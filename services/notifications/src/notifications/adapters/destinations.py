"""Webhook destinations: only public http(s) addresses, unless configuration allows a network.

Checked when a subscription is made and again before every delivery, since a name may resolve
elsewhere later.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


class RefusedDestination(Exception):
    """The URL is malformed or leads to an address webhooks may not reach."""


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedDestination(f"cannot resolve {host!r}: {error.strerror}") from error
    except UnicodeError as error:  # IDNA refuses the name, e.g. a label over 63 characters
        raise RefusedDestination(f"{host!r} is not a valid host name") from error
    return sorted({str(info[4][0]) for info in infos})


def parse_networks(values: Sequence[str]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _forbidden(address: IpAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for label, hit in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved or address.is_unspecified),
    ):
        if hit:
            return label
    return None


def check_url(
    url: str, *, allowed: Sequence[IpNetwork] = (), resolver: Resolver = resolve
) -> list[str]:
    """Refuse `url` unless it is http(s) and every address its host resolves to is public or
    inside an allowed network; returns the addresses."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise RefusedDestination(f"a malformed URL: {error}") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination("a webhook URL must be an absolute http or https URL")
    if parts.username or parts.password:
        raise RefusedDestination("a webhook URL may not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedDestination(f"invalid port in {url!r}") from error
    addresses = resolver(parts.hostname, port)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        label = _forbidden(address)
        if label and not any(address in network for network in allowed):
            raise RefusedDestination(
                f"{parts.hostname} resolves to {text}, a {label} address; webhooks go to public "
                "addresses only (NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS allows others)"
            )
    return addresses
