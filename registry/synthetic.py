"""A reproducible synthetic registry at any scale, for benchmarks, demos and load tests.

Why this shape: every batch draws from its own ``random.Random`` seeded by (seed, entity, batch
number) and nothing reads the clock, so the same seed and sizes give the same data everywhere
and any batch can be rebuilt alone. Only a small roster (who exists, where, of which kind) is
planned up front; the batches themselves are produced lazily, so a million certificates never
sit in memory at once. The pure ``iter_*_batches`` functions yield what :func:`generate` writes.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, TypeVar

from tqdm import tqdm

from graph.models import (
    Accreditation,
    Certificate,
    Complaint,
    CreditEvent,
    CreditRating,
    Institution,
    Organization,
    Person,
    Region,
    StatusChange,
    WriteResult,
)
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.domain.persons import person_key
from registry.domain.uscc import make_uscc
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    CertificateFamily,
    CertificateStatus,
    ComplaintChannel,
    ComplaintStatus,
    CreditEventKind,
    CreditGrade,
    InstitutionKind,
    InstitutionStatus,
    Ownership,
    RectificationOutcome,
    RegionLevel,
)

__all__ = [
    "MIN_INSTITUTIONS",
    "REFERENCE_DAY",
    "REGIONS",
    "CertificateBatch",
    "CertificationBody",
    "GenerationReport",
    "Roster",
    "certificate_batch",
    "certificate_batch_count",
    "generate",
    "iter_accreditation_batches",
    "iter_certificate_batches",
    "iter_complaint_batches",
    "iter_credit_event_batches",
    "iter_credit_rating_batches",
    "iter_institution_batches",
    "iter_organization_batches",
    "iter_region_batches",
    "plan_roster",
]

T = TypeVar("T")

REFERENCE_DAY: Final = date(2026, 11, 22)
MIN_INSTITUTIONS: Final = 10
_PERSON_SECRET: Final = b"synthetic"

_BATCH: Final = MAX_WRITE_BATCH
_FIRST_ISSUE_DAY: Final = date(2015, 1, 1)
_CERTIFICATE_YEARS: Final = 3
_ACCREDITATION_YEARS: Final = 6
_STATUS_CHANGE_RATE: Final = 0.03
_SHARED_ADDRESS_RATE: Final = 0.02
_SHARED_PERSON_RATE: Final = 0.03
_GROUP_SIZE: Final = 6
_CITATION_STRIDE: Final = 200  # every 200th certificate may be named in a complaint
_CNAS, _CNCA = 0, 1  # institution indices of the two bodies every roster starts with

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
class _Place:
    """A city (or municipal district) where institutions and holders are registered."""

    code: str
    locality: str  # 大连市, 北京市朝阳区: what a local regulator is named after
    address_prefix: str  # 辽宁省大连市, 北京市朝阳区
    short: str  # 大连, 北京: how names begin


def _regions_and_places() -> tuple[tuple[Region, ...], tuple[_Place, ...], tuple[float, ...]]:
    regions: list[Region] = []
    places: list[_Place] = []
    weights: list[float] = []
    for code, name, weight, cities in _PROVINCES:
        regions.append(Region(code=code, name=name, level=RegionLevel.PROVINCE.value))
        municipality = name.endswith("市")
        for rank, (city_code, city_name) in enumerate(cities):
            level = RegionLevel.DISTRICT if municipality else RegionLevel.CITY
            regions.append(Region(city_code, city_name, level.value, parent=code))
            if municipality:
                place = _Place(city_code, name + city_name, name + city_name, name[:-1])
            else:
                short = city_name[:-1] if city_name.endswith("市") else city_name
                place = _Place(city_code, city_name, name + city_name, short)
            places.append(place)
            weights.append(weight * (2.0 if rank == 0 else 1.0) / (len(cities) + 1))
    return tuple(regions), tuple(places), tuple(itertools.accumulate(weights))


REGIONS, _PLACES, _PLACE_CUM_WEIGHTS = _regions_and_places()
_PLACE_BY_CODE: Final = {place.code: place for place in _PLACES}


@dataclass(frozen=True, slots=True)
class _Field:
    """A testing field: how labs in it are named and the methods they are accredited for."""

    name: str
    methods: tuple[str, ...]


_FIELDS: Final = (
    _Field("食品", (
        "GB 4789.2-2022 食品微生物学检验 菌落总数测定",
        "GB 4789.3-2016 食品微生物学检验 大肠菌群计数",
        "GB 5009.3-2016 食品中水分的测定",
        "GB 5009.12-2023 食品中铅的测定",
        "GB 2763-2021 食品中农药最大残留限量",
    )),
    _Field("建设工程", (
        "GB/T 17671-2021 水泥胶砂强度检验方法（ISO法）",
        "GB/T 50081-2019 混凝土物理力学性能试验方法标准",
        "GB/T 1499.2-2018 钢筋混凝土用钢 第2部分：热轧带肋钢筋",
        "GB/T 14684-2022 建设用砂",
        "JGJ 106-2014 建筑基桩检测技术规范",
    )),
    _Field("电子电器", (
        "GB 4943.1-2022 音视频、信息技术和通信技术设备 第1部分：安全要求",
        "GB 4706.1-2005 家用和类似用途电器的安全 第1部分：通用要求",
        "GB/T 17626.2-2018 电磁兼容 试验和测量技术 静电放电抗扰度试验",
        "GB/T 9254.1-2021 信息技术设备、多媒体设备和接收机 电磁兼容 第1部分：发射要求",
    )),
    _Field("机械", (
        "GB/T 228.1-2021 金属材料 拉伸试验 第1部分：室温试验方法",
        "GB/T 229-2020 金属材料 夏比摆锤冲击试验方法",
        "GB/T 231.1-2018 金属材料 布氏硬度试验 第1部分：试验方法",
        "GB/T 10125-2021 人造气氛腐蚀试验 盐雾试验",
    )),
    _Field("纺织服装", (
        "GB 18401-2010 国家纺织产品基本安全技术规范",
        "GB 31701-2015 婴幼儿及儿童纺织产品安全技术规范",
        "GB/T 3920-2008 纺织品 色牢度试验 耐摩擦色牢度",
        "GB/T 2912.1-2009 纺织品 甲醛的测定 第1部分：游离和水解的甲醛（水萃取法）",
    )),
    _Field("环境", (
        "HJ 505-2009 水质 五日生化需氧量（BOD5）的测定 稀释与接种法",
        "HJ 828-2017 水质 化学需氧量的测定 重铬酸盐法",
        "HJ 618-2011 环境空气 PM10和PM2.5的测定 重量法",
        "GB 3096-2008 声环境质量标准",
    )),
    _Field("化工", (
        "GB 18582-2020 建筑用墙面涂料中有害物质限量",
        "GB/T 1725-2007 色漆、清漆和塑料 不挥发物含量的测定",
        "GB/T 601-2016 化学试剂 标准滴定溶液的制备",
    )),
    _Field("特种设备", (
        "TSG 21-2016 固定式压力容器安全技术监察规程",
        "TSG 11-2020 锅炉安全技术规程",
        "GB/T 7588.1-2020 电梯制造与安装安全规范 第1部分：乘客电梯和载货电梯",
    )),
    _Field("计量", (
        "JJG 146-2011 量块",
        "JJG 4-2015 钢卷尺",
        "JJG 52-2013 弹性元件式一般压力表、压力真空表和真空表",
        "JJG 539-2016 数字指示秤",
        "JJF 1059.1-2012 测量不确定度评定与表示",
    )),
)  # fmt: skip
_METROLOGY_FIELD: Final = len(_FIELDS) - 1


@dataclass(frozen=True, slots=True)
class _Industry:
    """What a certificate holder does: it names the company and fills certificate scopes."""

    name: str
    product: str
    activity: str


_INDUSTRIES: Final = (
    _Industry("机械制造", "通用机械设备", "通用机械设备的设计、生产和服务"),
    _Industry("电子科技", "电子元器件", "电子元器件的研发、生产和销售"),
    _Industry("食品", "预包装食品", "预包装食品的生产和销售"),
    _Industry("纺织", "纺织面料", "纺织面料的生产"),
    _Industry("建材", "新型建筑材料", "新型建筑材料的生产和销售"),
    _Industry("化工", "精细化工产品", "精细化工产品的生产"),
    _Industry("电器", "家用电器", "家用电器的设计、生产和售后服务"),
    _Industry("医疗器械", "二类医疗器械", "二类医疗器械的生产和销售"),
    _Industry("汽车零部件", "汽车零部件", "汽车零部件的加工和生产"),
    _Industry("环保科技", "环保设备", "环保设备的设计、生产和安装"),
    _Industry("物业服务", "物业服务", "住宅及商业物业的管理服务"),
    _Industry("软件", "应用软件", "应用软件的开发和技术服务"),
)


@dataclass(frozen=True, slots=True)
class _Standard:
    """A standard certificates cite; ``scopes`` are templates over the holder's industry."""

    code: str
    family: CertificateFamily
    tag: str
    scopes: tuple[str, ...]


