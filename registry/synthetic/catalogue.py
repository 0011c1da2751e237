"""The fixed tables every generator draws from: testing fields and their methods, holders'
industries, certified standards, and short names for kinds, ownerships and families.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from registry.domain.vocabulary import CertificateFamily, InstitutionKind, Ownership

__all__ = [
    "AB",
    "ASSOCIATION",
    "CB",
    "FIELDS",
    "FOREIGN",
    "GROUP",
    "INDUSTRIES",
    "IT",
    "METROLOGY",
    "PRIVATE",
    "PRODUCT",
    "PUBLIC",
    "RATED",
    "REGULATOR",
    "SERVICE",
    "SOCIAL",
    "STANDARDIZATION",
    "STANDARDS",
    "STATE",
    "STATION",
    "SYSTEM",
    "Field",
    "Industry",
    "Standard",
]


@dataclass(frozen=True, slots=True)
class Field:
    """A testing field: how labs in it are named and the methods they are accredited for."""

    name: str
    methods: tuple[str, ...]


FIELDS: Final = (
    Field("食品", (
        "GB 4789.2-2022 食品微生物学检验 菌落总数测定",
        "GB 4789.3-2016 食品微生物学检验 大肠菌群计数",
        "GB 5009.3-2016 食品中水分的测定",
        "GB 5009.12-2023 食品中铅的测定",
        "GB 2763-2021 食品中农药最大残留限量",
    )),
    Field("建设工程", (
        "GB/T 17671-2021 水泥胶砂强度检验方法（ISO法）",
        "GB/T 50081-2019 混凝土物理力学性能试验方法标准",
        "GB/T 1499.2-2018 钢筋混凝土用钢 第2部分：热轧带肋钢筋",
        "GB/T 14684-2022 建设用砂",
        "JGJ 106-2014 建筑基桩检测技术规范",
    )),
    Field("电子电器", (
        "GB 4943.1-2022 音视频、信息技术和通信技术设备 第1部分：安全要求",
        "GB 4706.1-2005 家用和类似用途电器的安全 第1部分：通用要求",
        "GB/T 17626.2-2018 电磁兼容 试验和测量技术 静电放电抗扰度试验",
        "GB/T 9254.1-2021 信息技术设备、多媒体设备和接收机 电磁兼容 第1部分：发射要求",
    )),
    Field("机械", (
        "GB/T 228.1-2021 金属材料 拉伸试验 第1部分：室温试验方法",
        "GB/T 229-2020 金属材料 夏比摆锤冲击试验方法",
        "GB/T 231.1-2018 金属材料 布氏硬度试验 第1部分：试验方法",
        "GB/T 10125-2021 人造气氛腐蚀试验 盐雾试验",
    )),
    Field("纺织服装", (
        "GB 18401-2010 国家纺织产品基本安全技术规范",
        "GB 31701-2015 婴幼儿及儿童纺织产品安全技术规范",
        "GB/T 3920-2008 纺织品 色牢度试验 耐摩擦色牢度",
        "GB/T 2912.1-2009 纺织品 甲醛的测定 第1部分：游离和水解的甲醛（水萃取法）",
    )),
    Field("环境", (
        "HJ 505-2009 水质 五日生化需氧量（BOD5）的测定 稀释与接种法",
        "HJ 828-2017 水质 化学需氧量的测定 重铬酸盐法",
        "HJ 618-2011 环境空气 PM10和PM2.5的测定 重量法",
        "GB 3096-2008 声环境质量标准",
    )),
    Field("化工", (
        "GB 18582-2020 建筑用墙面涂料中有害物质限量",
        "GB/T 1725-2007 色漆、清漆和塑料 不挥发物含量的测定",
        "GB/T 601-2016 化学试剂 标准滴定溶液的制备",
    )),
    Field("特种设备", (
        "TSG 21-2016 固定式压力容器安全技术监察规程",
        "TSG 11-2020 锅炉安全技术规程",
        "GB/T 7588.1-2020 电梯制造与安装安全规范 第1部分：乘客电梯和载货电梯",
    )),
    Field("计量", (
        "JJG 146-2011 量块",
        "JJG 4-2015 钢卷尺",
        "JJG 52-2013 弹性元件式一般压力表、压力真空表和真空表",
        "JJG 539-2016 数字指示秤",
        "JJF 1059.1-2012 测量不确定度评定与表示",
    )),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Industry:
    """What a certificate holder does: it names the company and fills certificate scopes."""

    name: str
    product: str
    activity: str


INDUSTRIES: Final = (
    Industry("机械制造", "通用机械设备", "通用机械设备的设计、生产和服务"),
    Industry("电子科技", "电子元器件", "电子元器件的研发、生产和销售"),
    Industry("食品", "预包装食品", "预包装食品的生产和销售"),
    Industry("纺织", "纺织面料", "纺织面料的生产"),
    Industry("建材", "新型建筑材料", "新型建筑材料的生产和销售"),
    Industry("化工", "精细化工产品", "精细化工产品的生产"),
    Industry("电器", "家用电器", "家用电器的设计、生产和售后服务"),
    Industry("医疗器械", "二类医疗器械", "二类医疗器械的生产和销售"),
    Industry("汽车零部件", "汽车零部件", "汽车零部件的加工和生产"),
    Industry("环保科技", "环保设备", "环保设备的设计、生产和安装"),
    Industry("物业服务", "物业服务", "住宅及商业物业的管理服务"),
    Industry("软件", "应用软件", "应用软件的开发和技术服务"),
)


@dataclass(frozen=True, slots=True)
class Standard:
    """A standard certificates cite; ``scopes`` are templates over the holder's industry."""

    code: str
    family: CertificateFamily
    tag: str
    scopes: tuple[str, ...]


