"""The registry's controlled vocabularies, shared by records, the store and the GraphQL schema."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccreditationScheme",
    "AccreditationStatus",
    "AssessmentElement",
    "CertificateFamily",
    "CertificateStatus",
    "ChangeEntity",
    "ComplaintChannel",
    "ComplaintStatus",
    "CreditEventKind",
    "CreditGrade",
    "InstitutionKind",
    "InstitutionStatus",
    "Ownership",
    "RectificationOutcome",
    "RegionLevel",
    "Role",
    "ServiceCategory",
    "ServiceEvaluationKind",
    "ServiceRequestStatus",
    "StationRole",
    "change_entity",
]


class Role(StrEnum):
    PUBLIC = "PUBLIC"
    CERTIFICATION_BODY = "CERTIFICATION_BODY"
    ACCREDITATION_BODY = "ACCREDITATION_BODY"  # e.g. CNAS: acts on the accreditations it granted
    ASSOCIATION = "ASSOCIATION"
    REGULATOR = "REGULATOR"
    PARTNER = "PARTNER"
    STATION = "STATION"  # a one-stop quality service station's staff: its own requests
    ADMIN = "ADMIN"


class InstitutionKind(StrEnum):
    INSPECTION_TESTING = "INSPECTION_TESTING"
    CERTIFICATION_BODY = "CERTIFICATION_BODY"
    ACCREDITATION_BODY = "ACCREDITATION_BODY"
    METROLOGY = "METROLOGY"
    STANDARDIZATION = "STANDARDIZATION"
    QUALITY_SERVICE_STATION = "QUALITY_SERVICE_STATION"
    ASSOCIATION = "ASSOCIATION"
    REGULATOR = "REGULATOR"
    GROUP = "GROUP"


class InstitutionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    CLOSED = "CLOSED"


class Ownership(StrEnum):
    STATE = "STATE"
    PUBLIC_INSTITUTION = "PUBLIC_INSTITUTION"
    PRIVATE = "PRIVATE"
    FOREIGN = "FOREIGN"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"


class RegionLevel(StrEnum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    DISTRICT = "DISTRICT"


class AccreditationScheme(StrEnum):
    """CNAS accreditations by the standard they assess against, and Chinese qualifications."""

    CNAS_LAB_17025 = "CNAS_LAB_17025"
    CNAS_INSPECTION_17020 = "CNAS_INSPECTION_17020"
    CNAS_PRODUCT_17065 = "CNAS_PRODUCT_17065"
    CNAS_MANAGEMENT_SYSTEM_17021 = "CNAS_MANAGEMENT_SYSTEM_17021"
    CNAS_SERVICE_17065 = "CNAS_SERVICE_17065"
    CMA = "CMA"
    CNCA_APPROVAL = "CNCA_APPROVAL"


class AccreditationStatus(StrEnum):
    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


class CertificateFamily(StrEnum):
    PRODUCT = "PRODUCT"
    SERVICE = "SERVICE"
    MANAGEMENT_SYSTEM = "MANAGEMENT_SYSTEM"


class CertificateStatus(StrEnum):
    """Stored statuses plus EXPIRED, which is derived from the expiry date and never stored."""

    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class ComplaintChannel(StrEnum):
    HOTLINE_12315 = "HOTLINE_12315"
    ONLINE = "ONLINE"
    PHONE = "PHONE"
    LETTER = "LETTER"
    VISIT = "VISIT"


class ComplaintStatus(StrEnum):
    """The lifecycle of a complaint (``registry.domain.complaints`` holds its transitions)."""

    RECEIVED = "RECEIVED"
    ACCEPTED = "ACCEPTED"
    INVESTIGATING = "INVESTIGATING"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"
    CLOSED = "CLOSED"


class CreditGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class CreditEventKind(StrEnum):
    ADMINISTRATIVE_PENALTY = "ADMINISTRATIVE_PENALTY"
    ABNORMAL_OPERATION = "ABNORMAL_OPERATION"
    SERIOUS_VIOLATION = "SERIOUS_VIOLATION"
    COMMENDATION = "COMMENDATION"
    SPOT_CHECK = "SPOT_CHECK"
    SATISFACTION_SURVEY = "SATISFACTION_SURVEY"
    RECTIFICATION_ORDER = "RECTIFICATION_ORDER"


class RectificationOutcome(StrEnum):
    """How a rectification order ended (DB2101/T 0050-2022 §8.2.2)."""

    RECTIFIED = "RECTIFIED"
    NOT_RECTIFIED = "NOT_RECTIFIED"
    PENDING = "PENDING"


class ServiceEvaluationKind(StrEnum):
    """How a service was evaluated: the Annex C satisfaction form, or a mystery customer."""

    SURVEY = "SURVEY"
    MYSTERY_CUSTOMER = "MYSTERY_CUSTOMER"


class AssessmentElement(StrEnum):
    """The four parts of a service-certification assessment (seed 000: "service management
    audit + past service footprint + open service characteristic test + mystery customer")."""

    AUDIT = "AUDIT"  # 服务管理审核
    FOOTPRINT = "FOOTPRINT"  # 以往服务足迹检测
    OPEN_TEST = "OPEN_TEST"  # 公开的服务特性测试
    MYSTERY_CUSTOMER = "MYSTERY_CUSTOMER"  # 神秘顾客


class ServiceCategory(StrEnum):
    """The eight service items of DB2101/T 0050-2022 (§5.1-5.8, and the Annex C form), then
    the service-certification categories the seeds' certificates need (seed 004)."""

    QUALITY_MANAGEMENT = "QUALITY_MANAGEMENT"  # 5.1 质量管理服务
    METROLOGY = "METROLOGY"  # 5.2 计量服务
    STANDARDIZATION = "STANDARDIZATION"  # 5.3 标准化服务
    CERTIFICATION = "CERTIFICATION"  # 5.4 认证服务
    ACCREDITATION = "ACCREDITATION"  # 5.5 认可服务
    INSPECTION_TESTING = "INSPECTION_TESTING"  # 5.6 检验检测服务
    INTELLECTUAL_PROPERTY = "INTELLECTUAL_PROPERTY"  # 5.7 知识产权服务
    CONSULTING = "CONSULTING"  # 5.8 其他咨询服务 (Annex C: 其他服务)
    AFTER_SALES_SERVICE_CERTIFICATION = "AFTER_SALES_SERVICE_CERTIFICATION"  # GB/T 27922
    CLEANING_SERVICE_CERTIFICATION = "CLEANING_SERVICE_CERTIFICATION"  # SB/T 10595
    SECURITY_SERVICE_CERTIFICATION = "SECURITY_SERVICE_CERTIFICATION"  # GA/T 594
    PROPERTY_SERVICE_CERTIFICATION = "PROPERTY_SERVICE_CERTIFICATION"  # GB/T 20647.9
    INSPECTION_TESTING_SERVICE_CERTIFICATION = "INSPECTION_TESTING_SERVICE_CERTIFICATION"


class ServiceRequestStatus(StrEnum):
    """Where an enterprise's demand stands in the DB2101/T 0050-2022 process (§6, Annex B)."""

    SUBMITTED = "SUBMITTED"  # 6.1 需求收集: the Annex A form is in
    MATCHED = "MATCHED"  # 6.2 服务对接: the station serves it or routed it to a provider
    IN_SERVICE = "IN_SERVICE"  # 6.3 服务跟踪: the service has started
    DONE = "DONE"  # 6.4: the service ended; the Annex C evaluation may follow
    REJECTED = "REJECTED"  # 7.2 否定备案制: refused, with the reason on file


class StationRole(StrEnum):
    """Staff roles of a station (§9.2, §9.5)."""

    STATION_MASTER = "STATION_MASTER"  # 站长: answers for the station's work (9.2.1)
    CHIEF_QUALITY_OFFICER = "CHIEF_QUALITY_OFFICER"  # 首席质量官 (9.2.1, 8.1.3)
    SERVICE_SPECIALIST = "SERVICE_SPECIALIST"  # 质量服务专员: at least one (9.2.2)
    SAFETY_OFFICER = "SAFETY_OFFICER"  # 安全员: at least one (9.5)
    EXPERT = "EXPERT"  # 专家服务团队 member (9.2.4)


class ChangeEntity(StrEnum):
    """What a change of the log is about (the feed filters and partner scopes name these),
    spelled as the types are named: ``Certificate``, ``CreditRating``."""

    REGION = "Region"
    INSTITUTION = "Institution"
    ORGANIZATION = "Organization"
    ACCREDITATION = "Accreditation"
    CERTIFICATE = "Certificate"
    COMPLAINT = "Complaint"
    CREDIT_RATING = "CreditRating"
    CREDIT_EVENT = "CreditEvent"
    SERVICE_EVALUATION = "ServiceEvaluation"
    SERVICE_ASSESSMENT = "ServiceAssessment"
    SUPERVISION_PLAN = "SupervisionPlan"
    DISPUTE = "Dispute"
    SERVICE_STATION = "ServiceStation"
    SERVICE_REQUEST = "ServiceRequest"
    BENCHMARK = "Benchmark"
    API_KEY = "ApiKey"


_ENTITY_SPELLINGS = {entity.value.casefold(): entity for entity in ChangeEntity}


def change_entity(name: str) -> ChangeEntity | None:
    """The entity a name means, in its one documented spelling (``CreditRating``) or the
    upper-case one GraphQL clients once sent (``CREDIT_RATING``); None for no entity."""
    return _ENTITY_SPELLINGS.get(name.replace("_", "").casefold())
