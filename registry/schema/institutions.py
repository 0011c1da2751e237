"""Institutions, certificate holders and accreditations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph import models
from registry.context import Context
from registry.domain.accreditations import (
    accreditation_on,
    accreditation_timeline,
    institution_status_on,
    institution_timeline,
)
from registry.domain.disputes import DisputeStatus
from registry.domain.periods import period_bounds
from registry.domain.supervision import is_supervised
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    InstitutionKind,
    InstitutionStatus,
    Ownership,
)
from registry.schema.complaints import Complaint, ComplaintSummary
from registry.schema.credit import CreditEvent, CreditRating, visible_credit_events, withheld
from registry.schema.credit_assessment import CreditAssessment, SupervisionClassDecision
from registry.schema.disputes import DataQuality, Dispute, disputes_of, load_data_quality
from registry.schema.errors import (
    PublicError,
    SeesComplaints,
    SeesPersonalData,
    SeesServiceEvaluations,
)
from registry.schema.network import Network, NetworkRelation, SeesNetworks, institution_network
from registry.schema.pagination import Connection, page_size
from registry.schema.regions import Region, load_region
from registry.schema.service_evaluation import SatisfactionIndex, ServiceEvaluation
from registry.schema.timelines import Moment, StepFields, moment_of, steps_as_known

if TYPE_CHECKING:
    from registry.schema.certificates import Certificate

__all__ = [
    "Accreditation",
    "AccreditationStatusChange",
    "Institution",
    "InstitutionStatusChange",
    "Organization",
    "load_institution",
]

Info = strawberry.Info[Context, None]
CertificateRef = Annotated["Certificate", strawberry.lazy("registry.schema.certificates")]
MAX_MEMBERS = 1_000  # a page of a group's members; a longer group is paged by institutions


async def _evaluations_in(
    info: Info, uscc: str, period: str, day: date
) -> tuple[tuple[date, date], list[models.ServiceEvaluation]]:
    """The evaluations of ``period`` dated by ``day`` (asOf): later ones did not exist yet."""
    try:
        bounds = period_bounds(period)
    except ValueError as exc:
        raise PublicError("INVALID_PERIOD", str(exc)) from exc
    found = await info.context.loaders.evaluations.load((uscc, *bounds))
    return bounds, [v for v in found if v.date <= day]


@strawberry.type(description="One step of an institution's own status.")
class InstitutionStatusChange(StepFields):
    status: InstitutionStatus

    @classmethod
    def of(
        cls, step: models.StatusChange, *, today: date, region: str | None
    ) -> InstitutionStatusChange:
        return cls(
            status=InstitutionStatus(step.status),
            reason=step.reason,
            effective_on=step.effective_on,
            recorded_at=step.recorded_at,
            scheduled=step.effective_on > today,
            actor_name=step.actor,
            record_region=region,
            record_entity="Institution",
        )


@strawberry.type(description="A quality-infrastructure service provider (lab, body, station…).")
class Institution:
    uscc: str
    name: str
    kinds: list[InstitutionKind]
    address: str | None
    founded: date | None
    ownership: Ownership | None
    status: InstitutionStatus = strawberry.field(
        description="Its own status on the day asked for (asOf, default today)."
    )
    status_since: date | None
    version: int
    model: strawberry.Private[models.Institution]
    moment: strawberry.Private[Moment]

    @classmethod
    def of(cls, m: models.Institution, moment: Moment) -> Institution:
        status, step = institution_status_on(m, moment.day, known_at=moment.known_at)
        return cls(
            uscc=m.uscc,
            name=m.name,
            kinds=[InstitutionKind(k) for k in m.kinds],
            address=m.address,
            founded=m.founded,
            ownership=None if m.ownership is None else Ownership(m.ownership),
            status=status,
            status_since=None if step is None else step.effective_on,
            version=m.version,
            model=m,
            moment=moment,
        )

    @strawberry.field(
        description="Its own status steps in the order they take effect, scheduled ones "
        "marked; with knownAt, those known then."
    )
    def history(self) -> list[InstitutionStatusChange]:
        steps = steps_as_known(institution_timeline(self.model), self.moment)
        today, region = self.moment.today, self.model.region
        return [InstitutionStatusChange.of(s, today=today, region=region) for s in steps]

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        return await load_region(info, self.model.region)

    @strawberry.field(permission_classes=[SeesPersonalData])
    def legal_representative(self) -> str | None:
        person = self.model.legal_representative
        return None if person is None else person.name

    @strawberry.field(description="The group this institution is a member of.")
    async def group(self, info: Info) -> Institution | None:
        if self.model.group is None:
            return None
        return await load_institution(info, self.model.group, self.moment)

    @strawberry.field(description="The associations this institution is a member of.")
    async def associations(self, info: Info) -> list[Institution]:
        found = [
            await load_institution(info, uscc, self.moment) for uscc in self.model.associations
        ]
        return [i for i in found if i is not None]

    @strawberry.field(
        description="Member institutions, when this institution is a group: the first "
        f"(by USCC; at most {MAX_MEMBERS}). institutions(group: …) pages through them all."
    )
    async def members(self, info: Info, first: int = 100) -> list[Institution]:
        size = page_size(first, maximum=MAX_MEMBERS)
        found = await info.context.loaders.members.load(self.uscc)
        ordered = sorted(found, key=lambda m: m.uscc)[:size]
        return [Institution.of(m, self.moment) for m in ordered]

    @strawberry.field(
        description="Its accreditations as they stood on the day asked for (those granted by then)."
    )
    async def accreditations(self, info: Info) -> list[Accreditation]:
        found = await info.context.loaders.accreditations.load(self.uscc)
        day = self.moment.day
        granted = [a for a in found if a.valid_from <= day]
        return [Accreditation.of(a, self.moment) for a in sorted(granted, key=lambda a: a.number)]

    @strawberry.field(
        description="Certificates this body issued (credentialed callers only); on a past "
        "day (asOf), those issued by then, with their status then."
    )
    async def issued_certificates(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[CertificateRef]:
        from registry.schema.certificates import certificate_connection

        return await certificate_connection(
            info, first=first, after=after, issuer=self.uscc, moment=self.moment
        )

    @strawberry.field(
        description="Association ratings published by the day asked for (asOf, default today)."
    )
    async def credit_ratings(self, info: Info) -> list[CreditRating]:
        day = self.moment.day
        ratings = await info.context.loaders.credit_ratings.load(self.uscc)
        return [CreditRating.of(r) for r in ratings if r.published_on <= day]

    @strawberry.field(
        description="The rating that counts: the newest by publishedOn valid on the day asked "
        "for (asOf, default today)."
    )
    async def latest_credit_rating(self, info: Info) -> CreditRating | None:
        day = self.moment.day
        ratings = await info.context.loaders.credit_ratings.load(self.uscc)
        valid = [r for r in ratings if r.published_on <= day <= r.valid_until]
        if not valid:
            return None
        return CreditRating.of(max(valid, key=lambda r: (r.published_on, r.id)))

    @strawberry.field(
        description="The quality-credit file, newest first: on a past day (asOf), the records "
        "dated by then. The public sees a negative record only during its publicity period "
        "and until its credit repair, judged today (a record no longer public is not "
        "published again for a past day); regulators see all."
    )
    async def credit_events(self, info: Info) -> list[CreditEvent]:
        events = await info.context.loaders.credit_events.load(self.uscc)
        dated = [e for e in events if e.date <= self.moment.day]
        return await visible_credit_events(info, dated, region=self.model.region)

    @strawberry.field(
        description="Under classified supervision: a market institution (inspection and "
        "testing, certification, metrology, standardization, quality service station). "
        "Regulators, accreditation bodies, associations and groups are not: they have no "
        "credit score, class or rank."
    )
    def supervised(self) -> bool:
        return is_supervised(self.model.kinds)

    @strawberry.field(
        description="The explainable credit score: today, as stored when its inputs last "
        "changed or a new day moved it (computedOn says when); on a past day (asOf), "
        "computed from what was dated by then (ratings valid, records dated, complaints "
        "filed and certificates issued by that day; complaints' findings and certificates' "
        "withdrawals as recorded now); shown to anyone but oversight without the credit "
        "records the public no longer sees. Null for an institution that is not supervised."
    )
    async def credit(self, info: Info) -> CreditAssessment | None:
        day = self.moment.day
        held = await withheld(info, self.model.region, day)
        found = await info.context.loaders.credit.load((self.uscc, day, held))
        return None if found is None else CreditAssessment.of(found)

    @strawberry.field(
        description="Classified supervision: the class of the credit score unless a hard rule "
        "the registry's own records prove (serious-violation list, certificates issued without "
        "accreditation or outside its scope, an order not rectified by its deadline, an "
        "overdue substantiated complaint) forces D; null when not supervised. Judged on the "
        "day asked for (asOf, default today), with the credit score of that day."
    )
    async def supervision_class(self, info: Info) -> SupervisionClassDecision | None:
        day = self.moment.day
        held = await withheld(info, self.model.region, day)
        found = await info.context.loaders.supervision.load((self.uscc, day, held))
        return None if found is None else SupervisionClassDecision.of(found)

    @strawberry.field(
        permission_classes=[SeesComplaints],
        description="Complaints against it filed by the day asked for (asOf, default "
        "today), newest first, overdue judged on that day, as complaintSummary counts them.",
    )
    async def complaints(self, info: Info) -> list[Complaint] | None:
        found = await info.context.loaders.complaints.load(self.uscc)
        day = self.moment.day
        return [Complaint.of(c, today=day) for c in found if c.filed_on <= day]

    @strawberry.field(
        description="Complaints against it filed by the day asked for (asOf, default today), "
        "counted in all and per year of filing, overdue judged on that day: counts only, "
        "never the complaints. Their statuses are as they stand now."
    )
    async def complaint_summary(self, info: Info) -> ComplaintSummary:
        key = (self.uscc, self.moment.day)
        return ComplaintSummary.of(await info.context.loaders.complaint_summaries.load(key))

    @strawberry.field(
        description="Public: how well this issuer keeps its certificates' records, 0-100, and "
        "each factor behind it; null for an institution that has issued no certificate."
    )
    async def data_quality(self, info: Info) -> DataQuality | None:
        return await load_data_quality(info, self.uscc)

    @strawberry.field(
        description="Disputes about this institution's records that the caller may answer "
        "(its own key: those about its certificates or accreditations; a regulator: those "
        "in its regions); null for the public."
    )
    async def disputes(
        self, info: Info, status: DisputeStatus | None = None
    ) -> list[Dispute] | None:
        return await disputes_of(info, self.uscc, status)

    @strawberry.field(
        description="The satisfaction index over a period (2026, 2026-H2, 2026-Q3): Annex C "
        "forms blended with mystery-customer checks. The score reads the last 365 days."
    )
    async def satisfaction(self, info: Info, period: str) -> SatisfactionIndex:
        bounds, found = await _evaluations_in(info, self.uscc, period, self.moment.day)
        return SatisfactionIndex.of(period, bounds, found, self.moment.day)

    @strawberry.field(
        permission_classes=[SeesServiceEvaluations],
        description="The forms and visits behind the index over a period (regulators only: "
        "they name the enterprises that answered).",
    )
    async def service_evaluations(self, info: Info, period: str) -> list[ServiceEvaluation] | None:
        _, found = await _evaluations_in(info, self.uscc, period, self.moment.day)
        return [ServiceEvaluation.of(v) for v in found]

    @strawberry.field(
        permission_classes=[SeesNetworks],
        description="Linked institutions, persons, addresses and complaints (regulators only), "
        "as they stand now: the links are not dated, so asOf does not apply to them.",
    )
    async def network(
        self, info: Info, depth: int = 2, relations: list[NetworkRelation] | None = None
    ) -> Network | None:
        return await institution_network(info, self.uscc, depth=depth, relations=relations)


async def load_institution(
    info: Info, uscc: str, moment: Moment | None = None
) -> Institution | None:
    found = await info.context.loaders.institution.load(uscc)
    return None if found is None else Institution.of(found, moment or moment_of(info))


@strawberry.type(description="A certificate holder (an enterprise, or an institution).")
class Organization:
    uscc: str
    name: str
    version: int
    region_code: strawberry.Private[str]

    @classmethod
    def of(cls, m: models.Organization) -> Organization:
        return cls(uscc=m.uscc, name=m.name, version=m.version, region_code=m.region)

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        return await load_region(info, self.region_code)

    @strawberry.field(description="Certificates held (credentialed callers only).")
    async def certificates(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[CertificateRef]:
        from registry.schema.certificates import certificate_connection

        return await certificate_connection(info, first=first, after=after, holder=self.uscc)


@strawberry.type(description="One step of an accreditation's timeline: status and scope changes.")
class AccreditationStatusChange(StepFields):
    status: AccreditationStatus
    scope_added: list[str] = strawberry.field(description="Scope extended from effectiveOn.")
    scope_removed: list[str] = strawberry.field(description="Scope reduced from effectiveOn.")

    @classmethod
    def of(
        cls, step: models.StatusChange, *, today: date, region: str | None
    ) -> AccreditationStatusChange:
        return cls(
            status=AccreditationStatus(step.status),
            reason=step.reason,
            effective_on=step.effective_on,
            recorded_at=step.recorded_at,
            scheduled=step.effective_on > today,
            actor_name=step.actor,
            record_region=region,
            record_entity="Accreditation",
            scope_added=list(step.scope_added),
            scope_removed=list(step.scope_removed),
        )


@strawberry.type(description="A right to work in a scope, granted by an accreditation body.")
class Accreditation:
    number: str
    scheme: AccreditationScheme
    scope: list[str] = strawberry.field(
        description="The scope on the day asked for (asOf, default today): as granted, "
        "extended and reduced by the steps in force."
    )
    valid_from: date
    valid_until: date
    status: AccreditationStatus = strawberry.field(
        description="The status on the day asked for: the step in force, EXPIRED after validUntil."
    )
    status_since: date | None
    model: strawberry.Private[models.Accreditation]
    moment: strawberry.Private[Moment]

    @classmethod
    def of(cls, m: models.Accreditation, moment: Moment) -> Accreditation:
        on = accreditation_on(m, moment.day, known_at=moment.known_at)
        return cls(
            number=m.number,
            scheme=AccreditationScheme(m.scheme),
            scope=list(on.scope),
            valid_from=m.valid_from,
            valid_until=m.valid_until,
            status=on.status,
            status_since=on.since,
            model=m,
            moment=moment,
        )

    @strawberry.field(description="The accreditation body or regulator that granted it.")
    async def body(self, info: Info) -> Institution | None:
        return await load_institution(info, self.model.body, self.moment)

    @strawberry.field
    async def holder(self, info: Info) -> Institution | None:
        return await load_institution(info, self.model.holder, self.moment)

    @strawberry.field(
        description="Status and scope steps in the order they take effect, scheduled ones "
        "marked; with knownAt, those known then."
    )
    async def history(self, info: Info) -> list[AccreditationStatusChange]:
        holder = await info.context.loaders.institution.load(self.model.holder)
        region = None if holder is None else holder.region  # an accreditation's region
        steps = steps_as_known(accreditation_timeline(self.model), self.moment)
        today = self.moment.today
        return [AccreditationStatusChange.of(s, today=today, region=region) for s in steps]
