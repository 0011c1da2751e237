"""The registry's vocabulary in Chinese and English, for the pages: one place, so the same
status or kind reads the same on every page."""

from __future__ import annotations

from collections.abc import Mapping

from registry.domain.credit_score import FactorName
from registry.domain.data_quality import QualityFactorName
from registry.domain.supervision import SupervisionClass, SupervisionReasonCode
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    AssessmentElement,
    CertificateFamily,
    CertificateStatus,
    InstitutionKind,
    InstitutionStatus,
    RegionLevel,
    ServiceCategory,
    StationRole,
)
from registry.web.page import bilingual

__all__ = [
    "ACCREDITATION_STATUSES",
    "ASSESSMENT_ELEMENTS",
    "CERTIFICATE_STATUSES",
    "FACTORS",
    "FAMILIES",
    "INSTITUTION_STATUSES",
    "KINDS",
    "LEVELS",
    "QUALITY_FACTORS",
    "SCHEMES",
    "SERVICE_CATEGORIES",
    "STATION_ROLES",
    "SUPERVISION_CLASSES",
    "SUPERVISION_REASONS",
    "word",
]

Words = tuple[str, str]

FAMILIES: Mapping[str, Words] = {
    CertificateFamily.PRODUCT: ("产品认证", "Product"),
    CertificateFamily.SERVICE: ("服务认证", "Service"),
    CertificateFamily.MANAGEMENT_SYSTEM: ("管理体系认证", "Management system"),
}
CERTIFICATE_STATUSES: Mapping[str, Words] = {
    CertificateStatus.VALID: ("有效", "Valid"),
    CertificateStatus.SUSPENDED: ("暂停", "Suspended"),
    CertificateStatus.WITHDRAWN: ("撤销", "Withdrawn"),
    CertificateStatus.CANCELLED: ("注销", "Cancelled"),
    CertificateStatus.EXPIRED: ("过期", "Expired"),
}
INSTITUTION_STATUSES: Mapping[str, Words] = {
    InstitutionStatus.ACTIVE: ("正常", "Active"),
    InstitutionStatus.SUSPENDED: ("暂停", "Suspended"),
    InstitutionStatus.REVOKED: ("撤销", "Revoked"),
    InstitutionStatus.CLOSED: ("注销", "Closed"),
}
ACCREDITATION_STATUSES: Mapping[str, Words] = {
    AccreditationStatus.VALID: ("有效", "Valid"),
    AccreditationStatus.SUSPENDED: ("暂停", "Suspended"),
    AccreditationStatus.WITHDRAWN: ("撤销", "Withdrawn"),
    AccreditationStatus.EXPIRED: ("过期", "Expired"),
}
KINDS: Mapping[str, Words] = {
    InstitutionKind.INSPECTION_TESTING: ("检验检测机构", "Inspection and testing"),
    InstitutionKind.CERTIFICATION_BODY: ("认证机构", "Certification body"),
    InstitutionKind.ACCREDITATION_BODY: ("认可机构", "Accreditation body"),
    InstitutionKind.METROLOGY: ("计量机构", "Metrology"),
    InstitutionKind.STANDARDIZATION: ("标准化机构", "Standardization"),
    InstitutionKind.QUALITY_SERVICE_STATION: ("一站式质量服务站", "Quality service station"),
    InstitutionKind.ASSOCIATION: ("行业协会", "Association"),
    InstitutionKind.REGULATOR: ("市场监督管理部门", "Regulator"),
    InstitutionKind.GROUP: ("集团", "Group"),
}
SCHEMES: Mapping[str, Words] = {
    AccreditationScheme.CNAS_LAB_17025: ("CNAS 实验室认可", "CNAS laboratory (ISO/IEC 17025)"),
    AccreditationScheme.CNAS_INSPECTION_17020: (
        "CNAS 检验机构认可",
        "CNAS inspection (ISO/IEC 17020)",
    ),
    AccreditationScheme.CNAS_PRODUCT_17065: (
        "CNAS 产品认证机构认可",
        "CNAS product certification (ISO/IEC 17065)",
    ),
    AccreditationScheme.CNAS_MANAGEMENT_SYSTEM_17021: (
        "CNAS 管理体系认证机构认可",
        "CNAS management-system certification (ISO/IEC 17021)",
    ),
    AccreditationScheme.CNAS_SERVICE_17065: (
        "CNAS 服务认证机构认可",
        "CNAS service certification (ISO/IEC 17065)",
    ),
    AccreditationScheme.CMA: ("检验检测机构资质认定（CMA）", "CMA qualification"),
    AccreditationScheme.CNCA_APPROVAL: ("国家认监委批准", "CNCA approval"),
}
SERVICE_CATEGORIES: Mapping[str, Words] = {
    ServiceCategory.QUALITY_MANAGEMENT: ("质量管理服务", "Quality management"),
    ServiceCategory.METROLOGY: ("计量服务", "Metrology"),
    ServiceCategory.STANDARDIZATION: ("标准化服务", "Standardization"),
    ServiceCategory.CERTIFICATION: ("认证服务", "Certification"),
    ServiceCategory.ACCREDITATION: ("认可服务", "Accreditation"),
    ServiceCategory.INSPECTION_TESTING: ("检验检测服务", "Inspection and testing"),
    ServiceCategory.INTELLECTUAL_PROPERTY: ("知识产权服务", "Intellectual property"),
    ServiceCategory.CONSULTING: ("其他咨询服务", "Consulting"),
    ServiceCategory.AFTER_SALES_SERVICE_CERTIFICATION: (
        "售后服务认证",
        "After-sales service certification",
    ),
    ServiceCategory.CLEANING_SERVICE_CERTIFICATION: ("清洗服务认证", "Cleaning certification"),
    ServiceCategory.SECURITY_SERVICE_CERTIFICATION: ("安保服务认证", "Security certification"),
    ServiceCategory.PROPERTY_SERVICE_CERTIFICATION: ("物业服务认证", "Property certification"),
    ServiceCategory.INSPECTION_TESTING_SERVICE_CERTIFICATION: (
        "检验检测服务认证",
        "Inspection-and-testing service certification",
    ),
}
LEVELS: Mapping[str, Words] = {
    RegionLevel.PROVINCE: ("省级", "Province"),
    RegionLevel.CITY: ("市级", "City"),
    RegionLevel.DISTRICT: ("区县级", "District"),
}
SUPERVISION_CLASSES: Mapping[str, Words] = {
    SupervisionClass.A: ("A类（低风险）", "Class A (low risk)"),
    SupervisionClass.B: ("B类", "Class B"),
    SupervisionClass.C: ("C类", "Class C"),
    SupervisionClass.D: ("D类（高风险）", "Class D (high risk)"),
    SupervisionClass.UNRATED: ("未分类（证据不足）", "Unrated (too little evidence)"),
}
SUPERVISION_REASONS: Mapping[str, Words] = {
    SupervisionReasonCode.SCORE: ("按信用分数分类", "Class of the credit score"),
    SupervisionReasonCode.NO_EVIDENCE: ("信用证据不足", "Too little credit evidence"),
    SupervisionReasonCode.SERIOUS_VIOLATION: (
        "列入严重违法失信名单",
        "On the serious-violation list",
    ),
    SupervisionReasonCode.ISSUED_WITHOUT_ACCREDITATION: (
        "无资质发证",
        "Issued certificates without accreditation",
    ),
    SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE: (
        "超范围发证",
        "Issued certificates outside its accredited scope",
    ),
    SupervisionReasonCode.OVERDUE_SUBSTANTIATED_COMPLAINT: (
        "经查实的投诉逾期未处理",
        "A substantiated complaint is overdue",
    ),
    SupervisionReasonCode.NOT_RECTIFIED_BY_DEADLINE: (
        "整改逾期未完成",
        "An order was not rectified by its deadline",
    ),
}
FACTORS: Mapping[str, Words] = {
    FactorName.ASSOCIATION_RATING: ("协会信用评级", "Association rating"),
    FactorName.CREDIT_EVENTS: ("信用档案记录", "Credit-file records"),
    FactorName.COMPLAINTS: ("投诉情况", "Complaints"),
    FactorName.WITHDRAWN_CERTIFICATES: ("证书撤销情况", "Withdrawn certificates"),
    FactorName.SERVICE_STARS: ("服务认证星级", "Service star grades"),
    FactorName.SATISFACTION: ("客户满意度", "Customer satisfaction"),
    FactorName.TIME_LIMITS: ("限时办结", "Handled within time limits"),
}

