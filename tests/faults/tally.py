"""Counts what the system holds once it has settled, from each service's own database and from
the test's SMTP server and webhook receiver, and says what is missing or doubled."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.domain.decision import Status, decide
from eligibility.domain.measures import load_catalogue
from supportmatch_core.db import create_database_engine
from supportmatch_core.topics import DETERMINATION
from tests.faults.harness import FaultSystem, Receiver, Smtp


@dataclass
class Tally:
    """What a scenario counted; `problems` lists every loss or duplicate found."""

    profiles: int = 0
    profile_versions: int = 0
    projected_behind: int = 0
    decisions: int = 0
    decisions_wrong: int = 0
    determination_events: int = 0
    notable_events: int = 0
    inbox_entries: int = 0
    emails_sent: int = 0
    emails_received: int = 0
    email_repeats: int = 0
    webhooks_sent: int = 0
    webhooks_received: int = 0
    webhook_repeats: int = 0
    pending: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        values = {k: v for k, v in asdict(self).items() if k != "problems"}
        return ", ".join(f"{k}={v}" for k, v in values.items())


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)))


# A notice handled while its firm's subscription was being made may or may not be carried by it.
SUBSCRIBING = timedelta(seconds=2)


def _moment(value: Any) -> datetime:
    """A stored time, whether the driver gives a datetime or SQLite's text."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return value if isinstance(value, dict | list) else json.loads(value)


