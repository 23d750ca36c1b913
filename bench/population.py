"""The synthetic population the eligibility and casework benchmarks share: firms drawn to the
shape of China's registered enterprises (sections, provinces, ownership, size), each with a name
and a city, copied into the eligibility database in batches."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from eligibility.domain.criteria import LEVELS
from eligibility.domain.facts import REGISTRY, facts_of
from eligibility.domain.queue import name_grams
from supportmatch_cli.demo import PLACES
from supportmatch_reference.certifications import CertificationKind
from supportmatch_reference.industries import catalogue as industries
from supportmatch_reference.regions import BY_CODE
from supportmatch_reference.uscc import check_character
from tests.unit._snapshots import profile_snapshot

BATCH = 5000  # firms per COPY, and per batch wherever the benchmarks read them back
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