QUALITY_FACTORS: Mapping[str, Words] = {
    QualityFactorName.LATE_STATUS_RECORDING: ("状态变更记录及时性", "Changes recorded on time"),
    QualityFactorName.DISPUTES_UPHELD: ("异议成立情况", "Disputes upheld"),
    QualityFactorName.ANOMALIES: ("记录异常", "Record anomalies"),
    QualityFactorName.MISSING_FIELDS: ("信息完整性", "Missing fields"),
}
ASSESSMENT_ELEMENTS: Mapping[str, Words] = {
    AssessmentElement.AUDIT: ("服务管理审核", "Service management audit"),
    AssessmentElement.FOOTPRINT: ("以往服务足迹检测", "Past service footprint"),
    AssessmentElement.OPEN_TEST: ("公开的服务特性测试", "Open service test"),
    AssessmentElement.MYSTERY_CUSTOMER: ("神秘顾客", "Mystery customer"),
}
STATION_ROLES: Mapping[str, Words] = {
    StationRole.STATION_MASTER: ("站长", "Station master"),
    StationRole.CHIEF_QUALITY_OFFICER: ("首席质量官", "Chief quality officer"),
    StationRole.SERVICE_SPECIALIST: ("质量服务专员", "Service specialist"),
    StationRole.SAFETY_OFFICER: ("安全员", "Safety officer"),
    StationRole.EXPERT: ("专家", "Expert"),
}


def word(table: Mapping[str, Words], value: str) -> str:
    """``value`` in both languages; a value the table lacks is shown as it is (never lost)."""
    zh, en = table.get(value, (value, value))
    return bilingual(zh, en)
