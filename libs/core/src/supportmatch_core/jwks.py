"""Verifies tokens of an OpenID Connect issuer against its published keys (JWKS), in production."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from supportmatch_core.auth import (
    REQUIRED_CLAIMS,
    Principal,
    TokenService,
    TokenVerifier,
    principal_from_claims,
)
from supportmatch_core.problems import ServiceUnavailable, Unauthorized
from supportmatch_core.settings import OIDC_ALGORITHMS, ServiceSettings

log = logging.getLogger(__name__)


class KeysUnavailable(Exception):
    """The issuer's keys could not be fetched and none are cached."""


@dataclass
class IssuerKeys:
    """The signing keys of one issuer by `kid`: fetched on first use, fetched again when older
    than `max_age` and when a token names an unknown `kid` (a rotation), at most once per
    `min_refresh_seconds` so that made-up kids cannot flood the issuer."""

    issuer: str
    jwks_url: str = ""
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5.0))
    max_age: float = 3600.0
    min_refresh_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict, init=False)
    _fetched_at: float | None = field(default=None, init=False)
    _tried_at: float | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def key(self, kid: str) -> jwt.PyJWK | None:
        """The key `kid`, or None when the issuer does not publish it."""
        with self._lock:
            now = self.clock()
            stale = self._fetched_at is None or now - self._fetched_at > self.max_age
            unknown = kid not in self._keys
            may_retry = self._tried_at is None or now - self._tried_at >= self.min_refresh_seconds
            if (stale or unknown) and may_retry:
                self._refresh(now)
            if self._fetched_at is None:
                raise KeysUnavailable(f"no signing keys from {self.issuer} yet")
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        self._tried_at = now
        try:
            self._keys = self._fetch()
            self._fetched_at = now
        except (httpx.HTTPError, ValueError, jwt.PyJWKSetError) as error:
            # Keep serving the keys we have: an issuer outage must not sign everyone out.
            log.warning("cannot fetch the issuer's keys", extra={"error": repr(error)})

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        url = self.jwks_url or self._discover()
        document = self._get(url)
        keys = [k for k in document.get("keys", []) if k.get("use", "sig") == "sig" and "kid" in k]
        found: dict[str, jwt.PyJWK] = {}
        for data in keys:
            try:
                found[str(data["kid"])] = jwt.PyJWK(data)
            except jwt.PyJWKError as error:  # a key type we do not use; the others still count
                log.info("skipping a key", extra={"kid": data.get("kid"), "error": str(error)})
        return found

    def _discover(self) -> str:
        document = self._get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the same issuer.
        if document.get("issuer") != self.issuer:
            raise ValueError(f"the discovery document names issuer {document.get('issuer')!r}")
        return str(document["jwks_uri"])

    def _get(self, url: str) -> dict[str, Any]:
        answer = self.http.get(url, headers={"Accept": "application/json"})
        answer.raise_for_status()
        document = answer.json()
        if not isinstance(document, dict):
            raise ValueError(f"{url} did not answer a JSON object")
        return document


@dataclass(frozen=True)
class IssuerVerifier:
    """Accepts the issuer's RS256/ES256 tokens for `audience`, and, when `internal` is set, the
    platform's own HS256 tokens (the portal's calls on behalf of a signed-in person)."""

    keys: IssuerKeys
    audience: str
    algorithms: frozenset[str] = OIDC_ALGORITHMS
    internal: TokenService | None = None

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise Unauthorized(f"invalid token: {error}", zh="身份令牌无效") from error
        algorithm = header.get("alg")
        if algorithm == "HS256" and self.internal is not None:
            return self.internal.verify(token)
        if algorithm not in self.algorithms:
            raise Unauthorized(
                f"invalid token: the algorithm {algorithm!r} is not accepted", zh="身份令牌无效"
            )
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("invalid token: it names no signing key (kid)", zh="身份令牌无效")
        try:
            key = self.keys.key(kid)
        except KeysUnavailable as error:
            raise ServiceUnavailable(
                "cannot verify tokens right now; try again shortly",
                zh="暂时无法验证令牌，请稍后重试",
            ) from error
        if key is None:
            raise Unauthorized(
                "invalid token: signed with a key the issuer does not publish", zh="身份令牌无效"
            )
        if key.algorithm_name != algorithm:
            raise Unauthorized(
                f"invalid token: the key {kid} is not a {algorithm} key", zh="身份令牌无效"
            )
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.keys.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError as error:
            raise Unauthorized(f"invalid token: {error}", zh="身份令牌无效") from error
        return principal_from_claims(claims)


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """The issuer's keys when an OIDC issuer is configured (always in production), beside the
    platform's HS256 tokens if a key is set; otherwise the development HS256 tokens alone."""
    internal = TokenService(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    if not settings.oidc_issuer:
        return internal  # development and tests: settings made a key when none was given
    return IssuerVerifier(
        keys=IssuerKeys(issuer=settings.oidc_issuer, jwks_url=settings.oidc_jwks_url),
        audience=settings.jwt_audience,
        algorithms=settings.oidc_algorithm_names,
        internal=internal if settings.jwt_secret else None,
    )
