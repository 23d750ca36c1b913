"""Eligibility benchmark: the catalogue for one firm in-process, re-matching a population on PostgreSQL.

(1) decide() of every measure in force on --day for varied synthetic firms; (2) in a fresh database:
the re-match of one measure and rematch_due of the catalogue on --rematch-firms firms, then
statuses in SQL for --firms firms beside the per-firm Python evaluator and zen-engine (GoRules JDM
translated from the same criteria). This process's peak resident memory is printed with each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psutil
import psycopg
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import make_url

# This file is named like the eligibility package: the checkout, not bench/, goes first on the path.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.jdm import ZEN_STATUS, zen_engine
from bench.pipeline import percentiles
from bench.population import BATCH, firms, seed
from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import (
    backbone,
    determination_history,
    determinations,
    enterprise_facts,
    rematch_log,
    unrecorded_ranges,
)
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.domain.criteria import evaluate
from eligibility.domain.decision import decide
from eligibility.domain.measures import Measure, load_catalogue
from eligibility.use_cases.explain import explain_pending
from eligibility.use_cases.rematch import rematch as rematch_one
from eligibility.use_cases.rematch import rematch_due
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import upgrade_to_head

MB, DATABASE = 1024 * 1024, "sm_bench_eligibility"


PEAK = [0.0]  # this process's peak RSS since the last reset, sampled every 50 ms


def sample_rss() -> None:
    while True:
        PEAK[0] = max(PEAK[0], float(psutil.Process().memory_info().rss))
        time.sleep(0.05)


def peak_mb() -> float:
    return round(max(PEAK[0], float(psutil.Process().memory_info().rss)) / MB, 1)


def timed(label: str, work: Callable[[], Any]) -> dict[str, Any]:
    """Runs `work`; prints and returns its seconds, this process's peak RSS and its result."""
    PEAK[0] = 0.0
    started = time.perf_counter()
    result = work()
    figures = {"seconds": round(time.perf_counter() - started, 3), "peak_rss_mb": peak_mb()}
    figures |= {"result": result} if result is not None else {}
    print(f"{label}: {json.dumps(figures, default=str)}", flush=True)
    return figures


def in_process(day: date, count: int) -> dict[str, Any]:
    """Per firm: decide() of every measure in force on `day`, with explanations (the criteria as
    sentences in both languages, the tree, the reasons and the estimate)."""
    catalogue = Catalogue(load_catalogue())
    measures, sample = catalogue.in_force(day), [f for _, f in firms(10**8, count, seed=3)]
    for facts in sample[:50]:  # warm up
        [decide(m, facts, day) for m in measures]
    seconds, cpu = [], []
    for facts in sample:  # wall time, and this thread's CPU time (what other processes do not add)
        started, used = time.perf_counter(), time.thread_time()
        [decide(m, facts, day) for m in measures]
        seconds.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - used)
    result: dict[str, Any] = {"firms": count, "in_force": len(measures)}
    result |= {"catalogue_versions": len(catalogue)}
    result |= {"in_force_today": len(catalogue.in_force(china_today()))}
    result |= {k: round(v * 1000, 3) for k, v in percentiles(seconds).items()}
    result |= {f"cpu_{k}": round(v * 1000, 3) for k, v in percentiles(cpu).items()}
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(f"in-process on {day} (ms per firm): {json.dumps(result)}", flush=True)
    return result


def sql_statuses(engine: Engine, measures: list[Measure], day: date) -> dict[str, dict[str, int]]:
    """SELECT status_of(...), count(*) GROUP BY 1 for each measure: the decision in the database."""
    found = {}
    with engine.connect() as connection:
        for m in measures:
            status = status_of(m.criteria, day).label("status")
            query = select(status, func.count()).select_from(enterprise_facts).group_by(status)
            found[m.id] = {row[0]: row[1] for row in connection.execute(query)}
    return found


