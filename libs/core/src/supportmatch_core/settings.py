"""Typed settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from supportmatch_core.paths import var_dir
from supportmatch_core.setting_sources import FileValues, env_name

Environment = Literal["development", "test", "production"]

# Consumer-group join on the embedded broker takes about half the session timeout (measured:
# 6000 ms -> 3 s, 2000 ms -> 1 s); real Kafka refuses sessions under 6000 ms by default.
EMBEDDED_SESSION_TIMEOUT_MS = 2000
CLUSTER_SESSION_TIMEOUT_MS = 10000
# HS256 keys shorter than the hash are guessable (RFC 7518 section 3.2).
MIN_SECRET_BYTES = 32
# Asymmetric only: an HS256 token "signed" with a published key would verify (alg confusion).
OIDC_ALGORITHMS = frozenset({"RS256", "ES256"})


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Settings every service has. Per-service values use the service's prefix (PROFILES_PORT)."""

    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=True, use_attribute_docstrings=True
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
    run_workers: bool = True
    """Run the background workers (Kafka consumers, outbox relay, schedules) in this process."""
    log_level: str = Field("INFO", validation_alias=_shared("SUPPORTMATCH_LOG_LEVEL"))
    """DEBUG, INFO, WARNING or ERROR."""

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    """Comma-separated host:port of the Kafka brokers."""
    kafka_embedded: bool = Field(True, validation_alias=_shared("SUPPORTMATCH_EMBEDDED_BROKER"))
    """The broker is the embedded development one (short consumer sessions); false on a cluster."""
    kafka_session_timeout_ms: int = Field(0, validation_alias=_shared("KAFKA_SESSION_TIMEOUT_MS"))
    """Consumer session timeout; 0 means 2,000 ms embedded and 10,000 ms on a cluster."""
    kafka_security_protocol: str = Field(
        "PLAINTEXT", validation_alias=_shared("KAFKA_SECURITY_PROTOCOL")
    )
    """PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."""
    consumer_max_attempts: int = 3
    """Tries of one event before it is parked on its dead-letter topic."""
    outbox_poll_seconds: float = 0.2
    """How often the outbox relay looks for events to publish when nothing woke it."""
    outbox_retention_days: int = 7
    """Days a published outbox row is kept (as long as the topics keep events)."""

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
        if self.jwt_secret and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SUPPORTMATCH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        if self.environment == "production":
            self._check_production()
        elif not self.jwt_secret:
            self.jwt_secret = development_signing_key()
        return self

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
