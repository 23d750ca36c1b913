"""Synthetic but realistic enterprises in the bulk-import format, for demos and benchmarks."""

from __future__ import annotations

import csv
import random
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from profiles.domain.model import FLAGS, YEAR_FACTS
from profiles.domain.rows import COLUMNS
from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.industries import catalogue
from supportmatch_reference.regions import BY_CODE

# (division code, city) of real GB/T 2260 divisions; the province is the first two digits.
# fmt: off
PLACES = (
    ("110105", "北京市"), ("110108", "北京市"), ("120116", "天津市"), ("130102", "石家庄市"),
    ("130203", "唐山市"), ("140105", "太原市"), ("150102", "呼和浩特市"), ("210102", "沈阳市"),
    ("210204", "大连市"), ("220102", "长春市"), ("230103", "哈尔滨市"), ("310115", "上海市"),
    ("310112", "上海市"), ("320102", "南京市"), ("320505", "苏州市"), ("320213", "无锡市"),
    ("330106", "杭州市"), ("330212", "宁波市"), ("330302", "温州市"), ("340104", "合肥市"),
    ("350203", "厦门市"), ("350102", "福州市"), ("360102", "南昌市"), ("370102", "济南市"),
    ("370202", "青岛市"), ("370602", "烟台市"), ("410105", "郑州市"), ("420106", "武汉市"),
    ("430104", "长沙市"), ("440106", "广州市"), ("440305", "深圳市"), ("441900", "东莞市"),
    ("440604", "佛山市"), ("450103", "南宁市"), ("460106", "海口市"), ("500112", "重庆市"),
    ("510104", "成都市"), ("520102", "贵阳市"), ("530102", "昆明市"), ("540102", "拉萨市"),
    ("610113", "西安市"), ("620102", "兰州市"), ("630104", "西宁市"), ("640104", "银川市"),
    ("650102", "乌鲁木齐市"),
)
# Rough weight of each province in the national count of enterprises.
_PROVINCE_WEIGHT = {
    "44": 14, "32": 10, "33": 9, "37": 8, "31": 5, "11": 5, "35": 4, "41": 4, "42": 4, "51": 4,
    "34": 3, "43": 3, "13": 3, "50": 2, "61": 2, "36": 2, "12": 2, "21": 2, "45": 2,
}
_SECTION_WEIGHT = {"C": 50, "F": 14, "I": 7, "E": 5, "G": 5, "M": 5, "L": 2, "K": 2, "H": 3,
                   "A": 2, "D": 1, "N": 1, "O": 1, "R": 1, "B": 1}
_TRADE = {"C": ("科技", "机械", "电子", "精密制造", "新材料", "实业"), "F": ("贸易", "商贸"),
          "I": ("信息技术", "软件", "网络科技"), "E": ("建设工程", "建筑"), "G": ("物流", "运输"),
          "M": ("技术服务", "检测技术"), "H": ("餐饮管理", "酒店管理"), "L": ("商务服务",)}
_SYLLABLES = "华信鑫盛泰达恒瑞宏金源德隆邦创新康安远嘉旭昌联中博海天宇丰凯润和星辰锐领航力捷"
_OWNERSHIP = {"private": 76, "foreign": 8, "local_soe": 6, "central_soe": 2, "mixed": 5,
              "collective": 3}
_SIZES = {"micro": 45, "small": 34, "medium": 15, "large": 6}
# employees, revenue in yuan (lower, upper) by size class
_SCALE = {"micro": ((2, 19), (3e5, 3e6)), "small": ((20, 299), (3e6, 2e7)),
          "medium": ((300, 999), (2e7, 4e8)), "large": ((1000, 30000), (4e8, 3e10))}
_ENERGY = ("C25", "C26", "C30", "C31", "C32", "D44")
# fmt: on