_PRODUCT, _SERVICE, _SYSTEM = (
    CertificateFamily.PRODUCT,
    CertificateFamily.SERVICE,
    CertificateFamily.MANAGEMENT_SYSTEM,
)
_STANDARDS: Final = (
    _Standard("GB 4943.1-2022", _PRODUCT, "P", ("便携式计算机", "显示器", "电源适配器")),
    _Standard("GB 4706.1-2005", _PRODUCT, "P", ("电冰箱", "洗衣机", "电热水器", "吸油烟机")),
    _Standard("GB 7000.1-2015", _PRODUCT, "P", ("固定式通用灯具", "嵌入式灯具")),
    _Standard("GB/T 2099.1-2021", _PRODUCT, "P", ("插头插座", "转换器")),
    _Standard("GB/T 19630-2019", _PRODUCT, "P", ("有机大米", "有机茶叶", "有机蔬菜")),
    _Standard("GB/T 35601-2017", _PRODUCT, "P", ("实木复合地板", "强化木地板")),
    _Standard("GB/T 35602-2017", _PRODUCT, "P", ("内墙涂料", "木器涂料")),
    _Standard("GB/T 35613-2017", _PRODUCT, "P", ("生活用纸", "文化用纸")),
    _Standard("GB/T 27922-2011", _SERVICE, "S", ("{product}的售后服务",)),
    _Standard("SB/T 10595-2011", _SERVICE, "S", ("建筑物清洗服务", "家庭保洁服务")),
    _Standard("GA/T 594-2006", _SERVICE, "S", ("门卫、巡逻、守护保安服务",)),
    _Standard("DB2101/T 0050-2022", _SERVICE, "S", ("质量基础设施一站式服务",)),
    _Standard("GB/T 19001-2016/ISO 9001:2015", _SYSTEM, "Q", ("{activity}",)),
    _Standard("GB/T 24001-2016/ISO 14001:2015", _SYSTEM, "E", ("{activity}及相关环境管理活动",)),
    _Standard(
        "GB/T 45001-2020/ISO 45001:2018", _SYSTEM, "S", ("{activity}及相关职业健康安全管理活动",)
    ),
    _Standard(
        "GB/T 22080-2016/ISO/IEC 27001:2013", _SYSTEM, "I", ("与{activity}相关的信息安全管理",)
    ),
    _Standard("GB/T 27341-2009", _SYSTEM, "F", ("预包装食品的生产",)),
)
_STANDARD_BY_CODE: Final = {standard.code: standard for standard in _STANDARDS}
# The CNAS accreditation a certifier of each family needs, and its number's suffix.
_CNAS_SCHEMES: Final = {
    _PRODUCT: (AccreditationScheme.CNAS_PRODUCT_17065, "P"),
    _SERVICE: (AccreditationScheme.CNAS_SERVICE_17065, "S"),
    _SYSTEM: (AccreditationScheme.CNAS_MANAGEMENT_SYSTEM_17021, "M"),
}
_FAMILY_MIXES: Final = (
    ((_SYSTEM,), 35), ((_PRODUCT,), 20), ((_SERVICE,), 10),
    ((_SYSTEM, _PRODUCT), 20), ((_SYSTEM, _SERVICE), 10), ((_SYSTEM, _PRODUCT, _SERVICE), 5),
)  # fmt: skip
_STAR_CUM_WEIGHTS: Final = tuple(itertools.accumulate((2, 5, 25, 38, 30)))
_FAMILY_VALUES: Final = {family: family.value for family in CertificateFamily}

