"""Provinces (GB/T 2260) and the four economic regions (FACTS.md sections 7 and 8)."""

from __future__ import annotations

import pytest

from supportmatch_reference.regions import (
    PROVINCES,
    Province,
    Region,
    UnknownProvince,
    parse_province,
    province_of_division,
)

# FACTS.md section 7, English names as written there.
EXPECTED_REGIONS = {
    Region.EAST: [
        "Beijing",
        "Tianjin",
        "Hebei",
        "Shanghai",
        "Jiangsu",
        "Zhejiang",
        "Fujian",
        "Shandong",
        "Guangdong",
        "Hainan",
    ],
    Region.CENTRAL: ["Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"],
    Region.WEST: [
        "Inner Mongolia",
        "Guangxi",
        "Chongqing",
        "Sichuan",
        "Guizhou",
        "Yunnan",
        "Tibet",
        "Shaanxi",
        "Gansu",
        "Qinghai",
        "Ningxia",
        "Xinjiang",
    ],
    Region.NORTHEAST: ["Liaoning", "Jilin", "Heilongjiang"],
}

# FACTS.md section 8: province codes and short Chinese names.
EXPECTED_CODES = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("广东", "44"),
        ("广东省", "44"),
        ("44", "44"),
        ("Guangdong", "44"),
        ("guangdong", "44"),
        ("GUANGDONG", "44"),
        (" 广东省 ", "44"),
        ("inner mongolia", "15"),
        ("Inner Mongolia", "15"),
        ("innermongolia", "15"),
        ("内蒙古自治区", "15"),
        ("内蒙古", "15"),
        ("广西壮族自治区", "45"),
        ("北京市", "11"),
        ("Shaanxi", "61"),
        ("Shanxi", "14"),
    ],
)
def test_parse_province_accepts(text: str, code: str) -> None:
    assert parse_province(text).code == code


@pytest.mark.parametrize(
    "text", ["台湾", "台湾省", "71", "81", "82", "香港", "Atlantis", "", "4", "440"]
)
def test_parse_province_rejects(text: str) -> None:
    with pytest.raises(UnknownProvince, match="is not a mainland province"):
        parse_province(text)


def test_unknown_province_is_a_value_error() -> None:
    assert issubclass(UnknownProvince, ValueError)


def test_the_31_mainland_provinces_with_their_codes() -> None:
    assert {p.code: p.name_zh for p in PROVINCES} == EXPECTED_CODES
    assert len(PROVINCES) == 31


def test_regions_partition_the_provinces() -> None:
    listed = [name for names in EXPECTED_REGIONS.values() for name in names]
    assert len(listed) == len(set(listed)) == 31
    assert {p.name_en for p in PROVINCES} == set(listed)


@pytest.mark.parametrize("region", list(Region))
def test_every_province_region_matches_facts(region: Region) -> None:
    actual = sorted(p.name_en for p in PROVINCES if p.region is region)
    assert actual == sorted(EXPECTED_REGIONS[region])


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.code)
def test_every_province_parses_by_each_of_its_names(province: Province) -> None:
    for text in (
        province.code,
        province.name_zh,
        province.full_name_zh,
        province.name_en,
        province.name_en.lower(),
    ):
        assert parse_province(text) is province


@pytest.mark.parametrize(
    ("division", "name"),
    [
        ("440300", "广东"),
        ("110105", "北京"),
        ("150100", "内蒙古"),
        ("650100", "新疆"),
        ("230100", "黑龙江"),
    ],
)
def test_province_of_division(division: str, name: str) -> None:
    province = province_of_division(division)
    assert province is not None
    assert province.name_zh == name


@pytest.mark.parametrize("division", ["710000", "810000", "820000", "000000", "990000", "100000"])
def test_province_of_division_without_a_mainland_province(division: str) -> None:
    assert province_of_division(division) is None


def test_region_values_are_the_event_contract_values() -> None:
    assert {r.value for r in Region} == {"east", "central", "west", "northeast"}
