"""JWT bearer authentication and role-based access to enterprises, as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supportmatch_core.problems import Forbidden, Unauthorized


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an enterprise (its USCC), a caseworker (province codes) or an admin."""

    subject: str
    role: Role
    uscc: str | None = None
    regions: frozenset[str] = field(default_factory=frozenset)

    def may_access(self, *, uscc: str, province_code: str | None) -> bool:
        """Whether this caller may see or change the enterprise `uscc` in `province_code`."""
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.ENTERPRISE:
            return self.uscc == uscc
        return province_code is not None and province_code in self.regions


@dataclass(frozen=True, slots=True)
class TokenService:
    """Issues and verifies HS256 tokens with the platform's signing key."""

    secret: str
    issuer: str = "supportmatch"
    audience: str = "supportmatch"

    def issue(
        self,
        *,
        subject: str,
        role: Role,
        uscc: str | None = None,
        regions: list[str] | None = None,
        ttl: timedelta = timedelta(hours=12),
    ) -> str:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": subject,
            "role": role.value,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl,
        }
        if uscc:
            claims["uscc"] = uscc
        if regions:
            claims["regions"] = sorted(regions)
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "role"]},
            )
            role = Role(claims["role"])
        except (jwt.InvalidTokenError, ValueError) as error:
            raise Unauthorized(f"invalid token: {error}") from error
        uscc, regions = claims.get("uscc"), claims.get("regions", [])
        if role is Role.ENTERPRISE and not uscc:
            raise Unauthorized("an enterprise token must carry the enterprise's uscc")
        # A string would read as a set of its characters, a number would not read at all.
        if not isinstance(uscc, str | None) or not (
            isinstance(regions, list) and all(isinstance(r, str) for r in regions)
        ):
            raise Unauthorized("invalid token: uscc must be text and regions a list of codes")
        return Principal(
            subject=str(claims["sub"]), role=role, uscc=uscc, regions=frozenset(regions)
        )


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    tokens: TokenService = request.app.state.tokens
    return tokens.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Any:
    """A dependency that admits only callers with one of `roles`."""

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(r.value for r in roles)}")
        return principal

    return Depends(check)
