"""Two processes of every service against one broker and one PostgreSQL database per service: the
second replicas join mid-stream, one of each leaves mid-stream (SIGTERM and SIGKILL), and every
profile's determinations, inbox entries, emails and webhooks are counted exactly once."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from supportmatch_core.apache_kafka import ApacheKafka
from tests.conftest import free_port
from tests.faults.harness import SERVICES, FaultSystem, OwnPostgres, Receiver, Smtp
from tests.faults.tally import Counting, Tally
from tests.faults.workload import Workload

pytestmark = pytest.mark.timeout(1200)


class Replica:
    """One more process of a service, as a deployment's replica runs: it never migrates."""

    def __init__(self, system: FaultSystem, service: str, log: Path) -> None:
        self.service, self.port = service, free_port()
        env = {
            **system.env,
            f"{service.upper()}_PORT": str(self.port),
            # what `supportmatch run` tells its own children about the broker
            "KAFKA_BOOTSTRAP_SERVERS": system.bootstrap,
            "SUPPORTMATCH_EMBEDDED_BROKER": "0" if system.kafka else "1",
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-u", "-m", service, "--no-migrate"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def handled(self) -> float:
        """Events this process's consumers handled, from its /metrics."""
        page = httpx.get(f"{self.url}/metrics", timeout=10).text
        pattern = r'events_consumed_total\{[^}]*outcome="handled"[^}]*\} ([0-9.e+]+)'
        return sum(float(value) for value in re.findall(pattern, page))

    def stop(self, how: signal.Signals) -> None:
        self.process.send_signal(how)
        self.process.wait(60)


def shared_work(replicas: list[Replica], workload: Workload, *, until: int) -> dict[str, float]:
    """Events each replica handled, once every one has handled some (a group takes a rebalance
    to give a new member its partitions) or the workload has accepted `until` writes."""
    while True:
        handled = {r.service: r.handled() for r in replicas}
        if all(handled.values()) or workload.accepted >= until:
            return handled
        time.sleep(0.5)


def test_two_replicas_of_every_service_share_the_work_and_lose_nothing(
    tmp_path: Path,
    smtp: Smtp,
    receiver: Receiver,
    kafka: ApacheKafka | None,
) -> None:
    postgres = OwnPostgres()
    replicas: list[Replica] = []
    system = FaultSystem(
        tmp_path / "var", smtp=smtp, database_urls=postgres.database_urls(), kafka=kafka
    )
    try:
        system.start()
        workload = Workload(system, firms=80, writes=800, webhook_url=receiver.url())
        workload.start()
        workload.wait_for(200)
        replicas = [Replica(system, name, tmp_path / f"{name}-b.log") for name in SERVICES]
        deadline = time.monotonic() + 120
        while not all(r.ready() for r in replicas):
            assert time.monotonic() < deadline, "the second replicas did not get ready"
            time.sleep(0.5)
        workload.also_to(replicas[0].url)  # the second profiles replica takes writes too
        did = [f"started a second replica of each service after {workload.accepted} writes"]

        workload.wait_for(450)
        sharing = shared_work(replicas[1:], workload, until=600)
        by_service = {r.service: r for r in replicas}
        by_service["eligibility"].stop(signal.SIGTERM)
        by_service["notifications"].stop(signal.SIGKILL)
        did.append(
            f"after {workload.accepted} writes stopped eligibility's second replica (SIGTERM) "
            f"and SIGKILLed notifications' (events they had handled: {sharing})"
        )
        workload.wait_for(650)
        system.kill(system.service_process("profiles"))
        did.append(f"SIGKILLed the first profiles replica after {workload.accepted} writes")
        workload.finish()
        system.wait_ready()
        counting = Counting(system, smtp, receiver)
        try:
            tally = counting.settled()
            rematches = counting.rematches_per_measure_and_day()
        finally:
            counting.close()
        did.append(f"{workload.accepted} writes accepted, answers {dict(workload.statuses)}")
        report(did, tally, rematches)
        assert all(handled > 0 for handled in sharing.values()), sharing
        assert set(rematches.values()) == {1}, rematches
    finally:
        for replica in replicas:
            if replica.process.poll() is None:
                replica.stop(signal.SIGTERM)
        if system.process is not None:
            system.stop()
        postgres.stop()


def report(did: list[str], tally: Tally, rematches: dict[str, int]) -> None:
    print("\n[replicas] did: " + "; ".join(did))
    print(
        f"[replicas] counted: {tally.line()}; re-matches per measure and day: "
        f"{sorted(set(rematches.values()))}"
    )
    assert not tally.problems, tally.problems
    assert tally.pending == 0
    assert tally.profiles == 80
    assert tally.projected_behind == 0
