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
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil
import psycopg
import zen
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import make_url

# This file is named like the eligibility package: the checkout, not bench/, goes first on the path.
sys.path.remove(sys.path[0])
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import percentiles
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
from eligibility.domain.criteria import LEVELS, All, Certified, Compare, Criterion, Not, evaluate
from eligibility.domain.decision import decide
from eligibility.domain.facts import DATE, REGISTRY, facts_of
from eligibility.domain.measures import Measure, load_catalogue
from eligibility.domain.queue import name_grams
from eligibility.use_cases.explain import explain_pending
from eligibility.use_cases.rematch import rematch as rematch_one
from eligibility.use_cases.rematch import rematch_due
from supportmatch_cli.demo import PLACES
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from supportmatch_reference.certifications import CertificationKind
from supportmatch_reference.industries import catalogue as industries
from supportmatch_reference.regions import BY_CODE
from supportmatch_reference.uscc import check_character
from tests.unit._snapshots import profile_snapshot

MB, DATABASE, BATCH = 1024 * 1024, "sm_bench_eligibility", 5000
# fmt: off
SECTIONS = {"C": 50, "F": 14, "I": 7, "E": 5, "G": 5, "M": 5, "H": 3, "L": 2, "K": 2, "A": 2,
            "D": 1, "N": 1, "O": 1, "P": 1, "Q": 1, "R": 1, "B": 1}
BIG = {"44": 14, "32": 10, "33": 9, "37": 8, "31": 5, "11": 5, "35": 4, "41": 4, "42": 4, "51": 4}
OWNERSHIP = {"private": 76, "foreign": 8, "local_soe": 6, "central_soe": 2, "mixed": 5,
             "collective": 3}
SIZES = {(2, 19, 3e5, 3e6): 45, (20, 299, 3e6, 2e7): 34, (300, 999, 2e7, 4e8): 15,
         (1000, 30000, 4e8, 3e10): 6}  # employees and revenue (yuan) ranges of each size class
FLAGS = {"export_oriented": 0.15, "cross_border_ecommerce": 0.03, "chain_key_node": 0.05,
         "advanced_cluster_member": 0.04, "energy_intensive": 0.1, "renting_state_premises": 0.08}
# fmt: on
CLASSES: dict[str, list[str]] = {}
for _industry in industries().values():
    if _industry.level == "class":
        CLASSES.setdefault(_industry.section, []).append(_industry.code)
PROVINCES = {code: BIG.get(code, 1) for code in BY_CODE}
ZEN_STATUS = {1: "eligible", 0: "ineligible", 0.5: "possibly_eligible"}


PEAK = [0.0]  # this process's peak RSS since the last reset, sampled every 50 ms


def sample_rss() -> None:
    while True:
        PEAK[0] = max(PEAK[0], float(psutil.Process().memory_info().rss))
        time.sleep(0.05)


def peak_mb() -> float:
    return round(max(PEAK[0], float(psutil.Process().memory_info().rss)) / MB, 1)


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


