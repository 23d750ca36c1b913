"""Typed settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supportmatch_core.paths import var_dir

Environment = Literal["development", "test", "production"]
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

# Consumer-group join on the embedded broker takes about half the session timeout (measured:
# 6000 ms -> 3 s, 2000 ms -> 1 s); real Kafka refuses sessions under 6000 ms by default.
EMBEDDED_SESSION_TIMEOUT_MS = 2000
CLUSTER_SESSION_TIMEOUT_MS = 10000


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Settings every service has. Per-service values use the service's prefix (PROFILES_PORT)."""

    # An error names the field, never the values given: they include passwords and keys.
    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    service_name: str = "service"
    environment: Environment = Field("development", validation_alias=_shared("SUPPORTMATCH_ENV"))
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    run_workers: bool = True
    log_level: str = Field("INFO", validation_alias=_shared("SUPPORTMATCH_LOG_LEVEL"))

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    # Off unless whoever starts the embedded broker says so: its 2000 ms session would be refused
    # by a real cluster (ADR 0004, ADR 0017).
    kafka_embedded: bool = Field(False, validation_alias=_shared("SUPPORTMATCH_EMBEDDED_BROKER"))
    kafka_session_timeout_ms: int = Field(0, validation_alias=_shared("KAFKA_SESSION_TIMEOUT_MS"))
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", validation_alias=_shared("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        "", validation_alias=_shared("KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str = Field("", validation_alias=_shared("KAFKA_SASL_USERNAME"))
    kafka_sasl_password: SecretStr = Field(
        SecretStr(""), validation_alias=_shared("KAFKA_SASL_PASSWORD")
    )
    kafka_sasl_password_file: str = Field("", validation_alias=_shared("KAFKA_SASL_PASSWORD_FILE"))
    kafka_ssl_cafile: str = Field("", validation_alias=_shared("KAFKA_SSL_CAFILE"))
    kafka_topic_partitions: int = Field(3, ge=1, validation_alias=_shared("KAFKA_TOPIC_PARTITIONS"))
    kafka_replication_factor: int = Field(
        1, ge=1, validation_alias=_shared("KAFKA_REPLICATION_FACTOR")
    )
    # 0 leaves the broker's own min.insync.replicas in force.
    kafka_min_insync_replicas: int = Field(
        0, ge=0, validation_alias=_shared("KAFKA_MIN_INSYNC_REPLICAS")
    )
    consumer_max_attempts: int = 3
    outbox_poll_seconds: float = 0.2
    outbox_retention_days: int = 7

    # Request bodies, in bytes: routes open without a token take little, file uploads much.
    max_body_bytes: int = Field(1 << 20, ge=0)
    max_public_body_bytes: int = Field(64 << 10, ge=0)
    max_upload_bytes: int = Field(64 << 20, ge=0)

    jwt_secret: str = Field("", validation_alias=_shared("SUPPORTMATCH_JWT_SECRET"), repr=False)
    jwt_issuer: str = Field("supportmatch", validation_alias=_shared("SUPPORTMATCH_JWT_ISSUER"))
    jwt_audience: str = Field("supportmatch", validation_alias=_shared("SUPPORTMATCH_JWT_AUDIENCE"))

    @model_validator(mode="after")
    def _resolve_defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{var_dir() / f'{self.service_name}.sqlite3'}"
        if not self.kafka_session_timeout_ms:
            self.kafka_session_timeout_ms = (
                EMBEDDED_SESSION_TIMEOUT_MS if self.kafka_embedded else CLUSTER_SESSION_TIMEOUT_MS
            )
        self._resolve_kafka_security()
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                "KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR: "
                "no acks=all write could succeed"
            )
        if not self.jwt_secret:
            if self.environment == "production":
                raise ValueError("SUPPORTMATCH_JWT_SECRET must be set in production")
            self.jwt_secret = development_signing_key()
        return self

    def _resolve_kafka_security(self) -> None:
        if self.kafka_sasl_password_file:
            try:
                password = Path(self.kafka_sasl_password_file).read_text().strip()
            except OSError as error:
                raise ValueError(
                    f"cannot read KAFKA_SASL_PASSWORD_FILE: {error.strerror}"
                ) from None
            self.kafka_sasl_password = SecretStr(password)
        sasl = self.kafka_security_protocol.startswith("SASL_")
        if not sasl:
            if self.kafka_sasl_mechanism or self.kafka_sasl_username:
                raise ValueError(
                    f"KAFKA_SASL_* is set but KAFKA_SECURITY_PROTOCOL is "
                    f"{self.kafka_security_protocol}; use SASL_SSL to log in"
                )
            return
        self.kafka_sasl_mechanism = self.kafka_sasl_mechanism or "SCRAM-SHA-512"
        if not self.kafka_sasl_username or not self.kafka_sasl_password.get_secret_value():
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME "
                "and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
            )

    @property
    def heartbeat_interval_ms(self) -> int:
        return max(100, self.kafka_session_timeout_ms // 4)


def development_signing_key(path: Path | None = None) -> str:
    """The local signing key for development tokens, created on first use under var/."""
    path = path or var_dir() / "dev-signing-key"
    if not path.exists():
        # Several services may start at once: write aside, then link, so nobody reads half a key.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()
