"""Creating and disabling accounts, and the demo accounts `make run` seeds."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from portal.adapters import accounts as store
from portal.adapters.passwords import Passwords
from portal.adapters.services import ServiceRefused, Services
from portal.domain.accounts import Account, binding, check_password, username_of
from portal.domain.demo import DEMO_ACCOUNTS, DEMO_FIRM, DEMO_USCC
from supportmatch_core.auth import Role
from supportmatch_core.db import UnitOfWork

log = logging.getLogger(__name__)


class AccountExists(Exception):
    """Another account, enabled or disabled, already has this name."""


class NoSuchAccount(Exception):
    """No account has this name."""


def create_account(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    username: str,
    password: str | None,
    role: Role,
    display_name: str,
    uscc: str | None = None,
    provinces: list[str] | None = None,
    now: datetime,
) -> Account:
    """A new account; without a password it signs in through OpenID Connect only."""
    name = username_of(username)
    uscc, codes = binding(role, uscc=uscc, provinces=provinces or [])
    if password is not None:
        check_password(password)
    account = Account(0, name, role, display_name.strip() or name, uscc=uscc, provinces=codes)
    hashed = passwords.hash(password) if password is not None else None
    try:
        with uow.begin() as connection:
            if store.taken(connection, name):
                raise AccountExists(name)
            return store.add(connection, account=account, password_hash=hashed, now=now)
    except IntegrityError as error:  # made by someone else between the check and the insert
        raise AccountExists(name) from error


def disable_account(*, uow: UnitOfWork, username: str, now: datetime) -> bool:
    """Refuse the account's sign-ins from now on and end its sessions; False if it already was."""
    with uow.begin() as connection:
        changed = store.disable(connection, username, now)
    if changed is None:
        raise NoSuchAccount(username)
    return changed


def seed_demo_accounts(*, uow: UnitOfWork, passwords: Passwords, now: datetime) -> None:
    """One account per role, made once; the README and the `ready` banner list them."""
    for demo in DEMO_ACCOUNTS:
        with uow.read() as connection:
            if store.taken(connection, demo.username):  # a disabled demo account stays disabled
                continue
        create_account(
            uow=uow,
            passwords=passwords,
            username=demo.username,
            password=demo.password,
            role=demo.role,
            display_name=demo.display_name,
            uscc=demo.uscc,
            provinces=list(demo.provinces),
            now=now,
        )


def register_caseworkers(
    *, uow: UnitOfWork, services: Services, known: dict[str, frozenset[str]]
) -> int:
    """Make each enabled caseworker a recipient of the notifications service with its provinces
    (its digest starts the day the account is made, not at its first sign-in), and a disabled
    one a recipient of no province (its digest stops); `known` holds whom this process told
    already, with which provinces. Returns how many were told."""
    with uow.read() as connection:
        found = store.caseworkers(connection)
    asked = 0
    for account, enabled in found:
        told = account if enabled else replace(account, provinces=frozenset())
        if known.get(told.username) == told.provinces:
            continue
        # Asking for its preferences as the caseworker creates the recipient or sets its provinces.
        try:
            services.call("notifications", "GET", "/v1/caseworkers/me/preferences", account=told)
        except ServiceRefused as error:  # this account only: the others are still told
            log.warning(
                "a caseworker was not registered with notifications",
                extra={"username": told.username, "status": error.status},
            )
            continue
        known[told.username] = told.provinces
        asked += 1
    if asked:
        log.info("caseworkers registered with notifications", extra={"count": asked})
    return asked


def register_demo_firm(services: Services) -> bool:
    """Register the demo enterprise's firm with profiles unless it is there; whether it is."""
    admin = services.admin_account()
    try:
        services.call("profiles", "GET", f"/v1/enterprises/{DEMO_USCC}", account=admin)
        return True
    except ServiceRefused as error:
        if error.status != 404:
            raise
    services.call("profiles", "POST", "/v1/enterprises", account=admin, json=DEMO_FIRM)
    log.info("demo firm registered", extra={"uscc": DEMO_USCC})
    return True
