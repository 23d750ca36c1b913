"""Profiles benchmark on PostgreSQL: bulk import throughput and memory, list queries at scale.

(a) writes a demo CSV of --rows enterprises and imports it in-process with the importer (then
once more, unchanged), sampling this process's resident memory; (b) grows the enterprises table
to --enterprises rows (COPY straight into the tables), then times the list queries of
GET /v1/enterprises through `profiles.adapters.search.Search.page` for realistic filters.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil
import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

# This file is named like the profiles package: the checkout, not bench/, goes first on the path.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import percentiles
from profiles.adapters import search
from profiles.adapters.search import Search
from profiles.adapters.tables import enterprises
from profiles.adapters.unit_of_work import SqlUnitOfWork
from profiles.api.schemas import EnterpriseCreate
from profiles.domain.listing import Filters
from profiles.use_cases import imports as importer
from supportmatch_cli import demo
from supportmatch_core.auth import Principal, Role
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_reference.size import classify

MB = 1024 * 1024
DATABASE = "sm_bench_profiles"
_ATTRIBUTES = ("name_en", "registration_date", "legal_form", "foreign_kind", "city")
_FLAGS = ("export_oriented", "cross_border_ecommerce", "chain_key_node", "energy_intensive")
_CHUNK = 50_000
_ENTERPRISE_COLUMNS = (
    "uscc, name, province_code, province_checked, industry_code, ownership, size_class, "
    "attributes, version, created_at, updated_at"
)
_CERTIFIED = ("specialised_sme", "high_tech_enterprise", "innovative_sme", "little_giant")


class Sampler(threading.Thread):
    """Samples this process's RSS every `interval` s and keeps the peak."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak, self.done = interval, 0.0, threading.Event()
        self.process = psutil.Process()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, float(self.process.memory_info().rss))
            self.done.wait(self.interval)


