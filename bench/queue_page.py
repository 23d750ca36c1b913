"""One work-queue page at a time, statement by statement: where an administrator's page spends
its time (the counts, the keys of each province and status, the rows), on a database that
bench/casework.py left with --keep.

    .tools/bin/uv run --frozen python bench/queue_page.py --firms 1000000 \\
        --measure six-taxes-two-fees --filters '{"industry": "C39"}' --repeat 15
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

# bench/ holds eligibility.py, named like the eligibility package: the checkout goes first instead.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.adapters.queue import WorkQueue
from eligibility.domain.clock import china_today
from eligibility.domain.queue import QueueFilter
from supportmatch_core.db import create_database_engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--firms", type=int, default=1_000_000, help="the --firms of casework.py")
    parser.add_argument("--measure", default="six-taxes-two-fees")
    parser.add_argument("--filters", default="{}", help="QueueFilter fields as JSON")
    parser.add_argument("--day", type=date.fromisoformat, default=china_today())
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = make_url(args.database_url).set(database=f"sm_bench_casework_{args.firms}")
    engine = create_database_engine(url.render_as_string(hide_password=False))
    statements: list[tuple[str, float]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def started(connection: Any, *_: Any) -> None:
        connection.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def ended(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append((statement, time.perf_counter() - connection.info["started"]))

    wanted = QueueFilter(measure_id=args.measure, **json.loads(args.filters))  # every province
    for _ in range(args.repeat):
        statements.clear()
        with engine.connect() as connection:
            began = time.perf_counter()
            WorkQueue(connection).page(wanted, after="", limit=50, on=args.day)
            total = time.perf_counter() - began
        spent = {"counts": 0.0, "keys": 0.0, "rows": 0.0}
        for statement, seconds in statements:
            spent[_part(statement)] += seconds
        figures = {
            "page_ms": round(total * 1000, 1),
            "statements": len(statements),
            "sql_ms": round(sum(spent.values()) * 1000, 1),
        } | {f"{part}_ms": round(seconds * 1000, 1) for part, seconds in spent.items()}
        print(json.dumps(figures), flush=True)
    engine.dispose()
    return 0


def _part(statement: str) -> str:
    """Which part of a page a statement reads: the rows shown (with the projection's names),
    the keys (a part's, or every province's first in one lateral read), or the counts (the
    tallies and what lies past the rows they looked among)."""
    if "enterprise_facts.name" in statement:
        return "rows"
    if "LATERAL" in statement or statement.lstrip().startswith("SELECT determinations.uscc"):
        return "keys"
    return "counts"


if __name__ == "__main__":
    raise SystemExit(main())