_IT, _CB, _AB = (
    InstitutionKind.INSPECTION_TESTING.value,
    InstitutionKind.CERTIFICATION_BODY.value,
    InstitutionKind.ACCREDITATION_BODY.value,
)
_METROLOGY, _STANDARDIZATION, _STATION = (
    InstitutionKind.METROLOGY.value,
    InstitutionKind.STANDARDIZATION.value,
    InstitutionKind.QUALITY_SERVICE_STATION.value,
)
_ASSOCIATION, _REGULATOR, _GROUP = (
    InstitutionKind.ASSOCIATION.value,
    InstitutionKind.REGULATOR.value,
    InstitutionKind.GROUP.value,
)
_KIND_MIX: Final[tuple[tuple[tuple[str, ...], int], ...]] = (
    ((_IT,), 76), ((_IT, _METROLOGY), 4), ((_IT, _CB), 1), ((_CB,), 2), ((_METROLOGY,), 4),
    ((_STANDARDIZATION,), 2), ((_STATION,), 5), ((_ASSOCIATION,), 3), ((_REGULATOR,), 3),
)  # fmt: skip
_GROUPABLE: Final = frozenset({_IT, _CB, _METROLOGY, _STANDARDIZATION})
_RATED: Final = frozenset({_IT, _CB, _METROLOGY, _STANDARDIZATION, _STATION})

_PUBLIC, _PRIVATE, _STATE, _FOREIGN, _SOCIAL = (
    Ownership.PUBLIC_INSTITUTION.value,
    Ownership.PRIVATE.value,
    Ownership.STATE.value,
    Ownership.FOREIGN.value,
    Ownership.SOCIAL_ORGANIZATION.value,
)
# GB 32100 registration authority and entity type of each ownership.
_USCC_TYPE: Final = {
    _PUBLIC: ("1", "2"),
    _STATE: ("9", "1"),
    _PRIVATE: ("9", "1"),
    _FOREIGN: ("9", "1"),
    _SOCIAL: ("5", "1"),
}

