"""deploy/compose.yaml: three KRaft brokers, PostgreSQL, a migration job the replicas wait for, two
replicas of every service with health checks, Prometheus on /metrics, and no secret inline."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.deploy.files import DEPLOY, ROOT, SECRET_NAME, SERVICES, load_yaml

COMPOSE: dict[str, Any] = load_yaml(DEPLOY / "compose.yaml")
BROKERS = ("kafka-1", "kafka-2", "kafka-3")


def _environment(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in COMPOSE["services"][name].get("environment", {}).items()}


def test_kafka_runs_three_kraft_brokers_replicating_every_write_to_two_at_least() -> None:
    voters = set()
    for broker in BROKERS:
        service = COMPOSE["services"][broker]
        assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", service["image"])
        env = _environment(broker)
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert service["volumes"] == [f"{broker}:/var/lib/kafka/data"]
        assert "healthcheck" in service
        voters.add(env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
    assert voters == {"1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_two_replicas_after_its_migration_job(service: str) -> None:
    replica = COMPOSE["services"][service]
    job = COMPOSE["services"][f"{service}-migrate"]
    assert replica["deploy"]["replicas"] == 2
    assert replica["command"] == ["python", "-m", service, "--no-migrate"]
    assert job["command"] == ["python", "-m", service, "--migrate-only"]
    assert job["restart"] == "no"
    assert job["depends_on"]["postgres"]["condition"] == "service_healthy"
    waits = replica["depends_on"][f"{service}-migrate"]["condition"]
    assert waits == "service_completed_successfully"
    assert "/readyz" in " ".join(replica["healthcheck"]["test"])
    assert job["environment"] == replica["environment"]  # the job migrates the same database
    assert replica["build"]["dockerfile"] == "deploy/docker/Dockerfile"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_database_and_its_password_from_a_secret(service: str) -> None:
    env = _environment(service)
    prefix = service.upper()
    url = make_url(env[f"{prefix}_DATABASE_URL"])
    assert (url.get_backend_name(), url.database, url.username) == ("postgresql", service, service)
    assert url.password is None
    secret = f"{service}_database_password"
    assert env[f"{prefix}_DATABASE_PASSWORD_FILE"] == f"/run/secrets/{secret}"
    assert secret in COMPOSE["services"][service]["secrets"]
    assert secret in COMPOSE["services"]["postgres"]["secrets"]
    assert service in _environment("postgres")["SUPPORTMATCH_SERVICES"].split()
    if service != "portal":
        assert all(
            COMPOSE["services"][service]["depends_on"][b]["condition"] == "service_healthy"
            for b in BROKERS
        )
        assert _environment(service)["KAFKA_TOPIC_REPLICATION_FACTOR"] == "3"


def test_no_secret_value_is_written_in_the_file() -> None:
    for name, service in COMPOSE["services"].items():
        for key, value in service.get("environment", {}).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert str(value).startswith("${"), f"{name}: {key} is written inline"
    for name, secret in COMPOSE["secrets"].items():
        assert secret["file"] == f"./secrets/{name}"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/secrets/jwt_secret"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "deploy/secrets/ must be ignored by git"


def test_production_settings_and_the_identity_provider_are_required() -> None:
    for service in SERVICES:
        env = _environment(service)
        assert env["SUPPORTMATCH_ENV"] == "production"
        assert env["SUPPORTMATCH_OIDC_ISSUER"].startswith("${SUPPORTMATCH_OIDC_ISSUER:?")
        assert env["SUPPORTMATCH_EMBEDDED_BROKER"] == "false"


def test_the_database_init_script_creates_one_database_per_service() -> None:
    script = DEPLOY / "postgres" / "init-databases.sh"
    mounts = COMPOSE["services"]["postgres"]["volumes"]
    assert f"./postgres/{script.name}:/docker-entrypoint-initdb.d/10-databases.sh:ro" in mounts
    text = script.read_text()
    assert 'CREATE DATABASE :"service" OWNER :"service"' in text
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_prometheus_scrapes_every_replica_of_every_service() -> None:
    prometheus = COMPOSE["services"]["prometheus"]
    assert re.fullmatch(r"prom/prometheus:v\d+\.\d+\.\d+", prometheus["image"])
    config = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    (discovery,) = job["dns_sd_configs"]
    assert set(discovery["names"]) == set(SERVICES)
    assert discovery["port"] == 8080


def test_the_secrets_script_makes_every_file_compose_mounts(tmp_path: Path) -> None:
    copy = tmp_path / "deploy"
    copy.mkdir()
    (copy / "compose-secrets.sh").write_bytes((DEPLOY / "compose-secrets.sh").read_bytes())
    subprocess.run(["bash", str(copy / "compose-secrets.sh")], check=True, capture_output=True)
    made = {path.name for path in (copy / "secrets").iterdir()}
    assert made == set(COMPOSE["secrets"])
    assert len((copy / "secrets" / "jwt_secret").read_text()) >= 32
