"""Settings of the notifications service (environment prefix NOTIFICATIONS_)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from notifications.domain.special_addresses import parse_networks
from notifications.domain.webhook_urls import parse_ports
from supportmatch_core.settings import ServiceSettings

PRODUCTION_WEBHOOK_PORTS = "443,8443"


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="NOTIFICATIONS_", extra="ignore", populate_by_name=True
    )

    service_name: str = "notifications"
    port: int = 8003

    # Email. The defaults reach the local mail catcher that `make run` starts.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_ca_file: str = ""
    smtp_username: str = ""
    smtp_password: str = Field("", repr=False)
    smtp_sender: str = "supportmatch <noreply@supportmatch.local>"
    smtp_timeout_seconds: float = 10.0

    # Webhooks (docs/webhooks.md). Addresses in the IANA special-purpose registries are refused
    # unless inside one of these networks (comma-separated, e.g. "10.0.0.0/8,127.0.0.0/8").
    webhook_allowed_networks: str = ""
    # Ports a webhook URL may name (e.g. "443,8443,9000-9100"); empty means 443 and 8443 in
    # production and any port elsewhere. Production also requires https.
    webhook_allowed_ports: str = ""
    webhook_timeout_seconds: float = 5.0
    webhook_previous_secret_hours: float = 24.0
    webhook_disable_after_failures: int = 10

    # Delivery attempts: exponential backoff with jitter, capped.
    delivery_max_attempts: int = 8
    delivery_backoff_seconds: float = 30.0
    delivery_backoff_cap_seconds: float = 3600.0
    delivery_batch: int = 100
    delivery_poll_seconds: float = 0.5
    # A claimed delivery is hidden this long: a worker that dies mid-send leaves it to be tried again.
    delivery_lease_seconds: float = 120.0

    # Reminders and digests: checked every `schedule_seconds`; digests go at `digest_hour` local time.
    schedule_seconds: float = 60.0
    digest_hour: int = 8

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a typo must stop the service, not quietly allow nothing
        return value

    @field_validator("webhook_allowed_ports")
    @classmethod
    def _ports(cls, value: str) -> str:
        parse_ports(value)
        return value

    @model_validator(mode="after")
    def _default_ports(self) -> NotificationsSettings:
        if not parse_ports(self.webhook_allowed_ports):
            production = self.environment == "production"
            self.webhook_allowed_ports = PRODUCTION_WEBHOOK_PORTS if production else "1-65535"
        return self

    @property
    def webhook_https_only(self) -> bool:
        return self.environment == "production"
