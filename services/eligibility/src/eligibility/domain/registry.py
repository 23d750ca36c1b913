"""The registry of facts criteria may name: each fact's type, unit, bounds and labels, in one place.
Longer than 300 lines: data, one declaration per fact."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from supportmatch_core.ranges import COUNT_LIMIT, FACT_RANGES, MONEY_LIMIT

STRING, INTEGER, MONEY, NUMBER, BOOLEAN, DATE = (
    "string",
    "integer",
    "money",
    "number",
    "boolean",
    "date",
)
MAP = "map"  # a table of amounts (month or industry -> yuan): a source of derived facts only
NUMERIC = (INTEGER, MONEY, NUMBER)
# Each type as an administrator reads it in Chinese, e.g. in an error about a measure document.
TYPE_ZH = {
    STRING: "文本",
    INTEGER: "整数",
    MONEY: "整数金额",
    NUMBER: "数值",
    BOOLEAN: "是/否（true或false）",
    DATE: "日期（年-月-日）",
    MAP: "数额表",
}


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact criteria may compare: its type, unit, bounds and meaning; derived facts name their
    sources. Money is in yuan (or US dollars where the unit says "usd"); percentages in percent."""

    name: str
    type: str
    label_zh: str
    label_en: str
    unit: str | None = None  # yuan, usd, persons, %, years, points, items, rank, times
    derived_from: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()  # the allowed values of a string fact, when they are few

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)

    @property
    def comparable(self) -> bool:
        """Whether criteria may compare it (a table of amounts is read only through derived facts)."""
        return self.type != MAP


def _f(
    name: str,
    kind: str,
    zh: str,
    en: str,
    unit: str | None = None,
    *sources: str,
    low: float | None = None,
    high: float | None = None,
    values: tuple[str, ...] = (),
    signed: bool = False,
) -> Fact:
    stated = not sources and kind in (MONEY, INTEGER)
    if name in FACT_RANGES:  # the ranges the profile API, the import and the event state
        low, high = FACT_RANGES[name].low, FACT_RANGES[name].high
    elif stated:  # the same kinds of range for the facts only measures read
        limit = MONEY_LIMIT if kind == MONEY else COUNT_LIMIT
        low = (-limit if signed else 0) if low is None else low
        high = limit if high is None else high
    return Fact(name, kind, zh, en, unit, tuple(sources), low, high, values)


def _percent(name: str, zh: str, en: str, *sources: str, high: float | None = 100) -> Fact:
    return _f(name, NUMBER, zh, en, "%", *sources, low=None if sources else 0, high=high)


def _flag(name: str, zh: str, en: str) -> Fact:
    return _f(name, BOOLEAN, zh, en)


_SIZE = ("employees", "revenue", "total_assets")
_GRADES = ("A", "B", "M", "C", "D")
_OWNERSHIP = ("central_soe", "local_soe", "private", "foreign", "collective", "mixed")
_SCORE = (
    "rd_expense", "revenue", "total_liabilities", "total_assets", "main_business_revenue",
    "strategic_emerging_field", "ip_class1_high_value", "ip_class1_own", "ip_class1", "ip_class2",
)  # fmt: skip
_CREDITS = ("vat_credit_balances",)

