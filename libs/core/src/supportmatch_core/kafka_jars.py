"""Apache Kafka's jars from Maven Central, fetched once into a cache outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from supportmatch_core.broker import BrokerStartError
from supportmatch_core.paths import project_root


class KafkaStartError(BrokerStartError):
    """Apache Kafka could not be fetched, formatted or started, or did not answer in time."""


def deploy_dir() -> Path:
    """`deploy/kafka/`: the pom that pins Kafka's version and the log4j2 configuration."""
    return project_root() / "deploy" / "kafka"


def kafka_version() -> str:
    """The Kafka version pinned in deploy/kafka/pom.xml."""
    found = ElementTree.parse(deploy_dir() / "pom.xml").find(  # noqa: S314 - our own file
        "m:properties/m:kafka.version", {"m": "http://maven.apache.org/POM/4.0.0"}
    )
    if found is None or not found.text:
        raise KafkaStartError("deploy/kafka/pom.xml names no <kafka.version>")
    return found.text.strip()


def jar_folder() -> Path:
    """Where the jars live, outside the checkout so that every work tree shares one copy."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "supportmatch" / f"kafka-{kafka_version()}" / "lib"


def fetch() -> Path:
    """Kafka's runtime jars, copied from Maven Central on first use; returns their folder."""
    lib = jar_folder()
    if lib.is_dir():
        return lib
    for tool in ("mvn", "java"):
        if not shutil.which(tool):
            raise KafkaStartError(f"`{tool}` is not on PATH: Apache Kafka needs Java 17+ and Maven")
    lib.parent.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=".lib-", dir=lib.parent))
    done = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(deploy_dir() / "pom.xml"), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={draft}"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    if done.returncode:
        shutil.rmtree(draft, ignore_errors=True)
        raise KafkaStartError(f"mvn could not fetch Kafka:\n{(done.stdout + done.stderr)[-2000:]}")
    try:
        draft.rename(lib)
    except OSError:  # another fetch finished first; its copy is as good
        shutil.rmtree(draft, ignore_errors=True)
    return lib
