"""The IANA IPv4 and IPv6 Special-Purpose Address Registries, as data: which entry an address
falls in, and whether a webhook may go there."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Special:
    """One registry entry: its block, its name in Chinese and English, the RFC behind it."""

    network: IpNetwork
    zh: str
    en: str
    rfc: str
    refused: bool = True


def _entry(block: str, zh: str, en: str, rfc: str, *, refused: bool = True) -> Special:
    return Special(ipaddress.ip_network(block), zh, en, rfc, refused)


# IANA IPv4 Special-Purpose Address Registry (updated 2025-10-09). Entries marked "globally
# reachable" there are refused all the same when noted: they are anycast infrastructure, whose
# nearest instance may be inside our own network, and never a firm's receiver.
IPV4: tuple[Special, ...] = (
    _entry("0.0.0.0/8", "“本网络”地址", 'a "this network" address', "RFC 791"),
    _entry(
        "0.0.0.0/32", "“本网络本主机”地址", 'the "this host on this network" address', "RFC 1122"
    ),
    _entry("10.0.0.0/8", "私有地址", "a private-use address", "RFC 1918"),
    _entry(
        "100.64.0.0/10", "运营商级NAT共享地址", "a carrier-grade NAT shared address", "RFC 6598"
    ),
    _entry("127.0.0.0/8", "本机回环地址", "a loopback address", "RFC 1122"),
    _entry(
        "169.254.0.0/16",
        "链路本地地址、云主机元数据服务所在网段",
        "a link-local address, where cloud instance metadata lives",
        "RFC 3927",
    ),
    _entry("172.16.0.0/12", "私有地址", "a private-use address", "RFC 1918"),
    _entry("192.0.0.0/24", "IETF协议分配地址", "an IETF protocol assignment", "RFC 6890"),
    _entry("192.0.0.0/29", "IPv4服务延续前缀", "in the IPv4 service continuity prefix", "RFC 7335"),
    _entry("192.0.0.8/32", "IPv4占位地址", "the IPv4 dummy address", "RFC 7600"),
    # Globally reachable, refused: the nearest PCP server is the sender's own NAT gateway.
    _entry(
        "192.0.0.9/32",
        "端口控制协议任播地址",
        "the Port Control Protocol anycast address",
        "RFC 7723",
    ),
    # Globally reachable, refused: a relay service of the local network, not a receiver.
    _entry("192.0.0.10/32", "TURN中继任播地址", "the TURN anycast address", "RFC 8155"),
    _entry("192.0.0.170/32", "NAT64/DNS64发现地址", "a NAT64/DNS64 discovery address", "RFC 8880"),
    _entry("192.0.0.171/32", "NAT64/DNS64发现地址", "a NAT64/DNS64 discovery address", "RFC 8880"),
    _entry(
        "192.0.2.0/24",
        "TEST-NET-1文档示例地址",
        "a TEST-NET-1 documentation address",
        "RFC 5737",
    ),
    # Globally reachable, refused: AS112 answers stray reverse lookups, it serves no HTTP.
    _entry("192.31.196.0/24", "AS112反向解析服务地址", "an AS112 service address", "RFC 7535"),
    # Globally reachable, refused: anycast relays that tunnel multicast, not receivers.
    _entry("192.52.193.0/24", "AMT组播隧道中继地址", "an AMT relay anycast address", "RFC 7450"),
    # Deprecated: the registry no longer says it is reachable, and its relays are gone.
    _entry(
        "192.88.99.0/24",
        "已废止的6to4中继任播地址",
        "a deprecated 6to4 relay anycast address",
        "RFC 7526",
    ),
    _entry("192.88.99.2/32", "6a44中继任播地址", "the 6a44 relay anycast address", "RFC 6751"),
    _entry("192.168.0.0/16", "私有地址", "a private-use address", "RFC 1918"),
    # Globally reachable, refused: as 192.31.196.0/24.
    _entry(
        "192.175.48.0/24", "AS112直接委派服务地址", "an AS112 direct delegation address", "RFC 7534"
    ),
    _entry("198.18.0.0/15", "网络设备基准测试地址", "a benchmarking address", "RFC 2544"),
    _entry(
        "198.51.100.0/24",
        "TEST-NET-2文档示例地址",
        "a TEST-NET-2 documentation address",
        "RFC 5737",
    ),
    _entry(
        "203.0.113.0/24",
        "TEST-NET-3文档示例地址",
        "a TEST-NET-3 documentation address",
        "RFC 5737",
    ),
    _entry("240.0.0.0/4", "保留地址", "a reserved address", "RFC 1112"),
    _entry("255.255.255.255/32", "受限广播地址", "the limited broadcast address", "RFC 919"),
    # Not in the special-purpose registry but in the address space registry: no unicast host.
    _entry("224.0.0.0/4", "组播地址", "a multicast address", "RFC 5771"),
)

# IANA IPv6 Special-Purpose Address Registry (updated 2025-10-09), then the IPv6 Address Space
# registry for everything outside global unicast 2000::/3.
IPV6: tuple[Special, ...] = (
    _entry("::/128", "未指定地址", "the unspecified address", "RFC 4291"),
    _entry("::1/128", "本机回环地址", "a loopback address", "RFC 4291"),
    _entry("::ffff:0:0/96", "IPv4映射地址", "an IPv4-mapped address", "RFC 4291"),
    # Globally reachable through a translator: judged by the IPv4 address it embeds.
    _entry(
        "64:ff9b::/96",
        "NAT64知名前缀",
        "in the NAT64 well-known prefix",
        "RFC 6052",
        refused=False,
    ),
    _entry("64:ff9b:1::/48", "本地使用的NAT64前缀", "in the local-use NAT64 prefix", "RFC 8215"),
    _entry("100::/64", "丢弃专用前缀", "in the discard-only prefix", "RFC 6666"),
    _entry("100:0:0:1::/64", "IPv6占位前缀", "in the dummy IPv6 prefix", "RFC 9780"),
    _entry("2001::/23", "IETF协议分配地址", "an IETF protocol assignment", "RFC 2928"),
    # Reachable only through Teredo relays ("N/A" in the registry): refused, and the server
    # and client IPv4 addresses it embeds are checked too, for a more telling reason.
    _entry("2001::/32", "Teredo隧道地址", "a Teredo tunnelling address", "RFC 4380"),
    # The three anycast addresses, AMT, AS112, ORCHIDv2 and drone tags below are globally
    # reachable, and refused: local infrastructure or identifiers that no HTTP server answers.
    _entry(
        "2001:1::1/128",
        "端口控制协议任播地址",
        "the Port Control Protocol anycast address",
        "RFC 7723",
    ),
    _entry("2001:1::2/128", "TURN中继任播地址", "the TURN anycast address", "RFC 8155"),
    _entry(
        "2001:1::3/128",
        "DNS-SD服务注册任播地址",
        "the DNS-SD registration anycast address",
        "RFC 9665",
    ),
    _entry("2001:2::/48", "网络设备基准测试地址", "a benchmarking address", "RFC 5180"),
    _entry("2001:3::/32", "AMT组播隧道中继地址", "an AMT relay anycast address", "RFC 7450"),
    _entry("2001:4:112::/48", "AS112反向解析服务地址", "an AS112 service address", "RFC 7535"),
    _entry("2001:10::/28", "已废止的ORCHID标识", "a deprecated ORCHID identifier", "RFC 4843"),
    _entry("2001:20::/28", "ORCHIDv2加密标识", "an ORCHIDv2 identifier", "RFC 7343"),
    _entry("2001:30::/28", "无人机远程识别实体标签", "a drone remote ID entity tag", "RFC 9374"),
    _entry("2001:db8::/32", "文档示例地址", "a documentation address", "RFC 3849"),
    # Its relays are deprecated (RFC 7526): refused, and the IPv4 address inside checked too.
    _entry("2002::/16", "6to4隧道地址", "a 6to4 tunnelling address", "RFC 3056"),
    _entry(
        "2620:4f:8000::/48",
        "AS112直接委派服务地址",
        "an AS112 direct delegation address",
        "RFC 7534",
    ),
    _entry("3fff::/20", "文档示例地址", "a documentation address", "RFC 9637"),
    _entry("5f00::/16", "SRv6段标识地址", "a segment routing (SRv6) identifier", "RFC 9602"),
    _entry("fc00::/7", "唯一本地地址（IPv6私有地址）", "a unique local address", "RFC 4193"),
    _entry("fe80::/10", "链路本地地址", "a link-local address", "RFC 4291"),
    # The IPv6 Address Space registry: all but 2000::/3 is reserved, local or multicast.
    _entry("::/96", "已废止的IPv4兼容地址", "a deprecated IPv4-compatible address", "RFC 4291"),
    _entry("::/3", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("4000::/2", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("8000::/2", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("c000::/3", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("e000::/4", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("f000::/5", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("f800::/6", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("fe00::/9", "IETF保留地址", "reserved by the IETF", "RFC 4291"),
    _entry("fec0::/10", "已废止的站点本地地址", "a deprecated site-local address", "RFC 3879"),
    _entry("ff00::/8", "组播地址", "a multicast address", "RFC 4291"),
)

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
COMPATIBLE = ipaddress.IPv6Network("::/96")


def special(address: IpAddress) -> Special | None:
    """The most specific registry entry `address` falls in, if any."""
    table = IPV4 if address.version == 4 else IPV6
    hits = [entry for entry in table if address in entry.network]
    return max(hits, key=lambda entry: entry.network.prefixlen, default=None)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a mapped or transition form carries: IPv4-mapped, NAT64,
    IPv4-compatible, 6to4, and Teredo's server and client."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in NAT64 or (address in COMPATIBLE and int(address) > 1):
        found.append(low32)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a webhook may not go to `address`: the entry it (or the IPv4 it embeds) falls in."""

    address: IpAddress
    entry: Special
    embedded: ipaddress.IPv4Address | None = None

    def reason(self, host: str) -> tuple[str, str]:
        """The reason in Chinese and in English, naming `host` when it is a name."""
        entry, address = self.entry, self.address
        literal = host == str(address)
        zh = f"地址{address}" if literal else f"{host} 解析为 {address}"
        en = f"the address {address}" if literal else f"{host} resolves to {address}"
        if self.embedded is not None:
            zh += f"，其内嵌的IPv4地址{self.embedded}属于{entry.zh}（{entry.rfc}）"
            en += f", which embeds the IPv4 address {self.embedded}, {entry.en} ({entry.rfc})"
        else:
            zh += f"，该地址属于{entry.zh}（{entry.rfc}）"
            en += f", {entry.en} ({entry.rfc})"
        return zh + "，Webhook只能发往公网地址", en + "; webhooks go to public addresses only"


def refusal(address: IpAddress, allowed: Sequence[IpNetwork] = ()) -> Refusal | None:
    """Why a webhook may not go to `address`, or None: an address in an allowed network may;
    else a mapped or transition form is judged by the IPv4 it embeds and by its own entry."""
    if within(address, allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        for inner in embedded_ipv4(address):
            entry = special(inner)
            if entry is not None and entry.refused and not within(inner, allowed):
                return Refusal(address, entry, inner)
    entry = special(address)
    return Refusal(address, entry) if entry is not None and entry.refused else None


def parse_networks(values: str | Iterable[str]) -> tuple[IpNetwork, ...]:
    """Comma-separated networks (`10.0.0.0/8,fd00::/8`); raises ValueError for a bad one."""
    parts = values.split(",") if isinstance(values, str) else values
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in parts if v.strip())


def within(address: IpAddress, networks: Sequence[IpNetwork]) -> bool:
    return any(address in network for network in networks)
