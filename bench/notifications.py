"""Notifications benchmark: inbox notifications per second from a backlog of determination
events, the worker's resident memory while it drains them, and email deliveries per second to
a local SMTP server. Longer than 300 lines: three measurements of one service that share its
start, its broker and its database, kept together so that they run on one setup.

(a) Produces --events eligibility.determination.v1 events (distinct firms across the provinces,
    all worth telling) to an embedded broker, then starts the notifications service as
    `make run` does (`python -m notifications`) on --database-url and times it until every
    event has its inbox entry; each province has --caseworkers caseworkers, who get a digest
    line per event. The service's resident memory is sampled every 0.2 s.
(b) Queues --emails email deliveries and times the service's delivery worker sending them to a
    local SMTP server in its own process (the mail catcher, which writes each message to disk).
(c) Runs the determination handler alone in this process, without Kafka, over
    --handler-events events in batches of 400, and sums the time of each kind of SQL statement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
from kafka import KafkaProducer
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

# This file's folder first on sys.path would make `notifications` this script, not the service.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.domain.decision import Status
from notifications.adapters.deliveries import Deliveries, delivery_row
from notifications.adapters.email import notice_email
from notifications.adapters.tables import backbone, inbox
from notifications.adapters.tables import deliveries as deliveries_table
from notifications.adapters.unit_of_work import SqlUnitOfWork
from notifications.adapters.webhooks import WebhookSender
from notifications.domain.messages import message_for
from notifications.settings import NotificationsSettings
from notifications.worker import delivery_worker
from supportmatch_core.auth import Principal, Role
from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.contracts.determination import EligibilityChanged
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.events import Event
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_core.processing import EventProcessing, Subscription
from supportmatch_core.topics import DETERMINATION
from supportmatch_reference.regions import PROVINCES
from tests import notifications_steps as service
from tests.conftest import free_port
from tests.factories import new_uscc
from tests.notifications_steps import determinations_handler, one_by_one
from tests.unit._snapshots import COMPLIANT, decide_for, determination

MB = 1024 * 1024


def fresh_url(url: str, folder: Path) -> str:
    """A new empty database: a file in `folder` for SQLite, `sm_bench_notifications` on a server."""
    if url == "sqlite":
        return f"sqlite:///{folder / 'notifications.sqlite3'}"
    import psycopg

    server = make_url(url)
    name = "sm_bench_notifications"
    with psycopg.connect(str(server.set(drivername="postgresql")), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return str(server.set(database=name))


def templates() -> list[dict[str, Any]]:
    """Determination data of the three kinds worth telling, to vary by firm and province."""
    return [
        determination(decide_for(**COMPLIANT)),
        determination(decide_for(industry="C3921")),
        determination(
            decide_for(**{**COMPLIANT, "tax_credit_grade": "D"}), previous=Status.ELIGIBLE
        ),
    ]


def produce_backlog(address: str, count: int) -> dict[str, Any]:
    shapes = templates()
    provinces = [p.code for p in PROVINCES]
    producer = KafkaProducer(
        bootstrap_servers=address, acks="all", linger_ms=20, batch_size=256 * 1024
    )
    started = time.perf_counter()
    size = 0
    for n in range(count):
        province = provinces[n % len(provinces)]
        uscc = new_uscc(province)
        data = {**shapes[n % len(shapes)], "uscc": uscc, "province_code": province}
        raw = Event(type=DETERMINATION, source="bench", subject=uscc, data=data).to_bytes()
        size += len(raw)
        producer.send(DETERMINATION, key=uscc.encode(), value=raw)
    producer.flush()
    producer.close()
    return {
        "events": count,
        "produce_s": round(time.perf_counter() - started, 1),
        "mean_event_bytes": size // count,
    }


def add_caseworkers(uow: UnitOfWork, per_province: int) -> int:
    now = datetime.now(UTC)
    count = 0
    for province in PROVINCES:
        for n in range(per_province):
            who = Principal(
                subject=f"cw-{province.code}-{n}",
                role=Role.CASEWORKER,
                regions=frozenset({province.code}),
            )
            service.preferences(
                uow=uow, principal=who, scope=service.Scope.caseworker(who), now=now
            )
            count += 1
    return count


def count_rows(uow: UnitOfWork, table: Any) -> int:
    with uow.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def drain_backlog(args: argparse.Namespace, url: str, broker: EmbeddedBroker) -> dict[str, Any]:
    upgrade_to_head("notifications", url)
    uow = UnitOfWork(create_database_engine(url))
    caseworkers = add_caseworkers(uow, args.caseworkers)
    produced = produce_backlog(broker.address, args.events)
    env = {
        **os.environ,
        "NOTIFICATIONS_DATABASE_URL": url,
        "NOTIFICATIONS_PORT": str(free_port()),
        "KAFKA_BOOTSTRAP_SERVERS": broker.address,
        "SUPPORTMATCH_EMBEDDED_BROKER": "1",
        "SUPPORTMATCH_LOG_LEVEL": "WARNING",
        "NOTIFICATIONS_SMTP_PORT": str(free_port()),  # nobody listens: (a) sends no email
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "notifications"], env=env, stdin=subprocess.DEVNULL
    )
    watched = psutil.Process(process.pid)
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                peak[0] = max(peak[0], float(watched.memory_info().rss))
            except psutil.Error:
                return
            stop.wait(0.2)

    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    first_at = None
    first_cpu = 0.0
    done = 0
    try:
        while done < args.events and time.perf_counter() - started < args.timeout:
            done = count_rows(uow, inbox)
            if done and first_at is None:
                first_at = time.perf_counter()
                first_cpu = cpu_seconds(watched)
            time.sleep(0.5)
        finished = time.perf_counter()
        busy = cpu_seconds(watched) - first_cpu
        idle = float(watched.memory_info().rss)
    finally:
        stop.set()
        process.terminate()
        process.wait(30)
    drain = finished - (first_at or started)
    return {
        **produced,
        "caseworkers": caseworkers,
        "inbox_entries": done,
        "digest_lines": count_rows(uow, text("digest_items")),
        "wall_s_from_start": round(finished - started, 1),
        "drain_s": round(drain, 1),
        "inbox_per_s": round(done / drain, 1) if drain else None,
        "service_cpu_s": round(busy, 1),
        "inbox_per_cpu_s": round(done / busy, 1) if busy else None,
        "peak_rss_mb": round(peak[0] / MB, 1),
        "rss_after_mb": round(idle / MB, 1),
    }


def send_emails(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    upgrade_to_head("notifications", url)
    engine = create_database_engine(url)
    uow = UnitOfWork(engine)
    port = free_port()
    catcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notifications.mailcatcher",
            "--port",
            str(port),
            "--folder",
            str(folder / "mail"),
        ],
        stdin=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    now = datetime.now(UTC)
    message = message_for(EligibilityChanged.from_data(templates()[0]))
    firms = [new_uscc("44") for _ in range(args.emails)]
    admin = Principal(subject="bench", role=Role.ADMIN)
    for uscc in firms:
        service.update_preferences(
            uow=uow,
            principal=admin,
            scope=service.Scope.enterprise(uscc),
            changes={"email": f"{uscc}@firm.example"},
            now=now,
        )
    with uow.begin() as connection:
        ids: dict[str, int] = dict(connection.execute(text("SELECT key, id FROM recipients")).all())
        rows = [
            delivery_row(
                recipient_id=ids[uscc],
                channel="email",
                target="",
                trigger=f"bench-{uscc}",
                topic=message.topic.value,
                content=notice_email(message, language="zh", name="测试制造有限公司"),
                not_before=now,
                now=now,
            )
            for uscc in firms
        ]
        Deliveries(connection).add_deliveries(rows)
    settings = NotificationsSettings(database_url=url, smtp_port=port)
    worker = delivery_worker(
        settings, SqlUnitOfWork(engine), clock=lambda: datetime.now(UTC), sender=WebhookSender()
    )
    started = time.perf_counter()
    sent = 0
    try:
        while True:
            attempted = worker.deliver_due()
            if not attempted:
                break
            sent += attempted
        elapsed = time.perf_counter() - started
    finally:
        catcher.terminate()
        catcher.wait(10)
    with uow.read() as connection:
        statuses: dict[str, int] = dict(
            connection.execute(
                select(deliveries_table.c.status, func.count()).group_by(deliveries_table.c.status)
            ).all()
        )
    files = len(list((folder / "mail").glob("*.eml")))
    engine.dispose()
    return {
        "emails": args.emails,
        "attempted": sent,
        "statuses": statuses,
        "files_written_by_smtp_server": files,
        "seconds": round(elapsed, 2),
        "emails_per_s": round(args.emails / elapsed, 1),
    }


def handler_path(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """(c) The determination handler alone, in this process, without Kafka: the consumer's
    `process_batch` over batches of 400 events, each SQL statement timed by its first words."""
    upgrade_to_head("notifications", url)
    engine = create_database_engine(url)
    uow = UnitOfWork(engine)
    add_caseworkers(uow, args.caseworkers)
    shapes = templates()
    provinces = [p.code for p in PROVINCES]
    messages = []
    for n in range(args.handler_events):
        uscc = new_uscc(provinces[n % len(provinces)])
        data = {**shapes[n % len(shapes)], "uscc": uscc, "province_code": uscc[2:4]}
        raw = Event(type=DETERMINATION, source="bench", subject=uscc, data=data).to_bytes()
        messages.append(
            SimpleNamespace(
                value=raw, key=uscc.encode(), topic=DETERMINATION, partition=0, offset=n
            )
        )
    seconds: Counter[str] = Counter()
    counts: Counter[str] = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _ended(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        label = " ".join(statement.split()[:3])[:48]
        seconds[label] += time.perf_counter() - conn.info["started"]
        counts[label] += 1

    batch = determinations_handler(lambda: datetime.now(UTC))
    consumer = EventProcessing(
        group="notifications",
        subscriptions=[Subscription(DETERMINATION, one_by_one(batch), batch)],
        uow=uow,
        tables=backbone,
        producer_factory=lambda: None,
    )
    started = time.perf_counter()
    for start in range(0, len(messages), 400):
        consumer.process_batch(messages[start : start + 400])
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {
        "events": len(messages),
        "seconds": round(elapsed, 2),
        "events_per_s": round(len(messages) / elapsed, 1),
        "sql_s": round(sum(seconds.values()), 2),
        "statements": {
            label: {"seconds": round(s, 2), "count": counts[label]}
            for label, s in seconds.most_common(8)
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default="sqlite",
        help="'sqlite' (a file, as `make run` uses) or a PostgreSQL server URL",
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--caseworkers", type=int, default=1, help="caseworkers per province")
    parser.add_argument("--emails", type=int, default=5_000)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument(
        "--handler-events", type=int, default=40_000, help="(c) events for the handler alone"
    )
    parser.add_argument("--skip-handler", action="store_true")
    parser.add_argument("--skip-inbox", action="store_true")
    parser.add_argument("--skip-email", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "database": "sqlite" if args.database_url == "sqlite" else "postgresql"
    }
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_inbox:
            broker = EmbeddedBroker(
                f"127.0.0.1:{free_port()}", log_file=Path(folder) / "broker.log"
            )
            broker.start()
            try:
                url = fresh_url(args.database_url, Path(folder) / "a")
                Path(folder, "a").mkdir(exist_ok=True)
                result["inbox"] = drain_backlog(args, url, broker)
            finally:
                broker.stop()
        if not args.skip_email:
            Path(folder, "b").mkdir(exist_ok=True)
            url = fresh_url(args.database_url, Path(folder) / "b")
            result["email"] = send_emails(args, url, Path(folder) / "b")
        if not args.skip_handler:
            Path(folder, "c").mkdir(exist_ok=True)
            url = fresh_url(args.database_url, Path(folder) / "c")
            result["handler"] = handler_path(args, url)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