# fmt: off
_FACTS = (
    # who and where the firm is
    _f("industry_code", STRING, "行业代码", "industry code (GB/T 4754-2017)"),
    _f("industry_section", STRING, "行业门类", "industry section", None, "industry_code"),
    _f("industry_division", STRING, "行业大类", "industry division", None, "industry_code"),
    _f("industry_group", STRING, "行业中类", "industry group", None, "industry_code"),
    _f("province_code", STRING, "所在省份", "province"),
    _f("region", STRING, "所在地区", "region", None, "province_code",
       values=("east", "central", "west", "northeast")),
    _f("ownership", STRING, "所有制类型", "ownership", values=_OWNERSHIP),
    _f("foreign_kind", STRING, "外资类型", "kind of foreign investment",
       values=("wholly_foreign_owned", "joint_venture", "hk_macao_taiwan_invested")),
    _f("legal_form", STRING, "组织形式", "legal form"),
    _f("listed", BOOLEAN, "上市公司", "listed company"),
    _f("established_on", DATE, "成立日期", "date of establishment"),
    _f("vat_taxpayer_type", STRING, "增值税纳税人类型", "VAT taxpayer type",
       values=("general", "small_scale")),
    # what the firm says of itself (flags)
    _flag("export_oriented", "外向型企业", "export-oriented"),
    _flag("cross_border_ecommerce", "跨境电商企业", "cross-border e-commerce"),
    _flag("advanced_cluster_member", "国家先进制造业集群成员",
          "member of a national advanced-manufacturing cluster"),
    _flag("chain_key_node", "产业链关键环节企业", "key node of an industrial chain"),
    _flag("energy_intensive", "高耗能企业", "energy-intensive"),
    _flag("renting_state_premises", "承租国有房屋", "rents state-owned premises"),
    _flag("covid_risk_district_2022", "2022年所在区域曾列为中高风险地区",
          "district listed as a COVID medium or high-risk area in 2022"),
    _flag("strategic_emerging_field", "主导产品属于战略性新兴产业",
          "main product in a strategic emerging industry"),
    _flag("own_brand", "拥有自主品牌", "has its own brand"),
    _flag("rd_institution", "自建或联合建立研发机构",
          "has its own R&D institution or one run jointly"),
    _flag("provincial_rd_institution", "建有省级以上研发机构",
          "has an R&D institution recognised at provincial level or above"),
    _flag("key_field_product", "主导产品属于重点领域或为重点产业链配套",
          "main product in a key field or supplying a key industrial chain"),
    _flag("restricted_industry", "从事国家限制或禁止的行业",
          "in an industry the state restricts or prohibits"),
    _flag("on_advanced_manufacturer_list", "列入先进制造业企业名单",
          "on the list of advanced manufacturing enterprises"),
    _flag("on_ic_enterprise_list", "列入集成电路企业清单",
          "on the list of integrated-circuit enterprises"),
    _flag("on_machine_tool_enterprise_list", "列入工业母机企业清单",
          "on the list of industrial machine-tool enterprises"),
    # size
    _f("size_class", STRING, "企业规模", "size class (2011 standard)", None, *_SIZE,
       values=("large", "medium", "small", "micro")),
    _f("sme", BOOLEAN, "中小微企业", "small or medium-sized enterprise", None, *_SIZE),
    _f("small_or_micro", BOOLEAN, "小型微型企业", "small or micro enterprise", None, *_SIZE),
    _f("vat_small_or_micro", BOOLEAN, "小型微型企业（按增值税销售额划型）",
       "small or micro firm sized by VAT sales", None, "vat_sales", "total_assets"),
    # the latest fiscal year's figures
    _f("fiscal_year", INTEGER, "数据年度", "fiscal year of the facts", low=1949),
    _f("employees", INTEGER, "从业人员", "employees", "persons"),
    _f("employees_quarterly_avg", INTEGER, "从业人数（全年季度平均值）",
       "employees (average of the quarters)", "persons"),
    _f("revenue", MONEY, "营业收入", "revenue", "yuan"),
    _f("total_assets", MONEY, "资产总额", "total assets", "yuan"),
    _f("total_assets_quarterly_avg", MONEY, "资产总额（全年季度平均值）",
       "total assets (average of the quarters)", "yuan"),
    _f("total_liabilities", MONEY, "负债总额", "total liabilities", "yuan"),
    _f("taxable_income", MONEY, "应纳税所得额", "taxable income", "yuan", signed=True),
    _f("vat_sales", MONEY, "上年增值税销售额", "prior-year VAT sales", "yuan"),
    _f("net_profit", MONEY, "净利润", "net profit", "yuan", signed=True),
    _f("main_business_revenue", MONEY, "主营业务收入", "main-business revenue", "yuan"),
    _f("rd_expense", MONEY, "研发费用", "R&D expense", "yuan"),
    _f("rd_staff", INTEGER, "研发人员", "R&D staff", "persons"),
    _f("st_staff", INTEGER, "科技人员", "science and technology staff", "persons"),
    _f("rd_equipment_value", MONEY, "研发设备原值（累计购置）",
       "R&D equipment bought, original value to date", "yuan"),
    _f("total_investment_usd", MONEY, "投资总额（非独立法人为研发总投入）",
       "total investment (R&D spending for a centre without legal personality)", "usd"),
    _f("export_revenue", MONEY, "出口收入", "export revenue", "yuan"),
    _f("high_tech_revenue", MONEY, "高新技术产品收入", "high-tech product revenue", "yuan"),
    _f("new_equity_financing", MONEY, "新增股权融资（合格机构投资者实缴额）",
       "new equity from qualified investors (paid in)", "yuan"),
    _f("tax_credit_grade", STRING, "纳税信用等级", "tax credit grade", values=_GRADES),
    _f("years_in_niche", INTEGER, "从事细分市场年限", "years in its niche market", "years"),
    _percent("niche_market_share", "细分市场全国占有率", "national niche market share"),
    _percent("niche_product_share", "单项产品收入占营业收入比重",
             "revenue of the niche product / revenue"),
    _f("niche_global_rank", INTEGER, "单项产品全球市场占有率排名", "niche product's global rank",
       "rank", low=1),
    _f("ip_class1", INTEGER, "有效Ⅰ类知识产权", "class-I intellectual property in force",
       "items"),
    _f("ip_class1_own", INTEGER, "其中自主研发的Ⅰ类知识产权", "of which developed in-house",
       "items"),
    _f("ip_class1_high_value", INTEGER, "其中高价值Ⅰ类知识产权", "of which high-value", "items"),
    _f("ip_class2", INTEGER, "有效Ⅱ类知识产权", "class-II intellectual property in force",
       "items"),
    _f("national_st_award_rank_3y", INTEGER, "近三年国家级科技奖励中的最好排名（未获奖为0）",
       "best rank among the winners of a national science award in 3 years (0: none)", "rank",
       low=0),
    _f("provincial_st_award_rank_3y", INTEGER, "近三年省级科技奖励中的最好排名（未获奖为0）",
       "best rank among the winners of a provincial science award in 3 years (0: none)", "rank",
       low=0),
    _f("maker_china_rank_3y", INTEGER, "近三年“创客中国”大赛全国最好名次（未入围为0）",
       "best national place in the Maker China contest in 3 years (0: none)", "rank", low=0),
    _f("specialised_sme_score", NUMBER, "专精特新中小企业评价得分", "specialised-SME score",
       "points", low=0, high=100),
    _f("unemployment_insurance_premiums", MONEY, "上年度实际缴纳失业保险费",
       "unemployment-insurance premiums paid last year", "yuan"),
    _percent("layoff_rate", "上年度裁员率", "layoff rate last year"),
    _flag("serious_violation_3y", "近三年发生重大事故、违法违规或列入严重失信名单",
          "a serious accident, offence or serious-dishonesty listing in 3 years"),
    _f("six_taxes_two_fees", MONEY, "“六税两费”全年应缴额（减征前）",
       "the six local taxes and two surcharges due for the year, before relief", "yuan"),
    _f("equipment_purchases_small", MONEY, "新购单价500万元以下设备器具金额",
       "new equipment bought at up to 5 million yuan a unit", "yuan"),
    _f("foreign_profit_reinvested", MONEY, "境外投资者以分配利润直接投资鼓励类项目金额",
       "distributed profits a foreign investor reinvested in encouraged projects", "yuan"),
    _percent("encouraged_industry_revenue_share", "鼓励类产业主营业务收入占比",
             "revenue share of the encouraged industries"),
    _f("tax_evasion_penalties_36m", INTEGER, "36个月内因偷税受处罚次数",
       "tax-evasion penalties in the last 36 months", "times"),
    _flag("vat_refund_fraud_36m", "36个月内有骗取留抵退税、出口退税或虚开发票情形",
          "refund fraud or false invoices in the last 36 months"),
    _flag("immediate_refund_since_2019", "2019年4月1日起享受过增值税即征即退、先征后返（退）",
          "VAT immediate refund or refund after collection enjoyed since 1 April 2019"),
    # VAT credit and sales tables (source-only) and what follows from them
    _f("vat_credit_balances", MAP, "各月期末留抵税额", "end-of-month VAT credit balances", "yuan"),
    _f("vat_sales_by_industry", MAP, "近12个月各行业增值税销售额",
       "VAT sales of the last 12 months by industry", "yuan"),
    _f("vat_credit_balance", MONEY, "最近一期期末留抵税额", "VAT credit at the latest month's end",
       "yuan", *_CREDITS),
    _f("vat_credit_increment", MONEY, "增量留抵税额（与上年末相比）",
       "VAT credit increase over the prior 31 December", "yuan", *_CREDITS),
    _f("vat_credit_increment_2019", MONEY, "增量留抵税额（与2019年3月末相比）",
       "VAT credit increase over 31 March 2019", "yuan", *_CREDITS),
    _f("vat_credit_increase_6m", BOOLEAN, "连续六个月增量留抵税额均大于零（与上年末相比）",
       "six months in a row with a VAT credit increase over the prior 31 December", None,
       *_CREDITS),
    _f("vat_credit_increase_2019_6m", BOOLEAN, "连续六个月增量留抵税额均大于零（与2019年3月末相比）",
       "six months in a row with a VAT credit increase over 31 March 2019", None, *_CREDITS),
    _percent("vat_sales_share_four_industries", "制造业等四个行业增值税销售额占比",
             "VAT sales share of manufacturing and the three other industries",
             "vat_sales_by_industry"),
    _percent("vat_sales_share_real_estate", "房地产开发经营增值税销售额占比",
             "VAT sales share of real-estate development", "vat_sales_by_industry"),
    # ratios and multi-year figures
    _percent("rd_ratio", "研发费用占营业收入比例", "R&D expense / revenue", "rd_expense", "revenue",
             high=None),
    _percent("debt_ratio", "资产负债率", "debt ratio", "total_liabilities", "total_assets",
             high=None),
    _percent("export_share", "出口收入占比", "export revenue / revenue", "export_revenue",
             "revenue", high=None),
    _percent("main_business_share", "主营业务收入占营业收入比例",
             "main-business revenue / revenue", "main_business_revenue", "revenue", high=None),
    _percent("high_tech_revenue_share", "高新技术产品收入占比", "high-tech revenue / revenue",
             "high_tech_revenue", "revenue", high=None),
    _percent("st_staff_share", "科技人员占比", "S&T staff / employees", "st_staff", "employees",
             high=None),
    _percent("rd_staff_share", "研发人员占职工总数比例", "R&D staff / employees", "rd_staff",
             "employees", high=None),
    _percent("revenue_growth", "营业收入增长率", "revenue growth on the year before", "revenue",
             high=None),
    _percent("main_business_growth_avg_2y", "近两年主营业务收入平均增长率",
             "average main-business growth over two years", "main_business_revenue", high=None),
    _percent("rd_ratio_min_2y", "近两年研发费用占营业收入比例（较低一年）",
             "R&D expense / revenue, the lower of the last two years", "rd_expense", "revenue",
             high=None),
    _f("rd_expense_avg_2y", MONEY, "近两年研发费用年均额", "average R&D expense of two years",
       "yuan", "rd_expense"),
    _f("rd_expense_sum_2y", MONEY, "近两年研发费用合计", "R&D expense of two years", "yuan",
       "rd_expense"),
    _f("new_equity_2y", MONEY, "近两年新增股权融资合计", "new qualified equity over two years",
       "yuan", "new_equity_financing"),
    _f("new_equity_3y", MONEY, "近三年新增股权融资合计", "new qualified equity over three years",
       "yuan", "new_equity_financing"),
    # the innovative-SME score of 工信部企业〔2022〕63号, computed from the facts above
    _f("innovative_sme_score", NUMBER, "创新型中小企业评价得分", "innovative-SME score", "points",
       *_SCORE),
    _f("innovative_sme_score_innovation", NUMBER, "创新能力得分", "innovation score", "points",
       "rd_expense", "revenue", "ip_class1_high_value", "ip_class1_own", "ip_class1",
       "ip_class2"),
    _f("innovative_sme_score_growth", NUMBER, "成长性得分", "growth score", "points", "revenue",
       "total_liabilities", "total_assets"),
    _f("innovative_sme_score_specialisation", NUMBER, "专业化得分", "specialisation score",
       "points", "main_business_revenue", "revenue", "strategic_emerging_field"),
)
# fmt: on
REGISTRY: dict[str, Fact] = {fact.name: fact for fact in _FACTS}

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    STRING: (str,),
    INTEGER: (int,),
    MONEY: (int,),
    NUMBER: (int, float),
    BOOLEAN: (bool,),
    DATE: (str,),
    MAP: (dict,),
}
# The databases store integers in 64 bits; a larger value could never be compared there.
_LARGEST = 2**63 - 1


def accepts(fact: Fact, value: object) -> bool:
    """Whether `value` is of the fact's type (a bool is not a number here), and a finite number the
    databases can hold when it is one; a date is an ISO day, a table maps names to amounts."""
    if not isinstance(value, _PYTHON_TYPES[fact.type]) or fact.type == BOOLEAN:
        return isinstance(value, _PYTHON_TYPES[fact.type])
    if fact.type == DATE:
        return _is_day(value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_amount(v) for k, v in value.items())
    if isinstance(value, str):
        return True
    return _is_number(value)


def within(fact: Fact, value: object) -> bool:
    """Whether a value of the fact's type lies within its declared bounds."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    low, high = fact.minimum, fact.maximum
    return (low is None or value >= low) and (high is None or value <= high)


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= _LARGEST


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and _is_number(value) and value >= 0


def _is_day(value: object) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def stored_sources(name: str) -> tuple[str, ...]:
    """The facts a firm provides for `name`: itself, or what it is derived from."""
    fact = REGISTRY[name]
    return fact.derived_from or (name,)
