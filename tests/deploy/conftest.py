"""The Kubernetes manifests as the cluster would receive them: rendered once by the pinned kustomize."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.deploy.files import DEPLOY, ROOT, load_documents

OVERLAY = DEPLOY / "k8s" / "overlays" / "production"


@pytest.fixture(scope="session")
def manifests() -> list[dict[str, Any]]:
    """`kustomize build` of the production overlay (kustomize is built into the cache on first use
    by deploy/k8s/kustomize.sh, which `make test` runs before pytest)."""
    kustomize = subprocess.run(
        [str(DEPLOY / "k8s" / "kustomize.sh")],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout.strip()
    rendered = subprocess.run(
        [kustomize, "build", str(OVERLAY.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert rendered.returncode == 0, rendered.stderr
    return load_documents(rendered.stdout)
