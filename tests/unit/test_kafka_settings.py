"""Kafka settings: session-timeout profiles, SASL/TLS login from the environment or a file, topics."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from supportmatch_core.kafka import RETENTION_MS, client_config, topic_configs
from supportmatch_core.logs import JsonFormatter
from supportmatch_core.settings import (
    CLUSTER_SESSION_TIMEOUT_MS,
    EMBEDDED_SESSION_TIMEOUT_MS,
    ServiceSettings,
)
from supportmatch_core.topics import PROFILE, all_topics, dead_letter

SECRET = "correct-horse-battery-staple"


def _settings(**values: Any) -> ServiceSettings:
    return ServiceSettings(database_url="sqlite://", jwt_secret="x" * 40, **values)


@pytest.fixture(autouse=True)
def _no_kafka_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "KAFKA_SESSION_TIMEOUT_MS",
        "SUPPORTMATCH_EMBEDDED_BROKER",
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SASL_PASSWORD_FILE",
        "KAFKA_SSL_CAFILE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_a_cluster_session_timeout_unless_the_embedded_broker_is_named() -> None:
    assert _settings().kafka_session_timeout_ms == CLUSTER_SESSION_TIMEOUT_MS
    assert _settings(kafka_embedded=True).kafka_session_timeout_ms == EMBEDDED_SESSION_TIMEOUT_MS


def test_the_embedded_profile_comes_from_the_environment_that_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORTMATCH_EMBEDDED_BROKER", "1")
    assert _settings().kafka_session_timeout_ms == EMBEDDED_SESSION_TIMEOUT_MS
    monkeypatch.setenv("KAFKA_SESSION_TIMEOUT_MS", "45000")
    assert _settings().kafka_session_timeout_ms == 45000


def test_sasl_ssl_login_from_the_environment_reaches_every_client(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    password_file = tmp_path / "kafka-password"
    password_file.write_text(f"{SECRET}\n")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "profiles")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(password_file))
    monkeypatch.setenv("KAFKA_SSL_CAFILE", "/etc/kafka/ca.pem")
    settings = _settings()
    assert client_config(settings) | {"bootstrap_servers": None, "client_id": None} == {
        "bootstrap_servers": None,
        "client_id": None,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",  # the default mechanism
        "sasl_plain_username": "profiles",
        "sasl_plain_password": SECRET,  # the file's line, without its newline
        "ssl_cafile": "/etc/kafka/ca.pem",
    }


def test_the_password_never_shows_in_the_settings_or_their_log() -> None:
    settings = _settings(
        kafka_security_protocol="SASL_SSL", kafka_sasl_username="u", kafka_sasl_password=SECRET
    )
    record = logging.makeLogRecord({"msg": "settings", "settings": settings})
    assert SECRET not in JsonFormatter("test").format(record)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    assert settings.kafka_sasl_password.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "needs KAFKA_SASL_USERNAME"),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u"},
            "KAFKA_SASL_PASSWORD",
        ),
        ({"kafka_sasl_username": "u"}, "KAFKA_SECURITY_PROTOCOL is PLAINTEXT"),
        ({"kafka_security_protocol": "TLS"}, "SASL_SSL"),
        (
            {"kafka_replication_factor": 1, "kafka_min_insync_replicas": 2},
            "must not exceed KAFKA_TOPIC_REPLICATION_FACTOR",
        ),
    ],
    ids=["no-user", "no-password", "sasl-without-protocol", "unknown-protocol",
         "min-isr-above-replicas"],
)  # fmt: skip
def test_settings_that_cannot_log_in_are_refused_at_start(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(**values)


def test_the_profile_topic_is_compacted_and_the_others_keep_seven_days() -> None:
    specs = {spec.name: spec for spec in all_topics(partitions=6)}
    assert specs[PROFILE].partitions == 6
    assert specs[dead_letter(PROFILE)].partitions == 1
    assert topic_configs(specs[PROFILE]) == {"cleanup.policy": "compact"}
    assert topic_configs(specs[dead_letter(PROFILE)], min_insync_replicas=2) == {
        "retention.ms": RETENTION_MS,
        "min.insync.replicas": "2",
    }
    assert [name for name, spec in specs.items() if spec.compacted] == [PROFILE]


def test_an_unreadable_password_file_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", "/nonexistent/kafka-password")
    with pytest.raises(SettingsError, match="KAFKA_SASL_PASSWORD_FILE"):
        _settings()
