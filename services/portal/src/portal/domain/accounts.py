"""Portal accounts: who may sign in, with which role, bound to which firm or provinces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from supportmatch_core.access import visible_to
from supportmatch_core.auth import Principal, Role
from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.regions import UnknownProvince, parse_province

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
MIN_PASSWORD_LENGTH = 10
# Names people type and OpenID providers send (often an e-mail address); compared in lower case.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{2,99}")


class AccountInvalid(ValueError):
    """An account whose role and bindings do not fit together, or a password too weak."""


@dataclass(frozen=True, slots=True)
class Account:
    """A person who signs in: an enterprise (one USCC), a caseworker (provinces) or an admin."""

    id: int
    username: str
    role: Role
    display_name: str
    language: Language = "zh"
    uscc: str | None = None
    provinces: frozenset[str] = field(default_factory=frozenset)

    def may_open_firm(self, uscc: str) -> bool:
        """Whether the portal may even ask the services about `uscc` for this person, by the one
        rule of who may see a firm: an enterprise never gets past the portal with another firm's
        USCC; caseworkers are checked by the services, by the province they store for the firm."""
        return visible_to(self.principal).may_ask(uscc)

    @property
    def principal(self) -> Principal:
        return Principal(self.username, self.role, uscc=self.uscc, regions=self.provinces)

    @property
    def home(self) -> str:
        return f"/firms/{self.uscc}/measures" if self.role is Role.ENTERPRISE else "/firms"


def binding(
    role: Role, *, uscc: str | None, provinces: list[str]
) -> tuple[str | None, frozenset[str]]:
    """The checked (USCC, province codes) of an account with `role`."""
    if role is Role.ENTERPRISE:
        if not uscc or provinces:
            raise AccountInvalid("an enterprise account is bound to one USCC and no province")
        try:
            return uscc_codes.normalize(uscc), frozenset()
        except uscc_codes.InvalidUSCC as error:
            raise AccountInvalid(f"not a valid USCC: {error}") from error
    if uscc:
        raise AccountInvalid("only an enterprise account is bound to a USCC")
    if role is Role.CASEWORKER:
        if not provinces:
            raise AccountInvalid("a caseworker account is bound to at least one province")
        try:
            return None, frozenset(parse_province(p).code for p in provinces)
        except UnknownProvince as error:
            raise AccountInvalid(str(error)) from error
    if provinces:
        raise AccountInvalid("an admin account is bound to no province")
    return None, frozenset()


def username_of(text: str) -> str:
    """The account name as stored: trimmed and lower case, 3 to 100 letters, digits or . _ @ -."""
    name = text.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise AccountInvalid(
            "a user name has 3 to 100 characters: letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountInvalid(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
