"""Provinces (GB/T 2260 two-digit codes) and the four economic regions the notice's (九)-(十一) use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supportmatch_reference.said import SaidValueError


class Region(StrEnum):
    EAST = "east"
    CENTRAL = "central"
    WEST = "west"
    NORTHEAST = "northeast"


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name_zh: str
    full_name_zh: str
    name_en: str
    region: Region


_E, _C, _W, _NE = Region.EAST, Region.CENTRAL, Region.WEST, Region.NORTHEAST
PROVINCES: tuple[Province, ...] = (
    Province("11", "北京", "北京市", "Beijing", _E),
    Province("12", "天津", "天津市", "Tianjin", _E),
    Province("13", "河北", "河北省", "Hebei", _E),
    Province("14", "山西", "山西省", "Shanxi", _C),
    Province("15", "内蒙古", "内蒙古自治区", "Inner Mongolia", _W),
    Province("21", "辽宁", "辽宁省", "Liaoning", _NE),
    Province("22", "吉林", "吉林省", "Jilin", _NE),
    Province("23", "黑龙江", "黑龙江省", "Heilongjiang", _NE),
    Province("31", "上海", "上海市", "Shanghai", _E),
    Province("32", "江苏", "江苏省", "Jiangsu", _E),
    Province("33", "浙江", "浙江省", "Zhejiang", _E),
    Province("34", "安徽", "安徽省", "Anhui", _C),
    Province("35", "福建", "福建省", "Fujian", _E),
    Province("36", "江西", "江西省", "Jiangxi", _C),
    Province("37", "山东", "山东省", "Shandong", _E),
    Province("41", "河南", "河南省", "Henan", _C),
    Province("42", "湖北", "湖北省", "Hubei", _C),
    Province("43", "湖南", "湖南省", "Hunan", _C),
    Province("44", "广东", "广东省", "Guangdong", _E),
    Province("45", "广西", "广西壮族自治区", "Guangxi", _W),
    Province("46", "海南", "海南省", "Hainan", _E),
    Province("50", "重庆", "重庆市", "Chongqing", _W),
    Province("51", "四川", "四川省", "Sichuan", _W),
    Province("52", "贵州", "贵州省", "Guizhou", _W),
    Province("53", "云南", "云南省", "Yunnan", _W),
    Province("54", "西藏", "西藏自治区", "Tibet", _W),
    Province("61", "陕西", "陕西省", "Shaanxi", _W),
    Province("62", "甘肃", "甘肃省", "Gansu", _W),
    Province("63", "青海", "青海省", "Qinghai", _W),
    Province("64", "宁夏", "宁夏回族自治区", "Ningxia", _W),
    Province("65", "新疆", "新疆维吾尔自治区", "Xinjiang", _W),
)

BY_CODE = {p.code: p for p in PROVINCES}
_BY_NAME = {
    name.lower(): p
    for p in PROVINCES
    for name in (p.name_zh, p.full_name_zh, p.name_en, p.name_en.replace(" ", ""))
}


class UnknownProvince(SaidValueError):
    """Text that names no mainland province."""


def parse_province(text: str) -> Province:
    """A province from its code (44), Chinese name with or without suffix (广东, 广东省) or English name."""
    key = text.strip()
    found = (
        BY_CODE.get(key) or _BY_NAME.get(key.lower()) or _BY_NAME.get(key.lower().replace(" ", ""))
    )
    if found is None:
        raise UnknownProvince(
            f"{text!r} is not a mainland province: give its name (广东, 广东省) or code (44)",
            f"“{text}”不是内地省份：请填写省份名称（广东、广东省）或代码（44）",
        )
    return found


def province_of_division(division: str) -> Province | None:
    """The province of a 6-digit division code, or None when its first two digits name none."""
    return BY_CODE.get(division[:2])
