"""Webhook URLs: what a subscriber may give (scheme, host forms, ports) and the one normal
form it is stored and called in."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from notifications.domain.special_addresses import IpAddress

MAX_URL = 2000
MAX_HOST = 253
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_OCTET = re.compile(r"0|[1-9][0-9]{0,2}")
_NUMBER = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


class RefusedDestination(Exception):
    """The URL is malformed or leads somewhere webhooks may not go; said in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


PortRange = tuple[int, int]
ANY_PORT: tuple[PortRange, ...] = ((1, 65535),)


def parse_ports(value: str) -> tuple[PortRange, ...]:
    """Comma-separated ports and ranges (`443,8443,9000-9100`); raises ValueError."""
    ranges: list[PortRange] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= 65535:
            raise ValueError(f"{part!r} is not a port or a range of ports within 1-65535")
        ranges.append((first, last))
    return tuple(ranges)


def show_ports(ranges: tuple[PortRange, ...]) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


@dataclass(frozen=True, slots=True)
class UrlRules:
    """What the deployment accepts: https only (production), and which ports."""

    https_only: bool = False
    ports: tuple[PortRange, ...] = ANY_PORT

    def check_port(self, port: int) -> None:
        if not any(low <= port <= high for low, high in self.ports):
            shown = show_ports(self.ports)
            raise RefusedDestination(
                f"端口{port}不在允许的端口之列（{shown}）",
                f"port {port} is not among the allowed ports ({shown})",
            )


@dataclass(frozen=True, slots=True)
class WebhookUrl:
    url: str  # the normal form: lower-case scheme and ASCII host, default port left out
    scheme: str
    host: str  # ASCII; an IPv6 literal without its brackets
    port: int
    literal: IpAddress | None  # the host when it is an IP address


def parse_url(url: str, rules: UrlRules) -> WebhookUrl:
    """The normal form of `url`, or `RefusedDestination` saying what is wrong with it."""
    if len(url) > MAX_URL:
        raise RefusedDestination(
            f"网址超过{MAX_URL}个字符", f"the URL is over {MAX_URL} characters"
        )
    if any(unicodedata.category(c)[0] in "CZ" for c in url):  # controls, format, spaces
        raise RefusedDestination(
            "网址含有空白、控制或不可见字符", "the URL contains whitespace or invisible characters"
        )
    if "\\" in url:  # parsers disagree on where a host ends around a backslash
        raise RefusedDestination("网址不能含有反斜杠", "the URL may not contain a backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedDestination("网址格式有误", f"a malformed URL ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise RefusedDestination(
            "Webhook网址须以 https:// 或 http:// 开头", "a webhook URL must be an http(s) URL"
        )
    if rules.https_only and scheme != "https":
        raise RefusedDestination("Webhook网址必须使用https", "a webhook URL must use https")
    if "@" in parts.netloc:
        raise RefusedDestination(
            "Webhook网址不能含有用户名或密码（@）", "a webhook URL may not carry credentials (@)"
        )
    if parts.fragment or url.endswith("#"):
        raise RefusedDestination(
            "Webhook网址不能含有片段（#）", "a webhook URL has no fragment (#)"
        )
    bracketed = parts.netloc.startswith("[")
    host, literal = normal_host(parts.hostname or "", bracketed=bracketed)
    port = port if port is not None else (443 if scheme == "https" else 80)
    if port == 0:
        raise RefusedDestination("端口0无效", "port 0 is not a port")
    rules.check_port(port)
    shown = f"[{host}]" if isinstance(literal, ipaddress.IPv6Address) else host
    default = port == (443 if scheme == "https" else 80)
    netloc = shown if default else f"{shown}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    normal = f"{scheme}://{netloc}{parts.path or '/'}{query}"
    return WebhookUrl(normal, scheme, host, port, literal)


def normal_host(host: str, *, bracketed: bool = False) -> tuple[str, IpAddress | None]:
    """The host in ASCII, and the address when it is an IP literal; refuses every other form
    of number (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`), percent signs and zone ids."""
    if not host:
        raise RefusedDestination("网址缺少主机名", "the URL has no host")
    if "%" in host:
        raise RefusedDestination(
            "主机名不能含有百分号编码或IPv6区域标识（%）",
            "the host may not contain percent-encoding or an IPv6 zone id (%)",
        )
    if bracketed or ":" in host:
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError as error:
            raise RefusedDestination("IPv6地址无效", "an invalid IPv6 address") from error
        return str(address), address
    ascii_host = _ascii(host).lower()
    if ascii_host.endswith("."):
        raise RefusedDestination(
            "主机名末尾不能有点（.）", "the host name may not end with a dot (.)"
        )
    octets = ascii_host.split(".")
    if len(octets) == 4 and all(_OCTET.fullmatch(o) and int(o) <= 255 for o in octets):
        return ascii_host, ipaddress.IPv4Address(ascii_host)
    if _NUMBER.fullmatch(ascii_host.rsplit(".", 1)[-1]):  # a URL parser would read it as IPv4
        raise RefusedDestination(
            "IPv4地址须写成四段十进制数字，如 203.0.113.5，不带前导零",
            "write an IPv4 address as four decimal numbers without leading zeros",
        )
    if len(ascii_host) > MAX_HOST or not all(_LABEL.fullmatch(x) for x in ascii_host.split(".")):
        raise RefusedDestination(
            "主机名无效：每段须为1至63个字母、数字或连字符，总长不超过253",
            "an invalid host name: labels of 1-63 letters, digits or hyphens, 253 in all",
        )
    return ascii_host, None


def is_loopback_name(host: str) -> bool:
    """`localhost` and every name under it always mean this machine (RFC 6761 §6.3)."""
    return host == "localhost" or host.endswith(".localhost")


def _ascii(host: str) -> str:
    """An internationalised name in its ASCII (IDNA 2008, UTS 46) form, as DNS knows it."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as error:
        raise RefusedDestination(
            "国际化域名无效", f"an invalid internationalised name ({error})"
        ) from error
