"""One-stop quality service stations (DB2101/T 0050-2022) and service benchmarks: types,
inputs and payloads.

Public: a station's catalogue, its staff roles, its performance; a request's progress and
time limits. Personal names of staff are shown to oversight within its jurisdiction; who asked,
what for and how to reach them (§9.3.3) to the station's own staff, its regulator, and the
requester holding the request's token.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from graph import station_models as sm
from registry.context import Context
from registry.domain.permissions import may_see_confidential, may_see_station_requests
from registry.domain.satisfaction import Confirmation
from registry.domain.stations import is_overdue
from registry.domain.vocabulary import ServiceCategory, ServiceRequestStatus, StationRole
from registry.operations.credit import counted, satisfaction_of
from registry.operations.stations import StationPerformance as PerformanceFigures
from registry.operations.stations import station_performance
from registry.schema.errors import PublicError
from registry.schema.pagination import page_size
from registry.schema.timelines import moment_of

__all__ = ["Benchmark", "ServiceRequest", "ServiceStation", "requests_visible"]

Info = strawberry.Info[Context, None]
MAX_REQUESTS = 100


@strawberry.type(description="A provider a station routes demands of one item to (§6.2).")
class StationProvider:
    uscc: str
    name: str | None


@strawberry.type(description="One service item of the station's catalogue (§5.1-5.8).")
class StationService:
    category: ServiceCategory
    providers: list[StationProvider]


@strawberry.type(description="A staff role (§9.2: station master, chief quality officer...).")
class StationStaff:
    role: StationRole
    name: str | None = strawberry.field(
        description="Personal data: regulators (within their jurisdiction) and administrators "
        "only; null for everyone else."
    )


@strawberry.type(
    description="A station's record over a window: time-limit compliance (限时办结) and the "
    "satisfaction index of its Annex C forms; both feed its credit score."
)
class StationPerformance:
    first_day: dt.date
    last_day: dt.date
    requests: int = strawberry.field(description="Requests submitted in the window.")
    done: int
    rejected: int = strawberry.field(
        description="Requests refused with their reason (否定备案制, §7.2): a refusal in time "
        "meets its stage's limit, so the requester may answer it on an Annex C form too."
    )
    stages_met: int = strawberry.field(
        description="Stages closed within their time limit, of the confirmed requests."
    )
    stages_late: int = strawberry.field(
        description="Stages closed after their limit, of the confirmed requests."
    )
    stages_overdue: int = strawberry.field(
        description="Stages open past their limit today, of the confirmed requests."
    )
    requests_awaiting_confirmation: int = strawberry.field(
        description="Requests of the window whose stages do not count yet: the station's "
        "regulator has not confirmed who asked (confirmServiceRequest)."
    )
    compliance: float | None = strawberry.field(
        description="Percent of due stages handled in time; null when none was due."
    )
    satisfaction: float | None = strawberry.field(
        description="0-100 (docs/credit-method.md); null without any evaluation."
    )
    surveys: int = strawberry.field(description="Annex C forms counted in satisfaction.")
    awaiting_confirmation: int = strawberry.field(
        description="Requesters' Annex C forms of the window that do not count yet: the "
        "station's regulator has not confirmed who filled them in."
    )

    @classmethod
    def of(cls, p: PerformanceFigures) -> StationPerformance:
        return cls(
            first_day=p.first_day,
            last_day=p.last_day,
            requests=p.tally.requests,
            done=p.tally.done,
            rejected=p.tally.rejected,
            stages_met=p.tally.met,
            stages_late=p.tally.late,
            stages_overdue=p.tally.overdue,
            requests_awaiting_confirmation=p.requests_awaiting_confirmation,
            compliance=p.tally.compliance,
            satisfaction=p.satisfaction,
            surveys=p.surveys,
            awaiting_confirmation=p.awaiting_confirmation,
        )


@strawberry.type(
    description="The progress of an enterprise's demand through a station (§6, Annexes A-C). "
    "The confidential fields are null unless you are the station, its regulator, or present "
    "the request's token."
)
class ServiceRequest:
    id: str
    station: str
    category: ServiceCategory
    status: ServiceRequestStatus
    submitted_on: dt.date
    submitted_at: str = strawberry.field(description="UTC, when the registry received it.")
    provider: str | None = strawberry.field(description="Who serves it: the station or a provider.")
    matched_on: dt.date | None
    matched_at: str | None
    in_service_on: dt.date | None
    in_service_at: str | None
    done_on: dt.date | None
    done_at: str | None
    rejected_on: dt.date | None
    rejected_at: str | None
    due_by: dt.date | None = strawberry.field(
        description="The last working day of the open stage (docs/service-stations.md)."
    )
    overdue: bool = strawberry.field(description="The open stage is past its due day.")
    stages_met: int
    stages_late: int
    evaluated_on: dt.date | None
    confirmed_on: dt.date | None = strawberry.field(
        description="When the station's regulator confirmed who asked: from that day the "
        "request's stages count in the station's time limits."
    )
    confirmation: Confirmation | None
    version: int
    demand: str | None
    enterprise: str | None
    enterprise_uscc: str | None
    contact: str | None
    reason: str | None = strawberry.field(description="Why it was refused (§7.2).")
    summary: str | None = strawberry.field(description="The provider's service summary (§6.4.2).")

    @classmethod
    def of(cls, m: sm.ServiceRequest, *, today: dt.date, confidential: bool) -> ServiceRequest:
        def secret(value: str | None) -> str | None:
            return (value or None) if confidential else None

        return cls(
            id=m.id,
            station=m.station,
            category=ServiceCategory(m.category),
            status=ServiceRequestStatus(m.status),
            submitted_on=m.submitted_on,
            submitted_at=m.submitted_at,
            provider=m.provider,
            matched_on=m.matched_on,
            matched_at=m.matched_at,
            in_service_on=m.in_service_on,
            in_service_at=m.in_service_at,
            done_on=m.done_on,
            done_at=m.done_at,
            rejected_on=m.rejected_on,
            rejected_at=m.rejected_at,
            due_by=m.due_by,
            overdue=is_overdue(m.due_by, today),
            stages_met=m.stages_met,
            stages_late=m.stages_late,
            evaluated_on=m.evaluated_on,
            confirmed_on=m.confirmed_on,
            confirmation=None if m.confirmation is None else Confirmation(m.confirmation),
            version=m.version,
            demand=secret(m.demand),
            enterprise=secret(m.enterprise),
            enterprise_uscc=secret(m.enterprise_uscc),
            contact=secret(m.contact),
            reason=secret(m.reason),
            summary=secret(m.summary),
        )


async def requests_visible(info: Info, station: str, region: str | None) -> bool:
    return may_see_station_requests(await info.context.access(), station, region)


@strawberry.type(description="A one-stop quality service station (一站式质量服务站).")
class ServiceStation:
    uscc: str
    name: str
    region: str
    completion_days: int | None = strawberry.field(
        description="Its committed working days from start to end of a service (§7.2 服务"
        "承诺制); null: the registry's assumed default applies."
    )
    version: int
    model: strawberry.Private[sm.ServiceStation]

    @classmethod
    def of(cls, m: sm.ServiceStation) -> ServiceStation:
        return cls(
            uscc=m.uscc,
            name=m.name,
            region=m.region,
            completion_days=m.completion_days,
            version=m.version,
            model=m,
        )

    @strawberry.field(description="The service items it offers and where it routes them.")
    async def services(self, info: Info) -> list[StationService]:
        found = []
        for category in self.model.services:
            usccs = list(self.model.providers_of(category))
            names = await info.context.loaders.institution.load_many(usccs)
            found.append(
                StationService(
                    category=ServiceCategory(category),
                    providers=[
                        StationProvider(uscc=u, name=None if i is None else i.name)
                        for u, i in zip(usccs, names, strict=True)
                    ],
                )
            )
        return found

    @strawberry.field(description="Its staff roles (§9.2); names for oversight only.")
    async def staff(self, info: Info) -> list[StationStaff]:
        named = may_see_confidential(await info.context.access(), self.region)
        return [
            StationStaff(role=StationRole(role), name=(name or None) if named else None)
            for role, name in zip(self.model.staff_roles, self.model.staff_names, strict=True)
        ]

    @strawberry.field(description="Time-limit compliance and satisfaction over `days` up to asOf.")
    async def performance(
        self, info: Info, days: int = 365, as_of: dt.date | None = None
    ) -> StationPerformance:
        if not 1 <= days <= 1096:
            raise PublicError("INVALID_VALUE", "days is 1 to 1096")
        day = moment_of(info, as_of).day
        found = await station_performance(info.context.store, [self.uscc], day, days=days)
        return StationPerformance.of(found[self.uscc])

    @strawberry.field(
        description="Its requests, newest first: the station's own staff, its regulator and "
        "administrators only (null with a NOT_AUTHORIZED error otherwise, for this station "
        "alone in a list)."
    )
    async def requests(self, info: Info, first: int = 20) -> list[ServiceRequest] | None:
        if not await requests_visible(info, self.uscc, self.region):
            raise PublicError(
                "NOT_AUTHORIZED", "a station's requests are its own and its regulator's"
            )
        limit = page_size(first, maximum=MAX_REQUESTS)
        found = await info.context.store.get_station_requests(self.uscc, limit=limit)
        today = moment_of(info).day
        return [ServiceRequest.of(r, today=today, confidential=True) for r in found]


@strawberry.type(description="Why a benchmark stands out: evidence read when asked.")
class BenchmarkEvidence:
    stars: int | None = strawberry.field(
        description="Best valid service certificate's star grade today (null: none)."
    )
    cpsq: float | None = strawberry.field(
        description="Customer-perceived service quality index of that certificate's "
        "assessment (among certificates of equal stars, an assessed one is taken); null when "
        "it has none."
    )
    satisfaction: float | None = strawberry.field(
        description="Satisfaction index over the benchmark's year (null: no evaluation)."
    )


@strawberry.type(description="A service benchmark (服务标杆) a regulator designated.")
class Benchmark:
    id: str
    uscc: str
    name: str
    region: str
    category: ServiceCategory
    year: int
    criteria: str
    designated_on: dt.date
    model: strawberry.Private[sm.Benchmark]

    @classmethod
    def of(cls, m: sm.Benchmark) -> Benchmark:
        return cls(
            id=m.id,
            uscc=m.uscc,
            name=m.name,
            region=m.region,
            category=ServiceCategory(m.category),
            year=m.year,
            criteria=m.criteria,
            designated_on=m.designated_on,
            model=m,
        )

    @strawberry.field
    async def evidence(self, info: Info) -> BenchmarkEvidence:
        year = (dt.date(self.year, 1, 1), dt.date(self.year, 12, 31))
        found = await info.context.loaders.evaluations.load((self.uscc, *year))
        return BenchmarkEvidence(
            stars=self.model.stars,
            cpsq=self.model.cpsq,
            satisfaction=satisfaction_of(counted(found, info.context.today)),
        )
