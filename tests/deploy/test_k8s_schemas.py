"""Every rendered Kubernetes object is valid against the Kubernetes API schemas that the pinned
kubernetes-validate package ships (offline, strict: unknown fields are errors)."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest

KUBERNETES = "1.32"  # the oldest minor the deployment supports (Strimzi 0.51 needs 1.30+)
# Kinds of the operators' CRDs, which no schema here describes: test_k8s_operators checks them.
OPERATOR_KINDS = {
    ("kafka.strimzi.io/v1beta2", "Kafka"),
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"),
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"),
    ("kafka.strimzi.io/v1beta2", "KafkaUser"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("barmancloud.cnpg.io/v1", "ObjectStore"),
}


def test_every_core_object_validates_and_only_operator_kinds_lack_a_schema(
    manifests: list[dict[str, Any]],
) -> None:
    unchecked = set()
    for manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            unchecked.add((manifest["apiVersion"], manifest["kind"]))
        except kubernetes_validate.ValidationError as error:
            where = ".".join(map(str, error.path))
            pytest.fail(
                f"{manifest['kind']}/{manifest['metadata']['name']}: {where}: {error.message}"
            )
    assert unchecked == OPERATOR_KINDS


def test_the_validator_refuses_what_the_api_server_would(manifests: list[dict[str, Any]]) -> None:
    deployment = copy.deepcopy(next(m for m in manifests if m["kind"] == "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = (
        "/"
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)
