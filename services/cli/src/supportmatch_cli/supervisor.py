"""Runs the whole system on one machine: the embedded broker and each service in its own process,
restarting what dies (with backoff) and stopping the services first and the broker last. Longer
than 300 lines: the processes' lives (start, watch, restart, stop) and what `supportmatch run`
does around them (a local Apache Kafka, demo firms, the ready banner) read best together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

import httpx

from portal.domain.demo import DEMO_ACCOUNTS, DEMO_USCC
from supportmatch_cli.local_kafka import local_cluster
from supportmatch_core.apache_kafka import ApacheKafka
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.broker import BrokerStartError, EmbeddedBroker
from supportmatch_core.kafka import create_admin, ensure_platform_topics
from supportmatch_core.paths import var_dir
from supportmatch_core.processes import die_with_parent
from supportmatch_core.settings import ServiceSettings


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_env: str
    port: int


SERVICES = (
    ServiceSpec("portal", "PORTAL_PORT", 8000),
    ServiceSpec("profiles", "PROFILES_PORT", 8001),
    ServiceSpec("eligibility", "ELIGIBILITY_PORT", 8002),
    ServiceSpec("notifications", "NOTIFICATIONS_PORT", 8003),
)

STOP_GRACE_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 30.0
# A process that stayed up this long starts its backoff afresh when it dies again.
STABLE_AFTER_SECONDS = 60.0


@dataclass
class Backoff:
    """When to start again something that keeps dying: 1, 2, 4 … 30 s, afresh once it was stable."""

    failures: int = 0
    started_at: float = 0.0

    def started(self) -> None:
        self.started_at = time.monotonic()

    def next_delay(self) -> float:
        if time.monotonic() - self.started_at > STABLE_AFTER_SECONDS:
            self.failures = 0
        self.failures += 1
        return min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1))


@dataclass
class Child:
    """A service process, in a session of its own so that Ctrl-C reaches only the supervisor."""

    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    backoff: Backoff = field(default_factory=Backoff)
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        self.backoff.started()
        self.restart_at = None
        threading.Thread(target=_relabel, args=(self.name, self.process), daemon=True).start()

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"{self.name} did not stop within {STOP_GRACE_SECONDS:.0f} s; killing it")
            self.process.kill()
            self.process.wait()


class System:
    def __init__(self) -> None:
        self.broker: EmbeddedBroker | None = None
        self.broker_backoff = Backoff()
        self.broker_restart_at: float | None = None
        self.children: dict[str, Child] = {}
        self.apache_kafka: ApacheKafka | None = None
        self.env: dict[str, str] = {}
        # Set from signal handlers: a plain attribute, because a handler that takes a lock can
        # deadlock against itself when a second signal arrives while the first holds it.
        self.stop_requested = False

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stop_requested = True

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
            self.broker_backoff.started()
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
            self.children[name] = Child(name, command, env)
            self.children[name].start()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Whether every service answers ready in time; False at once if one exits meanwhile."""
        deadline = time.monotonic() + timeout
        pending = {spec.name: _url(spec) for spec in SERVICES}
        while pending and time.monotonic() < deadline and not self.stop_requested:
            for name, url in list(pending.items()):
                if self.children[name].exited() is not None:
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        del pending[name]
            time.sleep(0.2)
        return not pending

    def watch(self) -> int:
        """Keep everything running until a signal: restart what died, with backoff."""
        while not self.stop_requested:
            self._keep_broker()
            for child in self.children.values():
                self._keep(child)
            time.sleep(0.2)
        return 0

    def _keep(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is None:
            code = child.exited()
            if code is not None:
                delay = child.backoff.next_delay()
                child.restart_at = now + delay
                _say(f"{child.name} exited with code {code}; starting it again in {delay:.0f} s")
        elif now >= child.restart_at:
            _say(f"starting {child.name} again")
            child.start()

    def _keep_broker(self) -> None:
        broker = self.broker
        if broker is None:
            return
        now = time.monotonic()
        if self.broker_restart_at is None:
            if not broker.alive():
                delay = self.broker_backoff.next_delay()
                self.broker_restart_at = now + delay
                _say(
                    f"the embedded broker exited (code {broker.exit_code()}); starting it again "
                    f"in {delay:.0f} s. It keeps data in memory only: the services publish their "
                    "retained events to it again"
                )
        elif now >= self.broker_restart_at:
            try:
                broker.start()
                self.broker_backoff.started()
                self.broker_restart_at = None
                _say(f"broker: embedded Tansu on {broker.address} again (a new, empty cluster)")
            except BrokerStartError as error:
                delay = self.broker_backoff.next_delay()
                self.broker_restart_at = now + delay
                _say(f"cannot start the embedded broker: {error}; trying again in {delay:.0f} s")

    def stop(self) -> None:
        """Stop the services, then the mail catcher, then the broker (which they still use)."""
        services = [c for name, c in self.children.items() if name != "mail"]
        for group in (services, [c for name, c in self.children.items() if name == "mail"]):
            for child in group:
                child.terminate()
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for child in group:
                child.wait(deadline)
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
        f"{_url(profiles)}/v1/enterprises?limit=2",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    # The portal registers its demo firm as soon as profiles answers: that one does not count.
    if listed.status_code != 200 or [e for e in listed.json()["items"] if e["uscc"] != DEMO_USCC]:
        return
    _say(f"first use: importing {count} demo enterprises (supportmatch demo-data)")
    subprocess.run(
        [sys.executable, "-m", "supportmatch_cli.main", "demo-data", "--count", str(count)],
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def run_system(*, demo_count: int = 0) -> int:
    """Start everything, print how to use it, keep it running, and stop it on SIGINT or SIGTERM."""
    system = System()
    signal.signal(signal.SIGINT, system.request_stop)
    signal.signal(signal.SIGTERM, system.request_stop)
    code = 0
    try:
        system.start()
        if not system.wait_ready():
            if not system.stop_requested:
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
    if os.environ.get("PORTAL_DEMO_ACCOUNTS", "").lower() in ("1", "true", "yes"):
        portal = _url(SERVICES[0])
        accounts = [f"{a.role.value:<11} {a.username} / {a.password}" for a in DEMO_ACCOUNTS]
        _say(f"sign in at {portal}/sign-in with a demo account:\n  " + "\n  ".join(accounts))
    _say(
        "get a token:  uv run supportmatch token --role enterprise --uscc 914403001922038216\n"
        "              uv run supportmatch token --role caseworker --region 广东\n"
        "              uv run supportmatch token --role admin\n"
        '  then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8003/v1/enterprises/<uscc>/inbox'
    )