_BRAND_SYLLABLES: Final = "华恒信达通盛泰安宏远新科源嘉瑞德鑫正广天海中金明兴博力佳汇誉"
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN_NAMES: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉"
_ROADS: Final = (
    "人民路", "中山路", "解放路", "建设路", "长江路", "黄河路", "科技路", "创新大道",
    "高新大道", "工业路", "滨海路", "和平路", "学院路", "金融街", "开发区大道",
)  # fmt: skip
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True, slots=True)
class CertificationBody:
    """An institution that certifies, and the standards it certifies against per family."""

    index: int
    ordinal: int
    uscc: str
    families: tuple[CertificateFamily, ...]
    standards: Mapping[CertificateFamily, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Roster:
    """Who exists: the small plan every batch is derived from (one entry per institution and
    holder, never per certificate)."""

    seed: int
    today: date
    certificates: int
    institution_kinds: tuple[tuple[str, ...], ...]
    institution_regions: tuple[str, ...]
    institution_ownerships: tuple[str, ...]
    institution_fields: tuple[int, ...]
    institution_groups: tuple[int | None, ...]
    institution_usccs: tuple[str, ...]
    certification_bodies: tuple[CertificationBody, ...]
    body_cum_weights: tuple[float, ...]
    organization_regions: tuple[str, ...]
    organization_industries: tuple[int, ...]
    organization_usccs: tuple[str, ...]

    @property
    def institutions(self) -> int:
        return len(self.institution_usccs)

    @property
    def organizations(self) -> int:
        return len(self.organization_usccs)

    def indices_of(self, kinds: frozenset[str]) -> list[int]:
        """Institutions having any of ``kinds``, in index order."""
        return [i for i, own in enumerate(self.institution_kinds) if not kinds.isdisjoint(own)]


@dataclass(frozen=True, slots=True)
class CertificateBatch:
    """Certificates to issue together, and the status changes to apply once they exist."""

    certificates: list[Certificate]
    status_changes: list[StatusChange]


@dataclass(frozen=True, slots=True)
class GenerationReport:
    """Rows written per entity and the wall-clock seconds it took, for benchmarks."""

    regions: int
    institutions: int
    organizations: int
    accreditations: int
    certificates: int
    status_changes: int
    credit_ratings: int
    credit_events: int
    complaints: int
    seconds: float

    @property
    def rows(self) -> int:
        """Every model written (status changes included)."""
        return (
            self.regions + self.institutions + self.organizations + self.accreditations
            + self.certificates + self.status_changes + self.credit_ratings
            + self.credit_events + self.complaints
        )  # fmt: skip

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


# the roster ------------------------------------------------------------------------------------


def _rng(seed: int, stream: str, batch: int = 0) -> random.Random:
    """An independent, reproducible stream per (seed, entity, batch)."""
    return random.Random(f"{seed}/{stream}/{batch}")  # noqa: S311 - synthetic data, not secrets


def _institution_serial(index: int) -> int:
    # An affine permutation of 0..39,999,999 (the multiplier is coprime to it): codes look
    # scattered yet never collide, and stay apart from holder serials.
    return 10_000_000 + (index * 7_368_787) % 40_000_000


def _organization_serial(index: int) -> int:
    return 50_000_000 + (index * 3_952_613) % 50_000_000


def plan_roster(
    *, seed: int, institutions: int, certificates: int, today: date = REFERENCE_DAY
) -> Roster:
    """Decide every institution's kind, place and code, the certification bodies' specialities
    and the holders, so batches can be built independently of each other."""
    if not MIN_INSTITUTIONS <= institutions <= 40_000_000:
        raise ValueError(f"institutions must be between {MIN_INSTITUTIONS} and 40,000,000")
    if not 0 <= certificates <= 250_000_000:
        raise ValueError("certificates must be between 0 and 250,000,000")
    rng = _rng(seed, "roster")
    group_count = max(1, institutions // 100)
    kinds: list[tuple[str, ...]] = [(_AB,), (_REGULATOR,)]
    kinds += [(_GROUP,)] * group_count + [(_CB,), (_ASSOCIATION,)]
    mixes, mix_weights = zip(*_KIND_MIX, strict=True)
    kinds += rng.choices(mixes, weights=mix_weights, k=institutions - len(kinds))
    codes = [place.code for place in _PLACES]
    regions = [
        "110105",
        "110108",
        *rng.choices(codes, cum_weights=_PLACE_CUM_WEIGHTS, k=institutions - 2),
    ]

    groups: list[int | None] = [None] * institutions
    candidates = [
        i for i in range(2 + group_count, institutions) if _GROUPABLE.issuperset(kinds[i])
    ]
    members = rng.sample(candidates, min(len(candidates) // 4, _GROUP_SIZE * group_count))
    for member in sorted(members):
        group = 2 + rng.randrange(group_count)
        groups[member] = group
        regions[member] = regions[group]

    ownerships = [_ownership(rng, own) for own in kinds]
    fields = [
        _METROLOGY_FIELD if _METROLOGY in own else rng.randrange(len(_FIELDS) - 1) for own in kinds
    ]
    usccs = [
        make_uscc(
            authority="1" if own == (_REGULATOR,) else _USCC_TYPE[ownership][0],
            kind="1" if own == (_REGULATOR,) else _USCC_TYPE[ownership][1],
            region_code=region,
            serial=_institution_serial(i),
        )
        for i, (own, ownership, region) in enumerate(zip(kinds, ownerships, regions, strict=True))
    ]

    bodies = [
        _certification_body(rng, index=i, ordinal=ordinal, uscc=usccs[i])
        for ordinal, i in enumerate(i for i, own in enumerate(kinds) if _CB in own)
    ]
    # A few large bodies issue most certificates, as in the real market.
    shares = [1.0 / (rank + 1) ** 0.8 for rank in range(len(bodies))]
    rng.shuffle(shares)

    organization_count = max(1, certificates // 5)
    organization_regions = rng.choices(codes, cum_weights=_PLACE_CUM_WEIGHTS, k=organization_count)
    industries = rng.choices(range(len(_INDUSTRIES)), k=organization_count)
    organization_usccs = [
        make_uscc(authority="9", kind="1", region_code=region, serial=_organization_serial(j))
        for j, region in enumerate(organization_regions)
    ]
    return Roster(
        seed=seed,
        today=today,
        certificates=certificates,
        institution_kinds=tuple(kinds),
        institution_regions=tuple(regions),
        institution_ownerships=tuple(ownerships),
        institution_fields=tuple(fields),
        institution_groups=tuple(groups),
        institution_usccs=tuple(usccs),
        certification_bodies=tuple(bodies),
        body_cum_weights=tuple(itertools.accumulate(shares)),
        organization_regions=tuple(organization_regions),
        organization_industries=tuple(industries),
        organization_usccs=tuple(organization_usccs),
    )


def _ownership(rng: random.Random, kinds: tuple[str, ...]) -> str:
    if _REGULATOR in kinds or _GROUP in kinds:
        return _STATE
    if _ASSOCIATION in kinds:
        return _SOCIAL
    if _AB in kinds or _STATION in kinds or _STANDARDIZATION in kinds:
        return _PUBLIC
    if _CB in kinds:
        return rng.choices((_PRIVATE, _STATE, _FOREIGN), weights=(50, 35, 15))[0]
    if _METROLOGY in kinds:
        return rng.choices((_PUBLIC, _PRIVATE), weights=(70, 30))[0]
    return rng.choices((_PRIVATE, _PUBLIC, _STATE, _FOREIGN), weights=(55, 30, 10, 5))[0]


def _certification_body(
    rng: random.Random, *, index: int, ordinal: int, uscc: str
) -> CertificationBody:
    mixes, weights = zip(*_FAMILY_MIXES, strict=True)
    families: tuple[CertificateFamily, ...] = rng.choices(mixes, weights=weights)[0]
    standards: dict[CertificateFamily, tuple[str, ...]] = {}
    for family in families:
        codes = [s.code for s in _STANDARDS if s.family is family]
        chosen = rng.sample(codes, rng.randint(1, len(codes)))
        if family is _SYSTEM and codes[0] not in chosen:
            chosen.insert(0, codes[0])  # every system certifier offers ISO 9001
        standards[family] = tuple(sorted(chosen, key=codes.index))
    return CertificationBody(index, ordinal, uscc, families, standards)


# regions, institutions, holders -----------------------------------------------------------------


def iter_region_batches() -> Iterator[list[Region]]:
    """The built-in GB/T 2260 table, provinces before their cities."""
    return _chunks(REGIONS)


def iter_institution_batches(roster: Roster) -> Iterator[list[Institution]]:
    """Institutions in index order, which puts the groups before their members."""
    for number, start in enumerate(range(0, roster.institutions, _BATCH)):
        rng = _rng(roster.seed, "institutions", number)
        batch: list[Institution] = []
        addresses: dict[str, list[str]] = {}
        people: list[Person] = []
        for index in range(start, min(start + _BATCH, roster.institutions)):
            uscc = roster.institution_usccs[index]
            place = _PLACE_BY_CODE[roster.institution_regions[index]]
            nearby = addresses.setdefault(place.code, [])
            if nearby and rng.random() < _SHARED_ADDRESS_RATE:
                address = rng.choice(nearby)
            else:
                address = f"{place.address_prefix}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
                nearby.append(address)
            if people and rng.random() < _SHARED_PERSON_RATE:
                person = rng.choice(people)
            else:
                person = _person(rng, region=place.code, scope=uscc)
                people.append(person)
            group = roster.institution_groups[index]
            kinds, ownership = roster.institution_kinds[index], roster.institution_ownerships[index]
            batch.append(
                Institution(
                    uscc=uscc,
                    name=_institution_name(rng, roster, index, place),
                    kinds=kinds,
                    region=place.code,
                    address=address,
                    legal_representative=person,
                    founded=_founded(rng, kinds, ownership),
                    ownership=ownership,
                    status=_institution_status(rng) if index > _CNCA else "ACTIVE",
                    group=None if group is None else roster.institution_usccs[group],
                )
            )
        yield batch


def _brand(rng: random.Random) -> str:
    return "".join(rng.sample(_BRAND_SYLLABLES, 2))


def _institution_name(rng: random.Random, roster: Roster, index: int, place: _Place) -> str:
    if index == _CNAS:
        return "中国合格评定国家认可委员会"
    if index == _CNCA:
        return "国家认证认可监督管理委员会"
    kinds = roster.institution_kinds[index]
    field = _FIELDS[roster.institution_fields[index]].name
    public = roster.institution_ownerships[index] == _PUBLIC
    city, brand = place.short, _brand(rng)
    if _GROUP in kinds:
        return f"{city}{brand}检验检测认证集团有限公司"
    if _REGULATOR in kinds:
        return f"{place.locality}市场监督管理局" + ("" if rng.random() < 0.5 else f"{brand}分局")
    if _ASSOCIATION in kinds:
        return city + rng.choice(("检验检测协会", "质量协会", "认证认可协会", f"{field}行业协会"))
    if _STATION in kinds:
        return f"{city}{field}产业一站式质量服务站"
    if _STANDARDIZATION in kinds:
        return city + rng.choice(("标准化研究院", "标准化研究中心", "标准化服务中心"))
    if _CB in kinds:
        return brand + rng.choice(("认证有限公司", "质量认证中心有限公司", "检测认证有限公司"))
    if _METROLOGY in kinds:
        if public:
            return city + rng.choice(("计量测试研究院", "计量检定测试所", "计量科学研究院"))
        return f"{city}{brand}计量校准有限公司"
    if public:
        return city + field + rng.choice(("产品质量监督检验所", "检验检测中心", "质量检验研究院"))
    return (
        city + brand + field + rng.choice(("检测技术有限公司", "检验检测有限公司", "检测有限公司"))
    )


def _person(rng: random.Random, *, region: str, scope: str) -> Person:
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN_NAMES, k=rng.randint(1, 2)))
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    key = person_key(name, body + check, secret=_PERSON_SECRET, scope=scope)
    return Person(key=key, name=name)


def _founded(rng: random.Random, kinds: tuple[str, ...], ownership: str) -> date:
    first = 1995 if ownership in (_PRIVATE, _FOREIGN) else 1952
    last = 2007 if _CB in kinds else 2024  # certifiers predate their first accreditation
    return date(first, 1, 1) + timedelta(days=rng.randrange((last - first) * 365))


def _institution_status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.975:
        return InstitutionStatus.ACTIVE.value
    if draw < 0.985:
        return InstitutionStatus.SUSPENDED.value
    if draw < 0.99:
        return InstitutionStatus.REVOKED.value
    return InstitutionStatus.CLOSED.value


def iter_organization_batches(roster: Roster) -> Iterator[list[Organization]]:
    """Certificate holders: enterprises named after their city and industry."""
    for number, start in enumerate(range(0, roster.organizations, _BATCH)):
        rng = _rng(roster.seed, "organizations", number)
        batch: list[Organization] = []
        for index in range(start, min(start + _BATCH, roster.organizations)):
            region = roster.organization_regions[index]
            industry = _INDUSTRIES[roster.organization_industries[index]].name
            suffix = rng.choice(("有限公司", "有限公司", "股份有限公司", "集团有限公司"))
            name = f"{_PLACE_BY_CODE[region].short}{_brand(rng)}{industry}{suffix}"
            batch.append(
                Organization(uscc=roster.organization_usccs[index], name=name, region=region)
            )
        yield batch


# accreditations -------------------------------------------------------------------------------


def iter_accreditation_batches(roster: Roster) -> Iterator[list[Accreditation]]:
    """Certification bodies' CNCA approvals and CNAS accreditations over consecutive six-year
    cycles (so every certificate falls in one), and labs' current CMA and CNAS accreditations."""
    return _chunks(_accreditations(roster))


def _accreditations(roster: Roster) -> Iterator[Accreditation]:
    bodies = {body.index: body for body in roster.certification_bodies}
    regulators: dict[str, int] = {}
    for index in roster.indices_of(frozenset({_REGULATOR})):
        regulators.setdefault(roster.institution_regions[index][:2], index)
    for number, start in enumerate(range(0, roster.institutions, _BATCH)):
        rng = _rng(roster.seed, "accreditations", number)
        for index in range(start, min(start + _BATCH, roster.institutions)):
            body = bodies.get(index)
            if body is not None:
                yield from _certifier_accreditations(rng, roster, body)
            kinds = roster.institution_kinds[index]
            if _IT in kinds or _METROLOGY in kinds:
                province = roster.institution_regions[index][:2]
                yield from _lab_accreditations(
                    rng, roster, index, cma_body=regulators.get(province, _CNCA)
                )


def _certifier_accreditations(
    rng: random.Random, roster: Roster, body: CertificationBody
) -> Iterator[Accreditation]:
    first = date(rng.randint(2008, 2014), rng.randint(1, 12), rng.randint(1, 28))
    grants: list[tuple[AccreditationScheme, int, str, tuple[str, ...]]] = [
        (
            AccreditationScheme.CNCA_APPROVAL,
            _CNCA,
            f"CNCA-R-{first.year}-{body.ordinal:04d}",
            tuple(code for family in body.families for code in body.standards[family]),
        )
    ]
    for family in body.families:
        scheme, suffix = _CNAS_SCHEMES[family]
        number = f"CNAS-C{body.ordinal:04d}-{suffix}"
        grants.append((scheme, _CNAS, number, body.standards[family]))
    for scheme, granter, number, scope in grants:
        valid_from, cycle = first, 1
        while True:
            valid_until = _years_later(valid_from, _ACCREDITATION_YEARS) - timedelta(days=1)
            yield Accreditation(
                number=f"{number}/{cycle}",
                scheme=scheme.value,
                body=roster.institution_usccs[granter],
                holder=body.uscc,
                scope=scope,
                valid_from=valid_from,
                valid_until=valid_until,
                status=_accreditation_status(valid_until, roster.today),
            )
            if valid_until >= roster.today:
                break
            valid_from, cycle = valid_until + timedelta(days=1), cycle + 1


def _lab_accreditations(
    rng: random.Random, roster: Roster, index: int, *, cma_body: int
) -> Iterator[Accreditation]:
    methods = _FIELDS[roster.institution_fields[index]].methods
    uscc = roster.institution_usccs[index]
    grants: list[tuple[AccreditationScheme, int, str]] = []
    if rng.random() < 0.9:  # CMA numbers: year granted, province, serial
        grants.append((AccreditationScheme.CMA, cma_body, "{yy:02d}{province}{index:08d}"))
    if rng.random() < 0.4:
        grants.append((AccreditationScheme.CNAS_LAB_17025, _CNAS, "CNAS-L{index:05d}"))
    if rng.random() < 0.05:
        grants.append((AccreditationScheme.CNAS_INSPECTION_17020, _CNAS, "CNAS-IB{index:05d}"))
    province = roster.institution_regions[index][:2]
    for scheme, granter, template in grants:
        valid_from = roster.today - timedelta(days=rng.randrange(7 * 365))
        number = template.format(yy=valid_from.year % 100, province=province, index=index)
        valid_until = _years_later(valid_from, _ACCREDITATION_YEARS) - timedelta(days=1)
        status = _accreditation_status(valid_until, roster.today)
        if status == AccreditationStatus.VALID.value and rng.random() < 0.02:
            status = AccreditationStatus.SUSPENDED.value
        yield Accreditation(
            number=number,
            scheme=scheme.value,
            body=roster.institution_usccs[granter],
            holder=uscc,
            scope=tuple(rng.sample(methods, rng.randint(2, len(methods)))),
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
        )


def _accreditation_status(valid_until: date, today: date) -> str:
    expired = valid_until < today
    return (AccreditationStatus.EXPIRED if expired else AccreditationStatus.VALID).value


# certificates ---------------------------------------------------------------------------------

_CHANGE_REASONS: Final = {
    CertificateStatus.SUSPENDED.value: (
        "未按期接受监督审核", "监督审核发现不符合项未在规定期限内整改", "获证组织申请暂停",
    ),
    CertificateStatus.WITHDRAWN.value: (
        "监督抽查产品不合格", "获证组织发生重大质量事故", "暂停期满未整改",
    ),
    CertificateStatus.CANCELLED.value: ("获证组织申请注销", "获证组织已注销营业执照"),
}  # fmt: skip
_CHANGE_STATUSES: Final = tuple(_CHANGE_REASONS)
_CHANGE_CUM_WEIGHTS: Final = (50, 75, 100)


def iter_certificate_batches(roster: Roster) -> Iterator[CertificateBatch]:
    """Certificates in batches, each with the ~3% status changes that later befall them."""
    for number in range(certificate_batch_count(roster)):
        yield certificate_batch(roster, number)


def certificate_batch_count(roster: Roster) -> int:
    return -(-roster.certificates // _BATCH)


def certificate_batch(roster: Roster, number: int) -> CertificateBatch:
    """Batch ``number`` (from 0) exactly as :func:`iter_certificate_batches` yields it, built
    alone: benchmarks use it to know which certificates exist without reading them all."""
    if not 0 <= number < certificate_batch_count(roster):
        raise IndexError(f"no certificate batch {number}")
    start = number * _BATCH
    stop = min(start + _BATCH, roster.certificates)
    rng = _rng(roster.seed, "certificates", number)
    unit = rng.random  # picks index with int(unit() * n): several times faster than choice()
    today = roster.today.toordinal()
    span = today - _FIRST_ISSUE_DAY.toordinal()
    holders, industries = roster.organization_usccs, roster.organization_industries
    bodies = rng.choices(
        roster.certification_bodies, cum_weights=roster.body_cum_weights, k=stop - start
    )
    certificates: list[Certificate] = []
    changes: list[StatusChange] = []
    for index, body in zip(range(start, stop), bodies, strict=True):
        holder = int(unit() * len(holders))
        industry = _INDUSTRIES[industries[holder]]
        family = body.families[int(unit() * len(body.families))]
        codes = body.standards[family]
        standard = _STANDARD_BY_CODE[codes[int(unit() * len(codes))]]
        # Recent years weigh more: certification keeps growing.
        issued = date.fromordinal(today - int(span * unit() ** 1.4))
        expires = _years_later(issued, _CERTIFICATE_YEARS)
        scope = standard.scopes[int(unit() * len(standard.scopes))]
        stars: int | None = None
        if family is _PRODUCT:
            code = f"{issued.year}{body.ordinal:04d}{index:08d}"
            brand = _BRAND_SYLLABLES[int(unit() * len(_BRAND_SYLLABLES))]
            scope = f"{scope}（型号：{brand}X-{int(unit() * 9000) + 100}）"
        elif family is _SERVICE:
            code = f"FW{body.ordinal:04d}{issued.year % 100:02d}{index:08d}"
            scope = scope.format(product=industry.product)
            stars = bisect.bisect(_STAR_CUM_WEIGHTS, unit() * _STAR_CUM_WEIGHTS[-1]) + 1
        else:
            code = f"{body.ordinal:04d}{issued.year % 100:02d}{standard.tag}{index:08d}R0M"
            scope = scope.format(activity=industry.activity)
        certificates.append(
            Certificate(
                number=code,
                family=_FAMILY_VALUES[family],
                standard=standard.code,
                scope=scope,
                issued_on=issued,
                expires_on=expires,
                issuer=body.uscc,
                holder=holders[holder],
                stars=stars,
            )
        )
        if unit() < _STATUS_CHANGE_RATE:
            changes.append(_status_change(rng, code, issued=issued, expires=expires, today=today))
    return CertificateBatch(certificates, changes)


def _status_change(
    rng: random.Random, number: str, *, issued: date, expires: date, today: int
) -> StatusChange:
    window = min(expires.toordinal(), today) - issued.toordinal()
    status = _CHANGE_STATUSES[bisect.bisect(_CHANGE_CUM_WEIGHTS, rng.randrange(100))]
    return StatusChange(
        number=number,
        status=status,
        reason=rng.choice(_CHANGE_REASONS[status]),
        effective_on=issued + timedelta(days=rng.randrange(window) + 1 if window > 0 else 0),
        recorded_at="",  # the store stamps when and by whom
        actor="",
    )


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# credit ratings, credit events, complaints -------------------------------------------------------


def iter_credit_rating_batches(roster: Roster) -> Iterator[list[CreditRating]]:
    """One rating per two institutions, published by associations for past periods."""
    associations = roster.indices_of(frozenset({_ASSOCIATION}))
    rated = roster.indices_of(_RATED)
    periods = _rating_periods(roster.today)
    total = roster.institutions // 2
    for number, start in enumerate(range(0, total, _BATCH)):
        rng = _rng(roster.seed, "credit-ratings", number)
        batch: list[CreditRating] = []
        for index in range(start, min(start + _BATCH, total)):
            period, period_end = rng.choice(periods)
            published = min(roster.today, period_end + timedelta(days=rng.randint(15, 90)))
            score = round(min(99.5, max(35.0, rng.gauss(84.0, 8.0))), 1)
            batch.append(
                CreditRating(
                    id=f"CR-{index:08d}",
                    association=roster.institution_usccs[rng.choice(associations)],
                    institution=roster.institution_usccs[rng.choice(rated)],
                    grade=_grade(score),
                    score=score,
                    period=period,
                    published_on=published,
                    valid_until=published + timedelta(days=365),
                    method="检验检测机构诚信等级评价办法",
                    evidence=rng.choice((None, "现场评审、客户满意度调查与监督抽查结果")),
                )
            )
        yield batch


def _rating_periods(today: date) -> list[tuple[str, date]]:
    periods: list[tuple[str, date]] = []
    for year in range(today.year - 5, today.year + 1):
        candidates = [(f"{year}-H1", date(year, 6, 30)), (str(year), date(year, 12, 31))]
        periods += [(name, end) for name, end in candidates if end + timedelta(days=15) <= today]
    return periods


def _grade(score: float) -> str:
    if score >= 90:
        return CreditGrade.A.value
    if score >= 80:
        return CreditGrade.B.value
    return (CreditGrade.C if score >= 65 else CreditGrade.D).value


_EVENT_KINDS: Final = (
    (CreditEventKind.SPOT_CHECK, 35, "监督抽查", 2.0),
    (CreditEventKind.SATISFACTION_SURVEY, 15, "客户满意度调查", 3.0),
    (CreditEventKind.ADMINISTRATIVE_PENALTY, 15, "出具不实检验检测报告，予以行政处罚", -20.0),
    (CreditEventKind.RECTIFICATION_ORDER, 15, "责令限期整改", -5.0),
    (CreditEventKind.COMMENDATION, 10, "获评年度诚信示范单位", 10.0),
    (CreditEventKind.ABNORMAL_OPERATION, 7, "列入经营异常名录", -15.0),
    (CreditEventKind.SERIOUS_VIOLATION, 3, "列入严重违法失信名单", -60.0),
)
_EVENT_CUM_WEIGHTS: Final = tuple(itertools.accumulate(kind[1] for kind in _EVENT_KINDS))
_PUBLIC_YEARS: Final = {
    CreditEventKind.ADMINISTRATIVE_PENALTY: 3,
    CreditEventKind.ABNORMAL_OPERATION: 3,
    CreditEventKind.SERIOUS_VIOLATION: 3,  # publicity lasts at most three years
}
_RECTIFICATION_DAYS: Final = 30


def iter_credit_event_batches(roster: Roster) -> Iterator[list[CreditEvent]]:
    """One credit-file event per five institutions, recorded by the local regulator."""
    rated = roster.indices_of(_RATED)
    first = date(2018, 1, 1).toordinal()
    total = roster.institutions // 5
    for number, start in enumerate(range(0, total, _BATCH)):
        rng = _rng(roster.seed, "credit-events", number)
        batch: list[CreditEvent] = []
        for index in range(start, min(start + _BATCH, total)):
            institution = rng.choice(rated)
            kind, _, description, weight = _EVENT_KINDS[
                bisect.bisect(_EVENT_CUM_WEIGHTS, rng.randrange(_EVENT_CUM_WEIGHTS[-1]))
            ]
            if kind is CreditEventKind.SPOT_CHECK and rng.random() < 0.2:
                description, weight = "监督抽查不合格", -10.0
            day = date.fromordinal(rng.randint(first, roster.today.toordinal()))
            years = _PUBLIC_YEARS.get(kind, 1 if weight < 0 else None)
            deadline = (
                day + timedelta(days=_RECTIFICATION_DAYS)
                if kind is CreditEventKind.RECTIFICATION_ORDER
                else None
            )
            place = _PLACE_BY_CODE[roster.institution_regions[institution]]
            batch.append(
                CreditEvent(
                    id=f"CE-{index:08d}",
                    institution=roster.institution_usccs[institution],
                    kind=kind.value,
                    date=day,
                    authority=f"{place.locality}市场监督管理局",
                    weight=round(weight * rng.uniform(0.5, 1.5), 1),
                    description=description,
                    public_until=None if years is None else _years_later(day, years),
                    deadline=deadline,
                    outcome=None
                    if deadline is None
                    else (
                        RectificationOutcome.RECTIFIED
                        if deadline < roster.today
                        else RectificationOutcome.PENDING
                    ).value,
                )
            )
        yield batch


_COMPLAINT_CATEGORIES: Final = (
    "检测报告数据不实",
    "报告出具超期",
    "收费争议",
    "服务态度",
    "样品丢失或损坏",
)
_CERTIFICATE_CATEGORIES: Final = ("证书真实性存疑", "获证产品质量与证书不符", "证书暂停后仍在使用")
_CHANNEL_CUM_WEIGHTS: Final = tuple(itertools.accumulate((45, 30, 15, 5, 5)))
_STATUS_CUM_WEIGHTS: Final = tuple(itertools.accumulate((10, 15, 50, 10, 15)))
_CLOSED: Final = frozenset(
    {ComplaintStatus.RESOLVED.value, ComplaintStatus.REJECTED.value, ComplaintStatus.CLOSED.value}
)


def iter_complaint_batches(
    roster: Roster, *, cited: Sequence[Certificate] = ()
) -> Iterator[list[Complaint]]:
    """One complaint per ten institutions; a fifth name one of the ``cited`` certificates and
    are filed against its issuer."""
    rated = roster.indices_of(_RATED)
    first = date(2019, 1, 1).toordinal()
    channels, statuses = tuple(ComplaintChannel), tuple(ComplaintStatus)
    total = roster.institutions // 10
    for number, start in enumerate(range(0, total, _BATCH)):
        rng = _rng(roster.seed, "complaints", number)
        batch: list[Complaint] = []
        for index in range(start, min(start + _BATCH, total)):
            certificate = rng.choice(cited) if cited and rng.random() < 0.2 else None
            if certificate is None:
                against = roster.institution_usccs[rng.choice(rated)]
                category = rng.choice(_COMPLAINT_CATEGORIES)
                filed = date.fromordinal(rng.randint(first, roster.today.toordinal()))
            else:
                against = certificate.issuer
                category = rng.choice(_CERTIFICATE_CATEGORIES)
                since = max(first, certificate.issued_on.toordinal())
                filed = date.fromordinal(rng.randint(since, roster.today.toordinal()))
            channel = channels[bisect.bisect(_CHANNEL_CUM_WEIGHTS, rng.randrange(100))]
            status = statuses[bisect.bisect(_STATUS_CUM_WEIGHTS, rng.randrange(100))].value
            closed = status in _CLOSED
            substantiated: bool | None = None
            if status == ComplaintStatus.RESOLVED.value:
                substantiated = rng.random() < 0.7
            elif status == ComplaintStatus.REJECTED.value:
                substantiated = False
            batch.append(
                Complaint(
                    id=f"CP-{index:08d}",
                    against=against,
                    channel=channel.value,
                    category=category,
                    status=status,
                    filed_on=filed,
                    details=f"投诉人反映{category}，要求核查并答复。",
                    certificate=None if certificate is None else certificate.number,
                    substantiated=substantiated,
                    closed_on=(
                        min(roster.today, filed + timedelta(days=rng.randint(3, 60)))
                        if closed
                        else None
                    ),
                    resolution=_resolution(status, substantiated) if closed else None,
                )
            )
        yield batch


def _resolution(status: str, substantiated: bool | None) -> str:
    if status == ComplaintStatus.REJECTED.value:
        return "经核查投诉事项不属实，不予受理。"
    if substantiated:
        return "经核查情况属实，已责令机构整改并向投诉人反馈。"
    return "经调解双方达成一致，投诉办结。"


# writing ----------------------------------------------------------------------------------------


def _chunks(items: Iterable[T], size: int = _BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


async def _write_all(
    batches: Iterable[Sequence[T]],
    write: Callable[[Sequence[T]], Awaitable[WriteResult]],
    *,
    label: str,
    total: int | None,
    progress: bool,
) -> int:
    written = 0
    with tqdm(total=total, desc=label, unit=" rows", unit_scale=True, disable=not progress) as bar:
        for batch in batches:
            written += (await write(batch)).written
            bar.update(len(batch))
    return written


async def generate(
    store: GraphStore,
    *,
    institutions: int,
    certificates: int,
    seed: int,
    progress: bool = True,
    actor: str = "generator",
    today: date = REFERENCE_DAY,
) -> GenerationReport:
    """Write a synthetic registry through the port, every entity in batches of 1,000, each
    after the entities it refers to."""
    started = time.perf_counter()
    roster = plan_roster(
        seed=seed, institutions=institutions, certificates=certificates, today=today
    )
    changes: list[StatusChange] = []
    cited: list[Certificate] = []

    def certificate_lists() -> Iterator[list[Certificate]]:
        for batch in iter_certificate_batches(roster):
            changes.extend(batch.status_changes)
            cited.extend(batch.certificates[::_CITATION_STRIDE])
            yield batch.certificates

    regions = await _write_all(
        iter_region_batches(),
        lambda batch: store.upsert_regions(batch, actor=actor),
        label="regions",
        total=len(REGIONS),
        progress=progress,
    )
    written_institutions = await _write_all(
        iter_institution_batches(roster),
        lambda batch: store.upsert_institutions(batch, actor=actor),
        label="institutions",
        total=roster.institutions,
        progress=progress,
    )
    organizations = await _write_all(
        iter_organization_batches(roster),
        lambda batch: store.upsert_organizations(batch, actor=actor),
        label="organizations",
        total=roster.organizations,
        progress=progress,
    )
    accreditations = await _write_all(
        iter_accreditation_batches(roster),
        lambda batch: store.upsert_accreditations(batch, actor=actor),
        label="accreditations",
        total=None,
        progress=progress,
    )
    issued = await _write_all(
        certificate_lists(),
        lambda batch: store.issue_certificates(batch, actor=actor),
        label="certificates",
        total=roster.certificates,
        progress=progress,
    )
    status_changes = await _write_all(
        _chunks(changes),
        lambda batch: store.change_certificate_statuses(batch, actor=actor),
        label="status changes",
        total=len(changes),
        progress=progress,
    )
    ratings = await _write_all(
        iter_credit_rating_batches(roster),
        lambda batch: store.publish_credit_ratings(batch, actor=actor),
        label="credit ratings",
        total=roster.institutions // 2,
        progress=progress,
    )
    events = await _write_all(
        iter_credit_event_batches(roster),
        lambda batch: store.record_credit_events(batch, actor=actor),
        label="credit events",
        total=roster.institutions // 5,
        progress=progress,
    )
    complaints = await _write_all(
        iter_complaint_batches(roster, cited=cited),
        lambda batch: store.record_complaints(batch, actor=actor),
        label="complaints",
        total=roster.institutions // 10,
        progress=progress,
    )
    return GenerationReport(
        regions=regions,
        institutions=written_institutions,
        organizations=organizations,
        accreditations=accreditations,
        certificates=issued,
        status_changes=status_changes,
        credit_ratings=ratings,
        credit_events=events,
        complaints=complaints,
        seconds=time.perf_counter() - started,
    )
