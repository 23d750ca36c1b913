"""Reads the deployment files as the tools that use them would: YAML documents, Dockerfile lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("portal", "profiles", "eligibility", "notifications")
# Variable names that hold secrets; their values must come from files or secret references.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|(^|_)KEY($|_)", re.IGNORECASE)


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_documents(text: str) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(text) if document]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int


def dockerfile(path: Path) -> list[Instruction]:
    """The instructions of a Dockerfile, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending, stage = "", -1
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending = f"{pending} {stripped}" if pending else stripped
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        keyword, _, arguments = pending.partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
        pending = ""
    return instructions


def consumed_topics(service: str) -> set[str]:
    """The topics a service's consumer reads, from its worker.py (`Subscription(PROFILE, ...)`)."""
    from supportmatch_core import topics

    worker = ROOT / "services" / service / "src" / service / "worker.py"
    if not worker.exists():
        return set()
    return {
        getattr(topics, name) for name in re.findall(r"Subscription\(([A-Z_]+)", worker.read_text())
    }
