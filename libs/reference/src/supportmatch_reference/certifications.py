"""Titles and listings that measures of the notice ask about, and the levels that grant them."""

from __future__ import annotations

from enum import StrEnum


class CertificationKind(StrEnum):
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise"
    TECH_BASED_SME = "tech_based_sme"
    INNOVATIVE_SME = "innovative_sme"
    SPECIALISED_SME = "specialised_sme"
    LITTLE_GIANT = "little_giant"
    SINGLE_CHAMPION = "single_champion"
    FIRST_UNIT_EQUIPMENT = "first_unit_equipment"
    FIRST_BATCH_MATERIAL = "first_batch_material"
    FOREIGN_RD_CENTRE = "foreign_rd_centre"
    KEY_FOREIGN_TRADE_ENTERPRISE = "key_foreign_trade_enterprise"
    MANUFACTURING_INNOVATION_CENTRE = "manufacturing_innovation_centre"
    INDUSTRIAL_DESIGN_CENTRE = "industrial_design_centre"
    TECHNOLOGY_INNOVATION_PLATFORM = "technology_innovation_platform"
    SMART_MANUFACTURING_DEMONSTRATION = "smart_manufacturing_demonstration"
    SERVICE_MANUFACTURING_DEMONSTRATION = "service_manufacturing_demonstration"


class Level(StrEnum):
    """From lowest to highest; a criterion "at least provincial" accepts provincial and national."""

    DISTRICT = "district"
    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


LEVEL_ORDER = tuple(Level)

_K = CertificationKind
LABELS: dict[CertificationKind, tuple[str, str]] = {
    _K.HIGH_TECH_ENTERPRISE: ("高新技术企业", "high-tech enterprise"),
    _K.TECH_BASED_SME: ("科技型中小企业", "tech-based SME"),
    _K.INNOVATIVE_SME: ("创新型中小企业", "innovative SME"),
    _K.SPECIALISED_SME: (
        "专精特新中小企业",
        "specialised, refined, distinctive and innovative SME",
    ),
    _K.LITTLE_GIANT: ("专精特新“小巨人”企业", "'little giant' enterprise"),
    _K.SINGLE_CHAMPION: ("制造业单项冠军企业", "manufacturing single champion"),
    _K.FIRST_UNIT_EQUIPMENT: (
        "首台（套）重大技术装备",
        "first-unit major equipment listing",
    ),
    _K.FIRST_BATCH_MATERIAL: (
        "重点新材料首批次",
        "first-batch new material listing",
    ),
    _K.FOREIGN_RD_CENTRE: ("外资研发中心", "foreign-invested R&D centre"),
    _K.KEY_FOREIGN_TRADE_ENTERPRISE: (
        "重点外贸企业",
        "key foreign-trade enterprise",
    ),
    _K.MANUFACTURING_INNOVATION_CENTRE: (
        "制造业创新中心",
        "manufacturing innovation centre",
    ),
    _K.INDUSTRIAL_DESIGN_CENTRE: ("工业设计中心", "industrial design centre"),
    _K.TECHNOLOGY_INNOVATION_PLATFORM: (
        "技术创新平台",
        "technology innovation platform",
    ),
    _K.SMART_MANUFACTURING_DEMONSTRATION: (
        "智能制造示范",
        "smart-manufacturing demonstration",
    ),
    _K.SERVICE_MANUFACTURING_DEMONSTRATION: (
        "服务型制造示范",
        "service-oriented manufacturing demonstration",
    ),
}
