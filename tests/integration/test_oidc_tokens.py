"""Tokens of an OpenID Connect issuer, verified against its JWKS as production does, on a local issuer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from profiles.app import build_app
from profiles.settings import ProfilesSettings
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.jwks import IssuerKeys, IssuerVerifier
from supportmatch_core.problems import ServiceUnavailable, Unauthorized
from tests.conftest import TEST_SECRET, Databases, free_port
from tests.integration.oidc_issuer import AUDIENCE, FakeIssuer, SigningKey, running


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rsa_key() -> SigningKey:
    return SigningKey.rsa("rsa-2026-01")


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return SigningKey.ec("ec-2026-01")


@pytest.fixture
def issuer(rsa_key: SigningKey, ec_key: SigningKey) -> Iterator[FakeIssuer]:
    with running(FakeIssuer([rsa_key, ec_key])) as served:
        yield served


def verifier(
    issuer: FakeIssuer, *, clock: Clock | None = None, internal: TokenService | None = None
) -> IssuerVerifier:
    keys = IssuerKeys(issuer=issuer.url, clock=clock or Clock(), max_age=600)
    return IssuerVerifier(keys=keys, audience=AUDIENCE, internal=internal)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header: dict[str, object], claims: dict[str, object], secret: bytes) -> str:
    """A token signed by hand, as an attacker would, so that no library refuses to make it."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
    return f"{signing_input}.{_b64(signature)}"


def test_rs256_and_es256_tokens_of_the_issuer_are_accepted(
    issuer: FakeIssuer, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    tokens = verifier(issuer)
    caseworker = tokens.verify(issuer.sign(rsa_key, role="caseworker", regions=["44", "33"]))
    assert caseworker.role is Role.CASEWORKER
    assert caseworker.regions == {"44", "33"}
    firm = tokens.verify(issuer.sign(ec_key, role="enterprise", uscc="914403001922038216"))
    assert (firm.role, firm.uscc) == (Role.ENTERPRISE, "914403001922038216")
    assert issuer.jwks_requests == 1  # the keys were fetched once and kept


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"expires_in": timedelta(seconds=-1)}, "(?i)expired"),
        ({"audience": "another-api"}, "(?i)audience"),
        ({"issuer": "https://elsewhere.example.cn"}, "(?i)issuer"),
        ({"role": "superuser"}, "superuser"),
        ({"role": "enterprise"}, "uscc"),
    ],
)
def test_tokens_with_wrong_claims_are_refused(
    issuer: FakeIssuer, rsa_key: SigningKey, change: dict[str, object], reason: str
) -> None:
    token = issuer.sign(rsa_key, **change)  # type: ignore[arg-type]
    with pytest.raises(Unauthorized, match=reason):
        verifier(issuer).verify(token)


def test_a_key_the_issuer_does_not_publish_is_refused_and_looked_up_once_per_interval(
    issuer: FakeIssuer,
) -> None:
    clock = Clock()
    tokens = verifier(issuer, clock=clock)
    stranger = SigningKey.ec("not-published")
    for _ in range(3):
        with pytest.raises(Unauthorized, match="does not publish"):
            tokens.verify(issuer.sign(stranger))
    assert issuer.jwks_requests == 1  # made-up kids do not make us hammer the issuer
    clock.now += 31
    with pytest.raises(Unauthorized):
        tokens.verify(issuer.sign(stranger))
    assert issuer.jwks_requests == 2


def test_a_rotated_in_key_is_fetched_when_a_token_names_it(
    issuer: FakeIssuer, rsa_key: SigningKey
) -> None:
    clock = Clock()
    tokens = verifier(issuer, clock=clock)
    tokens.verify(issuer.sign(rsa_key))
    successor = SigningKey.rsa("rsa-2026-02")
    issuer.keys.append(successor)
    clock.now += 31
    assert tokens.verify(issuer.sign(successor)).role is Role.ADMIN
    assert issuer.jwks_requests == 2


