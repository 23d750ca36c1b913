"""Where webhooks may go, by URL: number forms, names that mean this machine, credentials,
backslashes, percent signs, zone ids, brackets, schemes, lengths and invisible characters are
refused with the reason; good URLs come back in one normal form; https and ports in production."""

from __future__ import annotations

import pytest

from notifications.adapters.destinations import DestinationPolicy
from notifications.domain.webhook_urls import RefusedDestination, UrlRules, parse_ports
from notifications.settings import NotificationsSettings

PUBLIC = "93.184.216.34"
NUMBER_FORM = ("四段十进制数字", "four decimal numbers")
LOOPBACK = ("本机回环地址（RFC 1122）", "a loopback address (RFC 1122)")
CREDENTIALS = ("用户名或密码", "may not carry credentials")
BACKSLASH = ("反斜杠", "backslash")
PERCENT = ("百分号编码或IPv6区域标识", "percent-encoding or an IPv6 zone id")
MALFORMED = ("网址格式有误", "malformed URL")
SCHEME = ("https:// 或 http://", "must be an http(s) URL")
NO_HOST = ("缺少主机名", "has no host")
BAD_NAME = ("主机名无效", "an invalid host name")
INVISIBLE = ("空白、控制或不可见字符", "whitespace or invisible characters")
TRAILING_DOT = ("末尾不能有点", "may not end with a dot")

