"""JWT bearer authentication and role-based access to enterprises, as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Protocol

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


class TokenVerifier(Protocol):
    """Turns a bearer token into the caller, or raises Unauthorized."""

    def verify(self, token: str) -> Principal: ...


# Claims every token must carry, whoever signed it.
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub", "role"]


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The caller that verified `claims` describe: role, and the USCC or provinces it covers."""
    try:
        role = Role(claims["role"])
    except ValueError as error:
        raise Unauthorized(f"invalid token: {error}", zh="身份令牌无效") from error
    uscc, regions = claims.get("uscc"), claims.get("regions", [])
    if role is Role.ENTERPRISE and not uscc:
        raise Unauthorized(
            "an enterprise token must carry the enterprise's uscc",
            zh="企业身份令牌须包含统一社会信用代码",
        )
    # A string would read as a set of its characters, a number would not read at all.
    if not isinstance(uscc, str | None) or not (
        isinstance(regions, list) and all(isinstance(r, str) for r in regions)
    ):
        raise Unauthorized(
            "invalid token: uscc must be text and regions a list of codes", zh="身份令牌无效"
        )
    return Principal(subject=str(claims["sub"]), role=role, uscc=uscc, regions=frozenset(regions))


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
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError as error:
            raise Unauthorized(f"invalid token: {error}", zh="身份令牌无效") from error
        return principal_from_claims(claims)


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required", zh="需要身份令牌")
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Any:
    """A dependency that admits only callers with one of `roles`."""

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"this needs the role {' or '.join(r.value for r in roles)}",
                zh="您的角色无权执行此操作",
            )
        return principal

    return Depends(check)
