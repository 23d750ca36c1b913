"""Per-event costs behind the pipeline: checking an event against its contract, and the eligibility
handler deciding profile events against the catalogue in force, one a call and a batch a call
(SQLite, in-process)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.domain.measures import load_catalogue
from eligibility.use_cases.decide import Snapshot, decide_firms
from supportmatch_core import contracts
from supportmatch_core.db import create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_core.topics import DETERMINATION
from tests.unit._snapshots import decide_for, determination, profile_snapshot


def contract_check_ms(count: int) -> float:
    data = determination(decide_for())
    event = Event(type=DETERMINATION, source="bench", subject=data["uscc"], data=data)
    contracts.check(event)  # compile the validator first
    started = time.perf_counter()
    for _ in range(count):
        contracts.check(event)
    return (time.perf_counter() - started) / count * 1000


def handler_ms(count: int, on: date, *, batch: int) -> tuple[float, int]:
    """Milliseconds per new profile the eligibility handler takes, `batch` profiles a call (as
    the consumer hands it a polled batch), all in one transaction."""
    folder = Path(tempfile.mkdtemp(prefix="bench-events-"))
    url = f"sqlite:///{folder / 'eligibility.sqlite3'}"
    upgrade_to_head("eligibility", url)
    engine = create_database_engine(url)
    catalogue = Catalogue(load_catalogue())
    snapshots = [profile_snapshot(employees=50, revenue=10_000_000) for _ in range(count)]
    firms = [Snapshot(uscc=s["uscc"], version=1, facts=facts_of(s)) for s in snapshots]
    started = time.perf_counter()
    with SqlUnitOfWork(engine).begin() as work:
        for first in range(0, count, batch):
            decide_firms(work, firms[first : first + batch], catalogue=catalogue, on=on)
    elapsed = (time.perf_counter() - started) / count * 1000
    engine.dispose()
    return elapsed, len(catalogue.in_force(on))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--batch", type=int, default=100, help="profiles a handler call")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 26))
    args = parser.parse_args()
    print(f"contract check, one determination event: {contract_check_ms(args.events):.4f} ms")
    for batch in (1, args.batch):
        per_profile, in_force = handler_ms(args.profiles, args.day, batch=batch)
        print(
            f"eligibility handler, one new profile in a batch of {batch}, {in_force} measures"
            f" in force: {per_profile:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
