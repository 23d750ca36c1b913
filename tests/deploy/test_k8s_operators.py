"""The Strimzi (kafka.strimzi.io/v1beta2) and CloudNativePG (postgresql.cnpg.io/v1) resources carry
the fields the services rely on. Their CRDs cannot be fetched here, so each field is named."""

from __future__ import annotations

import re

import pytest

from supportmatch_core.topics import PROFILE, all_topics, dead_letter
from tests.deploy.files import SERVICES, consumed_topics
from tests.deploy.k8s import Manifest, env_of, matches, of_kind, pod_spec

STRIMZI = "kafka.strimzi.io/v1beta2"
CNPG = "postgresql.cnpg.io/v1"
# What each service writes (its outbox) and reads (its consumers); docs and DESIGN.md agree.
WRITES = {
    "portal": {"casework.case.v1"},
    "profiles": {"enterprise.profile.v1"},
    "eligibility": {"eligibility.determination.v1", "policy.measure.v1"},
    "notifications": {"notification.delivery.v1"},
}
READS = {
    "portal": set(),
    "profiles": set(),
    "eligibility": {"enterprise.profile.v1", "casework.case.v1"},
    "notifications": {
        "eligibility.determination.v1",
        "policy.measure.v1",
        "enterprise.profile.v1",
        "casework.case.v1",
    },
}


def _platform(manifests: list[Manifest]) -> dict[str, str]:
    (config,) = [m for m in manifests if m["kind"] == "ConfigMap"]
    data: dict[str, str] = config["data"]
    return data


def test_the_kafka_cluster_is_kraft_with_scram_over_tls_where_the_services_look(
    manifests: list[Manifest],
) -> None:
    (kafka,) = of_kind(manifests, "Kafka").values()
    assert kafka["apiVersion"] == STRIMZI
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/node-pools": "enabled",
        "strimzi.io/kraft": "enabled",
    }
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"]["type"] == "scram-sha-512"
    platform = _platform(manifests)
    bootstrap = (
        f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"  # Strimzi's Service
    )
    assert platform["KAFKA_BOOTSTRAP_SERVERS"] == bootstrap
    assert platform["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert platform["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
    assert {"topicOperator", "userOperator"} <= set(kafka["spec"]["entityOperator"])


def test_node_pools_give_three_controllers_and_three_brokers_of_the_cluster(
    manifests: list[Manifest],
) -> None:
    pools = of_kind(manifests, "KafkaNodePool").values()
    roles: dict[str, int] = {}
    for pool in pools:
        assert pool["apiVersion"] == STRIMZI
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "supportmatch"
        for role in pool["spec"]["roles"]:
            roles[role] = roles.get(role, 0) + pool["spec"]["replicas"]
        (volume,) = pool["spec"]["storage"]["volumes"]
        assert volume["type"] == "persistent-claim"
        assert volume["kraftMetadata"] == "shared"
    assert roles == {"controller": 3, "broker": 3}


def test_every_topic_of_the_platform_exists_with_its_partitions_replicas_and_retention(
    manifests: list[Manifest],
) -> None:
    declared = {t["spec"]["topicName"]: t for t in of_kind(manifests, "KafkaTopic").values()}
    assert set(declared) == {spec.name for spec in all_topics()}
    partitions = int(_platform(manifests)["KAFKA_TOPIC_PARTITIONS"])
    dead_letters = {dead_letter(spec.name) for spec in all_topics()}
    for spec in all_topics():
        topic = declared[spec.name]
        assert topic["apiVersion"] == STRIMZI
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "supportmatch"
        parked = spec.name in dead_letters
        assert topic["spec"]["partitions"] == (spec.partitions if parked else partitions)
        assert topic["spec"]["replicas"] == 3
        config = topic["spec"]["config"]
        assert config["min.insync.replicas"] == 2
        if spec.name == PROFILE:
            assert config["cleanup.policy"] == "compact"
        else:
            assert config["retention.ms"] >= 7 * 24 * 3600 * 1000


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_logs_in_as_its_own_user_allowed_only_its_topics(
    manifests: list[Manifest], service: str
) -> None:
    user = of_kind(manifests, "KafkaUser")[service]
    assert user["apiVersion"] == STRIMZI
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    allowed: dict[tuple[str, str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        key = (resource["type"], resource["name"], resource["patternType"])
        allowed.setdefault(key, set()).update(acl["operations"])
    expected = {
        ("topic", "*", "literal"): {"Describe"},
        ("group", f"{service}.", "prefix"): {"Read"},  # its groups of one topic each, before
    }
    if READS[service]:
        expected[("group", service, "literal")] = {"Read"}  # the service's consumer group
    for topic in WRITES[service]:
        expected[("topic", topic, "literal")] = {"Write"}
    for topic in READS[service]:
        expected[("topic", topic, "literal")] = {"Read"}
        expected[("topic", dead_letter(topic), "literal")] = {"Write"}
    assert allowed == expected
    assert READS[service] == consumed_topics(service)
    server = pod_spec(of_kind(manifests, "Deployment")[service])["containers"][0]
    assert env_of(server)["KAFKA_SASL_USERNAME"] == service


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_replicated_backed_up_postgresql(
    manifests: list[Manifest], service: str
) -> None:
    cluster = of_kind(manifests, "Cluster")[f"{service}-db"]
    assert cluster["apiVersion"] == CNPG
    spec = cluster["spec"]
    assert spec["instances"] >= 3  # a primary and two replicas to fail over to
    assert spec["bootstrap"]["initdb"] == {"database": service, "owner": service}
    assert re.fullmatch(r"\d+(Gi|Ti)", spec["storage"]["size"])
    assert spec["postgresql"]["parameters"]["default_toast_compression"] == "lz4"
    (plugin,) = spec["plugins"]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io"
    assert plugin["isWALArchiver"] is True
    store = of_kind(manifests, "ObjectStore")[plugin["parameters"]["barmanObjectName"]]
    assert store["spec"]["configuration"]["destinationPath"].endswith(f"/{service}")
    (backup,) = [
        b
        for b in of_kind(manifests, "ScheduledBackup").values()
        if b["spec"]["cluster"]["name"] == f"{service}-db"
    ]
    assert backup["apiVersion"] == CNPG
    assert backup["spec"]["method"] == "plugin"
    assert backup["spec"]["pluginConfiguration"]["name"] == plugin["name"]
    # Only the service's pods reach it, through the Secret CloudNativePG makes for the owner.
    policy = of_kind(manifests, "NetworkPolicy")[f"{service}-db"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"cnpg.io/cluster": f"{service}-db"}
    server_labels = of_kind(manifests, "Deployment")[service]["spec"]["template"]["metadata"][
        "labels"
    ]
    peers = [p["podSelector"] for p in policy["spec"]["ingress"][0]["from"]]
    assert any(matches(peer, server_labels) for peer in peers)
