"""The OpenID Connect provider: discovery, the authorization URL, the code exchange (with PKCE)
and the ID token's signature, issuer, audience, expiry and nonce."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from portal.settings import PortalSettings


class OidcFailed(Exception):
    """The provider refused, or answered with something that does not prove who signed in."""


class OidcProvider:
    def __init__(self, settings: PortalSettings) -> None:
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.redirect_url = settings.oidc_redirect_url
        self.username_claim = settings.oidc_username_claim
        self._http = httpx.Client(timeout=10)
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    def close(self) -> None:
        self._http.close()

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            try:
                answer = self._http.get(f"{self.issuer}/.well-known/openid-configuration")
                answer.raise_for_status()
            except httpx.HTTPError as error:
                raise OidcFailed(f"discovery failed: {type(error).__name__}") from error
            found = answer.json()
            if found.get("issuer", "").rstrip("/") != self.issuer:
                raise OidcFailed("the discovery document names another issuer")
            self._metadata = found
            self._keys = jwt.PyJWKClient(found["jwks_uri"])
        return self._metadata

    def authorization_url(self, *, state: str, nonce: str, challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_url,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.metadata()['authorization_endpoint']}?{urlencode(query)}"

    def username(self, *, code: str, verifier: str, nonce: str) -> str:
        """Exchange the code and return the signed-in person's name from the checked ID token."""
        metadata = self.metadata()
        try:
            answer = self._http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_url,
                    "code_verifier": verifier,
                },
                auth=(self.client_id, self.client_secret),
            )
        except httpx.HTTPError as error:
            raise OidcFailed(f"token request failed: {type(error).__name__}") from error
        if answer.status_code != 200 or "id_token" not in answer.json():
            raise OidcFailed(f"the provider refused the code ({answer.status_code})")
        claims = self._verify(answer.json()["id_token"])
        if claims.get("nonce") != nonce:
            raise OidcFailed("the ID token's nonce is not this sign-in's")
        name = claims.get(self.username_claim)
        if not isinstance(name, str) or not name:
            raise OidcFailed(f"the ID token has no {self.username_claim}")
        return name

    def _verify(self, token: str) -> dict[str, Any]:
        assert self._keys is not None
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            return dict(
                jwt.decode(
                    token,
                    key.key,
                    algorithms=["RS256", "ES256", "PS256"],
                    audience=self.client_id,
                    issuer=self.metadata()["issuer"],
                    options={"require": ["exp", "iat", "sub"]},
                )
            )
        except jwt.PyJWTError as error:
            raise OidcFailed(f"the ID token is not valid: {error}") from error
