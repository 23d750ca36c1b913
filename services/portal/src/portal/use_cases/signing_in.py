"""Signing in with a password, keeping the session, signing out; failed attempts are rate-limited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.adapters import accounts as store
from portal.adapters.passwords import Passwords
from portal.domain.accounts import Account
from portal.domain.sessions import SessionRules, new_token, token_digest
from portal.domain.throttle import Throttle, account_key, address_key
from supportmatch_core.db import UnitOfWork


class WrongCredentials(Exception):
    """The name or the password is wrong (which one is not said)."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"retry after {retry_after}")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SignInLimits:
    per_account: Throttle
    per_address: Throttle


def sign_in(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    limits: SignInLimits,
    username: str,
    password: str,
    address: str,
    now: datetime,
) -> tuple[Account, str]:
    """The account and a new session token, or WrongCredentials / TooManyAttempts."""
    keys = [account_key(username), address_key(address)]
    window = max(limits.per_account.window, limits.per_address.window)
    with uow.read() as connection:
        seen = store.failures(connection, keys, now - window)
        found = store.by_username(connection, username)
    for key, throttle in zip(keys, (limits.per_account, limits.per_address), strict=True):
        wait = throttle.retry_after(seen[key], now)
        if wait is not None:
            raise TooManyAttempts(wait)
    account, stored = found if found else (None, None)
    if not passwords.verify(stored, password) or account is None:
        with uow.begin() as connection:
            store.record_failure(connection, keys, now)
        raise WrongCredentials
    token = new_token()
    with uow.begin() as connection:
        store.forget_failures(connection, keys[0])
        store.open_session(connection, digest=token_digest(token), account_id=account.id, now=now)
    return account, token


def open_session(*, uow: UnitOfWork, account: Account, now: datetime) -> str:
    """A new session for `account` (after an OpenID Connect sign-in)."""
    token = new_token()
    with uow.begin() as connection:
        store.open_session(connection, digest=token_digest(token), account_id=account.id, now=now)
    return token


def signed_in(
    *, uow: UnitOfWork, rules: SessionRules, token: str | None, now: datetime
) -> Account | None:
    """The account of a live session, or None when there is none or it has expired."""
    if not token:
        return None
    digest = token_digest(token)
    with uow.read() as connection:
        found = store.session(connection, digest)
    if found is None:
        return None
    account, opened, last_seen = found
    if rules.expired(created_at=opened, last_seen_at=last_seen, now=now):
        with uow.begin() as connection:
            store.close_session(connection, digest)
        return None
    if rules.needs_touch(last_seen_at=last_seen, now=now):
        with uow.begin() as connection:
            store.touch_session(connection, digest, now)
    return account


def sign_out(*, uow: UnitOfWork, token: str | None) -> None:
    if token:
        with uow.begin() as connection:
            store.close_session(connection, token_digest(token))


def choose_language(*, uow: UnitOfWork, account: Account | None, language: str) -> None:
    """Keep the language of a signed-in person with their account."""
    if account is not None:
        with uow.begin() as connection:
            store.set_language(connection, account.id, language)


def prune(*, uow: UnitOfWork, limits: SignInLimits, rules: SessionRules, now: datetime) -> None:
    window = max(limits.per_account.window, limits.per_address.window)
    with uow.begin() as connection:
        store.prune(
            connection,
            failures_before=now - window,
            sessions_before=now - max(rules.idle, timedelta(minutes=10)),
        )
