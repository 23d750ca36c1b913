"""Every service on Kubernetes: probes, requests and limits, autoscaling, a disruption budget, a
migration job it waits for, secrets by reference, and a network policy letting it reach only what
it needs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.files import SECRET_NAME, SERVICES, consumed_topics
from tests.deploy.k8s import Manifest, env_of, matches, of_kind, pod_spec

SECRET_DIR = "/var/run/secrets/supportmatch"


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_probes_its_health_and_readiness_and_is_bounded(
    manifests: list[Manifest], service: str
) -> None:
    deployment = of_kind(manifests, "Deployment")[service]
    spec = pod_spec(deployment)
    (server,) = spec["containers"]
    assert server["command"] == ["python", "-m", service, "--no-migrate"]
    assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert server["startupProbe"]["httpGet"]["path"] == "/healthz"
    (wait,) = spec["initContainers"]
    assert wait["command"] == ["python", "-m", service, "--wait-for-schema"]
    for container in _containers(spec):
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), container["name"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert re.fullmatch(r"supportmatch:\d+\.\d+\.\d+", container["image"])
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_migration_job_a_disruption_budget_and_an_autoscaler(
    manifests: list[Manifest], service: str
) -> None:
    deployment = of_kind(manifests, "Deployment")[service]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    job = of_kind(manifests, "Job")[f"{service}-migrate"]
    (migrate,) = pod_spec(job)["containers"]
    assert migrate["command"] == ["python", "-m", service, "--migrate-only"]
    assert env_of(migrate) == env_of(pod_spec(deployment)["containers"][0])
    budget = of_kind(manifests, "PodDisruptionBudget")[service]
    assert matches(budget["spec"]["selector"], labels)
    assert budget["spec"]["minAvailable"] >= 1
    autoscaler = of_kind(manifests, "HorizontalPodAutoscaler")[service]["spec"]
    assert autoscaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": service,
    }
    assert autoscaler["minReplicas"] >= 2
    metrics = {m["type"]: m for m in autoscaler["metrics"]}
    assert metrics["Resource"]["resource"]["name"] == "cpu"


@pytest.mark.parametrize("service", ["eligibility", "notifications"])
def test_consumers_also_scale_on_their_lag_up_to_one_replica_a_partition(
    manifests: list[Manifest], service: str
) -> None:
    autoscaler = of_kind(manifests, "HorizontalPodAutoscaler")[service]["spec"]
    (lag,) = [m["pods"] for m in autoscaler["metrics"] if m["type"] == "Pods"]
    assert lag["metric"]["name"] == "consumer_lag"  # the gauge of supportmatch_core.metrics
    consumer = lag["metric"]["selector"]["matchLabels"]["consumer"]
    assert consumer in {f"{service}.{topic}" for topic in consumed_topics(service)}
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"]
        for t in of_kind(manifests, "KafkaTopic").values()
    }
    assert autoscaler["maxReplicas"] <= partitions[consumer.removeprefix(f"{service}.")]


@pytest.mark.parametrize("service", SERVICES)
def test_secrets_are_mounted_files_from_secrets_made_elsewhere(
    manifests: list[Manifest], service: str
) -> None:
    assert not of_kind(manifests, "Secret"), "no Secret is kept in the repository"
    spec = pod_spec(of_kind(manifests, "Deployment")[service])
    secrets = {v["name"]: v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    assert secrets["database"] == f"{service}-db-app"  # CloudNativePG's <cluster>-app
    assert secrets["kafka"] == service  # Strimzi names the Secret after the KafkaUser
    assert secrets["kafka-ca"] == "supportmatch-cluster-ca-cert"  # <Kafka>-cluster-ca-cert
    env = env_of(spec["containers"][0])
    for name, value in env.items():
        if SECRET_NAME.search(name):
            assert name.endswith("_FILE"), name
            assert value.startswith(SECRET_DIR), name
    assert env[f"{service.upper()}_DATABASE_URL_FILE"] == f"{SECRET_DIR}/database/uri"
    assert env["KAFKA_SASL_PASSWORD_FILE"] == f"{SECRET_DIR}/kafka/password"
    assert env["SUPPORTMATCH_JWT_SECRET_FILE"] == f"{SECRET_DIR}/jwt/secret"
    refs = [r["configMapRef"]["name"] for r in spec["containers"][0]["envFrom"]]
    assert refs[0].startswith("supportmatch-platform-")  # generated, hashed: a change rolls pods
    assert refs[1] == "supportmatch-site"  # the operator's, by reference


def _policies_for(manifests: list[Manifest], labels: dict[str, str]) -> list[Manifest]:
    return [
        p
        for p in of_kind(manifests, "NetworkPolicy").values()
        if matches(p["spec"]["podSelector"], labels)
    ]


def _egress(policies: list[Manifest]) -> set[tuple[str, int]]:
    """Where the selected pods may connect: (peer, port), peers named by their labels or CIDR."""
    found = set()
    for policy in policies:
        for rule in policy["spec"].get("egress", []):
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    name = "internet"
                elif "namespaceSelector" in peer:
                    name = "dns"
                else:
                    selector = peer["podSelector"]
                    labels = selector.get("matchLabels", {})
                    name = (
                        labels.get("cnpg.io/cluster")
                        or labels.get("strimzi.io/cluster")
                        or "services"
                    )
                for port in rule["ports"]:
                    found.add((name, port["port"]))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_reaches_only_what_it_needs(manifests: list[Manifest], service: str) -> None:
    deployment = of_kind(manifests, "Deployment")[service]
    policies = _policies_for(manifests, deployment["spec"]["template"]["metadata"]["labels"])
    assert {"supportmatch-default-deny", service} <= {p["metadata"]["name"] for p in policies}
    needs = {("dns", 53), (f"{service}-db", 5432), ("supportmatch", 9093)}
    if service == "portal":
        needs.add(("services", 8080))
    if service == "notifications":  # the SMTP relay and webhooks
        needs |= {("internet", port) for port in (25, 465, 587, 443, 8443)}
    # The identity provider's keys: the servers verify tokens; the migration job does not.
    assert _egress(policies) == needs | {("internet", 443)}
    job = of_kind(manifests, "Job")[f"{service}-migrate"]
    assert _egress(_policies_for(manifests, job["spec"]["template"]["metadata"]["labels"])) == needs


@pytest.mark.parametrize("service", ["profiles", "eligibility", "notifications"])
def test_the_three_services_answer_only_the_portal_and_prometheus(
    manifests: list[Manifest], service: str
) -> None:
    policy = of_kind(manifests, "NetworkPolicy")[service]
    (rule,) = policy["spec"]["ingress"]
    peers = [
        p.get("podSelector", {}).get("matchLabels") or p["namespaceSelector"]["matchLabels"]
        for p in rule["from"]
    ]
    assert peers == [
        {"app.kubernetes.io/name": "portal"},
        {"kubernetes.io/metadata.name": "monitoring"},
    ]
    assert [p["port"] for p in rule["ports"]] == [8080]
    portal = of_kind(manifests, "Deployment")["portal"]
    assert f"http://{service}:8080" in env_of(pod_spec(portal)["containers"][0]).values()