def test_a_retired_key_stops_working_once_the_cached_keys_age_out(
    issuer: FakeIssuer, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    clock = Clock()
    tokens = verifier(issuer, clock=clock)
    token = issuer.sign(rsa_key)
    tokens.verify(token)
    issuer.keys.remove(rsa_key)
    clock.now += 601
    with pytest.raises(Unauthorized, match="does not publish"):
        tokens.verify(token)
    assert tokens.verify(issuer.sign(ec_key)).role is Role.ADMIN


def test_unsigned_tokens_are_refused(issuer: FakeIssuer) -> None:
    claims = {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "role": "admin", "exp": 2**40}
    with pytest.raises(Unauthorized, match="'none' is not accepted"):
        verifier(issuer).verify(forged({"alg": "none", "kid": "rsa-2026-01"}, claims, b""))


@pytest.mark.parametrize("with_platform_key", [False, True])
def test_hs256_signed_with_the_published_public_key_is_refused(
    issuer: FakeIssuer, rsa_key: SigningKey, with_platform_key: bool
) -> None:
    public_pem = rsa_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "role": "admin", "exp": 2**40}
    token = forged({"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}, claims, public_pem)
    internal = TokenService(TEST_SECRET) if with_platform_key else None
    with pytest.raises(Unauthorized):
        verifier(issuer, internal=internal).verify(token)


def test_the_platforms_own_hs256_tokens_are_accepted_beside_the_issuers(
    issuer: FakeIssuer,
) -> None:
    internal = TokenService(TEST_SECRET)
    token = internal.issue(subject="portal:wang", role=Role.CASEWORKER, regions=["44"])
    principal = verifier(issuer, internal=internal).verify(token)
    assert (principal.subject, principal.regions) == ("portal:wang", frozenset({"44"}))


def test_an_unreachable_issuer_answers_unavailable_until_its_keys_were_fetched_once(
    rsa_key: SigningKey,
) -> None:
    clock = Clock()
    with running(FakeIssuer([rsa_key])) as issuer:
        token = issuer.sign(rsa_key)
        url = issuer.url
    keys = IssuerKeys(issuer=url, clock=clock, max_age=600)
    with pytest.raises(ServiceUnavailable):
        IssuerVerifier(keys=keys, audience=AUDIENCE).verify(token)

    with running(FakeIssuer([rsa_key])) as issuer:
        keys = IssuerKeys(issuer=issuer.url, clock=clock, max_age=600)
        tokens = IssuerVerifier(keys=keys, audience=AUDIENCE)
        tokens.verify(issuer.sign(rsa_key))
        token = issuer.sign(rsa_key)
    clock.now += 601  # stale, and the issuer is gone: the keys we have still verify
    assert tokens.verify(token).role is Role.ADMIN


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    issuer: FakeIssuer, rsa_key: SigningKey
) -> None:
    keys = IssuerKeys(issuer=issuer.url + "/", clock=Clock())
    with pytest.raises(ServiceUnavailable):
        IssuerVerifier(keys=keys, audience=AUDIENCE).verify(issuer.sign(rsa_key))


def test_a_service_configured_with_an_issuer_answers_its_tokens_and_refuses_others(
    issuer: FakeIssuer, ec_key: SigningKey, databases: Databases, tmp_path: Path
) -> None:
    url = databases.migrated("profiles")
    settings = ProfilesSettings(
        database_url=url,
        run_workers=False,
        port=free_port(),
        oidc_issuer=issuer.url,
        jwt_secret=TEST_SECRET,
    )
    with TestClient(build_app(settings)) as client:
        good = {"Authorization": f"Bearer {issuer.sign(ec_key)}"}
        assert client.get("/v1/enterprises", headers=good).status_code == 200
        expired = issuer.sign(ec_key, expires_in=timedelta(seconds=-5))
        answer = client.get("/v1/enterprises", headers={"Authorization": f"Bearer {expired}"})
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert "expired" in answer.json()["detail"]