PRODUCT, SERVICE, SYSTEM = (
    CertificateFamily.PRODUCT,
    CertificateFamily.SERVICE,
    CertificateFamily.MANAGEMENT_SYSTEM,
)
STANDARDS: Final = (
    Standard("GB 4943.1-2022", PRODUCT, "P", ("便携式计算机", "显示器", "电源适配器")),
    Standard("GB 4706.1-2005", PRODUCT, "P", ("电冰箱", "洗衣机", "电热水器", "吸油烟机")),
    Standard("GB 7000.1-2015", PRODUCT, "P", ("固定式通用灯具", "嵌入式灯具")),
    Standard("GB/T 2099.1-2021", PRODUCT, "P", ("插头插座", "转换器")),
    Standard("GB/T 19630-2019", PRODUCT, "P", ("有机大米", "有机茶叶", "有机蔬菜")),
    Standard("GB/T 35601-2017", PRODUCT, "P", ("实木复合地板", "强化木地板")),
    Standard("GB/T 35602-2017", PRODUCT, "P", ("内墙涂料", "木器涂料")),
    Standard("GB/T 35613-2017", PRODUCT, "P", ("生活用纸", "文化用纸")),
    Standard("GB/T 27922-2011", SERVICE, "S", ("{product}的售后服务",)),
    Standard("SB/T 10595-2011", SERVICE, "S", ("建筑物清洗服务", "家庭保洁服务")),
    Standard("GA/T 594-2006", SERVICE, "S", ("门卫、巡逻、守护保安服务",)),
    Standard("DB2101/T 0050-2022", SERVICE, "S", ("质量基础设施一站式服务",)),
    Standard("GB/T 19001-2016/ISO 9001:2015", SYSTEM, "Q", ("{activity}",)),
    Standard("GB/T 24001-2016/ISO 14001:2015", SYSTEM, "E", ("{activity}及相关环境管理活动",)),
    Standard(
        "GB/T 45001-2020/ISO 45001:2018", SYSTEM, "S", ("{activity}及相关职业健康安全管理活动",)
    ),
    Standard(
        "GB/T 22080-2016/ISO/IEC 27001:2013", SYSTEM, "I", ("与{activity}相关的信息安全管理",)
    ),
    Standard("GB/T 27341-2009", SYSTEM, "F", ("预包装食品的生产",)),
)

# Short names for the stored values of institution kinds and ownerships.
IT, CB, AB = (
    InstitutionKind.INSPECTION_TESTING.value,
    InstitutionKind.CERTIFICATION_BODY.value,
    InstitutionKind.ACCREDITATION_BODY.value,
)
METROLOGY, STANDARDIZATION, STATION = (
    InstitutionKind.METROLOGY.value,
    InstitutionKind.STANDARDIZATION.value,
    InstitutionKind.QUALITY_SERVICE_STATION.value,
)
ASSOCIATION, REGULATOR, GROUP = (
    InstitutionKind.ASSOCIATION.value,
    InstitutionKind.REGULATOR.value,
    InstitutionKind.GROUP.value,
)
RATED: Final = frozenset({IT, CB, METROLOGY, STANDARDIZATION, STATION})
PUBLIC, PRIVATE, STATE, FOREIGN, SOCIAL = (
    Ownership.PUBLIC_INSTITUTION.value,
    Ownership.PRIVATE.value,
    Ownership.STATE.value,
    Ownership.FOREIGN.value,
    Ownership.SOCIAL_ORGANIZATION.value,
)
