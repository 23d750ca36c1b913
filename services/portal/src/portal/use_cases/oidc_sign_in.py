"""Signing in through OpenID Connect: the identity proves who it is; the portal's account says
what they may do (an identity without an account is refused)."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.adapters import accounts as store
from portal.adapters.oidc import OidcFailed, OidcProvider
from portal.domain.accounts import Account
from portal.domain.pkce import code_challenge, code_verifier, random_value
from supportmatch_core.db import UnitOfWork

PENDING_FOR = timedelta(minutes=10)


class NoAccount(Exception):
    """The provider vouched for someone who has no account on the platform."""


def begin(*, uow: UnitOfWork, provider: OidcProvider, now: datetime) -> tuple[str, str]:
    """The provider's authorization URL and the state that comes back with the code."""
    state, nonce, verifier = random_value(), random_value(), code_verifier()
    with uow.begin() as connection:
        store.save_oidc_request(connection, state=state, nonce=nonce, verifier=verifier, now=now)
    url = provider.authorization_url(state=state, nonce=nonce, challenge=code_challenge(verifier))
    return url, state


def complete(
    *, uow: UnitOfWork, provider: OidcProvider, state: str, code: str, now: datetime
) -> Account:
    """The account of the person the provider signed in, once; a state is used up when read."""
    with uow.begin() as connection:
        pending = store.take_oidc_request(connection, state)
    if pending is None:
        raise OidcFailed("unknown or used state")
    nonce, verifier, started = pending
    if now - started > PENDING_FOR:
        raise OidcFailed("the sign-in took too long")
    username = provider.username(code=code, verifier=verifier, nonce=nonce)
    with uow.read() as connection:
        found = store.by_username(connection, username)
    if found is None:
        raise NoAccount(username)
    return found[0]
