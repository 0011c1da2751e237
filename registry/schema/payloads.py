"""Mutation results: a success member per mutation, united with the error members."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graph.log_models import WriteResult
from registry.schema.certificates import Certificate
from registry.schema.complaints import Complaint
from registry.schema.credit import CreditEvent, CreditRating
from registry.schema.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from registry.schema.institutions import Accreditation, Institution, Organization
from registry.schema.service_assessment import ServiceAssessment
from registry.schema.service_evaluation import ServiceEvaluation
from registry.schema.supervision import SupervisionPlan

__all__ = [
    "AdvanceComplaintPayload",
    "AdvanceComplaintSuccess",
    "ChangeAccreditationStatusPayload",
    "ChangeAccreditationStatusSuccess",
    "ChangeCertificateStatusPayload",
    "ChangeCertificateStatusSuccess",
    "ChangeInstitutionStatusPayload",
    "ChangeInstitutionStatusSuccess",
    "ConfirmServiceAssessmentPayload",
    "ConfirmServiceAssessmentSuccess",
    "DrawSupervisionPlanPayload",
    "DrawSupervisionPlanSuccess",
    "FileComplaintPayload",
    "FileComplaintSuccess",
    "IssueCertificatesPayload",
    "IssueCertificatesSuccess",
    "PublishCreditRatingsPayload",
    "PublishCreditRatingsSuccess",
    "RecordCreditEventsPayload",
    "RecordCreditEventsSuccess",
    "RecordServiceAssessmentsPayload",
    "RecordServiceAssessmentsSuccess",
    "RecordServiceEvaluationsPayload",
    "RecordServiceEvaluationsSuccess",
    "UpsertAccreditationsPayload",
    "UpsertAccreditationsSuccess",
    "UpsertInstitutionsPayload",
    "UpsertInstitutionsSuccess",
    "UpsertOrganizationsPayload",
    "UpsertOrganizationsSuccess",
    "WriteReceipt",
]


@strawberry.type(description="Where the write landed in the change log.")
class WriteReceipt:
    written: int
    first_seq: int
    last_seq: int
    replayed: bool = strawberry.field(
        description="True when an idempotency key was used before: this is the first "
        "result, and nothing was written now."
    )

    @classmethod
    def of(cls, result: WriteResult) -> WriteReceipt:
        return cls(
            written=result.written,
            first_seq=result.first_seq,
            last_seq=result.last_seq,
            replayed=result.replayed,
        )


@strawberry.type
class UpsertInstitutionsSuccess:
    institutions: list[Institution]
    receipt: WriteReceipt


@strawberry.type
class UpsertOrganizationsSuccess:
    organizations: list[Organization]
    receipt: WriteReceipt


@strawberry.type
class UpsertAccreditationsSuccess:
    accreditations: list[Accreditation]
    receipt: WriteReceipt


@strawberry.type
class IssueCertificatesSuccess:
    certificates: list[Certificate]
    receipt: WriteReceipt


@strawberry.type
class ChangeCertificateStatusSuccess:
    certificates: list[Certificate]
    receipt: WriteReceipt


@strawberry.type
class ChangeAccreditationStatusSuccess:
    accreditations: list[Accreditation]
    receipt: WriteReceipt


@strawberry.type
class ChangeInstitutionStatusSuccess:
    institutions: list[Institution]
    receipt: WriteReceipt


@strawberry.type
class PublishCreditRatingsSuccess:
    ratings: list[CreditRating]
    receipt: WriteReceipt


@strawberry.type
class RecordCreditEventsSuccess:
    events: list[CreditEvent]
    receipt: WriteReceipt


@strawberry.type
class RecordServiceEvaluationsSuccess:
    evaluations: list[ServiceEvaluation]
    receipt: WriteReceipt


@strawberry.type
class RecordServiceAssessmentsSuccess:
    assessments: list[ServiceAssessment]
    receipt: WriteReceipt


@strawberry.type
class ConfirmServiceAssessmentSuccess:
    assessment: ServiceAssessment
    receipt: WriteReceipt


@strawberry.type
class DrawSupervisionPlanSuccess:
    plan: SupervisionPlan
    receipt: WriteReceipt


@strawberry.type(
    description="The complaint is received: keep its id to refer to it. Nothing else of it "
    "is shown to the public."
)
class FileComplaintSuccess:
    complaint_id: str
    filed_on: date
    due_by: date = strawberry.field(description="By when the regulator decides to accept it.")
    receipt: WriteReceipt


@strawberry.type
class AdvanceComplaintSuccess:
    complaint: Complaint
    receipt: WriteReceipt


_Errors = InvalidInput | NotAuthorized | NotFound | Conflict

UpsertInstitutionsPayload = Annotated[
    UpsertInstitutionsSuccess | _Errors, strawberry.union("UpsertInstitutionsPayload")
]
UpsertOrganizationsPayload = Annotated[
    UpsertOrganizationsSuccess | _Errors, strawberry.union("UpsertOrganizationsPayload")
]
UpsertAccreditationsPayload = Annotated[
    UpsertAccreditationsSuccess | _Errors, strawberry.union("UpsertAccreditationsPayload")
]
IssueCertificatesPayload = Annotated[
    IssueCertificatesSuccess | _Errors, strawberry.union("IssueCertificatesPayload")
]
ChangeCertificateStatusPayload = Annotated[
    ChangeCertificateStatusSuccess | _Errors, strawberry.union("ChangeCertificateStatusPayload")
]
ChangeAccreditationStatusPayload = Annotated[
    ChangeAccreditationStatusSuccess | _Errors,
    strawberry.union("ChangeAccreditationStatusPayload"),
]
ChangeInstitutionStatusPayload = Annotated[
    ChangeInstitutionStatusSuccess | _Errors, strawberry.union("ChangeInstitutionStatusPayload")
]
PublishCreditRatingsPayload = Annotated[
    PublishCreditRatingsSuccess | _Errors, strawberry.union("PublishCreditRatingsPayload")
]
RecordCreditEventsPayload = Annotated[
    RecordCreditEventsSuccess | _Errors, strawberry.union("RecordCreditEventsPayload")
]
RecordServiceEvaluationsPayload = Annotated[
    RecordServiceEvaluationsSuccess | _Errors, strawberry.union("RecordServiceEvaluationsPayload")
]
RecordServiceAssessmentsPayload = Annotated[
    RecordServiceAssessmentsSuccess | _Errors, strawberry.union("RecordServiceAssessmentsPayload")
]
ConfirmServiceAssessmentPayload = Annotated[
    ConfirmServiceAssessmentSuccess | _Errors, strawberry.union("ConfirmServiceAssessmentPayload")
]
DrawSupervisionPlanPayload = Annotated[
    DrawSupervisionPlanSuccess | _Errors, strawberry.union("DrawSupervisionPlanPayload")
]
FileComplaintPayload = Annotated[
    FileComplaintSuccess | _Errors, strawberry.union("FileComplaintPayload")
]
AdvanceComplaintPayload = Annotated[
    AdvanceComplaintSuccess | _Errors, strawberry.union("AdvanceComplaintPayload")
]
