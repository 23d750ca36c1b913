"""Settings of the profiles service (environment prefix PROFILES_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from supportmatch_core.settings import ServiceSettings


class ProfilesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore", populate_by_name=True)

    service_name: str = "profiles"
    port: int = 8001
