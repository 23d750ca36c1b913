"""Accounts, sessions and failed sign-ins in the portal's database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from portal.adapters.tables import accounts, oidc_requests, sessions, sign_in_failures
from portal.domain.accounts import Account
from supportmatch_core.auth import Role


def _account(row: Any) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        display_name=row.display_name,
        language=row.language,
        uscc=row.uscc,
        provinces=frozenset(row.provinces or ()),
    )


def _named(username: str) -> Any:
    return accounts.c.username == username.strip().lower()


def by_username(connection: Connection, username: str) -> tuple[Account, str | None] | None:
    """The enabled account named `username` and its password hash."""
    row = connection.execute(
        select(accounts).where(_named(username), accounts.c.disabled_at.is_(None))
    ).first()
    return None if row is None else (_account(row), row.password_hash)


def caseworkers(connection: Connection) -> list[tuple[Account, bool]]:
    """Every caseworker account, and whether it is enabled."""
    c = accounts.c
    rows = connection.execute(
        select(accounts).where(c.role == Role.CASEWORKER.value).order_by(c.id)
    )
    return [(_account(row), row.disabled_at is None) for row in rows]


def taken(connection: Connection, username: str) -> bool:
    """Whether an account, enabled or disabled, already has this name."""
    return connection.execute(select(accounts.c.id).where(_named(username))).first() is not None


def disable(connection: Connection, username: str, now: datetime) -> bool | None:
    """Disable the account and end its sessions; None when there is no such account, False when
    it was disabled already."""
    row = connection.execute(
        select(accounts.c.id, accounts.c.disabled_at).where(_named(username))
    ).first()
    if row is None:
        return None
    connection.execute(delete(sessions).where(sessions.c.account_id == row.id))
    if row.disabled_at is not None:
        return False
    connection.execute(update(accounts).where(accounts.c.id == row.id).values(disabled_at=now))
    return True


def add(
    connection: Connection, *, account: Account, password_hash: str | None, now: datetime
) -> Account:
    new_id = connection.execute(
        insert(accounts).values(
            username=account.username.strip().lower(),
            password_hash=password_hash,
            role=account.role.value,
            display_name=account.display_name,
            uscc=account.uscc,
            provinces=sorted(account.provinces),
            language=account.language,
            created_at=now,
        )
    ).inserted_primary_key
    assert new_id is not None
    return by_username(connection, account.username)[0]  # type: ignore[index]


def set_language(connection: Connection, account_id: int, language: str) -> None:
    connection.execute(
        update(accounts).where(accounts.c.id == account_id).values(language=language)
    )


def open_session(connection: Connection, *, digest: str, account_id: int, now: datetime) -> None:
    connection.execute(
        insert(sessions).values(
            token_digest=digest, account_id=account_id, created_at=now, last_seen_at=now
        )
    )


def session(connection: Connection, digest: str) -> tuple[Account, datetime, datetime] | None:
    """The account of the session with `digest`, its start and when it was last seen."""
    row = connection.execute(
        select(accounts, sessions.c.created_at.label("opened"), sessions.c.last_seen_at)
        .join(sessions, sessions.c.account_id == accounts.c.id)
        .where(sessions.c.token_digest == digest, accounts.c.disabled_at.is_(None))
    ).first()
    return None if row is None else (_account(row), row.opened, row.last_seen_at)


def touch_session(connection: Connection, digest: str, now: datetime) -> None:
    connection.execute(
        update(sessions).where(sessions.c.token_digest == digest).values(last_seen_at=now)
    )


def close_session(connection: Connection, digest: str) -> None:
    connection.execute(delete(sessions).where(sessions.c.token_digest == digest))


def failures(connection: Connection, keys: list[str], since: datetime) -> dict[str, list[datetime]]:
    rows = connection.execute(
        select(sign_in_failures.c.key, sign_in_failures.c.at).where(
            sign_in_failures.c.key.in_(keys), sign_in_failures.c.at > since
        )
    )
    found: dict[str, list[datetime]] = {key: [] for key in keys}
    for row in rows:
        found[row.key].append(row.at)
    return found


def record_failure(connection: Connection, keys: list[str], now: datetime) -> None:
    connection.execute(insert(sign_in_failures), [{"key": key, "at": now} for key in keys])


def forget_failures(connection: Connection, key: str) -> None:
    connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))


def prune(connection: Connection, *, failures_before: datetime, sessions_before: datetime) -> None:
    """Drop failures out of every window and sessions idle past any limit."""
    connection.execute(delete(sign_in_failures).where(sign_in_failures.c.at < failures_before))
    connection.execute(delete(sessions).where(sessions.c.last_seen_at < sessions_before))
    connection.execute(delete(oidc_requests).where(oidc_requests.c.created_at < sessions_before))


def save_oidc_request(
    connection: Connection, *, state: str, nonce: str, verifier: str, now: datetime
) -> None:
    connection.execute(
        insert(oidc_requests).values(
            state=state, nonce=nonce, code_verifier=verifier, created_at=now
        )
    )


def take_oidc_request(connection: Connection, state: str) -> tuple[str, str, datetime] | None:
    """The nonce, verifier and start of the pending sign-in `state`, used up by reading it."""
    row = connection.execute(select(oidc_requests).where(oidc_requests.c.state == state)).first()
    if row is None:
        return None
    connection.execute(delete(oidc_requests).where(oidc_requests.c.state == state))
    return row.nonce, row.code_verifier, row.created_at
