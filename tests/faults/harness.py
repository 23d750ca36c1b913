"""The parts a fault scenario works with: the system as `make run` starts it (optionally on a
PostgreSQL server of its own), an SMTP server and a webhook receiver the test can take down, and
ways to find and kill the system's processes."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

from supportmatch_core.apache_kafka import ApacheKafka
from tests.conftest import free_port
from tests.e2e.system import RunningSystem
from tests.integration.notifying import Mailbox
from tests.ports import answers_ready

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("profiles", "eligibility", "notifications")


class OwnPostgres:
    """A PostgreSQL server for one scenario (deploy/local/postgres.sh on a free port), so that
    restarting it disturbs nothing else."""

    def __init__(self) -> None:
        # Under /tmp, not pytest's private folder: the server runs as the postgres user.
        self.folder = Path(tempfile.mkdtemp(prefix="supportmatch-faults-pg-"))
        self.folder.chmod(0o755)
        self.env = {**os.environ, "PGDATA": str(self.folder / "data"), "PGPORT": str(free_port())}
        self.url = self._script("start").strip()

    def _script(self, command: str) -> str:
        done = subprocess.run(
            [str(ROOT / "deploy/local/postgres.sh"), command],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def database_urls(self) -> dict[str, str]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            for name in SERVICES:
                connection.execute(f'CREATE DATABASE "{name}"')
        base = self.url.rsplit("/", 1)[0]
        return {name: f"{base}/{name}" for name in SERVICES}

    def restart(self) -> None:
        self._script("restart")

    def stop(self) -> None:
        self._script("stop")
        subprocess.run(["rm", "-rf", str(self.folder)], check=False)


class Smtp(Mailbox):
    """An SMTP server on loopback that keeps every message; it can be taken down and back."""

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


class Receiver:
    """A webhook receiver on a fixed loopback port that records each delivery id; while down,
    its port refuses connections."""

    def __init__(self) -> None:
        self.port = free_port()
        self.deliveries: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self.start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.deliveries.append(self.headers["Supportmatch-Delivery"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class FaultSystem(RunningSystem):
    """`supportmatch run` with its email and webhooks going to the test's peers, fast retries,
    and (optionally) every service on the scenario's own PostgreSQL server."""

    def __init__(
        self,
        var_dir: Path,
        *,
        smtp: Smtp,
        database_urls: dict[str, str] | None = None,
        kafka: ApacheKafka | None = None,
    ) -> None:
        super().__init__(var_dir)
        self.smtp = smtp
        self.database_urls = database_urls or {}
        self.kafka = kafka  # None: the embedded broker `supportmatch run` starts

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap_servers if self.kafka else self.broker_address

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env.update(
            NOTIFICATIONS_SMTP_HOST="127.0.0.1",
            NOTIFICATIONS_SMTP_PORT=str(self.smtp.port),
            NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
            NOTIFICATIONS_DELIVERY_BACKOFF_SECONDS="2",
            NOTIFICATIONS_DELIVERY_BACKOFF_CAP_SECONDS="10",
            NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS="30",
            NOTIFICATIONS_DELIVERY_LEASE_SECONDS="15",
        )
        for name, url in self.database_urls.items():
            env[f"{name.upper()}_DATABASE_URL"] = url
        if self.kafka:
            env["KAFKA_BOOTSTRAP_SERVERS"] = self.kafka.bootstrap_servers
        return env

    def database_url(self, service: str) -> str:
        return self.database_urls.get(service) or f"sqlite:///{self.var_dir / f'{service}.sqlite3'}"

    def processes(self) -> list[psutil.Process]:
        assert self.process is not None
        children: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
        return children

    def _running(self, matches: Callable[[list[str]], bool]) -> psutil.Process:
        found = []
        for process in self.processes():
            try:
                if matches(process.cmdline()):
                    found.append(process)
            except (psutil.ZombieProcess, psutil.NoSuchProcess):
                continue  # exited, not reaped yet
        (only,) = found
        return only

    def service_process(self, name: str) -> psutil.Process:
        return self._running(lambda command: command[-2:] == ["-m", name])

    def broker_process(self) -> psutil.Process:
        return self._running(lambda command: "--listener-url" in command)

    def kill(self, process: psutil.Process) -> None:
        process.send_signal(signal.SIGKILL)
        ended(process)

    def wait_ready(self, timeout: float = 120) -> None:
        """Until every service answers ready again (after a restart by the supervisor)."""
        deadline = time.monotonic() + timeout
        while not all(answers_ready(self.url(name)) for name in self.ports):
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready again:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)


def ended(process: psutil.Process, timeout: float = 30) -> None:
    """Until `process` has exited (a zombie its held parent has not reaped counts as exited)."""
    deadline = time.monotonic() + timeout
    while _alive(process):
        assert time.monotonic() < deadline, f"{process.pid} did not exit"
        time.sleep(0.1)


def _alive(process: psutil.Process) -> bool:
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:  # reaped by its parent between the two questions
        return False
