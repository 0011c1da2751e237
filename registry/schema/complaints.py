"""Complaints: the record and its steps (confidential: regulators of its region), and the
counts everyone sees on an institution."""

from __future__ import annotations

from datetime import date

import strawberry

from graph import models
from graph.complaint_models import ComplaintStep as StepModel
from graph.complaint_models import ComplaintTally
from registry.domain.complaints import due_by, overdue
from registry.domain.vocabulary import ComplaintChannel, ComplaintStatus
from registry.operations.complaints import ComplaintSummary as SummaryModel

__all__ = ["Complaint", "ComplaintStep", "ComplaintSummary", "ComplaintYearSummary"]


@strawberry.type(description="One step of a complaint's handling: its date, who took it, why.")
class ComplaintStep:
    status: ComplaintStatus
    on: date
    actor: str = strawberry.field(description="The credential that took the step.")
    reason: str | None
    substantiated: bool | None = strawberry.field(
        description="The finding stated with this step, if any."
    )
    recorded_at: str = strawberry.field(description="When the registry recorded it (UTC).")

    @classmethod
    def of(cls, m: StepModel) -> ComplaintStep:
        return cls(
            status=ComplaintStatus(m.status),
            on=m.on,
            actor=m.actor,
            reason=m.reason,
            substantiated=m.substantiated,
            recorded_at=m.recorded_at,
        )


@strawberry.type(
    description="A complaint against an institution; visible to the regulators of its "
    "region only, the complainant's contact included."
)
class Complaint:
    id: str
    certificate: str | None
    channel: ComplaintChannel
    category: str
    status: ComplaintStatus
    substantiated: bool | None
    filed_on: date
    accepted_on: date | None
    due_by: date | None = strawberry.field(
        description="The last day of the current stage: 7 days after filing to accept or "
        "reject it, 60 days after acceptance to resolve or close it; null once final."
    )
    overdue: bool = strawberry.field(description="Still open after dueBy, on the day asked for.")
    closed_on: date | None
    details: str
    contact: str | None = strawberry.field(description="How to reach the complainant.")
    resolution: str | None
    steps: list[ComplaintStep] = strawberry.field(
        description="Every step, oldest first (none for complaints imported whole)."
    )

    version: int = strawberry.field(description="Counts the writes of this record.")

    @classmethod
    def of(cls, m: models.Complaint, *, today: date) -> Complaint:
        return cls(
            version=m.version,
            id=m.id,
            certificate=m.certificate,
            channel=ComplaintChannel(m.channel),
            category=m.category,
            status=ComplaintStatus(m.status),
            substantiated=m.substantiated,
            filed_on=m.filed_on,
            accepted_on=m.accepted_on,
            due_by=due_by(m),
            overdue=overdue(m, today=today),
            closed_on=m.closed_on,
            details=m.details,
            contact=m.contact,
            resolution=m.resolution,
            steps=[ComplaintStep.of(s) for s in m.steps],
        )


@strawberry.interface(description="Counts of complaints, never their details.")
class ComplaintCounts:
    received: int = strawberry.field(description="Filed by the day asked for.")
    open: int = strawberry.field(description="Not yet rejected, resolved or closed.")
    overdue: int = strawberry.field(description="Open past their due day, on the day asked for.")
    substantiated: int = strawberry.field(description="Found substantiated by the regulator.")


@strawberry.type(description="The complaints filed in one year.")
class ComplaintYearSummary(ComplaintCounts):
    year: int

    @classmethod
    def of(cls, m: ComplaintTally) -> ComplaintYearSummary:
        return cls(
            year=m.year,
            received=m.received,
            open=m.open,
            overdue=m.overdue,
            substantiated=m.substantiated,
        )


@strawberry.type(description="Complaints against an institution, counted; public.")
class ComplaintSummary(ComplaintCounts):
    years: list[ComplaintYearSummary] = strawberry.field(description="Per year of filing.")

    @classmethod
    def of(cls, m: SummaryModel) -> ComplaintSummary:
        return cls(
            received=m.received,
            open=m.open,
            overdue=m.overdue,
            substantiated=m.substantiated,
            years=[ComplaintYearSummary.of(y) for y in m.years],
        )
