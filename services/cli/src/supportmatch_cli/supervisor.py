"""Runs the whole system on one machine: the embedded broker and each service in its own process."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType

import httpx

from supportmatch_cli.local_kafka import local_cluster
from supportmatch_core.apache_kafka import ApacheKafka
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.broker import BrokerStartError, EmbeddedBroker
from supportmatch_core.kafka import create_admin, ensure_platform_topics
from supportmatch_core.paths import var_dir
from supportmatch_core.settings import ServiceSettings


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_env: str
    port: int


SERVICES = (
    ServiceSpec("profiles", "PROFILES_PORT", 8001),
    ServiceSpec("eligibility", "ELIGIBILITY_PORT", 8002),
    ServiceSpec("notifications", "NOTIFICATIONS_PORT", 8003),
)


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if the supervisor dies without cleaning up.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


class System:
    def __init__(self) -> None:
        self.broker: EmbeddedBroker | None = None
        self.apache_kafka: ApacheKafka | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()
        self.env: dict[str, str] = {}

    def start(self) -> None:
        self.env = env = dict(os.environ)
        env.setdefault("SUPPORTMATCH_VAR_DIR", str(var_dir()))
        ServiceSettings()  # creates the development signing key once, before the services race
        self.apache_kafka = start_local_apache_kafka(env)
        if env.get("KAFKA_BOOTSTRAP_SERVERS"):
            env["SUPPORTMATCH_EMBEDDED_BROKER"] = "0"
            settings = ServiceSettings(kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"])
            admin = create_admin(settings)
            ensure_platform_topics(admin, settings)
            admin.close()
            _say(f"broker: {env['KAFKA_BOOTSTRAP_SERVERS']} (configured)")
        else:
            address = os.environ.get("SUPPORTMATCH_BROKER_ADDRESS", "127.0.0.1:19092")
            (var_dir() / "log").mkdir(exist_ok=True)
            self.broker = EmbeddedBroker(address, log_file=var_dir() / "log" / "broker.log")
            self.broker.start()
            env["KAFKA_BOOTSTRAP_SERVERS"] = address
            env["SUPPORTMATCH_EMBEDDED_BROKER"] = "1"
            _say(f"broker: embedded Tansu on {address} (memory only)")
        commands = {spec.name: [sys.executable, "-u", "-m", spec.name] for spec in SERVICES}
        if not os.environ.get("NOTIFICATIONS_SMTP_HOST"):
            port = env.setdefault("NOTIFICATIONS_SMTP_PORT", "1025")
            commands = {
                "mail": [sys.executable, "-u", "-m", "notifications.mailcatcher", "--port", port],
                **commands,
            }
            _say(
                f"mail: local catcher on 127.0.0.1:{port}, each message saved in {var_dir() / 'mail'}/"
            )
        for name, command in commands.items():
            self.children[name] = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
            threading.Thread(target=_relabel, args=(name, self.children[name]), daemon=True).start()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        pending = {spec.name: _url(spec) for spec in SERVICES}
        while pending and time.monotonic() < deadline and not self.stopping.is_set():
            for name, url in list(pending.items()):
                if self.children[name].poll() is not None:
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        del pending[name]
            time.sleep(0.2)
        return not pending

    def watch(self) -> int:
        """Block until a signal or a child's death; returns the exit code."""
        while not self.stopping.is_set():
            for name, child in self.children.items():
                if child.poll() is not None:
                    _say(f"{name} exited with code {child.returncode}; stopping everything")
                    return 1
            self.stopping.wait(0.5)
        return 0

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.broker:
            self.broker.stop()
        if self.apache_kafka:
            self.apache_kafka.stop()


def start_local_apache_kafka(env: dict[str, str]) -> ApacheKafka | None:
    """With SUPPORTMATCH_BROKER=apache and no configured cluster, start Apache Kafka under var/kafka
    (`make run KAFKA=apache`) and point `env` at it; returns it when this call started it."""
    kind = env.get("SUPPORTMATCH_BROKER") or "tansu"
    if kind not in {"tansu", "apache"}:
        raise BrokerStartError(f"SUPPORTMATCH_BROKER is {kind!r}; say tansu or apache")
    if kind == "tansu" or env.get("KAFKA_BOOTSTRAP_SERVERS"):
        return None
    cluster = local_cluster()
    started = not cluster.running()  # one left running by `make kafka` is used, and left running
    _say(f"broker: Apache Kafka on {cluster.bootstrap_servers}, data in {cluster.home}")
    try:
        cluster.start()
    except BrokerStartError:
        if started:
            cluster.stop()
        raise
    env["KAFKA_BOOTSTRAP_SERVERS"] = cluster.bootstrap_servers
    return cluster if started else None


def _url(spec: ServiceSpec) -> str:
    return f"http://127.0.0.1:{os.environ.get(spec.port_env, spec.port)}"


def _relabel(name: str, child: subprocess.Popen[bytes]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        sys.stdout.write(f"{name:<13}| {line.decode(errors='replace')}")
        sys.stdout.flush()


def _say(text: str) -> None:
    print(f"{'supportmatch':<13}| {text}", flush=True)  # noqa: T201 - the supervisor talks to its user


def seed_demo(count: int, env: dict[str, str]) -> None:
    """Import `count` demo enterprises when the profiles database holds none yet."""
    settings = ServiceSettings()
    token = TokenService(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience).issue(
        subject="supportmatch-run", role=Role.ADMIN
    )
    profiles = next(spec for spec in SERVICES if spec.name == "profiles")
    listed = httpx.get(
        f"{_url(profiles)}/v1/enterprises?limit=1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if listed.status_code != 200 or listed.json()["items"]:
        return
    _say(f"first use: importing {count} demo enterprises (supportmatch demo-data)")
    subprocess.run(
        [sys.executable, "-m", "supportmatch_cli.main", "demo-data", "--count", str(count)],
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def run_system(*, demo_count: int = 0) -> int:
    """Start everything, print how to use it, and stop everything on SIGINT or SIGTERM."""
    system = System()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        system.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        system.start()
        if not system.wait_ready():
            if not system.stopping.is_set():
                _say("a service did not become ready; see its log lines above")
                code = 1
        else:
            if demo_count:
                seed_demo(demo_count, system.env)
            _announce()
            code = system.watch()
    except BrokerStartError as error:
        _say(f"cannot start the embedded broker: {error}")
        code = 1
    finally:
        _say("stopping")
        system.stop()
        _say("stopped")
    return code


def _announce() -> None:
    lines = [f"{spec.name:<14} {_url(spec)}   (API docs at {_url(spec)}/docs)" for spec in SERVICES]
    _say("ready:\n  " + "\n  ".join(lines))
    _say(
        "get a token:  uv run supportmatch token --role enterprise --uscc 914403001922038216\n"
        "              uv run supportmatch token --role caseworker --region 广东\n"
        "              uv run supportmatch token --role admin\n"
        '  then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8003/v1/enterprises/<uscc>/inbox'
    )
