"""Apache Kafka on this machine from Maven Central's jars: KRaft nodes on loopback, with logs on disk."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from supportmatch_core.kafka_jars import KafkaStartError, deploy_dir, fetch

SCRAM = "SCRAM-SHA-512"
# A broker that serves for hours: G1 with short pauses, and both compilers for its steady state.
BROKER_JVM = ("-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true")
# The storage tool, which runs once, and nodes that live for seconds (each test's): the quick
# compiler alone and a single-threaded collector halve the CPU a node's start costs (on 2 cores:
# 9.5 s to 5.1 s for format, start, topics and stop), and such a node never reaches a steady state.
# Not for a node speaking TLS: on this JVM clients gave up on it before a refusal reached them.
SHORT_LIVED_JVM = (
    "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
)  # fmt: skip


def new_uuid() -> str:
    """A Kafka UUID (cluster or directory id): 16 random bytes, URL-safe base64 without padding,
    never starting with "-", which the storage tool would read as an option (as Kafka's own)."""
    while (text := base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode())[0] == "-":
        pass
    return text


@dataclass(frozen=True)
class ScramOverTls:
    """The client listener speaks SASL_SSL with SCRAM-SHA-512; users are created at format time."""

    keystore: Path  # PEM: the broker's PKCS#8 private key, then its certificate chain
    ca_file: Path  # PEM: the CA the brokers check each other against
    users: Mapping[str, str]  # name -> password
    broker_user: str  # the brokers' own user, for the connections between them

    def broker_properties(self) -> dict[str, str]:
        password = self.users[self.broker_user]
        return {
            "sasl.enabled.mechanisms": SCRAM,
            "sasl.mechanism.inter.broker.protocol": SCRAM,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{self.broker_user}" password="{password}";'
            ),
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(self.keystore),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.ca_file),
        }


