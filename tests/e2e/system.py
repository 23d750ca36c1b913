"""Starts the whole system exactly as `make run` does (`supportmatch run`), on free ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.conftest import free_port
from tests.ports import answers_ready

BIN = Path(sys.executable).parent


class RunningSystem:
    """`supportmatch run` in a subprocess with its own var/ folder, broker port and API ports."""

    def __init__(self, var_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.var_dir = var_dir
        self.extra_env = extra_env or {}
        self.ports = {
            name: free_port() for name in ("portal", "profiles", "eligibility", "notifications")
        }
        self.broker_address = f"127.0.0.1:{free_port()}"
        self.smtp_port = free_port()  # the mail catcher `supportmatch run` starts
        self.process: subprocess.Popen[bytes] | None = None
        self.log = var_dir / "run.log"
        self.descendants: list[psutil.Process] = []

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("KAFKA_", "PORTAL_", "PROFILES_", "ELIGIBILITY_", "NOTIFICATIONS_")
            )
        }
        env.update(
            SUPPORTMATCH_VAR_DIR=str(self.var_dir),
            SUPPORTMATCH_BROKER_ADDRESS=self.broker_address,
            PORTAL_PORT=str(self.ports["portal"]),
            PROFILES_PORT=str(self.ports["profiles"]),
            ELIGIBILITY_PORT=str(self.ports["eligibility"]),
            NOTIFICATIONS_PORT=str(self.ports["notifications"]),
            NOTIFICATIONS_SMTP_PORT=str(self.smtp_port),
        )
        env.pop("SUPPORTMATCH_JWT_SECRET", None)
        env.update(self.extra_env)
        return env

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, timeout: float = 120) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "supportmatch"), "run"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"supportmatch run exited:\n{self.log.read_text()[-3000:]}")
            if all(answers_ready(self.url(name)) for name in self.ports):
                self.descendants = psutil.Process(self.process.pid).children(recursive=True)
                return
            time.sleep(0.2)
        self.stop(signal.SIGTERM)  # leave nothing running behind a failed start
        raise RuntimeError(f"the system did not get ready:\n{self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        """Send `sig` as Ctrl-C would and wait; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout)
        self.process = None
        return code

    def leftovers(self) -> list[psutil.Process]:
        """Processes the system started that are still alive."""
        return [
            p for p in self.descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        ]

    def token(self, *args: str) -> str:
        """A development token from `supportmatch token`, as a new user gets one."""
        result = subprocess.run(
            [str(BIN / "supportmatch"), "token", *args],
            env=self.env,
            capture_output=True,
            check=True,
            text=True,
        )
        return result.stdout.strip()
