"""The change log as partners and operators read it."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types.enum import EnumValueDefinition

from graph import log_models
from registry.schema.pagination import encode_cursor

__all__ = ["Change", "ChangeEntityName"]


def _old_spelling(old: str, new: str) -> EnumValueDefinition:
    return strawberry.enum_value(old, deprecation_reason=f"spell it {new}, as the type is named")


@strawberry.enum(
    name="ChangeEntity",
    description="What a change is about, spelled as the types are named, as Change.entity, "
    "the NDJSON routes and the command line spell it. The upper-case names are the old "
    "spelling, still accepted.",
)
class ChangeEntityName(Enum):
    """The domain's ``ChangeEntity`` in both spellings (a test keeps the two in step)."""

    Region = "Region"
    Institution = "Institution"
    Organization = "Organization"
    Accreditation = "Accreditation"
    Certificate = "Certificate"
    Complaint = "Complaint"
    CreditRating = "CreditRating"
    CreditEvent = "CreditEvent"
    ServiceEvaluation = "ServiceEvaluation"
    ServiceAssessment = "ServiceAssessment"
    SupervisionPlan = "SupervisionPlan"
    Dispute = "Dispute"
    ServiceStation = "ServiceStation"
    ServiceRequest = "ServiceRequest"
    Benchmark = "Benchmark"
    ApiKey = "ApiKey"
    REGION = _old_spelling("REGION", "Region")
    INSTITUTION = _old_spelling("INSTITUTION", "Institution")
    ORGANIZATION = _old_spelling("ORGANIZATION", "Organization")
    ACCREDITATION = _old_spelling("ACCREDITATION", "Accreditation")
    CERTIFICATE = _old_spelling("CERTIFICATE", "Certificate")
    COMPLAINT = _old_spelling("COMPLAINT", "Complaint")
    CREDIT_RATING = _old_spelling("CREDIT_RATING", "CreditRating")
    CREDIT_EVENT = _old_spelling("CREDIT_EVENT", "CreditEvent")
    SERVICE_EVALUATION = _old_spelling("SERVICE_EVALUATION", "ServiceEvaluation")
    SERVICE_ASSESSMENT = _old_spelling("SERVICE_ASSESSMENT", "ServiceAssessment")
    SUPERVISION_PLAN = _old_spelling("SUPERVISION_PLAN", "SupervisionPlan")
    DISPUTE = _old_spelling("DISPUTE", "Dispute")
    SERVICE_STATION = _old_spelling("SERVICE_STATION", "ServiceStation")
    SERVICE_REQUEST = _old_spelling("SERVICE_REQUEST", "ServiceRequest")
    BENCHMARK = _old_spelling("BENCHMARK", "Benchmark")
    API_KEY = _old_spelling("API_KEY", "ApiKey")


@strawberry.type(description="One entry of the hash-chained change log.")
class Change:
    seq: int
    entity: str = strawberry.field(
        description="What the change is about, as the types are named (Certificate)."
    )
    key: str
    op: str
    at: str
    actor: str
    data: str = strawberry.field(description="The written record as canonical JSON.")
    hash: str
    region: str | None = strawberry.field(
        description="The region code the change concerns (not part of the hash)."
    )

    @strawberry.field(description="Resume the feed (or a subscription) after this change.")
    def cursor(self) -> str:
        return encode_cursor(str(self.seq))

    @classmethod
    def of(cls, m: log_models.Change) -> Change:
        return cls(
            seq=m.seq,
            entity=m.entity,
            key=m.key,
            op=m.op,
            at=m.at,
            actor=m.actor,
            data=m.data,
            hash=m.hash,
            region=m.region,
        )
