"""The facts a firm can give about itself, as form fields: kind, labels, where they are kept."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

Kind = Literal["count", "money", "signed_money", "percent", "grade", "yes_no"]
Home = Literal["year", "flag"]
Value = int | float | bool | str
WAN = 10_000  # money is typed in 万元 (ten thousand yuan) and kept in yuan
GRADES = ("A", "B", "M", "C", "D")
_LARGEST = 2**62  # the services keep 64-bit integers


class FactInvalid(ValueError):
    """A value that does not fit its field; `code` names the message shown beside it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class FactField:
    name: str
    kind: Kind
    label_zh: str
    label_en: str
    home: Home = "year"

    def parse(self, raw: str | None) -> Value | None:
        """The value typed into the field; empty means unknown (None)."""
        text = (raw or "").strip().replace(",", "").replace("，", "")
        if not text:
            return None
        if self.kind == "grade":
            if text.upper() not in GRADES:
                raise FactInvalid("choose_one")
            return text.upper()
        if self.kind == "yes_no":
            if text not in ("yes", "no"):
                raise FactInvalid("choose_one")
            return text == "yes"
        return self._number(text)

    def _number(self, text: str) -> int | float:
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise FactInvalid("not_a_number") from error
        if not number.is_finite():
            raise FactInvalid("not_a_number")
        if number < 0 and self.kind != "signed_money":
            raise FactInvalid("negative")
        if self.kind == "percent":
            if number > 100:
                raise FactInvalid("percent_range")
            return float(number)
        if self.kind == "count":
            if number != number.to_integral_value():
                raise FactInvalid("whole_number")
            whole = int(number)
        else:
            whole = int((number * WAN).to_integral_value())
        if abs(whole) > _LARGEST:
            raise FactInvalid("too_large")
        return whole

    def shown(self, value: Value | None) -> str:
        """The value as it stands in the field (money back in 万元)."""
        if value is None:
            return ""
        if self.kind == "yes_no":
            return "yes" if value else "no"
        if self.kind in ("money", "signed_money") and isinstance(value, int):
            text = f"{Decimal(value) / WAN:f}"
            return text.rstrip("0").rstrip(".") if "." in text else text
        return str(value)


def _fields(*fields: FactField) -> dict[str, FactField]:
    return {f.name: f for f in fields}


FIELDS = _fields(
    FactField("employees", "count", "从业人员（人）", "Employees (persons)"),
    FactField("revenue", "money", "营业收入（万元）", "Revenue (10,000 yuan)"),
    FactField("total_assets", "money", "资产总额（万元）", "Total assets (10,000 yuan)"),
    FactField("total_liabilities", "money", "负债总额（万元）", "Total liabilities (10,000 yuan)"),
    FactField(
        "taxable_income", "signed_money", "应纳税所得额（万元）", "Taxable income (10,000 yuan)"
    ),
    FactField(
        "vat_sales", "money", "上年增值税销售额（万元）", "Prior-year VAT sales (10,000 yuan)"
    ),
    FactField("net_profit", "signed_money", "净利润（万元）", "Net profit (10,000 yuan)"),
    FactField(
        "main_business_revenue",
        "money",
        "主营业务收入（万元）",
        "Main-business revenue (10,000 yuan)",
    ),
    FactField("rd_expense", "money", "研发费用（万元）", "R&D expense (10,000 yuan)"),
    FactField("rd_staff", "count", "研发人员（人）", "R&D staff (persons)"),
    FactField("st_staff", "count", "科技人员（人）", "Science and technology staff (persons)"),
    FactField("export_revenue", "money", "出口收入（万元）", "Export revenue (10,000 yuan)"),
    FactField(
        "high_tech_revenue",
        "money",
        "高新技术产品收入（万元）",
        "High-tech product revenue (10,000 yuan)",
    ),
    FactField(
        "new_equity_financing",
        "money",
        "新增股权融资（万元）",
        "New qualified equity financing (10,000 yuan)",
    ),
    FactField("tax_credit_grade", "grade", "纳税信用等级", "Tax credit grade"),
    FactField("years_in_niche", "count", "从事细分市场年限（年）", "Years in its niche market"),
    FactField(
        "niche_market_share", "percent", "细分市场占有率（%）", "National niche market share (%)"
    ),
    FactField(
        "vat_refund_fraud_36m",
        "yes_no",
        "近36个月内是否有骗取留抵退税或虚开发票情形",
        "Refund or invoice fraud in the last 36 months",
    ),
    FactField(
        "tax_evasion_penalties_36m",
        "count",
        "近36个月内因偷税受到处罚的次数",
        "Tax-evasion penalties in the last 36 months",
    ),
    FactField(
        "immediate_refund_since_2019",
        "yes_no",
        "2019年4月1日起是否享受过增值税即征即退、先征后返（退）",
        "Enjoyed immediate VAT refunds or refunds after collection since 1 April 2019",
    ),
    FactField("export_oriented", "yes_no", "是否为外向型企业", "Export-oriented", "flag"),
    FactField(
        "cross_border_ecommerce", "yes_no", "是否为跨境电商企业", "Cross-border e-commerce", "flag"
    ),
    FactField(
        "advanced_cluster_member",
        "yes_no",
        "是否为国家先进制造业集群成员",
        "Member of a national advanced-manufacturing cluster",
        "flag",
    ),
    FactField(
        "chain_key_node",
        "yes_no",
        "是否为产业链关键环节企业",
        "Key node of an industrial chain",
        "flag",
    ),
    FactField("energy_intensive", "yes_no", "是否为高耗能企业", "Energy-intensive", "flag"),
    FactField(
        "renting_state_premises", "yes_no", "是否承租国有房屋", "Rents state-owned premises", "flag"
    ),
)
SIZE_FIELDS = ("employees", "revenue", "total_assets")


def parse_fields(
    names: list[str], form: dict[str, str]
) -> tuple[dict[str, Value | None], dict[str, str]]:
    """The values of the fields `names` in `form`, and the error code of each field that failed."""
    values: dict[str, Value | None] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            values[name] = FIELDS[name].parse(form.get(name))
        except FactInvalid as error:
            errors[name] = error.code
    return values, errors