def forget(engine: Engine, measures: list[Measure]) -> None:
    """Bench set-up: no determination, history, event or log of these measures, then VACUUM."""
    ids = [m.id for m in measures]
    with engine.begin() as connection:
        connection.execute(delete(determinations).where(determinations.c.measure_id.in_(ids)))
        history = determination_history.c
        connection.execute(delete(determination_history).where(history.measure_id.in_(ids)))
        connection.execute(delete(backbone.outbox))
        connection.execute(delete(rematch_log))
        connection.execute(delete(unrecorded_ranges))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def again_all(engine: Engine) -> None:
    """Bench set-up: every measure decided before, but none with today's document: all run again."""
    with engine.begin() as connection:
        connection.execute(update(rematch_log).values(measure_digest=""))


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (determinations, determination_history, unrecorded_ranges)
        }


def table_sizes(engine: Engine) -> dict[str, float]:
    names = ", ".join(
        f"'{name}'"
        for name in (
            "enterprise_facts",
            "determinations",
            "determination_history",
            "outbox",
            "unrecorded_ranges",
        )
    )
    query = f"SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN ({names})"
    with engine.connect() as connection:
        return {row[0]: round(row[1] / MB, 1) for row in connection.exec_driver_sql(query)}


def loop_population(url: str, measures: list[Measure], day: date, limit: int) -> dict[str, Any]:
    """Reads facts JSON in batches (server-side cursor); decides them in Python and in zen-engine."""
    engine, disagree, seen = zen_engine(measures, day), 0, 0
    seconds = dict.fromkeys(("read", "decide", "evaluate", "zen"), 0.0)
    statuses: dict[str, Counter[str]] = {"decide": Counter(), "zen": Counter()}
    clock = time.perf_counter
    PEAK[0] = 0.0
    with psycopg.connect(url) as connection, connection.cursor(name="firms") as cursor:
        cursor.itersize = BATCH
        cursor.execute("SELECT facts FROM enterprise_facts LIMIT %s", (limit,))
        while True:
            started = clock()
            batch = [row[0] for row in cursor.fetchmany(BATCH)]
            seconds["read"] += (t1 := clock()) - started
            if not batch:
                break
            mine = [[decide(m, facts, day).status.value for m in measures] for facts in batch]
            seconds["decide"] += (t2 := clock()) - t1
            [[evaluate(m.criteria, facts, day).outcome for m in measures] for facts in batch]
            seconds["evaluate"] += (t3 := clock()) - t2
            answers = engine.evaluate_batch([{"key": "jdm", "context": facts} for facts in batch])
            seconds["zen"] += clock() - t3
            for ours, answer in zip(mine, answers, strict=True):
                output = answer["data"]["result"]
                theirs = [ZEN_STATUS[output[f"m{i}"]] for i in range(len(measures))]
                disagree += ours != theirs
                statuses["decide"].update(ours)
                statuses["zen"].update(theirs)
            seen += len(batch)
    result: dict[str, Any] = {"firms": seen, "measures": len(measures)}
    result |= {f"{k}_s": round(v, 3) for k, v in seconds.items()}
    result |= {"firms_where_zen_differs": disagree, "peak_rss_mb": peak_mb()}
    print(f"per-firm loop: {json.dumps(result)} statuses {json.dumps(statuses)}", flush=True)
    return result


def catalogue_full(
    engine: Engine, in_force: list[Measure], due: Callable[[], dict[str, int]], n: int
) -> dict[str, Any]:
    """rematch_due of the whole catalogue at the full population: every firm changes, then none."""
    out: dict[str, Any] = {}
    forget(engine, in_force)
    out["rematch_due_all_change_full"] = timed(f"(d2) rematch_due, every firm changes, {n:,}", due)
    out["rows_full"] = timed(f"rows stored after (d2), {n:,}", lambda: row_counts(engine))
    out["sizes_mb_catalogue_full"] = timed(
        f"table sizes (MB) after (d2), {n:,}", lambda: table_sizes(engine)
    )
    again_all(engine)
    out["rematch_due_no_change_full"] = timed(f"(d) rematch_due, nothing changes, {n:,}", due)
    with engine.begin() as connection:  # the daily tick: measures that depend on the day
        yesterday = rematch_log.c.rematched_on - 1
        connection.execute(update(rematch_log).values(rematched_on=yesterday))
    out["rematch_due_next_day_full"] = timed(
        f"(d3) rematch_due the next day, nothing changes, {n:,}", due
    )
    return out


