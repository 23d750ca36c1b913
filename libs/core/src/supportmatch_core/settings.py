"""Typed settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from supportmatch_core.paths import var_dir
from supportmatch_core.setting_sources import FileValues, env_name

Environment = Literal["development", "test", "production"]
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

# Consumer-group join on the embedded broker takes about half the session timeout (measured:
# 6000 ms -> 3 s, 2000 ms -> 1 s); real Kafka refuses sessions under 6000 ms by default.
EMBEDDED_SESSION_TIMEOUT_MS = 2000
CLUSTER_SESSION_TIMEOUT_MS = 10000
# HS256 keys shorter than the hash are guessable (RFC 7518 section 3.2).
MIN_SECRET_BYTES = 32
# Background workers of the service that runs the most (notifications: four consumers, the
# delivery worker, the scheduler and the relay), each holding one database connection at a time.
BACKGROUND_CONNECTIONS = 7
# Asymmetric only: an HS256 token "signed" with a published key would verify (alg confusion).
OIDC_ALGORITHMS = frozenset({"RS256", "ES256"})


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Settings every service has. Per-service values use the service's prefix (PROFILES_PORT)."""

    model_config = SettingsConfigDict(
        extra="ignore",
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )

    service_name: str = "service"
    """The service's name in logs, metrics, Kafka client ids and its Alembic history; fixed."""
    environment: Environment = Field("development", validation_alias=_shared("SUPPORTMATCH_ENV"))
    """development, test or production; production refuses SQLite and development tokens."""
    host: str = "127.0.0.1"
    """The address the HTTP server listens on (0.0.0.0 in the container image)."""
    port: int = 8000
    """The HTTP port (8080 in the container image)."""
    database_url: str = Field("", repr=False)
    """SQLAlchemy URL of the service's own database; empty means a SQLite file under var/.
    PostgreSQL in production (postgresql://user@host:5432/name)."""
    database_password: str = Field("", repr=False)
    """The database password, put into the URL; keeps the URL itself free of secrets."""
    request_threads: int = Field(8, ge=1)
    """Requests the service works on at once: the threads its routes run on. Python runs one
    thread at a time, so more threads than this add switching, not speed; the database pool holds
    this many connections beside its background workers' own."""
    run_workers: bool = True
    """Run the background workers (Kafka consumers, outbox relay, schedules) in this process."""
    log_level: str = Field("INFO", validation_alias=_shared("SUPPORTMATCH_LOG_LEVEL"))
    """DEBUG, INFO, WARNING or ERROR."""

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    """Comma-separated host:port of the Kafka brokers."""
    # Off unless whoever starts the embedded broker says so: its 2000 ms session would be refused
    # by a real cluster (ADR 0004, ADR 0020).
    kafka_embedded: bool = Field(False, validation_alias=_shared("SUPPORTMATCH_EMBEDDED_BROKER"))
    """The broker is the embedded development one (short consumer sessions); set by whoever
    starts it."""
    kafka_session_timeout_ms: int = Field(0, validation_alias=_shared("KAFKA_SESSION_TIMEOUT_MS"))
    """Consumer session timeout; 0 means 2,000 ms embedded and 10,000 ms on a cluster."""
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", validation_alias=_shared("KAFKA_SECURITY_PROTOCOL")
    )
    """PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."""
    kafka_sasl_mechanism: SaslMechanism = Field(
        "", validation_alias=_shared("KAFKA_SASL_MECHANISM")
    )
    """PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the default with SASL)."""
    kafka_sasl_username: str = Field("", validation_alias=_shared("KAFKA_SASL_USERNAME"))
    """The SASL user the service logs in as."""
    kafka_sasl_password: SecretStr = Field(
        SecretStr(""), validation_alias=_shared("KAFKA_SASL_PASSWORD")
    )
    """The SASL user's password (or KAFKA_SASL_PASSWORD_FILE)."""
    kafka_ssl_cafile: str = Field("", validation_alias=_shared("KAFKA_SSL_CAFILE"))
    """A PEM file of the CA that signed the brokers' certificates; empty: the system's CAs."""
    kafka_topic_partitions: int = Field(3, ge=1, validation_alias=_shared("KAFKA_TOPIC_PARTITIONS"))
    """Partitions of each topic the services create (dead-letter topics get one)."""
    kafka_replication_factor: int = Field(
        1, ge=1, validation_alias=_shared("KAFKA_TOPIC_REPLICATION_FACTOR")
    )
    """Replicas of each topic the services create."""
    kafka_min_insync_replicas: int = Field(
        0, ge=0, validation_alias=_shared("KAFKA_MIN_INSYNC_REPLICAS")
    )
    """min.insync.replicas of each topic the services create; 0 keeps the broker's own."""
    consumer_max_attempts: int = 3
    """Tries of one event before it is parked on its dead-letter topic."""
    outbox_poll_seconds: float = 0.2
    """How often the outbox relay looks for events to publish when nothing woke it, after work;
    while nothing comes it waits longer, up to 1 s (or this, if longer)."""
    outbox_retention_days: int = 7
    """Days a published outbox row is kept (as long as the topics keep events)."""

    max_body_bytes: int = Field(1 << 20, ge=0)
    """Largest request body, in bytes, of a route not named below."""
    max_public_body_bytes: int = Field(64 << 10, ge=0)
    """Largest request body of a route open without a token (the self-check, size classification)."""
    max_upload_bytes: int = Field(64 << 20, ge=0)
    """Largest request body of a file upload (the import)."""

    jwt_secret: str = Field("", validation_alias=_shared("SUPPORTMATCH_JWT_SECRET"), repr=False)
    """HS256 key of the platform's own tokens (development, and the portal's calls to the
    services); in development a key is made under var/ when unset. At least 32 bytes."""
    jwt_issuer: str = Field("supportmatch", validation_alias=_shared("SUPPORTMATCH_JWT_ISSUER"))
    """The `iss` of the platform's own HS256 tokens."""
    jwt_audience: str = Field("supportmatch", validation_alias=_shared("SUPPORTMATCH_JWT_AUDIENCE"))
    """The `aud` every token must carry, the platform's own and the identity provider's."""
    oidc_issuer: str = Field("", validation_alias=_shared("SUPPORTMATCH_OIDC_ISSUER"))
    """Issuer URL of the OpenID Connect identity provider whose RS256/ES256 tokens are
    accepted (its keys from /.well-known/openid-configuration); required in production."""
    oidc_jwks_url: str = Field("", validation_alias=_shared("SUPPORTMATCH_OIDC_JWKS_URL"))
    """The provider's JWKS URL, when it is not to be discovered from the issuer."""
    oidc_algorithms: str = Field(
        "RS256,ES256", validation_alias=_shared("SUPPORTMATCH_OIDC_ALGORITHMS")
    )
    """Signature algorithms accepted from the provider (comma-separated; RS256, ES256)."""

    @field_validator("oidc_algorithms")
    @classmethod
    def _algorithms(cls, value: str) -> str:
        names = {name.strip() for name in value.split(",") if name.strip()}
        if not names or not names <= OIDC_ALGORITHMS:
            raise ValueError(f"name one or both of {', '.join(sorted(OIDC_ALGORITHMS))}")
        return value

    @property
    def database_pool_size(self) -> int:
        """Connections kept open: one per request thread and one per background worker."""
        return self.request_threads + BACKGROUND_CONNECTIONS

    @property
    def oidc_algorithm_names(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.oidc_algorithms.split(",") if name.strip())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, FileValues(settings_cls), dotenv_settings)

    @model_validator(mode="after")
    def _resolve_defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{var_dir() / f'{self.service_name}.sqlite3'}"
        if self.database_password:
            self.database_url = self._with_password(self.database_url, self.database_password)
        if not self.kafka_session_timeout_ms:
            self.kafka_session_timeout_ms = (
                EMBEDDED_SESSION_TIMEOUT_MS if self.kafka_embedded else CLUSTER_SESSION_TIMEOUT_MS
            )
        self._resolve_kafka_security()
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                "KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_TOPIC_REPLICATION_FACTOR: "
                "no acks=all write could succeed"
            )
        if self.jwt_secret and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SUPPORTMATCH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        if self.environment == "production":
            self._check_production()
        elif not self.jwt_secret:
            self.jwt_secret = development_signing_key()
        return self

    def _resolve_kafka_security(self) -> None:
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

    def _with_password(self, url: str, password: str) -> str:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ValueError(f"{self._env('database_url')} is not a database URL") from None
        return parsed.set(password=password).render_as_string(hide_password=False)

    def _check_production(self) -> None:
        """Refuse what only suits one machine: SQLite, development tokens, plain-http keys."""
        if make_url(self.database_url).get_backend_name() != "postgresql":
            raise ValueError(
                f"{self._env('database_url')} must name a PostgreSQL database in production "
                "(SQLite is for development and tests on one machine)"
            )
        if not self.oidc_issuer:
            raise ValueError(
                "SUPPORTMATCH_OIDC_ISSUER must be set in production: tokens are verified "
                "against the identity provider's published keys"
            )
        for name, url in (("ISSUER", self.oidc_issuer), ("JWKS_URL", self.oidc_jwks_url)):
            if url and not url.startswith("https://"):
                raise ValueError(f"SUPPORTMATCH_OIDC_{name} must be an https:// URL in production")

    def _env(self, field_name: str) -> str:
        return env_name(type(self), field_name)

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