class Counting:
    """Reads the three databases of a running or stopped system."""

    def __init__(self, system: FaultSystem, smtp: Smtp, receiver: Receiver | None) -> None:
        self.smtp, self.receiver = smtp, receiver
        self.engines = {
            name: create_database_engine(system.database_url(name))
            for name in ("profiles", "eligibility", "notifications")
        }
        today = china_today()
        self.today, self.measures = today, Catalogue(load_catalogue()).in_force(today)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()

    def count(self) -> Tally:
        tally = Tally()
        self._profiles_and_eligibility(tally)
        self._notices(tally)
        return tally

    def _profiles_and_eligibility(self, tally: Tally) -> None:
        profiles, eligibility = self.engines["profiles"], self.engines["eligibility"]
        versions = dict(_rows(profiles, "SELECT uscc, version FROM enterprises"))
        tally.profiles, tally.profile_versions = len(versions), sum(versions.values())
        projected = {
            r.uscc: (r.profile_version, _json(r.facts))
            for r in _rows(eligibility, "SELECT uscc, profile_version, facts FROM enterprise_facts")
        }
        behind = [u for u, v in versions.items() if projected.get(u, (0, None))[0] != v]
        tally.projected_behind = len(behind)
        if behind:
            tally.problems.append(f"{len(behind)} firm(s) not projected at their latest version")
        stored = {
            (r.uscc, r.measure_id): r.status
            for r in _rows(eligibility, "SELECT uscc, measure_id, status FROM determinations")
        }
        for uscc, (_, facts) in projected.items():
            for measure in self.measures:
                tally.decisions += 1
                expected = decide(measure, facts, self.today).status
                found = stored.get((uscc, measure.id), Status.INELIGIBLE.value)
                if found != expected.value:
                    tally.decisions_wrong += 1
        if tally.decisions_wrong:
            tally.problems.append(f"{tally.decisions_wrong} stored decision(s) differ")
        tally.pending = sum(
            _rows(engine, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]
            for engine in self.engines.values()
        )

    def _notices(self, tally: Tally) -> None:
        eligibility, notifications = self.engines["eligibility"], self.engines["notifications"]
        events = [
            _json(r.payload)
            for r in _rows(
                eligibility, f"SELECT payload FROM outbox WHERE topic = '{DETERMINATION}'"
            )
        ]
        tally.determination_events = len(events)
        notable = {
            e["id"]
            for e in events
            if not (
                e["data"]["status"] == "ineligible" and e["data"].get("previous_status") is None
            )
        }
        tally.notable_events = len(notable)
        firms = {
            r.id: r.email
            for r in _rows(
                notifications, "SELECT id, email FROM recipients WHERE kind = 'enterprise'"
            )
        }
        self.inbox_rows = [
            r
            for r in _rows(
                notifications, "SELECT recipient_id, trigger, created_at FROM inbox_entries"
            )
            if r.recipient_id in firms
        ]
        inbox = [(r.recipient_id, r.trigger) for r in self.inbox_rows]
        tally.inbox_entries = len(inbox)
        told = {trigger for _, trigger in inbox}
        if notable - told:
            tally.problems.append(f"{len(notable - told)} notable determination(s) not in an inbox")
        deliveries = _rows(
            notifications,
            "SELECT id, recipient_id, channel, target, trigger, status FROM deliveries",
        )
        tally.pending += sum(d.status in ("pending", "awaiting") for d in deliveries)
        self._emails(tally, inbox, firms, [d for d in deliveries if d.channel == "email"])
        hooks = [d for d in deliveries if d.channel == "webhook"]
        self._one_webhook_per_notice(tally, hooks)
        self._webhooks(tally, hooks)

    def _emails(
        self, tally: Tally, inbox: list[tuple[int, str]], firms: dict[int, Any], rows: list[Any]
    ) -> None:
        by_notice = Counter((d.recipient_id, d.trigger) for d in rows if d.recipient_id in firms)
        owed = [(r, t) for r, t in inbox if firms[r]]
        missing = [notice for notice in owed if by_notice[notice] != 1]
        if missing:
            tally.problems.append(f"{len(missing)} inbox entr(ies) without exactly one email")
        sent = {f"<delivery-{d.id}@supportmatch>" for d in rows if d.status == "sent"}
        tally.emails_sent = len(sent)
        received = Counter(self.smtp.message_ids())
        tally.emails_received = len(set(received) & sent)
        tally.email_repeats = sum(n - 1 for n in received.values())
        if sent - set(received):
            tally.problems.append(f"{len(sent - set(received))} email(s) marked sent, not received")
        if not_sent := [d for d in rows if d.status != "sent"]:
            tally.problems.append(f"{len(not_sent)} email deliveries not sent")

    def _one_webhook_per_notice(self, tally: Tally, hooks: list[Any]) -> None:
        """Each subscription carries every notice its firm got after it was made, once."""
        subscriptions = _rows(
            self.engines["notifications"],
            "SELECT id, recipient_id, created_at FROM webhook_subscriptions",
        )
        carried = Counter((d.target, d.trigger) for d in hooks)
        wrong = [
            (s.id, entry.trigger)
            for s in subscriptions
            for entry in self.inbox_rows
            if entry.recipient_id == s.recipient_id
            and _moment(entry.created_at) >= _moment(s.created_at) + SUBSCRIBING
            and carried[s.id, entry.trigger] != 1
        ]
        if wrong:
            tally.problems.append(f"{len(wrong)} notice(s) not carried once by a webhook")

    def _webhooks(self, tally: Tally, rows: list[Any]) -> None:
        if self.receiver is None:
            return
        sent = {f"delivery-{d.id}" for d in rows if d.status == "sent"}
        tally.webhooks_sent = len(sent)
        received = Counter(self.receiver.deliveries)
        tally.webhooks_received = len(set(received) & sent)
        tally.webhook_repeats = sum(n - 1 for n in received.values())
        if sent - set(received):
            tally.problems.append(
                f"{len(sent - set(received))} webhook(s) marked sent, not received"
            )
        if not_sent := [d for d in rows if d.status != "sent"]:
            tally.problems.append(f"{len(not_sent)} webhook deliveries not sent")

    def rematches_per_measure_and_day(self) -> dict[str, int]:
        """How often each measure version was re-matched for everyone on each day."""
        rows = _rows(
            self.engines["eligibility"],
            "SELECT measure_id, measure_version, rematched_on, count(*) AS times FROM rematch_log "
            "GROUP BY measure_id, measure_version, rematched_on",
        )
        return {f"{r.measure_id} v{r.measure_version} {r.rematched_on}": r.times for r in rows}

    def settled(self, *, timeout: float = 300) -> Tally:
        """The tally once nothing waits any more and two counts a few seconds apart agree."""
        deadline = time.monotonic() + timeout
        previous: Tally | None = None
        while True:
            current = self.count()
            if previous == current and current.pending == 0 and not current.problems:
                return current
            if time.monotonic() > deadline:
                return current  # the report shows what never settled
            if current != previous:
                print(f"  settling: {current.line()} {current.problems}")
            previous = current
            time.sleep(3)
