"""Work-queue benchmark: the caseworkers' queue over --firms firms and the full catalogue, PostgreSQL.

Seeds the synthetic population of bench/population.py (with names and cities), decides every
measure in force on --day in the database (rematch_due) and explains the stored rows as the
Explainer does, then:

(1) GET /v1/measures/{id}/enterprises for each filter combination the portal offers, as a
    caseworker of 广东 and as an admin, the first page and the next, through the eligibility app
    in this process (ASGI, no network): p50/p95/max per combination;
(2) the portal's own CSV and XLSX export of --export rows (its reading of the service's stream,
    cells and writers, the temporary file and its chunks) from the eligibility service started
    as deployed, a process of its own over HTTP on loopback, with the time and the resident
    memory of both processes before, at the peak and after.

Reuse a seeded database with --reuse (as --keep leaves it). --unexplained measures the state right
after a re-match, before the Explainer has run: each page explains its own rows, and the missing
facts are neither filtered on nor counted yet.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import psutil
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

# bench/ holds eligibility.py, named like the eligibility package: the checkout goes first instead.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import percentiles
from bench.population import seed
from bench.served import served, shipped_as_written
from eligibility.adapters.unit_of_work import SqlUnitOfWork
from eligibility.app import build_app
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.domain.measures import load_catalogue
from eligibility.domain.queue import name_grams
from eligibility.settings import EligibilitySettings
from eligibility.use_cases.explain import explain_pending
from eligibility.use_cases.rematch import rematch_due
from portal.adapters.services import Services
from portal.domain.accounts import Account
from portal.domain.queue import QueueFilters
from portal.settings import PortalSettings
from portal.use_cases.queue import every_row
from portal.web.exports import write_csv, write_xlsx, written
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import upgrade_to_head

MB, SECRET = 1024 * 1024, "bench-signing-key-long-enough-for-hs256"
GUANGDONG = Account(
    id=1, username="cw", role=Role.CASEWORKER, display_name="广东", provinces=frozenset({"44"})
)
ADMIN = Account(id=2, username="admin", role=Role.ADMIN, display_name="admin")
# The portal's filters, alone and together, beside none at all.
COMBINATIONS: list[dict[str, str]] = [
    {},
    {"status": "eligible"},
    {"status": "possibly_eligible"},
    {"status": "possibly_eligible", "missing": "tax_credit_grade"},
    {"missing": "tax_credit_grade"},
    {"province": "44"},
    {"city": "深圳市"},
    {"region": "east"},
    {"industry": "C"},
    {"industry": "C39"},
    {"industry": "B"},  # the fewest firms of any section
    {"size": "small"},
    {"ownership": "private"},
    {"ownership": "central_soe"},  # the fewest firms of any ownership
    {"certification": "high_tech_enterprise"},
    {"q": "华信"},
    {"q": "914403"},
    {"status": "eligible", "city": "深圳市", "industry": "C", "size": "small"},
    {"status": "possibly_eligible", "ownership": "private", "size": "micro", "region": "east"},
    {
        "status": "possibly_eligible",
        "missing": "tax_credit_grade",
        "industry": "C",
        "certification": "high_tech_enterprise",
        "q": "华",
    },
]


def database(args: argparse.Namespace) -> str:
    """One database per population size, so a run at another size keeps the first for --reuse."""
    return f"sm_bench_casework_{args.firms}"


def rss_mb(process: psutil.Process | None = None) -> float:
    rss: int = (process or psutil.Process()).memory_info().rss
    return rss / MB


def explain(url: str) -> int:
    """One Explainer, as each replica of the service runs one (ranges claimed with SKIP LOCKED)."""
    engine = create_database_engine(url)
    try:
        return explain_pending(
            uow=SqlUnitOfWork(engine), catalogue=Catalogue(load_catalogue()), batch=5000
        )
    finally:
        engine.dispose()


def prepare(args: argparse.Namespace) -> str:
    """The database with --firms firms, each decided on every measure in force and explained
    (with --reuse: what an earlier run left unexplained is explained first)."""
    server = args.database_url
    url = make_url(server).set(database=database(args)).render_as_string(hide_password=False)
    if args.reuse:
        upgrade_to_head("eligibility", url)  # what came since the database was made
        fill_name_grams(url)
    else:
        decide_everyone(server, url, args)
    if not args.unexplained:
        started = time.perf_counter()
        with (
            shipped_as_written(url),
            multiprocessing.get_context("spawn").Pool(args.explainers) as pool,
        ):
            explained = sum(pool.map(explain, [url] * args.explainers))
        seconds = time.perf_counter() - started
        print(f"explained {explained:,} rows in {seconds:.0f} s", flush=True)
    # As autovacuum leaves the tables after a large write: statistics, and the visibility map
    # that lets the queue's keys come from the indexes alone.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return url


def fill_name_grams(url: str) -> None:
    """The pairs of each name, for a database seeded before they were kept (migration 0014)."""
    with psycopg.connect(url) as connection:
        if connection.execute("SELECT 1 FROM enterprise_name_grams LIMIT 1").fetchone():
            return
        names = connection.execute("SELECT uscc, name FROM enterprise_facts").fetchall()
        with connection.cursor().copy("COPY enterprise_name_grams (gram, uscc) FROM STDIN") as copy:
            for uscc, name in names:
                for gram in sorted(name_grams(name or "")):
                    copy.write_row([gram, uscc])


def decide_everyone(server: str, url: str, args: argparse.Namespace) -> None:
    """A fresh database: --firms firms seeded, every measure in force decided in the database."""
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database(args)}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database(args)}"')
    upgrade_to_head("eligibility", url)
    started = time.perf_counter()
    seed(url, 0, args.firms)
    print(f"seeded {args.firms:,} firms in {time.perf_counter() - started:.0f} s", flush=True)
    engine = create_database_engine(url)
    uow, catalogue = SqlUnitOfWork(engine), Catalogue(load_catalogue())
    started = time.perf_counter()
    with uow.begin() as work:
        done = rematch_due(work, catalogue=catalogue, on=args.day)
    changed = sum(r.changed for r in done)
    seconds = time.perf_counter() - started
    print(f"decided {len(done)} measures ({changed:,} pairs) in {seconds:.0f} s", flush=True)
    engine.dispose()


def queue_figures(
    client: TestClient, tokens: TokenService, measures: Iterable[str], repeat: int
) -> dict[str, Any]:
    """Per filter combination, caller and measure: the first page, then the page after it."""
    bearers = {
        who: {"Authorization": "Bearer " + tokens.issue(subject=who, role=role, regions=regions)}
        for who, role, regions in (
            ("caseworker-44", Role.CASEWORKER, ["44"]),
            ("admin", Role.ADMIN, []),
        )
    }
    out: dict[str, Any] = {}
    every: list[float] = []
    for measure, (who, headers), params in itertools.product(
        measures, bearers.items(), COMBINATIONS
    ):
        seconds: list[float] = []
        found: dict[str, Any] = {}
        for _ in range(repeat):
            for page in (1, 2):
                extra = {"after": found["after"]} if page == 2 and found.get("after") else {}
                started = time.perf_counter()
                answer = client.get(
                    f"/v1/measures/{measure}/enterprises", params=params | extra, headers=headers
                )
                seconds.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
                found = answer.json()
        every += seconds
        key = f"{measure} {who} {json.dumps(params, ensure_ascii=False)}"
        figures = {k: round(v * 1000, 1) for k, v in percentiles(seconds).items()}
        figures["max"] = round(max(seconds) * 1000, 1)
        figures["counts"] = found["counts"]
        out[key] = figures
        print(f"  {key}: {json.dumps(figures, ensure_ascii=False)}", flush=True)
    overall = {k: round(v * 1000, 1) for k, v in percentiles(every).items()}
    overall |= {"max": round(max(every) * 1000, 1), "requests": len(every)}
    overall["worst_p95"] = max(v["p95"] for v in out.values())
    print(f"(1) work queue, every combination (ms): {json.dumps(overall)}", flush=True)
    return {"overall": overall, "by_combination": out}


def exported(
    services: Services, service: psutil.Process, measure: str, rows: int, kind: str
) -> dict[str, Any]:
    """The portal's export of the first `rows` rows of the measure's queue, as an admin, read
    over HTTP from the service's process; the resident memory of both, sampled as it runs."""
    filters = QueueFilters(measure=measure)
    stream = itertools.islice(every_row(services, ADMIN, filters), rows)
    writer: Callable[..., None] = write_csv if kind == "csv" else write_xlsx
    arguments = (stream, "zh") if kind == "csv" else (stream, "zh", "工作清单")
    processes = {"portal": psutil.Process(), "service": service}
    before = {who: rss_mb(p) for who, p in processes.items()}
    peak, stop = dict(before), threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            for who, process in processes.items():
                peak[who] = max(peak[who], rss_mb(process))

    sampler = threading.Thread(target=sample, daemon=True)
    started, size = time.perf_counter(), 0
    sampler.start()
    for chunk in written(writer, *arguments):  # the route's path: a temporary file, then chunks
        size += len(chunk)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    figures: dict[str, Any] = {"rows": rows, "seconds": round(seconds, 2)}
    figures["mb_written"] = round(size / MB, 1)
    for who, process in processes.items():
        figures[f"{who}_rss_before_mb"] = round(before[who], 1)
        figures[f"{who}_rss_peak_mb"] = round(peak[who], 1)
        figures[f"{who}_rss_after_mb"] = round(rss_mb(process), 1)
    print(f"(2) export {kind} of {measure}: {json.dumps(figures)}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--day", type=date.fromisoformat, default=china_today())
    parser.add_argument(
        "--measures", default="vat-credit-refund,six-taxes-two-fees,rd-super-deduction"
    )
    parser.add_argument("--repeat", type=int, default=3, help="first and next page, this often")
    parser.add_argument("--export", type=int, default=100_000, help="rows of each export")
    parser.add_argument("--explainers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--unexplained",
        action="store_true",
        help="measure before the Explainer ran (pages explain their rows; no missing facts held)",
    )
    parser.add_argument("--reuse", action="store_true", help="the database of an earlier --keep")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    url = prepare(args)
    tokens = TokenService(SECRET)
    settings = EligibilitySettings(
        database_url=url,
        jwt_secret=SECRET,
        kafka_bootstrap_servers="127.0.0.1:1",
        run_workers=False,
    )
    measures = args.measures.split(",")
    results: dict[str, Any] = {"firms": args.firms, "day": str(args.day), "cpus": os.cpu_count()}
    app = build_app(settings, today=lambda: args.day)  # the day the population was decided on
    with TestClient(app, base_url="http://eligibility") as client:
        results["queue"] = queue_figures(client, tokens, measures, args.repeat)
    largest = max(
        measures,
        key=lambda m: sum(results["queue"]["by_combination"][f"{m} admin {{}}"]["counts"].values()),
    )
    # The service's day is today's in China, not --day: an export lists the stored rows
    # whatever day they were decided on.
    alone = {  # no broker: it serves its API alone
        "ELIGIBILITY_DATABASE_URL": url,
        "ELIGIBILITY_RUN_WORKERS": "false",
        "SUPPORTMATCH_JWT_SECRET": SECRET,
        "SUPPORTMATCH_LOG_LEVEL": "WARNING",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }
    with served("eligibility", alone) as (address, service):
        portal = PortalSettings(
            database_url="sqlite://", jwt_secret=SECRET, eligibility_url=address
        )
        services = Services(portal, tokens)
        try:
            for kind in ("csv", "xlsx"):
                results[f"export_{kind}"] = exported(services, service, largest, args.export, kind)
        finally:
            services.close()
    results["load_average"] = round(os.getloadavg()[0], 2)
    print(
        json.dumps(
            {k: v for k, v in results.items() if k != "queue"}
            | {"queue": results["queue"]["overall"]},
            ensure_ascii=False,
        )
    )
    if not args.keep:
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database(args)}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
