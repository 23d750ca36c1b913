"""Settings of the portal (environment prefix PORTAL_)."""

from __future__ import annotations

import os

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from portal.adapters.passwords import MEMORY_KIB, PARALLELISM, TIME_COST, Passwords
from supportmatch_core.settings import ServiceSettings

# The least a production deployment may hash passwords with: OWASP's first argon2id
# configuration (19 MiB, 2 passes).
PRODUCTION_MEMORY_KIB, PRODUCTION_TIME_COST = 19456, 2


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", populate_by_name=True)

    service_name: str = "portal"
    port: int = 8000

    profiles_url: str = ""
    """The profiles service the portal calls for the signed-in person; empty: this machine at
    PROFILES_PORT."""
    eligibility_url: str = ""
    """The eligibility service; empty: this machine at ELIGIBILITY_PORT."""
    notifications_url: str = ""
    """The notifications service; empty: this machine at NOTIFICATIONS_PORT."""
    request_threads: int = Field(16, ge=1)
    """Requests the portal works on at once: the threads its pages run on. A page mostly waits
    for the services, so the portal runs more of them than a service does."""
    service_timeout_seconds: float = 10.0
    """How long a call to another service may take before the page says it is unavailable."""

    cookie_secure: bool = True
    """Cookies carry `Secure`; turned off only for plain-http local development."""
    session_hours: float = 12.0
    """A session ends this long after sign-in, whatever happens."""
    session_idle_minutes: float = 30.0
    """A session ends after this long without a request."""
    service_token_minutes: float = 5.0
    """Lifetime of the token minted for the signed-in person per call; it only outlives one call."""

    sign_in_window_minutes: float = 15.0
    """The window in which failed sign-ins are counted."""
    sign_in_failures_per_account: int = 5
    """Failed sign-ins allowed per account name in the window."""
    sign_in_failures_per_address: int = 20
    """Failed sign-ins allowed per client address in the window."""

    # People sign in with the platform's identity provider (SUPPORTMATCH_OIDC_ISSUER, whose tokens
    # the services accept), by authorization code with PKCE, once the portal has a client id there.
    oidc_client_id: str = ""
    """The portal's client id at the identity provider (SUPPORTMATCH_OIDC_ISSUER); sign-in with
    the provider is off when empty."""
    oidc_client_secret: str = Field("", repr=False)
    """The portal's client secret at the provider."""
    oidc_redirect_url: str = ""
    """Where the provider sends people back, e.g. https://portal.example.cn/sign-in/oidc/callback."""
    oidc_username_claim: str = "preferred_username"
    """The ID token claim that names the portal account of the person."""

    password_time_cost: int = Field(TIME_COST, ge=1)
    """argon2id passes per password hash; production refuses fewer than 2."""
    password_memory_kib: int = Field(MEMORY_KIB, ge=8)
    """argon2id memory per password hash, in KiB; production refuses less than 19456 (19 MiB)."""
    password_parallelism: int = Field(PARALLELISM, ge=1)
    """argon2id lanes per password hash."""

    demo_accounts: bool = False
    """Seed one demo account per role (`make run`); refused in production."""
    poll_seconds: float = 3.0
    """How often an open page asks whether the firm's answers changed (ADR 0018)."""

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
        if self.environment == "production" and (
            self.password_memory_kib < PRODUCTION_MEMORY_KIB
            or self.password_time_cost < PRODUCTION_TIME_COST
        ):
            raise ValueError(
                f"argon2id below {PRODUCTION_MEMORY_KIB} KiB (PORTAL_PASSWORD_MEMORY_KIB) or "
                f"{PRODUCTION_TIME_COST} passes (PORTAL_PASSWORD_TIME_COST) is refused in production"
            )
        if self.oidc_client_id and not (self.oidc_issuer and self.oidc_redirect_url):
            raise ValueError(
                "sign-in with the identity provider needs SUPPORTMATCH_OIDC_ISSUER and "
                "PORTAL_OIDC_REDIRECT_URL beside PORTAL_OIDC_CLIENT_ID"
            )
        return self

    def passwords(self) -> Passwords:
        """The password hasher these settings configure."""
        return Passwords(
            time_cost=self.password_time_cost,
            memory_kib=self.password_memory_kib,
            parallelism=self.password_parallelism,
        )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)
