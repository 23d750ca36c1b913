"""A new user's first minutes: start the system, create a manufacturer with curl, read the inbox."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.brokers import BrokerUnderTest
from tests.e2e.system import RunningSystem
from tests.factories import enterprise_payload


@pytest.fixture
def system(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSystem]:
    """`supportmatch run` on its embedded broker, or, in a test that asks for `broker_kind`, on the
    session's Apache Kafka as `make run KAFKA=apache` runs it against a configured cluster."""
    on_apache = "broker_kind" in request.fixturenames and request.getfixturevalue("broker_kind")
    extra: dict[str, str] = {}
    if on_apache == "apache":
        broker: BrokerUnderTest = request.getfixturevalue("broker")
        extra = {"SUPPORTMATCH_BROKER": "apache", "KAFKA_BOOTSTRAP_SERVERS": broker.address}
    running = RunningSystem(tmp_path / "var", extra_env=extra)
    running.start()
    yield running
    if running.process is not None:
        running.stop()


@pytest.mark.usefixtures("broker_kind")
def test_a_new_manufacturer_sees_an_inbox_entry_within_five_seconds(system: RunningSystem) -> None:
    body = enterprise_payload(industry="C3921")
    admin = {"Authorization": f"Bearer {system.token('--role', 'admin')}"}
    owner = {
        "Authorization": f"Bearer {system.token('--role', 'enterprise', '--uscc', body['uscc'])}"
    }
    preferences = httpx.patch(
        f"{system.url('notifications')}/v1/enterprises/{body['uscc']}/preferences",
        json={"email": "finance@example.cn", "language": "en"},
        headers=owner,
    )
    assert preferences.status_code == 200, preferences.text
    created = httpx.post(f"{system.url('profiles')}/v1/enterprises", json=body, headers=admin)
    assert created.status_code == 201, created.text
    started = time.monotonic()
    entries: list[dict[str, Any]] = []
    while time.monotonic() - started < 5 and not entries:
        answer = httpx.get(
            f"{system.url('notifications')}/v1/enterprises/{body['uscc']}/inbox", headers=owner
        )
        assert answer.status_code == 200
        entries = [e for e in answer.json()["entries"] if e["measure_id"] == "vat-credit-refund"]
        time.sleep(0.1)
    assert entries, "no inbox entry within 5 seconds"
    assert entries[0]["status"] == "possibly_eligible"
    assert "tax credit grade" in str(entries[0]["body_en"])
    assert {f["fact"] for f in entries[0]["facts_to_provide"]} >= {"tax_credit_grade"}
    # The same notice by email, caught by the local mail catcher under var/mail/: one email per
    # measure, in no set order, so wait for this one.
    found: list[Message] = []
    while time.monotonic() - started < 15 and not found:
        found = [
            m
            for m in _mails(system.var_dir / "mail")
            if "Monthly refund of the whole VAT credit" in str(m["Subject"])
        ]
        time.sleep(0.1)
    assert found, f"no email about the VAT refund under {system.var_dir / 'mail'}"
    assert found[0]["To"] == "finance@example.cn"
    assert str(found[0]["Subject"]).startswith("You may qualify")


def test_ctrl_c_stops_everything_and_leaves_no_process_behind(system: RunningSystem) -> None:
    started = system.descendants
    assert len(started) >= 4, "broker and three services should be running"
    assert system.stop(signal.SIGINT) == 0
    time.sleep(0.5)
    assert system.leftovers() == []


def test_sigterm_stops_everything_too(system: RunningSystem) -> None:
    assert system.stop(signal.SIGTERM) == 0
    time.sleep(0.5)
    assert system.leftovers() == []


def _mails(folder: Path) -> list[Message]:
    return [message_from_bytes(path.read_bytes()) for path in folder.glob("*.eml")]
