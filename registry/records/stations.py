"""Input records of one-stop quality service stations (DB2101/T 0050-2022): a station's
catalogue and staff, an enterprise's demand (Annex A), a step of the process, the requester's
Annex C evaluation and the regulator's confirmation of who filled it in; and a regulator's
service benchmark."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.satisfaction import SURVEY_QUESTIONS, Confirmation, SurveyAnswer
from registry.domain.service_categories import ANNEX_C_CATEGORIES
from registry.domain.stations import REQUIRED_ROLES
from registry.domain.vocabulary import ServiceCategory, ServiceRequestStatus, StationRole
from registry.records.base import Record, ShortText, Text, Uscc, VersionedRecord, refuse

__all__ = [
    "BenchmarkRecord",
    "ConfirmationRecord",
    "RequestAdvanceRecord",
    "RequestEvaluationRecord",
    "ServiceRequestRecord",
    "StaffRecord",
    "StationRecord",
    "StationServiceRecord",
]

RequestId = Annotated[str, Field(pattern=r"^SR-[0-9a-f]{16}$")]
RequestToken = Annotated[str, Field(pattern=r"^srt_[A-Za-z0-9_-]{43}$")]
Demand = Annotated[str, Field(min_length=1, max_length=2000)]


def _annex_c(category: ServiceCategory, field: str) -> None:
    if category not in ANNEX_C_CATEGORIES:
        raise refuse("INVALID_VALUE", "a station offers the eight service items of §5", field=field)


class StationServiceRecord(Record):
    """One item of the catalogue (§5) and the institutions it routes demands to (§6.2)."""

    category: ServiceCategory
    providers: Annotated[list[Uscc], Field(max_length=50, default_factory=list)]

    @model_validator(mode="after")
    def _item_of_section_5(self) -> StationServiceRecord:
        _annex_c(self.category, "category")
        return self


class StaffRecord(Record):
    """A staff role (§9.2); the name is personal data, shown to regulators only."""

    role: StationRole
    name: ShortText | None = None


class StationRecord(VersionedRecord):
    uscc: Uscc
    services: Annotated[list[StationServiceRecord], Field(min_length=1, max_length=8)]
    staff: Annotated[list[StaffRecord], Field(min_length=1, max_length=50)]
    completion_days: Annotated[int, Field(ge=1, le=250)] | None = None

    @model_validator(mode="after")
    def _catalogue_and_staff(self) -> StationRecord:
        categories = [s.category for s in self.services]
        if len(set(categories)) != len(categories):
            raise refuse("INVALID_VALUE", "each service item once", field="services")
        missing = REQUIRED_ROLES - {s.role for s in self.staff}
        if missing:
            raise refuse(
                "REQUIRED",
                "a station has a station master and a service specialist (§9.2.1, §9.2.2); "
                f"missing {', '.join(sorted(missing))}",
                field="staff",
            )
        return self


class ServiceRequestRecord(Record):
    """The demand of Annex A: which station, which service item, what is needed, who asks
    and how to reach them (the last three confidential, §9.3.3)."""

    station: Uscc
    category: ServiceCategory
    demand: Demand
    enterprise: ShortText
    enterprise_uscc: Uscc | None = None
    contact: ShortText

    @model_validator(mode="after")
    def _item_of_section_5(self) -> ServiceRequestRecord:
        _annex_c(self.category, "category")
        return self


class RequestAdvanceRecord(VersionedRecord):
    """A step the station records: matched (to a provider, or itself), in service, done, or
    rejected with its reason (§7.2 否定备案制)."""

    id: RequestId
    status: ServiceRequestStatus
    provider: Uscc | None = None
    reason: Text | None = None
    summary: Text | None = None

    @model_validator(mode="after")
    def _fields_of_the_step(self) -> RequestAdvanceRecord:
        wanted = self.status
        if wanted is ServiceRequestStatus.SUBMITTED:
            raise refuse("INVALID_VALUE", "a request is submitted only once", field="status")
        if wanted is ServiceRequestStatus.MATCHED and self.provider is None:
            raise refuse("REQUIRED", "a match names its provider", field="provider")
        if wanted is not ServiceRequestStatus.MATCHED and self.provider is not None:
            raise refuse("INVALID_VALUE", "only a match names a provider", field="provider")
        if wanted is ServiceRequestStatus.REJECTED and not self.reason:
            raise refuse("REQUIRED", "a refusal is filed with its reason", field="reason")
        if wanted is not ServiceRequestStatus.DONE and self.summary is not None:
            raise refuse("INVALID_VALUE", "a summary ends the service", field="summary")
        return self


class RequestEvaluationRecord(Record):
    """The requester's Annex C form, proven theirs by the request's token."""

    id: RequestId
    token: RequestToken
    answers: Annotated[
        list[SurveyAnswer | None],
        Field(min_length=SURVEY_QUESTIONS, max_length=SURVEY_QUESTIONS),
    ]
    comment: Text | None = None


class ConfirmationRecord(Record):
    """The station's regulator confirms who asked (a request) or who filled in its Annex C
    form (an evaluation)."""

    id: RequestId
    confirmation: Confirmation


class BenchmarkRecord(Record):
    """A service benchmark (服务标杆) a regulator designates, on stated criteria."""

    uscc: Uscc
    category: ServiceCategory
    year: Annotated[int, Field(ge=2000, le=2100)]
    criteria: Annotated[str, Field(min_length=1, max_length=2000)]
