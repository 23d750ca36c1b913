"""Where webhooks may go, by address: every special-purpose block refused with its registry
entry named (in Chinese and English), mapped and transition forms judged by the IPv4 address
they carry, public and allowed addresses accepted. A fake resolver answers; nothing is sent."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from notifications.adapters.destinations import DestinationPolicy
from notifications.domain.special_addresses import IPV4, IPV6, parse_networks, special
from notifications.domain.webhook_urls import RefusedDestination

URL = "https://hooks.example.com/x"


def policy(*answers: str, allowed: str = "") -> DestinationPolicy:
    return DestinationPolicy(
        allowed=parse_networks(allowed), resolver=lambda host, port: [*answers]
    )


# (address hooks.example.com resolves to, registry RFC, words of the Chinese and English reason)
REFUSED = [
    ("0.1.2.3", "RFC 791", "“本网络”地址", '"this network"'),
    ("0.0.0.0", "RFC 1122", "“本网络本主机”地址", "this host on this network"),  # noqa: S104
    ("10.1.2.3", "RFC 1918", "私有地址", "private-use"),
    ("172.16.0.9", "RFC 1918", "私有地址", "private-use"),
    ("172.31.255.255", "RFC 1918", "私有地址", "private-use"),
    ("192.168.1.1", "RFC 1918", "私有地址", "private-use"),
    ("100.64.0.1", "RFC 6598", "运营商级NAT共享地址", "carrier-grade NAT"),
    ("100.127.255.254", "RFC 6598", "运营商级NAT共享地址", "carrier-grade NAT"),
    ("127.0.0.1", "RFC 1122", "本机回环地址", "loopback"),
    ("127.255.255.254", "RFC 1122", "本机回环地址", "loopback"),
    ("169.254.169.254", "RFC 3927", "云主机元数据", "cloud instance metadata"),
    ("192.0.0.1", "RFC 7335", "IPv4服务延续前缀", "service continuity"),
    ("192.0.0.8", "RFC 7600", "IPv4占位地址", "dummy"),
    ("192.0.0.9", "RFC 7723", "端口控制协议任播", "Port Control Protocol"),
    ("192.0.0.10", "RFC 8155", "TURN中继任播", "TURN anycast"),
    ("192.0.0.170", "RFC 8880", "NAT64/DNS64发现", "NAT64/DNS64 discovery"),
    ("192.0.0.200", "RFC 6890", "IETF协议分配", "IETF protocol assignment"),
    ("192.0.2.10", "RFC 5737", "TEST-NET-1文档示例", "TEST-NET-1 documentation"),
    ("192.31.196.1", "RFC 7535", "AS112", "AS112 service"),
    ("192.52.193.1", "RFC 7450", "AMT", "AMT relay"),
    ("192.88.99.1", "RFC 7526", "已废止的6to4中继", "deprecated 6to4 relay"),
    ("192.88.99.2", "RFC 6751", "6a44中继", "6a44 relay"),
    ("192.175.48.1", "RFC 7534", "AS112直接委派", "AS112 direct delegation"),
    ("198.18.0.1", "RFC 2544", "基准测试", "benchmarking"),
    ("198.19.255.255", "RFC 2544", "基准测试", "benchmarking"),
    ("198.51.100.7", "RFC 5737", "TEST-NET-2文档示例", "TEST-NET-2 documentation"),
    ("203.0.113.5", "RFC 5737", "TEST-NET-3文档示例", "TEST-NET-3 documentation"),
    ("240.0.0.1", "RFC 1112", "保留地址", "reserved"),
    ("255.255.255.255", "RFC 919", "受限广播", "limited broadcast"),
    ("224.0.0.251", "RFC 5771", "组播地址", "multicast"),
    ("239.255.255.250", "RFC 5771", "组播地址", "multicast"),
    ("::", "RFC 4291", "未指定地址", "unspecified"),
    ("::1", "RFC 4291", "本机回环地址", "loopback"),
    ("::ffff:8.8.8.8", "RFC 4291", "IPv4映射地址", "IPv4-mapped"),
    ("::ffff:169.254.169.254", "RFC 3927", "内嵌的IPv4地址169.254.169.254", "embeds the IPv4"),
    ("::7f00:1", "RFC 1122", "内嵌的IPv4地址127.0.0.1", "embeds the IPv4 address 127.0.0.1"),
    ("::808:808", "RFC 4291", "已废止的IPv4兼容地址", "IPv4-compatible"),
    ("64:ff9b::7f00:1", "RFC 1122", "内嵌的IPv4地址127.0.0.1", "127.0.0.1, a loopback"),
    ("64:ff9b::a9fe:a9fe", "RFC 3927", "内嵌的IPv4地址169.254.169.254", "link-local"),
    ("64:ff9b::a00:1", "RFC 1918", "内嵌的IPv4地址10.0.0.1", "private-use"),
    ("64:ff9b:1::808:808", "RFC 8215", "本地使用的NAT64前缀", "local-use NAT64"),
    ("100::1", "RFC 6666", "丢弃专用前缀", "discard-only"),
    ("100:0:0:1::1", "RFC 9780", "IPv6占位前缀", "dummy IPv6 prefix"),
    ("2001:0:808:808::80ff:fffe", "RFC 1122", "内嵌的IPv4地址127.0.0.1", "127.0.0.1, a loopback"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "RFC 5737", "192.0.2.45", "192.0.2.45"),
    ("2001:0:808:808::f7f7:f7f7", "RFC 4380", "Teredo隧道地址", "Teredo tunnelling"),
    ("2001:0:a00:1::f7f7:f7f7", "RFC 1918", "内嵌的IPv4地址10.0.0.1", "private-use"),
    ("2001:1::1", "RFC 7723", "端口控制协议任播", "Port Control Protocol"),
    ("2001:1::2", "RFC 8155", "TURN中继任播", "TURN anycast"),
    ("2001:1::3", "RFC 9665", "DNS-SD服务注册任播", "DNS-SD registration"),
    ("2001:2::1", "RFC 5180", "基准测试", "benchmarking"),
    ("2001:3::1", "RFC 7450", "AMT", "AMT relay"),
    ("2001:4:112::1", "RFC 7535", "AS112", "AS112 service"),
    ("2001:10::1", "RFC 4843", "已废止的ORCHID", "deprecated ORCHID"),
    ("2001:20::1", "RFC 7343", "ORCHIDv2", "ORCHIDv2"),
    ("2001:30::1", "RFC 9374", "无人机远程识别", "drone remote ID"),
    ("2001:100::1", "RFC 2928", "IETF协议分配", "IETF protocol assignment"),
    ("2001:db8::1", "RFC 3849", "文档示例地址", "documentation"),
    ("2002:7f00:1::1", "RFC 1122", "内嵌的IPv4地址127.0.0.1", "embeds the IPv4 address"),
    ("2002:a9fe:a9fe::1", "RFC 3927", "内嵌的IPv4地址169.254.169.254", "link-local"),
    ("2002:808:808::1", "RFC 3056", "6to4隧道地址", "6to4 tunnelling"),
    ("2620:4f:8000::1", "RFC 7534", "AS112直接委派", "AS112 direct delegation"),
    ("3fff::1", "RFC 9637", "文档示例地址", "documentation"),
    ("5f00::1", "RFC 9602", "SRv6段标识", "SRv6"),
    ("fc00::1", "RFC 4193", "唯一本地地址", "unique local"),
    ("fd12:3456::1", "RFC 4193", "唯一本地地址", "unique local"),
    ("fe80::1", "RFC 4291", "链路本地地址", "link-local"),
    ("fec0::1", "RFC 3879", "已废止的站点本地地址", "site-local"),
    ("ff02::1", "RFC 4291", "组播地址", "multicast"),
    ("1000::1", "RFC 4291", "IETF保留地址", "reserved by the IETF"),
    ("4000::1", "RFC 4291", "IETF保留地址", "reserved by the IETF"),
    ("fe00::1", "RFC 4291", "IETF保留地址", "reserved by the IETF"),
]


@pytest.mark.parametrize(("address", "rfc", "zh", "en"), REFUSED, ids=[r[0] for r in REFUSED])
def test_an_address_in_a_special_purpose_block_is_refused_naming_the_entry(
    address: str, rfc: str, zh: str, en: str
) -> None:
    with pytest.raises(RefusedDestination) as refused:
        policy(address).check(URL)
    assert refused.value.zh.startswith(f"hooks.example.com 解析为 {ip_address(address)}")
    assert f"（{rfc}）" in refused.value.zh
    assert zh in refused.value.zh
    assert refused.value.zh.endswith("Webhook只能发往公网地址")
    assert f"({rfc})" in refused.value.en
    assert en in refused.value.en
    assert refused.value.en.endswith("webhooks go to public addresses only")
    assert str(refused.value) == f"{refused.value.zh} / {refused.value.en}"


# Public addresses, the nearest neighbours of special blocks among them, and NAT64 to a public one.
ACCEPTED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "11.0.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.1",
    "192.0.1.1",
    "192.88.98.255",
    "198.17.255.255",
    "198.20.0.1",
    "223.255.255.255",
    "2606:4700::1111",
    "2a00:1450:4001::1",
    "2001:200::1",
    "3ffe::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", ACCEPTED)
def test_a_public_address_is_accepted(address: str) -> None:
    destination = policy(address).check(URL)
    assert [str(a) for a in destination.addresses] == [address]
    assert destination.url.url == URL


def test_one_special_address_among_public_ones_refuses_the_name() -> None:
    with pytest.raises(RefusedDestination, match=r"10\.0\.0\.1"):
        policy("93.184.216.34", "2606:4700::1111", "10.0.0.1").check(URL)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("10.2.3.4", "10.0.0.0/8"),
        ("127.0.0.1", "127.0.0.0/8"),
        ("fd00::5", "fd00::/8"),
        ("100.64.7.7", " 192.168.0.0/16 , 100.64.0.0/10 "),
        ("64:ff9b::a00:1", "10.0.0.0/8"),  # through NAT64 to an allowed IPv4 network
    ],
)
def test_a_configured_network_is_allowed(address: str, allowed: str) -> None:
    assert [str(a) for a in policy(address, allowed=allowed).check(URL).addresses] == [address]


def test_an_allowed_network_admits_only_itself() -> None:
    with pytest.raises(RefusedDestination, match="RFC 1918"):
        policy("10.0.0.1", "192.168.0.1", allowed="192.168.0.0/16").check(URL)
    # A mapped or 6to4 form of an allowed address is still refused by its own entry.
    for address in ("::ffff:10.0.0.1", "2002:a00:1::1"):
        with pytest.raises(RefusedDestination, match="RFC"):
            policy(address, allowed="10.0.0.0/8").check(URL)


def test_the_registries_name_every_entry_with_its_rfc_and_the_most_specific_entry_wins() -> None:
    for entry in (*IPV4, *IPV6):
        assert entry.rfc.startswith("RFC ")
        assert entry.zh
        assert entry.en
    assert len({e.network for e in (*IPV4, *IPV6)}) == len(IPV4) + len(IPV6)
    passing = [str(e.network) for e in (*IPV4, *IPV6) if not e.refused]
    assert passing == ["64:ff9b::/96"]
    pcp, deprecated = special(ip_address("192.0.0.9")), special(ip_address("192.88.99.7"))
    assert pcp is not None
    assert pcp.rfc == "RFC 7723"
    assert deprecated is not None
    assert deprecated.rfc == "RFC 7526"
    assert deprecated.refused
    assert special(ip_address("93.184.216.34")) is None
