"""enterprise.profile.v1: the full snapshot of an enterprise after each change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from supportmatch_core.contracts.event import TypedEvent
from supportmatch_core.contracts.values import JsonObject

# The facts an enterprise.profile.v1 snapshot carries under "flags": yes/no facts a firm states.
PROFILE_FLAGS = (
    "export_oriented",
    "cross_border_ecommerce",
    "advanced_cluster_member",
    "chain_key_node",
    "energy_intensive",
    "renting_state_premises",
    "strategic_emerging_field",
    "own_brand",
    "rd_institution",
    "provincial_rd_institution",
    "key_field_product",
    "restricted_industry",
    "on_advanced_manufacturer_list",
    "on_ic_enterprise_list",
    "on_machine_tool_enterprise_list",
)

Ownership = Literal["central_soe", "local_soe", "private", "foreign", "collective", "mixed"]
LegalForm = Literal[
    "limited_liability_company",
    "joint_stock_company",
    "state_owned_enterprise",
    "collective_enterprise",
    "partnership",
    "sole_proprietorship",
    "foreign_enterprise_branch",
    "other",
]
ForeignKind = Literal["wholly_foreign_owned", "joint_venture", "hk_macao_taiwan_invested"]


@dataclass(frozen=True, slots=True)
class ProvinceOfFirm:
    code: str
    name_zh: str
    checked_against_uscc: bool


@dataclass(frozen=True, slots=True)
class IndustryOfFirm:
    code: str
    section: str
    division: str | None
    name_zh: str


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None


@dataclass(frozen=True, slots=True)
class SizeOfFirm:
    size_class: Literal["large", "medium", "small", "micro", "unknown"] = field(
        metadata={"key": "class"}
    )
    fiscal_year: int | None
    rule: str
    missing: tuple[str, ...]
    rule_zh: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileChanged(TypedEvent):
    """Everything known about the firm; `facts` is the latest fiscal year, `years` every year,
    each the registry's figures by name (JSON objects the schema's yearFacts describes)."""

    TYPE: ClassVar[str] = "enterprise.profile.v1"

    uscc: str
    version: int
    name: str
    name_en: str | None
    registration_date: str | None
    legal_form: LegalForm | None
    ownership: Ownership
    foreign_kind: ForeignKind | None
    listed: bool | None
    province: ProvinceOfFirm
    city: str | None
    region: Literal["east", "central", "west", "northeast"]
    industry: IndustryOfFirm
    main_products: tuple[str, ...]
    flags: JsonObject
    covid_risk_periods: tuple[JsonObject, ...]
    size: SizeOfFirm
    facts: JsonObject
    years: tuple[JsonObject, ...]
    certifications: tuple[JsonObject, ...]
    updated_at: str
    contact: Contact | None = None
    vat_taxpayer_type: Literal["general", "small_scale"] | None = None
    vat_credit_balances: JsonObject | None = None
    vat_sales_by_industry: JsonObject | None = None

    @property
    def subject(self) -> str:
        return self.uscc