@cache
def _classes() -> dict[str, list[tuple[str, str]]]:
    by_section: dict[str, list[tuple[str, str]]] = {}
    for industry in catalogue().values():
        if industry.level == "class":
            by_section.setdefault(industry.section, []).append((industry.code, industry.name_zh))
    return by_section


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def rows(count: int, *, seed: int = 1, fiscal_year: int | None = None) -> Iterator[dict[str, str]]:
    """`count` enterprises as import rows (every column, '' where unknown); same seed, same rows."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    year = fiscal_year or datetime.now(UTC).year - 1
    places = [p for p in PLACES for _ in range(_PROVINCE_WEIGHT.get(p[0][:2], 1))]
    seen: set[str] = set()
    for _ in range(count):
        division, city = rng.choice(places)
        code = uscc_codes.generate(rng, division=division)
        while code in seen:
            code = uscc_codes.generate(rng, division=division)
        seen.add(code)
        yield _row(rng, code, city, year)


def _row(rng: random.Random, code: str, city: str, year: int) -> dict[str, str]:
    province = BY_CODE[code[2:4]]
    section = _pick(rng, _SECTION_WEIGHT)
    industry, industry_name = rng.choice(_classes()[section])
    ownership = _pick(rng, _OWNERSHIP)
    joint_stock = ownership != "collective" and rng.random() < 0.12
    brand = "".join(rng.sample(_SYLLABLES, 2))
    trade = rng.choice(_TRADE.get(section, ("实业", "发展")))
    suffix = "股份有限公司" if joint_stock else "有限公司"
    legal_form = {"collective": "collective_enterprise", "central_soe": "state_owned_enterprise"}
    founded = date(year, 12, 31) - timedelta(days=rng.randint(200, 30 * 365))
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        uscc=code,
        name=f"{province.name_zh}{brand}{trade}{suffix}",
        province=province.name_zh if rng.random() < 0.7 else province.code,
        industry=industry,
        ownership=ownership,
        name_en=f"{province.name_en} {brand} Co., Ltd." if rng.random() < 0.3 else "",
        registration_date=founded.isoformat(),
        legal_form="joint_stock_company"
        if joint_stock
        else legal_form.get(ownership, "limited_liability_company"),
        foreign_kind=rng.choice(
            ("wholly_foreign_owned", "joint_venture", "hk_macao_taiwan_invested")
        )
        if ownership == "foreign"
        else "",
        listed=_bool(joint_stock and rng.random() < 0.3),
        city=city,
        main_products=";".join(
            name.removesuffix("制造").removesuffix("服务") or name
            for name in dict.fromkeys((industry_name, rng.choice(_classes()[section])[1]))
        ),
        fiscal_year=str(year if rng.random() < 0.85 else year - 1),
        # One firm in ten gives a contact email (chosen from the code, so the random stream and
        # every other value stay as they were); `make run` then shows emails in var/mail/.
        contact_email=f"finance.{code[-8:].lower()}@example.cn"
        if zlib.crc32(code.encode()) % 10 == 0
        else "",
    )
    row.update(_flags(rng, section, industry))
    row.update(_facts(rng, _pick(rng, _SIZES), section))
    row.update(_later_rules(code, row, year))
    missing = rng.uniform(0.10, 0.30)  # this share of the optional cells is left unknown
    for name in (*FLAGS, *YEAR_FACTS, "name_en", "registration_date", "city", "legal_form"):
        if row[name] and rng.random() < missing:
            row[name] = ""
    return row


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _flags(rng: random.Random, section: str, industry: str) -> dict[str, str]:
    making = section == "C"
    return {
        "export_oriented": _bool(rng.random() < (0.25 if making else 0.05)),
        "cross_border_ecommerce": _bool(rng.random() < (0.08 if section == "F" else 0.02)),
        "advanced_cluster_member": _bool(making and rng.random() < 0.05),
        "chain_key_node": _bool(making and rng.random() < 0.06),
        "energy_intensive": _bool(industry.startswith(_ENERGY) and rng.random() < 0.7),
        "renting_state_premises": _bool(rng.random() < 0.08),
    }


def _facts(rng: random.Random, size: str, section: str) -> dict[str, str]:
    (low, high), (least, most) = _SCALE[size]
    employees = rng.randint(low, high)
    revenue = int(least * (most / least) ** rng.random())  # log-uniform within the class
    assets = int(revenue * rng.uniform(0.5, 2.5))
    profit = int(revenue * rng.uniform(-0.08, 0.18))
    research = section in "CIM"
    rd_share = rng.uniform(0.02, 0.09) if research else rng.uniform(0, 0.01)
    exporting = rng.random() < 0.2
    niche = research and rng.random() < 0.15
    facts = {
        "employees": employees,
        "revenue": revenue,
        "total_assets": assets,
        "total_liabilities": int(assets * rng.uniform(0.15, 0.85)),
        "taxable_income": max(0, int(profit * rng.uniform(0.9, 1.2))),
        "vat_sales": int(revenue * rng.uniform(0.8, 1.0)),
        "net_profit": profit,
        "main_business_revenue": int(revenue * rng.uniform(0.8, 1.0)),
        "rd_expense": int(revenue * rd_share),
        "rd_staff": int(employees * rng.uniform(0.03, 0.25)) if research else 0,
        "st_staff": int(employees * rng.uniform(0.05, 0.35)) if research else 0,
        "export_revenue": int(revenue * rng.uniform(0.1, 0.7)) if exporting else 0,
        "high_tech_revenue": int(revenue * rng.uniform(0.3, 0.8)) if research else 0,
        "new_equity_financing": int(rng.uniform(5e6, 5e7)) if rng.random() < 0.04 else 0,
        "tax_credit_grade": rng.choices("ABMCD", (40, 35, 15, 7, 3))[0],
        "years_in_niche": rng.randint(1, 20) if niche else "",
        "niche_market_share": round(rng.uniform(1, 30), 1) if niche else "",
        "vat_refund_fraud_36m": _bool(rng.random() < 0.005),
        "tax_evasion_penalties_36m": 1 if rng.random() < 0.01 else 0,
        "immediate_refund_since_2019": _bool(rng.random() < 0.05),
    }
    return {name: str(value) for name, value in facts.items()}


def _later_rules(code: str, row: dict[str, str], year: int) -> dict[str, str]:
    """The facts the rules after 2022 read, from a random stream of the firm's own (seeded by its
    code), so the columns above stay as every earlier seed made them."""
    rng = random.Random(zlib.crc32(code.encode()) ^ 0x5EED)  # noqa: S311 - demo data
    employees, revenue = int(row["employees"]), int(row["revenue"])
    assets, section = int(row["total_assets"]), row["industry"][0]
    research, u = section in "CIM", rng.uniform
    general = revenue >= 5_000_000
    first = rng.randint(0, 12) if research else 0
    own = rng.randint(0, first)
    facts: dict[str, object] = {
        "vat_taxpayer_type": "general" if general else "small_scale",
        "employees_quarterly_avg": int(employees * u(0.9, 1.05)),
        "total_assets_quarterly_avg": int(assets * u(0.85, 1.0)),
        "ip_class1": first,
        "ip_class1_own": own,
        "ip_class1_high_value": rng.randint(0, own),
        "ip_class2": rng.randint(0, 30) if research else rng.randint(0, 3),
        "national_st_award_rank_3y": 0,
        "provincial_st_award_rank_3y": rng.choice((0,) * 9 + (2,)) if research else 0,
        "maker_china_rank_3y": 0,
        "unemployment_insurance_premiums": int(employees * u(600, 1500)),
        "layoff_rate": round(u(0, 8), 1),
        "serious_violation_3y": _bool(rng.random() < 0.02),
        "six_taxes_two_fees": int(revenue * u(0.001, 0.004)),
        "equipment_purchases_small": int(revenue * u(0, 0.05)) if rng.random() < 0.4 else 0,
        "strategic_emerging_field": _bool(research and rng.random() < 0.4),
        "own_brand": _bool(rng.random() < 0.5),
        "rd_institution": _bool(research and rng.random() < 0.4),
        "key_field_product": _bool(section == "C" and rng.random() < 0.3),
        "restricted_industry": _bool(rng.random() < 0.02),
    }
    if general and rng.random() < 0.4:
        facts["vat_sales_by_industry"] = f"{row['industry']}:{row['vat_sales'] or revenue}"
    if general and section in "CFG" and rng.random() < 0.3:
        facts["vat_credit_balances"] = _credit_balances(rng, year, revenue)
    return {name: str(value) for name, value in facts.items()}


def _credit_balances(rng: random.Random, year: int, revenue: int) -> str:
    """End-of-month VAT credit: March 2019, last December, then six growing months."""
    level = int(revenue * rng.uniform(0.002, 0.02))
    months = {"2019-03": int(level * rng.uniform(0.2, 0.8)), f"{year}-12": level}
    for month in range(1, 7):
        level += int(revenue * rng.uniform(-0.001, 0.006))
        months[f"{year + 1}-{month:02d}"] = max(level, 0)
    return ";".join(f"{key}:{amount}" for key, amount in months.items())


def write_csv(path: Path, count: int, *, seed: int = 1) -> int:
    """Write `count` demo enterprises to `path` as an import file (UTF-8 with BOM); returns count."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        written = 0
        for row in rows(count, seed=seed):
            writer.writerow(row)
            written += 1
    return written
