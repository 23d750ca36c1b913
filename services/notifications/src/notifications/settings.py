"""Settings of the notifications service (environment prefix NOTIFICATIONS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from supportmatch_core.settings import ServiceSettings


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
    smtp_password: str = ""
    smtp_sender: str = "supportmatch <noreply@supportmatch.local>"
    smtp_timeout_seconds: float = 10.0

    # Webhooks. Loopback, private and link-local destinations are refused unless listed here
    # (comma-separated networks, e.g. "127.0.0.0/8,10.0.0.0/8").
    webhook_allowed_networks: str = ""
    webhook_timeout_seconds: float = 5.0
    webhook_previous_secret_hours: float = 24.0
    webhook_disable_after_failures: int = 10

    # Delivery attempts: exponential backoff with jitter, capped.
    delivery_max_attempts: int = 8
    delivery_backoff_seconds: float = 30.0
    delivery_backoff_cap_seconds: float = 3600.0
    delivery_batch: int = 100
    delivery_poll_seconds: float = 0.5

    # Reminders and digests: checked every `schedule_seconds`; digests go at `digest_hour` local time.
    schedule_seconds: float = 60.0
    digest_hour: int = 8
