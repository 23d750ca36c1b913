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
    """The SMTP server that relays email notifications."""
    smtp_port: int = 1025
    """Its port (587 with STARTTLS, usually)."""
    smtp_starttls: bool = False
    """Upgrade the SMTP connection with STARTTLS before logging in."""
    smtp_ca_file: str = ""
    """CA certificates to verify the SMTP server with; empty means the system's."""
    smtp_username: str = ""
    """SMTP login; empty sends without logging in."""
    smtp_password: str = Field("", repr=False)
    """SMTP password."""
    smtp_sender: str = "supportmatch <noreply@supportmatch.local>"
    """The From address of every email."""
    smtp_timeout_seconds: float = 10.0
    """How long one SMTP exchange may take."""

    # Webhooks (docs/webhooks.md).
    webhook_allowed_networks: str = ""
    """Networks webhooks may reach although special-purpose (IANA registries), comma-separated,
    e.g. "10.0.0.0/8"; every other special-purpose address is refused."""
    webhook_allowed_ports: str = ""
    """Ports a webhook URL may name (e.g. "443,8443,9000-9100"); empty means 443 and 8443 in
    production (which also requires https) and any port elsewhere."""
    webhook_timeout_seconds: float = 5.0
    """How long one webhook call may take."""
    webhook_previous_secret_hours: float = 24.0
    """Hours a replaced webhook signing secret stays valid beside the new one."""
    webhook_disable_after_failures: int = 10
    """Failed attempts in a row after which a webhook is turned off (and its owner told), once
    they have gone on for webhook_disable_after_hours."""
    webhook_disable_after_hours: float = 24.0
    """How long a webhook must have kept failing before it is turned off: a short outage with
    many notices does not."""

    # Delivery attempts: exponential backoff with jitter, capped.
    delivery_max_attempts: int = 8
    """Tries of one email or webhook delivery before it is given up."""
    delivery_backoff_seconds: float = 30.0
    """Wait before the second try; doubled for each later one, with jitter."""
    delivery_backoff_cap_seconds: float = 3600.0
    """The longest wait between two tries."""
    delivery_batch: int = 100
    """Deliveries a worker claims at once (one SMTP connection per batch)."""
    delivery_poll_seconds: float = 0.5
    """How often the delivery worker looks for due deliveries."""
    delivery_lease_seconds: float = 120.0
    """How long a claimed delivery is hidden: a worker that dies mid-send leaves it to be tried
    again after it."""

    schedule_seconds: float = 60.0
    """How often reminders and digests are checked."""
    digest_hour: int = 8
    """Local hour at which caseworkers' daily digests go out."""

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
