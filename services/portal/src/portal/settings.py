"""Settings of the portal (environment prefix PORTAL_)."""

from __future__ import annotations

import os

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from supportmatch_core.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", populate_by_name=True)

    service_name: str = "portal"
    port: int = 8000

    # The services the portal calls on behalf of the signed-in person; by default on this
    # machine at the ports `supportmatch run` gives them (PROFILES_PORT, ...).
    profiles_url: str = ""
    eligibility_url: str = ""
    notifications_url: str = ""
    service_timeout_seconds: float = 10.0

    # Cookies carry `Secure` unless turned off for plain-http local development.
    cookie_secure: bool = True
    session_hours: float = 12.0
    session_idle_minutes: float = 30.0
    # Minted per request for the signed-in person; short, as it only has to outlive one call.
    service_token_minutes: float = 5.0

    # Sign-in: failed attempts allowed per account name and per client address in the window.
    sign_in_window_minutes: float = 15.0
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 20

    # OpenID Connect sign-in (authorization code with PKCE); off unless an issuer is set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""  # e.g. https://portal.example.cn/sign-in/oidc/callback
    oidc_username_claim: str = "preferred_username"

    # `make run` seeds one demo account per role; never in production.
    demo_accounts: bool = False
    # How often an open page asks whether the firm's answers changed (ADR 0018).
    poll_seconds: float = 3.0

    @model_validator(mode="after")
    def _resolve(self) -> PortalSettings:
        for service, port in (("profiles", 8001), ("eligibility", 8002), ("notifications", 8003)):
            if not getattr(self, f"{service}_url"):
                local = os.environ.get(f"{service.upper()}_PORT", str(port))
                setattr(self, f"{service}_url", f"http://127.0.0.1:{local}")
        if self.environment == "production" and self.demo_accounts:
            raise ValueError("PORTAL_DEMO_ACCOUNTS must not be set in production")
        if self.environment == "production" and not self.cookie_secure:
            raise ValueError("PORTAL_COOKIE_SECURE cannot be turned off in production")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_redirect_url):
            raise ValueError("OIDC needs PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_REDIRECT_URL")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)