def synthetic_facts(rng: random.Random) -> dict[str, Any]:
    """One firm's facts: facts_of over a profile snapshot; some facts unknown, some titles held."""
    section, ownership = pick(rng, SECTIONS), pick(rng, OWNERSHIP)
    low, high, least, most = pick(rng, SIZES)
    revenue, research = int(least * (most / least) ** rng.random()), section in "CIM"
    assets, staff, u = int(revenue * rng.uniform(0.5, 2.5)), rng.randint(low, high), rng.uniform
    year: dict[str, Any] = {
        "employees": staff, "revenue": revenue, "total_assets": assets,
        "total_liabilities": int(assets * u(0.15, 0.85)),
        "taxable_income": max(0, int(revenue * u(-0.05, 0.15))),
        "vat_sales": int(revenue * u(0.8, 1.0)), "main_business_revenue": int(revenue * u(0.6, 1)),
        "rd_expense": int(revenue * (u(0.01, 0.09) if research else 0.005)),
        "rd_staff": int(staff * u(0.03, 0.6)) if research else 0,
        "export_revenue": int(revenue * u(0.1, 0.7)) if rng.random() < 0.2 else 0,
        "new_equity_financing": int(u(5e6, 9e7)) if rng.random() < 0.05 else 0,
        "tax_credit_grade": rng.choices("ABMCD", (40, 35, 15, 7, 3))[0],
        "years_in_niche": rng.randint(1, 20) if research and rng.random() < 0.3 else None,
        "niche_market_share": round(u(1, 30), 1) if rng.random() < 0.1 else None,
        "vat_refund_fraud_36m": rng.random() < 0.005,
        "tax_evasion_penalties_36m": rng.choices((0, 1, 2), (97, 2, 1))[0],
        "immediate_refund_since_2019": rng.random() < 0.05,
    }  # fmt: skip
    missing = 1.0 if rng.random() < 0.03 else u(0.0, 0.3)  # 3 % of firms report no figures
    year = {k: v for k, v in year.items() if rng.random() >= missing}
    province = pick(rng, PROVINCES)
    snapshot = profile_snapshot(
        industry=rng.choice(CLASSES[section]), province=province, ownership=ownership, **year
    )
    snapshot["flags"] = {k: rng.random() < p for k, p in FLAGS.items() if rng.random() < 0.8}
    if "revenue" in year and rng.random() < 0.7:
        snapshot["years"].append({"fiscal_year": 2021, "revenue": int(revenue / u(0.8, 1.4))})
    if rng.random() < 0.15:
        snapshot["covid_risk_periods"] = [{"start": "2022-04-01", "end": "2022-05-31"}]
    snapshot["listed"] = rng.random() < 0.03
    snapshot["foreign_kind"] = "joint_venture" if ownership == "foreign" else None
    snapshot["registration_date"] = date(rng.randint(1995, 2022), rng.randint(1, 12), 1).isoformat()
    later_rules(rng, snapshot, section, revenue)
    titles = []  # distinct kinds: decision.facts_digest fails on two titles equal but for valid_to
    for kind in rng.sample(list(CertificationKind), rng.choice((0,) * 17 + (1, 1, 2))):
        start = date(rng.randint(2018, 2023), rng.randint(1, 12), 1)
        end = None if rng.random() < 0.3 else start.replace(year=start.year + 3).isoformat()
        level = rng.choice(LEVELS)
        titles.append(
            {"kind": kind.value, "level": level, "valid_from": str(start), "valid_to": end}
        )
    snapshot["certifications"] = titles
    return facts_of(snapshot)


