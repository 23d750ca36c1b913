"""Settings of the eligibility service (environment prefix ELIGIBILITY_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from supportmatch_core.settings import ServiceSettings


class EligibilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="ELIGIBILITY_", extra="ignore", populate_by_name=True
    )

    service_name: str = "eligibility"
    port: int = 8002
