"""The built-in GB/T 2260 regions and the places (cities, municipal districts) institutions and
holders are registered in, with how likely each is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from graph.models import Region
from registry.domain.vocabulary import RegionLevel
from registry.synthetic.common import chunks

__all__ = [
    "PLACES",
    "PLACE_BY_CODE",
    "PLACE_CUM_WEIGHTS",
    "REGIONS",
    "Place",
    "iter_region_batches",
]

# GB/T 2260: provinces with a relative weight (share of institutions), then their main
# cities; for the four municipalities, main districts. The first city is the capital.
_PROVINCES: Final[tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...]] = (
    ("110000", "北京市", 5, (("110101", "东城区"), ("110102", "西城区"),
                             ("110105", "朝阳区"), ("110108", "海淀区"))),
    ("120000", "天津市", 3, (("120101", "和平区"), ("120104", "南开区"), ("120116", "滨海新区"))),
    ("130000", "河北省", 5, (("130100", "石家庄市"), ("130200", "唐山市"), ("130600", "保定市"))),
    ("140000", "山西省", 3, (("140100", "太原市"), ("140200", "大同市"))),
    ("150000", "内蒙古自治区", 2, (("150100", "呼和浩特市"), ("150200", "包头市"))),
    ("210000", "辽宁省", 4, (("210100", "沈阳市"), ("210200", "大连市"), ("210300", "鞍山市"))),
    ("220000", "吉林省", 2, (("220100", "长春市"), ("220200", "吉林市"))),
    ("230000", "黑龙江省", 3, (("230100", "哈尔滨市"), ("230200", "齐齐哈尔市"),
                               ("230600", "大庆市"))),
    ("310000", "上海市", 5, (("310101", "黄浦区"), ("310104", "徐汇区"),
                             ("310112", "闵行区"), ("310115", "浦东新区"))),
    ("320000", "江苏省", 9, (("320100", "南京市"), ("320200", "无锡市"),
                             ("320400", "常州市"), ("320500", "苏州市"))),
    ("330000", "浙江省", 8, (("330100", "杭州市"), ("330200", "宁波市"), ("330300", "温州市"))),
    ("340000", "安徽省", 5, (("340100", "合肥市"), ("340200", "芜湖市"))),
    ("350000", "福建省", 4, (("350100", "福州市"), ("350200", "厦门市"), ("350500", "泉州市"))),
    ("360000", "江西省", 3, (("360100", "南昌市"), ("360400", "九江市"), ("360700", "赣州市"))),
    ("370000", "山东省", 8, (("370100", "济南市"), ("370200", "青岛市"),
                             ("370600", "烟台市"), ("370700", "潍坊市"))),
    ("410000", "河南省", 6, (("410100", "郑州市"), ("410300", "洛阳市"))),
    ("420000", "湖北省", 5, (("420100", "武汉市"), ("420500", "宜昌市"), ("420600", "襄阳市"))),
    ("430000", "湖南省", 5, (("430100", "长沙市"), ("430200", "株洲市"), ("430300", "湘潭市"))),
    ("440000", "广东省", 10, (("440100", "广州市"), ("440300", "深圳市"),
                              ("440600", "佛山市"), ("441900", "东莞市"))),
    ("450000", "广西壮族自治区", 3, (("450100", "南宁市"), ("450200", "柳州市"))),
    ("460000", "海南省", 1, (("460100", "海口市"), ("460200", "三亚市"))),
    ("500000", "重庆市", 3, (("500103", "渝中区"), ("500106", "沙坪坝区"), ("500112", "渝北区"))),
    ("510000", "四川省", 6, (("510100", "成都市"), ("510700", "绵阳市"))),
    ("520000", "贵州省", 2, (("520100", "贵阳市"), ("520300", "遵义市"))),
    ("530000", "云南省", 3, (("530100", "昆明市"), ("530300", "曲靖市"))),
    ("540000", "西藏自治区", 1, (("540100", "拉萨市"),)),
    ("610000", "陕西省", 4, (("610100", "西安市"), ("610300", "宝鸡市"))),
    ("620000", "甘肃省", 2, (("620100", "兰州市"),)),
    ("630000", "青海省", 1, (("630100", "西宁市"),)),
    ("640000", "宁夏回族自治区", 1, (("640100", "银川市"),)),
    ("650000", "新疆维吾尔自治区", 2, (("650100", "乌鲁木齐市"), ("650200", "克拉玛依市"))),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """A city (or municipal district) where institutions and holders are registered."""

    code: str
    locality: str  # 大连市, 北京市朝阳区: what a local regulator is named after
    address_prefix: str  # 辽宁省大连市, 北京市朝阳区
    short: str  # 大连, 北京: how names begin


def _regions_and_places() -> tuple[tuple[Region, ...], tuple[Place, ...], tuple[float, ...]]:
    regions: list[Region] = []
    places: list[Place] = []
    weights: list[float] = []
    for code, name, weight, cities in _PROVINCES:
        regions.append(Region(code=code, name=name, level=RegionLevel.PROVINCE.value))
        municipality = name.endswith("市")
        for rank, (city_code, city_name) in enumerate(cities):
            level = RegionLevel.DISTRICT if municipality else RegionLevel.CITY
            regions.append(Region(city_code, city_name, level.value, parent=code))
            if municipality:
                place = Place(city_code, name + city_name, name + city_name, name[:-1])
            else:
                short = city_name[:-1] if city_name.endswith("市") else city_name
                place = Place(city_code, city_name, name + city_name, short)
            places.append(place)
            weights.append(weight * (2.0 if rank == 0 else 1.0) / (len(cities) + 1))
    return tuple(regions), tuple(places), tuple(itertools.accumulate(weights))


REGIONS, PLACES, PLACE_CUM_WEIGHTS = _regions_and_places()
PLACE_BY_CODE: Final = {place.code: place for place in PLACES}


def iter_region_batches() -> Iterator[list[Region]]:
    """The built-in GB/T 2260 table, provinces before their cities."""
    return chunks(REGIONS)