REFUSED = [
    ("http://2130706433/", NUMBER_FORM),
    ("http://0177.0.0.1/", NUMBER_FORM),
    ("http://0x7f.1/", NUMBER_FORM),
    ("http://0x7f000001/", NUMBER_FORM),
    ("http://127.1/", NUMBER_FORM),
    ("http://127.0.0.01/", NUMBER_FORM),
    ("http://1.2.3.4.5/", NUMBER_FORM),
    ("http://256.1.1.1/", NUMBER_FORM),
    ("http://hooks.example.com./x", TRAILING_DOT),
    ("http://localhost./", TRAILING_DOT),
    ("http://localhost/", LOOPBACK),
    ("http://LocalHost:8080/x", LOOPBACK),
    ("http://api.localhost/", LOOPBACK),
    ("http://ＬＯＣＡＬＨＯＳＴ/", LOOPBACK),  # fullwidth letters, folded by IDNA
    ("http://１２７.０.０.１/", LOOPBACK),  # fullwidth digits, folded by IDNA
    ("http://127.0.0.1:8080/", LOOPBACK),
    ("http://[::1]/", ("本机回环地址（RFC 4291）", "a loopback address (RFC 4291)")),
    ("http://[::ffff:127.0.0.1]/", ("内嵌的IPv4地址127.0.0.1", "embeds the IPv4 address")),
    ("http://[::ffff:7f00:1]/", ("内嵌的IPv4地址127.0.0.1", "embeds the IPv4 address")),
    ("http://user:pw@hooks.example.com/", CREDENTIALS),
    ("http://hooks.example.com@127.0.0.1/", CREDENTIALS),
    ("http://@hooks.example.com/", CREDENTIALS),
    ("http://127.0.0.1#@hooks.example.com/", ("片段（#）", "no fragment")),
    ("http://hooks.example.com\\@127.0.0.1/", BACKSLASH),
    ("http://127.0.0.1\\hooks.example.com/", BACKSLASH),
    ("http://127.0.0.%31/", PERCENT),
    ("http://hooks%2eexample.com/", PERCENT),
    ("http://[fe80::1%25eth0]/", PERCENT),
    ("http://[::1/x", MALFORMED),
    ("http://[127.0.0.1]/", MALFORMED),
    ("http://[hooks.example.com]/", MALFORMED),
    ("http://hooks.example.com:port/", MALFORMED),
    ("http://hooks.example.com:99999/", MALFORMED),
    ("http://hooks.example.com:0/", ("端口0无效", "port 0")),
    ("http:///x", SCHEME),
    ("http://:443/x", NO_HOST),
    ("ftp://hooks.example.com/x", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("gopher://hooks.example.com/", SCHEME),
    ("javascript:alert(1)", SCHEME),
    ("hooks.example.com/x", SCHEME),
    ("//hooks.example.com/x", SCHEME),
    ("", SCHEME),
    ("http://" + "a" * 64 + ".example/", BAD_NAME),
    ("http://" + ("a" * 60 + ".") * 5 + "example/", BAD_NAME),
    ("http://under_score.example/", BAD_NAME),
    ("http://-lead.example/", BAD_NAME),
    ("http://hooks.example.com/x y", INVISIBLE),
    ("http://hooks.example.com/\tx", INVISIBLE),
    ("http://hooks.exa\nmple.com/", INVISIBLE),
    (" http://hooks.example.com/", INVISIBLE),
    ("http://hooks.example.com/\x00", INVISIBLE),
    ("http://hooks.example.com/\u202ex", INVISIBLE),  # a bidi override
    ("http://hooks\u200b.example.com/", INVISIBLE),  # a zero-width space
    ("http://hooks.example.com/" + "x" * 2000, ("超过2000个字符", "over 2000 characters")),
    ("http://xn--.example/", BAD_NAME),
    ("http://☃\u0301.example/", ("国际化域名无效", "an invalid internationalised name")),
]


class Resolver:
    """Answers a public address and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return [PUBLIC]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=range(len(REFUSED)))
def test_a_url_trick_is_refused_with_the_reason(url: str, reason: tuple[str, str]) -> None:
    resolver = Resolver()
    with pytest.raises(RefusedDestination) as refused:
        DestinationPolicy(resolver=resolver).check(url)
    zh, en = reason
    assert zh in refused.value.zh
    assert en in refused.value.en
    assert resolver.asked == []  # refused on its form, or a literal or name needing no lookup


ACCEPTED = [
    ("https://hooks.example.com/x", "https://hooks.example.com/x", "hooks.example.com"),
    ("HTTPS://Hooks.Example.COM:443/a?b=1", "https://hooks.example.com/a?b=1", "hooks.example.com"),
    ("http://hooks.example.com:80", "http://hooks.example.com/", "hooks.example.com"),
    ("https://hooks.example.com:08443/", "https://hooks.example.com:8443/", "hooks.example.com"),
    (
        "https://Bücher.example/ü?q=1",
        "https://xn--bcher-kva.example/ü?q=1",
        "xn--bcher-kva.example",
    ),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/", "xn--bcher-kva.example"),
    ("https://例子.测试/hook", "https://xn--fsqu00a.xn--0zwm56d/hook", "xn--fsqu00a.xn--0zwm56d"),
    ("https://a-b.c0.example/", "https://a-b.c0.example/", "a-b.c0.example"),
    ("https://1.2.3.example/", "https://1.2.3.example/", "1.2.3.example"),
]


@pytest.mark.parametrize(("url", "normal", "asked"), ACCEPTED)
def test_a_good_url_comes_back_in_its_normal_form(url: str, normal: str, asked: str) -> None:
    resolver = Resolver()
    destination = DestinationPolicy(resolver=resolver).check(url)
    assert destination.url.url == normal
    assert resolver.asked == [asked]
    assert [str(a) for a in destination.addresses] == [PUBLIC]


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("http://93.184.216.34:8080/x", "http://93.184.216.34:8080/x"),
        ("https://[2606:4700:0::1111]/x", "https://[2606:4700::1111]/x"),
        ("https://[64:ff9b::8.8.8.8]/", "https://[64:ff9b::808:808]/"),
    ],
)
def test_a_public_ip_literal_is_accepted_without_a_lookup(url: str, normal: str) -> None:
    resolver = Resolver()
    assert DestinationPolicy(resolver=resolver).check(url).url.url == normal
    assert resolver.asked == []


PRODUCTION = UrlRules(https_only=True, ports=parse_ports("443,8443"))


@pytest.mark.parametrize(
    ("url", "zh", "en"),
    [
        ("http://hooks.example.com/x", "必须使用https", "must use https"),
        ("https://hooks.example.com:8080/x", "端口8080不在允许的端口之列（443,8443）", "port 8080"),
        ("https://hooks.example.com:80/x", "端口80", "not among the allowed ports (443,8443)"),
    ],
)
def test_production_takes_https_on_the_listed_ports_only(url: str, zh: str, en: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        DestinationPolicy(rules=PRODUCTION, resolver=Resolver()).check(url)
    assert zh in refused.value.zh
    assert en in refused.value.en


def test_production_accepts_https_on_443_and_8443() -> None:
    policy = DestinationPolicy(rules=PRODUCTION, resolver=Resolver())
    assert policy.check("https://hooks.example.com/").url.port == 443
    assert policy.check("https://hooks.example.com:8443/").url.port == 8443


def test_the_port_and_network_settings_default_by_environment_and_refuse_typos() -> None:
    production = NotificationsSettings(
        environment="production",
        database_url="postgresql://notifications@db.internal/notifications",
        oidc_issuer="https://id.example.cn/realms/supportmatch",
    )
    assert production.webhook_allowed_ports == "443,8443"
    assert production.webhook_https_only
    development = NotificationsSettings(environment="development")
    assert development.webhook_allowed_ports == "1-65535"
    assert not development.webhook_https_only
    assert parse_ports(" 443, 9000-9100 ,") == ((443, 443), (9000, 9100))
    for ports in ("0", "443,70000", "9100-9000", "https"):
        with pytest.raises(ValueError, match="webhook_allowed_ports"):
            NotificationsSettings(webhook_allowed_ports=ports)
    with pytest.raises(ValueError, match="webhook_allowed_networks"):
        NotificationsSettings(webhook_allowed_networks="10.0.0.0/8,intranet")
