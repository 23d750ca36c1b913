"""The demo accounts `make run` seeds (one per role) and the firm the demo enterprise speaks for."""

from __future__ import annotations

from dataclasses import dataclass

from supportmatch_core.auth import Role


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str
    uscc: str | None = None
    provinces: tuple[str, ...] = ()


# The firm of the README's walk-through: a Shenzhen maker of communication equipment (C3921).
DEMO_USCC = "914403001922038216"
DEMO_FIRM: dict[str, object] = {
    "uscc": DEMO_USCC,
    "name": "深圳市示例电子有限公司",
    "province": "44",
    "industry": "C3921",
    "ownership": "private",
    "contact_email": "finance@example.cn",
    # A general VAT taxpayer whose sales are all in its manufacturing line: the monthly refund of
    # the whole VAT credit then waits only on the facts the firm gives on its measures page.
    "vat_taxpayer_type": "general",
    "vat_sales_by_industry": {"C3921": 48_000_000},
}

DEMO_ACCOUNTS = (
    DemoAccount(
        "demo-firm", "demo-firm-2026", Role.ENTERPRISE, "深圳市示例电子有限公司",
        uscc=DEMO_USCC,
    ),
    DemoAccount(
        "demo-caseworker", "demo-caseworker-2026", Role.CASEWORKER, "广东省服务中心", provinces=("44",)
    ),
    DemoAccount("demo-admin", "demo-admin-2026", Role.ADMIN, "平台管理员"),
)  # fmt: skip