def population_bench(args: argparse.Namespace) -> dict[str, Any]:
    server, day, n = args.database_url, args.day, args.firms
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    url = make_url(server).set(database=DATABASE).render_as_string(hide_password=False)
    upgrade_to_head("eligibility", url)
    engine = create_database_engine(url)
    uow, measures = SqlUnitOfWork(engine), Catalogue(load_catalogue())
    in_force = measures.in_force(day)
    (one,) = [m for m in in_force if m.id == args.measure]
    out: dict[str, Any] = {}
    small = min(args.rematch_firms, n)
    timed(f"seed {small:,}", lambda: seed(url, 0, small))

    def rematch(announce: bool = False) -> dict[str, int]:
        with uow.begin() as work:
            done = rematch_one(work, measure=one, on=day, announce=announce)
        return {"changed": done.changed, "refreshed": done.refreshed, "news": done.to_announce}

    def explain() -> int:
        return explain_pending(uow=uow, catalogue=measures)

    out["rematch_all_change"] = timed(f"(b) rematch, all change, {small:,}", rematch)
    out["explain_pending"] = timed(f"(b2) explain and announce (b)'s changes, {small:,}", explain)
    out["sizes_mb"] = timed("table sizes (MB) after (b)", lambda: table_sizes(engine))
    out["rematch_no_change"] = timed(f"(c) rematch, no change, {small:,}", rematch)
    forget(engine, [one])
    out["rematch_announce"] = timed(
        f"(b3) rematch, all change, announced in its transaction, {small:,}",
        lambda: rematch(announce=True),
    )
    out["sql_one_small"] = timed(f"(a) SQL, {small:,}", lambda: sql_statuses(engine, [one], day))
    forget(engine, in_force)

    def due() -> dict[str, int]:
        with uow.begin() as work:
            done = rematch_due(work, catalogue=measures, on=day)
        return {
            "measures": len(done),
            "changed": sum(r.changed for r in done),
            "refreshed": sum(r.refreshed for r in done),
            "news": sum(r.to_announce for r in done),
        }

    out["rematch_due_all_change"] = timed(f"(d2) rematch_due, every firm changes, {small:,}", due)
    again_all(engine)
    out["rematch_due_no_change"] = timed(f"(d) rematch_due, nothing changes, {small:,}", due)
    if n > small:
        forget(engine, in_force)
        timed(f"seed to {n:,}", lambda: seed(url, small, n - small))
        out["rematch_all_change_full"] = timed(f"(b) rematch, all change, {n:,}", rematch)
        out["rematch_no_change_full"] = timed(f"(c) rematch, nothing changes, {n:,}", rematch)
        out["sizes_mb_full"] = timed(f"table sizes (MB), {n:,}", lambda: table_sizes(engine))
    if args.catalogue_full and n > small:
        out |= catalogue_full(engine, in_force, due, n)
    out["sql_one"] = timed(f"(a) SQL one, {n:,}", lambda: sql_statuses(engine, [one], day))
    out["sql_catalogue"] = timed(f"(d) SQL all, {n:,}", lambda: sql_statuses(engine, in_force, day))
    out["loop_one"] = loop_population(url, [one], day, n)
    out["loop_catalogue"] = loop_population(url, in_force, day, min(n, args.sample))
    engine.dispose()
    if not args.keep:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--rematch-firms", type=int, default=100_000, help="firms for (b)-(d)")
    parser.add_argument("--sample", type=int, default=100_000, help="firms of the catalogue loop")
    parser.add_argument("--in-process", type=int, default=1000, help="firms of part 1")
    parser.add_argument("--measure", default="vat-credit-refund")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2022, 12, 1))
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--in-process-only", action="store_true", help="part 1 only (on --day and today)"
    )
    parser.add_argument(
        "--catalogue-full",
        action="store_true",
        help="also rematch_due of the whole catalogue at --firms (every firm changes, then none)",
    )
    args = parser.parse_args()
    threading.Thread(target=sample_rss, daemon=True).start()
    started = time.perf_counter()
    summary: dict[str, Any] = {
        "in_process": in_process(args.day, args.in_process),
        "in_process_today": in_process(china_today(), args.in_process),
    }
    if not args.in_process_only:
        summary |= population_bench(args)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
