"""The themes of the 2022 notice a measure carries on, for browsing and searching the catalogue."""

from __future__ import annotations

# key: (Chinese, English); the order is the notice's.
THEMES: dict[str, tuple[str, str]] = {
    "investment": (
        "重大项目、技术改造和设备更新",
        "major projects, technical upgrading and equipment",
    ),
    "consumption": ("扩大消费", "consumer demand"),
    "trade": ("稳定出口和外贸", "exports and foreign trade"),
    "supply_chain": ("产业链供应链", "industrial and supply chains"),
    "new_drivers": ("新动能", "new growth drivers"),
    "industries": ("重点行业", "key industries"),
    "regions": ("区域协同发展", "regional development"),
    "large_enterprises": ("大型企业和国有企业", "large and state-owned enterprises"),
    "sme": ("中小企业和专精特新", "SMEs and the quality-SME ladder"),
    "foreign_investment": ("外资企业", "foreign-invested enterprises"),
    "tax": ("税费优惠", "tax relief"),
    "finance": ("金融支持", "finance"),
    "employment": ("稳岗就业", "jobs"),
    "coordination": ("工作机制", "coordination of the authorities"),
}