def fresh_database(server_url: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return str(make_url(server_url).set(database=DATABASE))


def drop_database(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def bench_import(engine: Engine, rows: int, folder: Path) -> dict[str, Any]:
    path = folder / "enterprises.csv"
    started = time.perf_counter()
    demo.write_csv(path, rows, seed=1)
    generated = time.perf_counter() - started
    uow, admin = SqlUnitOfWork(engine), Principal(subject="bench", role=Role.ADMIN)
    result: dict[str, Any] = {"rows": rows, "csv_mb": path.stat().st_size / MB}
    result["generate_s"] = generated
    for label in ("first", "again"):
        sampler = Sampler()
        before = float(psutil.Process().memory_info().rss)
        sampler.start()
        started = time.perf_counter()
        summary = importer.run(
            uow=uow,
            principal=admin,
            path=path,
            file_name=path.name,
            read_row=EnterpriseCreate.model_validate,
        )
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        result[label] = {
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "rss_before_mb": before / MB,
            "rss_peak_mb": max(sampler.peak, before) / MB,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected,
        }
        print(f"import {label}: {json.dumps(result[label])}", flush=True)
    return result


def seed(url: str, total: int) -> dict[str, Any]:
    """Grow enterprises to `total` rows with COPY (demo rows, seed 2), then VACUUM ANALYZE."""
    started = time.perf_counter()
    with psycopg.connect(url) as connection:
        existing = {r[0] for r in connection.execute("SELECT uscc FROM enterprises")}
        missing = total - len(existing)
        rows = (r for r in demo.rows(missing * 2, seed=2) if r["uscc"] not in existing)
        added = 0
        while added < missing:
            chunk = list(itertools.islice(rows, min(_CHUNK, missing - added)))
            _copy_chunk(connection, chunk)
            added += len(chunk)
        certified = connection.execute(
            "SELECT uscc FROM enterprises TABLESAMPLE BERNOULLI (6) REPEATABLE (7)"
        ).fetchall()
        rng = random.Random(2)
        with connection.cursor().copy(
            "COPY certifications (uscc, kind, level, issuer, valid_from, valid_to) FROM STDIN"
        ) as copy:
            for (uscc,) in certified:
                start = date(rng.randint(2019, 2025), rng.randint(1, 12), 1)
                end = date(start.year + 3, start.month, 1)
                copy.write_row((uscc, rng.choice(_CERTIFIED), "national", "工信部", start, end))
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
        count = connection.execute("SELECT count(*) FROM enterprises").fetchone()
    return {
        "enterprises": count[0] if count else 0,
        "added": added,
        "certified": len(certified),
        "seconds": time.perf_counter() - started,
    }


def _copy_chunk(connection: psycopg.Connection[Any], chunk: list[dict[str, str]]) -> None:
    """COPY one chunk of demo rows into enterprises, then their facts into enterprise_years."""
    now = datetime.now(UTC)
    facts = [_facts(row) for row in chunk]
    with connection.cursor().copy(f"COPY enterprises ({_ENTERPRISE_COLUMNS}) FROM STDIN") as copy:
        for row, known in zip(chunk, facts, strict=True):
            size = classify(
                row["industry"],
                employees=known.get("employees"),
                revenue=known.get("revenue"),
                total_assets=known.get("total_assets"),
            )
            attributes: dict[str, Any] = {k: row[k] or None for k in _ATTRIBUTES}
            attributes["main_products"] = row["main_products"].split(";")
            attributes["flags"] = {k: row[k] == "true" for k in _FLAGS if row[k]}
            copy.write_row(
                (row["uscc"], row["name"], row["uscc"][2:4], True, row["industry"],
                 row["ownership"], size.size_class.value, json.dumps(attributes), 1, now, now)
            )  # fmt: skip
    with connection.cursor().copy(
        "COPY enterprise_years (uscc, fiscal_year, facts) FROM STDIN"
    ) as copy:
        for row, known in zip(chunk, facts, strict=True):
            copy.write_row((row["uscc"], int(row["fiscal_year"]), json.dumps(known)))


def _facts(row: dict[str, str]) -> dict[str, Any]:
    integers = ("employees", "revenue", "total_assets", "rd_expense", "export_revenue")
    return {k: int(row[k]) for k in integers if row[k]}


def filters() -> dict[str, Filters]:
    today = datetime.now(UTC).date()
    return {
        "no filter": Filters(),
        "province 44": Filters(provinces=frozenset({"44"})),
        "caseworker 44+33": Filters(provinces=frozenset({"44", "33"})),
        "region central": Filters(region="central"),
        "region west": Filters(region="west"),
        "industry C39": Filters(industry_prefix="C39"),
        "industry A0111": Filters(industry_prefix="A0111"),
        "size medium": Filters(size_class="medium"),
        "ownership foreign": Filters(ownership="foreign"),
        "ownership central_soe": Filters(ownership="central_soe"),
        "certified little_giant": Filters(certification="little_giant", certified_on=today),
        "q 华信 (2 characters; the API refuses)": Filters(name_contains="华信"),
        "q 华信精密制造": Filters(name_contains="华信精密制造"),
        "44 + C + small": Filters(
            provinces=frozenset({"44"}), industry_prefix="C", size_class="small"
        ),
        "62 + C39 + foreign": Filters(
            provinces=frozenset({"62"}), industry_prefix="C39", ownership="foreign"
        ),
    }


def bench_queries(engine: Engine, repetitions: int, limit: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    cases = list(filters().items())
    cases.append(("province 44, page 2 (cursor)", cases[1][1]))
    for label, chosen in cases:
        timings, found = [], 0
        with engine.connect() as connection:
            after = None
            if "cursor" in label:
                first = Search(connection).page(chosen, after=None, limit=limit)
                after = first[-1].uscc if first else None
            for _ in range(repetitions):
                started = time.perf_counter()
                found = len(Search(connection).page(chosen, after=after, limit=limit))
                timings.append((time.perf_counter() - started) * 1000)
        results[label] = {**percentiles(timings), "rows": found}
        shown = results[label]
        print(
            f"{label:30} p50 {shown['p50']:7.2f} ms  p95 {shown['p95']:7.2f} ms  "
            f"p99 {shown['p99']:7.2f} ms  rows {found}",
            flush=True,
        )
    return results


def explain(engine: Engine, label: str, limit: int) -> str:
    chosen = filters()[label]
    provinces = search._provinces(chosen)
    query = search._query(chosen, provinces).order_by(enterprises.c.uscc).limit(limit)
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))
        return "\n".join(str(r[0]) for r in plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the import file")
    parser.add_argument("--enterprises", type=int, default=1_000_000, help="table size for (b)")
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--limit", type=int, default=50, help="page size")
    parser.add_argument("--keep", action="store_true", help="keep the database sm_bench_profiles")
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="time the list queries on the database a --keep run left (implies --keep)",
    )
    parser.add_argument(
        "--import-only", action="store_true", help="only (a): skip seeding and the list queries"
    )
    args = parser.parse_args()
    if args.queries_only:
        url = str(make_url(args.database_url).set(database=DATABASE))
    else:
        url = fresh_database(args.database_url)
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds")}
    engine = create_database_engine(url)
    try:
        upgrade_to_head("profiles", url)
        if not args.queries_only:
            with tempfile.TemporaryDirectory(prefix="bench-profiles-") as folder:
                report["import"] = bench_import(engine, args.rows, Path(folder))
        if not args.import_only:
            if not args.queries_only:
                report["seed"] = seed(url, args.enterprises)
                print(f"seeded: {json.dumps(report['seed'])}", flush=True)
            report["queries"] = bench_queries(engine, args.repetitions, args.limit)
            for label, figures in report["queries"].items():
                if figures["p95"] > 50 and label in filters():
                    print(f"\nEXPLAIN ANALYZE, {label}:\n{explain(engine, label, args.limit)}")
    finally:
        engine.dispose()
        if not (args.keep or args.queries_only):
            drop_database(args.database_url)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
