"""Profile writes as a service centre makes them, retried as a careful client retries them: the
same request again after a refused connection or a 503, so that a write is never lost."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Any

import httpx

from tests.factories import enterprise_payload
from tests.faults.harness import FaultSystem

YEAR = 2025


def facts(step: int, rng: random.Random) -> dict[str, Any]:
    """A year's facts that move the firm in and out of several measures from write to write."""
    return {
        "tax_credit_grade": "A" if step % 2 else "C",
        "vat_refund_fraud_36m": False,
        "tax_evasion_penalties_36m": 0,
        "immediate_refund_since_2019": False,
        "employees": rng.randint(5, 400),
        "revenue": rng.randint(1, 50_000) * 10_000,
        "total_assets": rng.randint(1, 50_000) * 10_000,
        "rd_expense": rng.choice([0, 500_000, 3_000_000]),
    }


class Workload:
    """`firms` enterprises with a contact email (every `webhook_every`-th with a webhook too),
    then updates of their facts, in a thread; counts what was accepted and what was not."""

    def __init__(
        self, system: FaultSystem, *, firms: int, writes: int, webhook_url: str | None = None
    ) -> None:
        self.system, self.firms, self.writes = system, firms, writes
        self.webhook_url = webhook_url
        self.usccs: list[str] = []
        self.accepted = 0
        self.statuses: Counter[int] = Counter()
        self.last_refusal = ""
        self._thread: threading.Thread | None = None
        self._rng = random.Random(20261206)
        self._profiles = [system.url("profiles")]  # writes go round the replicas named here
        self._sent = 0
        token = system.token("--role", "admin")
        self._headers = {"Authorization": f"Bearer {token}"}

    def _send(self, method: str, service: str, path: str, body: dict[str, Any]) -> int:
        """Send until the system gives an answer that is not "try again"; returns its status."""
        deadline = time.monotonic() + 300
        self._sent += 1
        base = (
            self._profiles[self._sent % len(self._profiles)]
            if service == "profiles"
            else self.system.url(service)
        )
        url = f"{base}{path}"
        while time.monotonic() < deadline:
            try:
                answer = httpx.request(method, url, json=body, headers=self._headers, timeout=10)
                status = answer.status_code
                if status >= 400:
                    self.last_refusal = f"{method} {path}: {status} {answer.text[:500]}"
            except httpx.HTTPError:
                status = 0  # the service is restarting: its port refuses or the reply was cut
            self.statuses[status] += 1
            if status not in (0, 502, 503, 504):
                return status
            time.sleep(0.2)
        raise AssertionError(f"{method} {path} was never answered")

    def register(self) -> None:
        for index in range(self.firms):
            body = enterprise_payload(**facts(0, self._rng), fiscal_year=YEAR)
            body["contact_email"] = f"finance{index}@firm{index}.example.cn"
            status = self._send("POST", "profiles", "/v1/enterprises", body)
            assert status in (201, 409), (
                status
            )  # 409: created by an earlier try whose reply was lost
            self.usccs.append(body["uscc"])
            self.accepted += 1
            if self.webhook_url and index % 5 == 0:
                path = f"/v1/enterprises/{body['uscc']}/webhooks"
                hook = self._send("POST", "notifications", path, {"url": self.webhook_url})
                assert hook == 201, self.last_refusal

    def update(self, count: int) -> None:
        for step in range(1, count + 1):
            uscc = self.usccs[step % len(self.usccs)]
            body = facts(step // len(self.usccs) + 1, self._rng)
            status = self._send("PUT", "profiles", f"/v1/enterprises/{uscc}/facts/{YEAR}", body)
            assert status == 200, self.last_refusal
            self.accepted += 1

    def also_to(self, profiles_url: str) -> None:
        """Send profile writes to another replica of the profiles service too."""
        self._profiles.append(profiles_url)

    def start(self) -> None:
        """Register the firms and write the updates in the background."""

        def run() -> None:
            self.register()
            self.update(self.writes - self.firms)

        self._thread = threading.Thread(target=run, name="workload")
        self._thread.start()

    def wait_for(self, accepted: int) -> None:
        while self.accepted < accepted:
            assert self._thread is not None
            assert self._thread.is_alive(), "the workload stopped"
            time.sleep(0.05)

    def finish(self) -> None:
        assert self._thread is not None
        self._thread.join(600)
        assert not self._thread.is_alive(), "the workload did not finish"
        assert self.accepted == self.writes
        server_errors = {s: n for s, n in self.statuses.items() if s >= 500 and s != 503}
        assert not server_errors, f"server errors: {server_errors}"
