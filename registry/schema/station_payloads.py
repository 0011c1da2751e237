"""Inputs and payloads of the station mutations (registry/schema/stations.py has the types)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from registry.domain.satisfaction import Confirmation, SurveyAnswer
from registry.domain.vocabulary import ServiceCategory, ServiceRequestStatus, StationRole
from registry.schema.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from registry.schema.payloads import WriteReceipt
from registry.schema.service_evaluation import ServiceEvaluation
from registry.schema.stations import Benchmark, ServiceRequest, ServiceStation

__all__ = [
    "AdvanceServiceRequestInput",
    "AdvanceServiceRequestPayload",
    "AdvanceServiceRequestSuccess",
    "BenchmarkInput",
    "ConfirmServiceEvaluationInput",
    "ConfirmServiceEvaluationPayload",
    "ConfirmServiceEvaluationSuccess",
    "ConfirmServiceRequestInput",
    "ConfirmServiceRequestPayload",
    "ConfirmServiceRequestSuccess",
    "DesignateBenchmarkPayload",
    "DesignateBenchmarkSuccess",
    "EvaluateServiceRequestInput",
    "EvaluateServiceRequestPayload",
    "EvaluateServiceRequestSuccess",
    "ServiceRequestInput",
    "StationInput",
    "SubmitServiceRequestPayload",
    "SubmitServiceRequestSuccess",
    "UpsertStationsPayload",
    "UpsertStationsSuccess",
]


# inputs ------------------------------------------------------------------------------------


@strawberry.input
class StationServiceInput:
    category: ServiceCategory
    providers: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class StationStaffInput:
    role: StationRole
    name: str | None = None


@strawberry.input(description="A station's catalogue (§5) and staff (§9.2).")
class StationInput:
    uscc: str
    services: list[StationServiceInput]
    staff: list[StationStaffInput]
    completion_days: int | None = None
    expected_version: int | None = None


@strawberry.input(
    description="An enterprise's demand (Annex A). Anyone may submit; keep the returned token "
    "to follow the request and to evaluate the service (Annex C)."
)
class ServiceRequestInput:
    station: str
    category: ServiceCategory
    demand: str
    enterprise: str
    contact: str = strawberry.field(description="Confidential: the station and its regulator.")
    enterprise_uscc: str | None = None


@strawberry.input(description="A step the station records (§6.2-6.4, §7.2).")
class AdvanceServiceRequestInput:
    id: str
    status: ServiceRequestStatus
    provider: str | None = None
    reason: str | None = None
    summary: str | None = None
    expected_version: int | None = None


@strawberry.input(description="The requester's Annex C form: ten answers, question 5 YES/NO.")
class EvaluateServiceRequestInput:
    id: str
    token: str
    answers: list[SurveyAnswer | None]
    comment: str | None = None


@strawberry.input(
    description="The station's regulator: who filled in a request's Annex C form was checked "
    "(CALL_BACK: the enterprise was reached and confirmed it; SIGNED_FORM: the form signed "
    "or sealed by the enterprise's head was seen)."
)
class ConfirmServiceEvaluationInput:
    id: str = strawberry.field(description="The request's id.")
    confirmation: Confirmation


@strawberry.input(
    description="The station's regulator: who asked was checked (CALL_BACK: the enterprise "
    "was reached and confirmed it asked; SIGNED_FORM: the Annex A demand signed or sealed by "
    "the enterprise's head was seen)."
)
class ConfirmServiceRequestInput:
    id: str
    confirmation: Confirmation


@strawberry.input(description="Mark a service benchmark (SAMR 'service benchmark' programme).")
class BenchmarkInput:
    uscc: str
    category: ServiceCategory
    year: int
    criteria: str


# payloads ----------------------------------------------------------------------------------


@strawberry.type
class UpsertStationsSuccess:
    stations: list[ServiceStation]
    receipt: WriteReceipt


@strawberry.type
class SubmitServiceRequestSuccess:
    request: ServiceRequest
    token: str = strawberry.field(
        description="Shown once; the registry keeps only its digest. Needed to evaluate."
    )
    receipt: WriteReceipt


@strawberry.type
class AdvanceServiceRequestSuccess:
    request: ServiceRequest
    receipt: WriteReceipt


@strawberry.type
class EvaluateServiceRequestSuccess:
    request: ServiceRequest
    evaluation: ServiceEvaluation
    receipt: WriteReceipt


@strawberry.type
class ConfirmServiceEvaluationSuccess:
    request: ServiceRequest
    evaluation: ServiceEvaluation
    receipt: WriteReceipt


@strawberry.type
class ConfirmServiceRequestSuccess:
    request: ServiceRequest
    receipt: WriteReceipt


@strawberry.type
class DesignateBenchmarkSuccess:
    benchmark: Benchmark
    receipt: WriteReceipt


_Errors = InvalidInput | NotAuthorized | NotFound | Conflict

UpsertStationsPayload = Annotated[
    UpsertStationsSuccess | _Errors, strawberry.union("UpsertStationsPayload")
]
SubmitServiceRequestPayload = Annotated[
    SubmitServiceRequestSuccess | _Errors, strawberry.union("SubmitServiceRequestPayload")
]
AdvanceServiceRequestPayload = Annotated[
    AdvanceServiceRequestSuccess | _Errors, strawberry.union("AdvanceServiceRequestPayload")
]
EvaluateServiceRequestPayload = Annotated[
    EvaluateServiceRequestSuccess | _Errors, strawberry.union("EvaluateServiceRequestPayload")
]
ConfirmServiceEvaluationPayload = Annotated[
    ConfirmServiceEvaluationSuccess | _Errors, strawberry.union("ConfirmServiceEvaluationPayload")
]
ConfirmServiceRequestPayload = Annotated[
    ConfirmServiceRequestSuccess | _Errors, strawberry.union("ConfirmServiceRequestPayload")
]
DesignateBenchmarkPayload = Annotated[
    DesignateBenchmarkSuccess | _Errors, strawberry.union("DesignateBenchmarkPayload")
]