@dataclass
class KafkaNode:
    """One combined broker and controller, its files under `home` and its logs under `logs`."""

    node_id: int
    port: int
    controller_port: int
    home: Path
    logs: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    def pid(self) -> int | None:
        """The pid of this node's running JVM, checked against its command line."""
        if self.process is not None:
            return self.process.pid if self.process.poll() is None else None
        try:
            pid = int(self.pid_file.read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if str(self.properties).encode() in command else None


class ApacheKafka:
    """A KRaft cluster on 127.0.0.1 whose every node is broker and controller (quorum of all)."""

    def __init__(
        self,
        home: Path,
        *,
        ports: Sequence[tuple[int, int]],
        logs: Path,
        security: ScramOverTls | None = None,
        jvm: Sequence[str] = BROKER_JVM,
    ) -> None:
        self.home, self.security, self.jvm = home, security, jvm
        self.nodes = [
            KafkaNode(i, port, cport, home / f"node-{i}", logs / f"node-{i}")
            for i, (port, cport) in enumerate(ports, start=1)
        ]

    @classmethod
    def existing(cls, home: Path, *, logs: Path) -> ApacheKafka:
        """The cluster formatted under `home` earlier, with the ports its nodes were given."""
        ports = []
        for properties in sorted(home.glob("node-*/server.properties")):
            values = dict(
                line.split("=", 1) for line in properties.read_text().splitlines() if "=" in line
            )
            ports.append(tuple(int(a.rsplit(":", 1)[1]) for a in values["listeners"].split(",")))
        return cls(home, ports=[(p, c) for p, c in ports], logs=logs)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def client_config(self) -> dict[str, Any]:
        """kafka-python options that reach this cluster (as the brokers' own user when secured)."""
        config: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers.split(",")}
        if self.security:
            user = self.security.broker_user
            config |= {
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": SCRAM,
                "sasl_plain_username": user,
                "sasl_plain_password": self.security.users[user],
                "ssl_cafile": str(self.security.ca_file),
            }
        return config

    def running(self) -> list[KafkaNode]:
        return [node for node in self.nodes if node.pid() is not None]

    def start(self, timeout: float = 120.0) -> None:
        """Format the storage once, start every node not running, and wait until all are brokers."""
        lib = fetch()
        self.home.mkdir(parents=True, exist_ok=True)
        id_file = self.home / "cluster.id"
        if not id_file.exists():
            id_file.write_text(new_uuid())
        directory_ids = {node.node_id: new_uuid() for node in self.nodes}
        for node in self.nodes:
            if node.pid() is None:
                self._write_properties(node)
                self._format(lib, node, id_file.read_text().strip(), directory_ids)
                self._launch(lib, node)
        self._wait(timeout)

    def _write_properties(self, node: KafkaNode) -> None:
        listener = "SASL_SSL" if self.security else "PLAINTEXT"
        replicas = min(3, len(self.nodes))
        values = {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "listeners": f"{listener}://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": f"{listener}://127.0.0.1:{node.port}",
            "listener.security.protocol.map": f"{listener}:{listener},CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": listener,
            "controller.listener.names": "CONTROLLER",
            "controller.quorum.bootstrap.servers": ",".join(
                f"127.0.0.1:{n.controller_port}" for n in self.nodes
            ),
            "log.dirs": str(node.home / "data"),
            "auto.create.topics.enable": "false",  # the services create their topics explicitly
            "offsets.topic.replication.factor": str(replicas),
            "transaction.state.log.replication.factor": str(replicas),
            "transaction.state.log.min.isr": str(min(2, replicas)),
            "min.insync.replicas": str(min(2, replicas)),
            "group.initial.rebalance.delay.ms": "0",  # one machine: no wait for more members
            **(self.security.broker_properties() if self.security else {}),
        }
        node.home.mkdir(parents=True, exist_ok=True)
        node.properties.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        node.properties.chmod(0o600)  # it may hold the brokers' own password

    def _format(
        self, lib: Path, node: KafkaNode, cluster: str, directories: dict[int, str]
    ) -> None:
        if (node.home / "data" / "meta.properties").exists():
            return  # formatted once; a second format would need --ignore-formatted and lose nothing
        if len(self.nodes) == 1:
            quorum = ["--standalone"]
        else:
            voters = ",".join(
                f"{n.node_id}@127.0.0.1:{n.controller_port}:{directories[n.node_id]}"
                for n in self.nodes
            )
            quorum = ["--initial-controllers", voters]
        scram = []
        for name, password in self.security.users.items() if self.security else ():
            scram += ["--add-scram", f"{SCRAM}=[name={name},password={password}]"]
        done = subprocess.run(
            [*self._java(lib, node, SHORT_LIVED_JVM), "kafka.tools.StorageTool", "format",
             "--cluster-id", cluster, "--config", str(node.properties), *quorum, *scram],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        if done.returncode:
            raise KafkaStartError(
                f"formatting node {node.node_id} failed: {done.stdout}{done.stderr}"
            )

    def _java(self, lib: Path, node: KafkaNode, jvm: Sequence[str]) -> list[str]:
        node.logs.mkdir(parents=True, exist_ok=True)
        return [
            "java",
            *jvm,
            f"-Dlog4j2.configurationFile={deploy_dir() / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={node.logs}",
            "-cp",
            f"{lib}/*",
        ]

    def _launch(self, lib: Path, node: KafkaNode) -> None:
        with (node.logs / "console.log").open("ab") as console:
            process = subprocess.Popen(
                [*self._java(lib, node, self.jvm), "kafka.Kafka", str(node.properties)],
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # outlives `supportmatch kafka start`; Ctrl-C spares it
            )
        node.pid_file.write_text(str(process.pid))
        node.process = process

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.pid() is None:
                    raise KafkaStartError(
                        f"Kafka node {node.node_id} exited; see {node.logs}/server.log"
                    )
            if self._all_brokers_answer():
                return
            time.sleep(0.3)
        raise KafkaStartError(
            f"Kafka did not answer on {self.bootstrap_servers} in {timeout:.0f} s"
        )

    def _all_brokers_answer(self) -> bool:
        if not all(_port_open(node.port) for node in self.nodes):
            return False
        try:
            admin = KafkaAdminClient(**self.client_config(), request_timeout_ms=3000)
        except KafkaError:
            return False
        try:
            brokers = admin.describe_cluster()["brokers"]
            return len([b for b in brokers if not b.get("is_fenced")]) == len(self.nodes)
        except KafkaError:
            return False
        finally:
            admin.close()

    def stop(self, timeout: float = 30.0, *, node_ids: Sequence[int] = ()) -> None:
        """Stop the nodes (all, or those named) with SIGTERM, and SIGKILL any still up at `timeout`."""
        chosen = [n for n in self.nodes if not node_ids or n.node_id in node_ids]
        pids = {node.node_id: pid for node in chosen if (pid := node.pid()) is not None}
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for node in chosen:
            while node.node_id in pids and node.pid() is not None:
                if time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pids[node.node_id], signal.SIGKILL)
                if node.process is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        node.process.wait(0.2)
                else:
                    time.sleep(0.2)
            node.process = None
            node.pid_file.unlink(missing_ok=True)


def consecutive_ports(first: int, nodes: int) -> list[tuple[int, int]]:
    """Node i listens on first + 2i for clients and first + 2i + 1 for its controller."""
    return [(first + 2 * i, first + 2 * i + 1) for i in range(nodes)]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