def later_rules(rng: random.Random, snapshot: dict[str, Any], section: str, revenue: int) -> None:
    """The facts the rules after 2022 read: VAT taxpayer type, credits and sales by industry,
    quarterly averages, lists and ladder inputs, each for a share of the firms."""
    general = revenue >= 5_000_000
    snapshot["vat_taxpayer_type"] = "general" if general else "small_scale"
    if general and rng.random() < 0.5:
        snapshot["vat_sales_by_industry"] = {snapshot["industry"]["code"]: revenue}
    if general and rng.random() < 0.3:
        level = int(revenue * rng.uniform(0.002, 0.02))
        months = {"2019-03": level // 2, "2025-12": level}
        for month in range(1, 7):
            level += int(revenue * rng.uniform(-0.001, 0.006))
            months[f"2026-{month:02d}"] = max(level, 0)
        snapshot["vat_credit_balances"] = months
    year = snapshot["facts"]
    if "employees" in year:
        year["employees_quarterly_avg"] = year["employees"]
    if "total_assets" in year:
        year["total_assets_quarterly_avg"] = year["total_assets"]
    year |= {"serious_violation_3y": rng.random() < 0.02, "ip_class1": rng.randint(0, 8),
             "ip_class2": rng.randint(0, 20), "national_st_award_rank_3y": 0,
             "provincial_st_award_rank_3y": rng.choice((0, 0, 0, 2))}  # fmt: skip
    snapshot["flags"] |= {
        "strategic_emerging_field": section in "CIM" and rng.random() < 0.4,
        "restricted_industry": rng.random() < 0.02,
        "on_advanced_manufacturer_list": section == "C" and rng.random() < 0.05,
    }


def firms(start: int, count: int, seed: int = 7) -> Iterator[tuple[str, dict[str, Any]]]:
    """(uscc, facts) of firms start .. start+count-1; USCCs are unique by serial number."""
    rng = random.Random(seed * 1_000_003 + start)
    for serial in range(start, start + count):
        facts = synthetic_facts(rng)
        body = f"91{facts['province_code']}0300{serial:09d}"
        yield body + check_character(body), facts


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


_SYLLABLES = "华信鑫盛泰达恒瑞宏金源德隆邦创新康安远嘉旭昌联中博海天宇丰凯润和星辰锐领航力捷"
_TRADES = ("科技", "机械", "电子", "精密制造", "新材料", "实业", "贸易", "软件", "物流")
_CITIES: dict[str, list[str]] = {}
for _division, _city in PLACES:
    _CITIES.setdefault(_division[:2], []).append(_city)


def name_and_city(uscc: str, province_code: str) -> tuple[str, str]:
    """A firm's name and city, the same for the same USCC: what the work queue lists and finds."""
    rng = random.Random(uscc)
    name = "".join(rng.sample(_SYLLABLES, 2)) + rng.choice(_TRADES) + "有限公司"
    cities = _CITIES.get(province_code) or [BY_CODE[province_code].name_zh + "市"]
    return name, rng.choice(cities)


def seed(url: str, start: int, count: int) -> dict[str, int]:
    """COPY firms start .. start+count-1 into enterprise_facts and their titles, then ANALYZE."""
    now, titles, done, rows = datetime.now(UTC), 0, 0, firms(start, count)
    stored = [name for name, fact in REGISTRY.items() if fact.comparable]
    columns = ", ".join(("uscc", "profile_version", "facts", "updated_at", "name", "city", *stored))
    with psycopg.connect(url) as connection:
        while done < count:
            chunk = [next(rows) for _ in range(min(50_000, count - done))]
            cursor = connection.cursor()
            with cursor.copy(f"COPY enterprise_facts ({columns}) FROM STDIN") as copy:
                for uscc, facts in chunk:
                    values = [facts[name] for name in stored]
                    label = name_and_city(uscc, facts["province_code"])
                    facts_json = json.dumps(facts, ensure_ascii=False)
                    copy.write_row([uscc, 1, facts_json, now, *label, *values])
            with cursor.copy("COPY enterprise_name_grams (gram, uscc) FROM STDIN") as copy:
                for uscc, facts in chunk:
                    name, _ = name_and_city(uscc, facts["province_code"])
                    for gram in sorted(name_grams(name)):
                        copy.write_row([gram, uscc])
            held = "enterprise_certifications (uscc, kind, level, valid_from, valid_to)"
            with cursor.copy(f"COPY {held} FROM STDIN") as copy:
                for uscc, facts in chunk:
                    for title in facts["certifications"]:
                        copy.write_row([uscc, *title])
                        titles += 1
            connection.commit()
            done += len(chunk)
            print(f"  seeded {start + done:,} firms", flush=True)
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return {"firms": start + count, "certifications_added": titles}


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


ZEN_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in"}


def zen_value(value: Any, *, day: bool) -> str:
    """A value in ZEN: a day as date('…'), anything else as JSON (tuples become arrays)."""
    return f"date('{value}')" if day else json.dumps(value)


def zen_compare(node: Compare) -> str:
    """One comparison in ZEN; days compare as dates."""
    day = REGISTRY[node.fact].type == DATE
    v = f"date({node.fact})" if day else node.fact

    def show(value: Any) -> str:
        return zen_value(value, day=day)

    if node.op == "between":
        return f"{v} >= {show(node.value[0])} and {v} <= {show(node.value[1])}"
    if node.op in ("in", "not_in"):
        listed = "[" + ", ".join(show(value) for value in node.value) + "]"
        return f"not ({v} in {listed})" if node.op == "not_in" else f"{v} in {listed}"
    return f"{v} {ZEN_OPS[node.op]} {show(node.value)}"


def zen_expression(node: Criterion, stamp: int) -> str:
    """A criteria tree as a ZEN expression: 1 pass, 0 fail, 0.5 unknown (Kleene: min, max, 1-x)."""
    if isinstance(node, Compare):
        return f"({node.fact} == null ? 0.5 : ({zen_compare(node)} ? 1 : 0))"
    if isinstance(node, Certified):
        levels = json.dumps(LEVELS[LEVELS.index(node.level_at_least or LEVELS[0]) :])
        held = f"#[0] == '{node.kind}' and #[1] in {levels} and date(#[2]) <= {stamp}"
        return f"(some(certifications ?? [], {held} and (#[3] == null or date(#[3]) >= {stamp})) ? 1 : 0)"
    if isinstance(node, Not):
        return f"(1 - {zen_expression(node.child, stamp)})"
    parts = ", ".join(zen_expression(child, stamp) for child in node.children)
    return f"{'min' if isinstance(node, All) else 'max'}([{parts}])"


def zen_engine(measures: list[Measure], day: date) -> zen.ZenEngine:
    """One JDM graph: input -> one expression node with an output per measure -> output."""
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    expressions = [
        {"id": f"e{i}", "key": f"m{i}", "value": zen_expression(m.criteria, stamp)}
        for i, m in enumerate(measures)
    ]
    nodes: list[dict[str, Any]] = [
        {"id": key, "type": kind, "name": key, "position": {"x": 0, "y": 0}}
        for key, kind in (("in", "inputNode"), ("ex", "expressionNode"), ("out", "outputNode"))
    ]
    nodes[1]["content"] = {"expressions": expressions}
    edges = [
        {"id": f"{s}{t}", "sourceId": s, "targetId": t} for s, t in (("in", "ex"), ("ex", "out"))
    ]
    content = {"jdm": {"nodes": nodes, "edges": [{"type": "edge", **edge} for edge in edges]}}
    return zen.ZenEngine({"loader": {"type": "static", "content": content}})


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
