"""Single sign-on through OpenID Connect, end to end on 127.0.0.1: the portal, served by uvicorn,
signs a person in through a local OpenID provider (state, PKCE S256, nonce, the ID token checked
against the provider's keys), and refuses every way the exchange can be wrong."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn

from portal.app import build_app
from portal.settings import PortalSettings
from portal.use_cases.accounts import create_account
from supportmatch_core.auth import Role
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.conftest import TEST_SECRET, Databases, free_port
from tests.factories import new_uscc
from tests.passwords import cheap_passwords
from tests.security.oidc_issuer import FakeIssuer, new_key

FIRM = new_uscc("44")
SIGNED_IN = "当前用户：华力科技"
REFUSED = "统一身份认证登录未完成，请重试。"


@dataclass
class Portal:
    url: str
    issuer: FakeIssuer


@pytest.fixture
def portal(databases: Databases) -> Iterator[Portal]:
    url = databases.url("portal")
    upgrade_to_head("portal", url)
    engine = create_database_engine(url)
    create_account(
        uow=UnitOfWork(engine), passwords=cheap_passwords(), username="li.hua", password=None,
        role=Role.ENTERPRISE, display_name="华力科技", uscc=FIRM, now=datetime.now(UTC),
    )  # fmt: skip
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    issuer = FakeIssuer("portal-client", "portal-secret", f"{base}/sign-in/oidc/callback")
    settings = PortalSettings(
        database_url=url,
        jwt_secret=TEST_SECRET,
        cookie_secure=False,
        port=port,
        profiles_url="http://127.0.0.1:9",  # nothing answers: sign-in needs no other service
        eligibility_url="http://127.0.0.1:9",
        notifications_url="http://127.0.0.1:9",
        oidc_issuer=issuer.url,
        oidc_client_id="portal-client",
        oidc_client_secret="portal-secret",
        oidc_redirect_url=issuer.redirect_uri,
        run_workers=False,
    )
    config = uvicorn.Config(build_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the portal did not start"
    yield Portal(base, issuer)
    server.should_exit = True
    thread.join(10)
    issuer.close()


def browser() -> httpx.Client:
    """A browser's cookie jar, following no redirect on its own so each hop can be checked."""
    return httpx.Client(timeout=10, follow_redirects=False)


def to_provider(client: httpx.Client, portal: Portal) -> str:
    """Press "sign in with single sign-on": the provider's authorization URL the portal sends to."""
    answer = client.get(f"{portal.url}/sign-in/oidc")
    assert answer.status_code == 303
    target = answer.headers["location"]
    assert target.startswith(f"{portal.issuer.url}/authorize?")
    return target


def back_from_provider(client: httpx.Client, portal: Portal) -> str:
    """The provider signs the person in: the callback URL it sends the browser back to."""
    answer = client.get(to_provider(client, portal))
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def signed_in(client: httpx.Client, portal: Portal) -> bool:
    return SIGNED_IN in client.get(f"{portal.url}/").text


def test_a_person_signs_in_through_the_provider(portal: Portal) -> None:
    with browser() as client:
        authorize = to_provider(client, portal)
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
        assert query["code_challenge_method"] == "S256"
        assert len(query["state"]) >= 32
        assert len(query["nonce"]) >= 32
        callback = client.get(authorize).headers["location"]
        assert callback.startswith(f"{portal.url}/sign-in/oidc/callback?code=")
        answer = client.get(callback)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/firms/{FIRM}/measures"
        assert "sm_session" in answer.cookies
        assert signed_in(client, portal)
    # The provider checked the client's secret and the PKCE verifier before it answered.
    assert portal.issuer.tokens_issued == 1
    assert portal.issuer.refusals == []


def test_a_state_that_is_not_this_browsers_is_refused(portal: Portal) -> None:
    with browser() as client, browser() as other:
        callback = back_from_provider(client, portal)
        parts = urlsplit(callback)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        forged = f"{parts.scheme}://{parts.netloc}{parts.path}?" + urlencode(
            {**query, "state": query["state"][:-2] + "xx"}
        )
        refused = client.get(forged)
        assert refused.status_code == 403
        assert REFUSED in refused.text
        # Another browser cannot finish a sign-in this one started (no login CSRF).
        assert other.get(callback).status_code == 403
        assert not signed_in(other, portal)
    assert portal.issuer.tokens_issued == 0  # refused before the code was ever exchanged


def test_a_code_is_good_for_one_sign_in(portal: Portal) -> None:
    with browser() as client:
        callback = back_from_provider(client, portal)
        assert client.get(callback).status_code == 303
    with browser() as client:
        # The same answer again: its state was used up by the first sign-in.
        client.get(f"{portal.url}/sign-in/oidc")
        assert client.get(callback).status_code == 403
    with browser() as client:
        # The old code under a fresh state of this browser: the provider refuses it.
        fresh = back_from_provider(client, portal)
        old_code = parse_qs(urlsplit(callback).query)["code"][0]
        replay = fresh.replace(parse_qs(urlsplit(fresh).query)["code"][0], old_code)
        refused = client.get(replay)
        assert refused.status_code == 403
        assert "sm_session" not in refused.cookies
        assert not signed_in(client, portal)
    assert portal.issuer.refusals == ["invalid_grant: code used already"]


@pytest.mark.parametrize(
    "wrong",
    [
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1/elsewhere"},
        {"nonce": "a-nonce-of-another-sign-in"},
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 600},
        "signed with another key",
    ],
    ids=["audience", "issuer", "nonce", "expired", "signature"],
)
def test_an_id_token_that_does_not_prove_the_sign_in_is_refused(
    portal: Portal, wrong: dict[str, object] | str
) -> None:
    if isinstance(wrong, dict):
        portal.issuer.next_claims = wrong
    else:
        portal.issuer.next_key = new_key()
    with browser() as client:
        refused = client.get(back_from_provider(client, portal))
        assert refused.status_code == 403
        assert REFUSED in refused.text
        assert "sm_session" not in refused.cookies
        assert not signed_in(client, portal)
    assert portal.issuer.tokens_issued == 1


def test_an_identity_without_a_portal_account_is_refused(portal: Portal) -> None:
    portal.issuer.username = "wang.wu"
    with browser() as client:
        refused = client.get(back_from_provider(client, portal))
        assert refused.status_code == 403
        assert "该身份尚未开通本平台账号，请联系服务中心。" in refused.text
        assert not signed_in(client, portal)
