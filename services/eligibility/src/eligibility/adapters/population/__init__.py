"""Deciding measures for the whole population in the database: one pass over the projection finds
the firms whose statuses move, set-wise statements store them unexplained (ADR 0011, 0013, 0016)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, func, insert, select

from eligibility.adapters.determinations import decided_for_everyone
from eligibility.adapters.population import stores
from eligibility.adapters.population.ranges import FIRMS_PER_RANGE, RangeQueue
from eligibility.adapters.population.signatures import PER_SIGNATURE, moving_firms, temporary_tables
from eligibility.adapters.tables import rematch_log
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import Rematch, Rematched

__all__ = ["FIRMS_PER_RANGE", "Population", "RangeQueue"]

# The advisory lock the daily re-match holds on PostgreSQL (any constant the service owns).
_REMATCH_LOCK = 0x5EED_0001
# A re-match that writes this many determinations analyses the table before it commits. Autovacuum
# does so only some time later, and a re-match that follows at once was planned for the table's
# old size: at 1,000,000 firms a pass that changes nothing ran 13 minutes on such a plan.
ANALYZE_AFTER_ROWS = 100_000


class Population:
    """Re-decides measures for every firm of the projection, within one transaction."""

    def __init__(self, connection: Connection, ranges: RangeQueue) -> None:
        self._connection, self.ranges = connection, ranges
        self._postgres = connection.dialect.name == "postgresql"

    def take_daily_turn(self) -> None:
        """Replicas tick alike: one re-matches, the others wait and then find nothing due."""
        if self._postgres:
            self._connection.execute(select(func.pg_advisory_xact_lock(_REMATCH_LOCK)))

    def rematched(self) -> list[Rematched]:
        """Every measure version the re-match log has decided for everyone, and when."""
        log = rematch_log.c
        rows = self._connection.execute(
            select(log.measure_id, log.measure_version, log.measure_digest, log.rematched_on)
        )
        return [Rematched(r[0], r[1], r[2], r[3]) for r in rows]

    def rematch(self, measures: Sequence[Measure], on: date) -> list[Rematch]:
        """Find the (firm, measure) pairs whose status or version moves, then store them set-wise.

        SQL decides and stores the statuses unexplained and appends each change of a stored
        status to the history; a first decision is marked `unrecorded` and its firm queued for
        the explainer (ADR 0015). A firm that does not qualify and never did gets no row.
        """
        connection = self._connection
        if not measures:
            return []
        if self._postgres:
            # Profile changes wait until the re-match commits (cheaper than locking every row),
            # and the joins of a million firms stay in memory instead of spilling to disk.
            connection.exec_driver_sql("LOCK TABLE enterprise_facts IN SHARE MODE")
            connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        # In key order, as the pairs are then read: the inserts fill the indexes page by page.
        ordered = sorted(measures, key=lambda m: m.id)
        group, firms, changes, held = temporary_tables(len(measures))
        for table in (group, firms, changes, held):
            table.create(connection)
        decided = decided_for_everyone(connection, (m.id for m in measures))
        connection.execute(
            insert(group),
            [
                {
                    "measure_id": m.id,
                    "version": m.version,
                    "chunk": i // PER_SIGNATURE,
                    "weight": 4 ** (i % PER_SIGNATURE),
                    # A firm without a row: "ineligible" once the measure was decided for
                    # everyone, else not decided yet (3 differs from every status code).
                    "absent": 0 if m.id in decided else 3,
                }
                for i, m in enumerate(ordered)
            ],
        )
        moving = moving_firms(ordered, on, group, firms, decided, self._postgres)
        connection.execute(insert(firms).from_select([c.name for c in firms.c], moving))
        never = [m.id for m in ordered if m.id not in decided]
        held_never = stores.held_rows(connection, firms, held, never)
        if len(never) < len(ordered) or any(held_never.values()):
            pairs = stores.moving(group, firms)
            connection.execute(insert(changes).from_select([c.name for c in changes.c], pairs))
        counts = stores.count_changes(connection, changes)
        stores.store_changes(connection, changes, on, self._postgres)
        moved, firsts = 0, Counter[str]()
        if never:
            tables = (group, firms, held)
            firsts = stores.store_first(connection, tables, never, on, self._postgres)
            (moved,) = connection.execute(select(func.count()).select_from(firms)).one()
            self.ranges.queue(firms)
        for table in (held, changes, firms, group):
            table.drop(connection)
        written = sum(sum(pair) for pair in counts.values()) + sum(firsts.values())
        if self._postgres and written >= ANALYZE_AFTER_ROWS:
            connection.exec_driver_sql("ANALYZE determinations")
        done = []
        for measure in measures:
            news, refreshed = counts.get(measure.id, (0, 0))
            news += firsts[measure.id]
            changed = news
            if measure.id in never:
                # Each firm that moved had a row, or got a first decision stored, or is a first
                # "ineligible" (not stored): counted, not listed.
                changed += moved - held_never[measure.id] - firsts[measure.id]
            stores.log_rematch(connection, measure, on, changed)
            done.append(Rematch(measure.id, measure.version, changed, refreshed, news))
        return done
