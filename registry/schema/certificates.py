"""Certificates, their status history, and certificate listings."""

from __future__ import annotations

from datetime import date

import strawberry

from graph import models
from registry.context import Context
from registry.domain.certificates import certificate_standing, effective_status, status_timeline
from registry.domain.lifecycle import suspension_overdue
from registry.domain.permissions import listing
from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.schema.errors import PublicError
from registry.schema.institutions import Institution, Organization, load_institution
from registry.schema.pagination import Connection, decode_cursor, page_size
from registry.schema.service_assessment import ServiceAssessment
from registry.schema.timelines import (
    Moment,
    SeesOverdueSuspensions,
    StepFields,
    SuspensionOverdue,
    moment_of,
    steps_as_known,
)

__all__ = ["Certificate", "StatusChange", "certificate_connection"]

Info = strawberry.Info[Context, None]


@strawberry.type(description="One step of a certificate's status history.")
class StatusChange(StepFields):
    status: CertificateStatus

    @classmethod
    def of(cls, step: models.StatusChange, *, today: date, region: str | None) -> StatusChange:
        return cls(
            status=CertificateStatus(step.status),
            reason=step.reason,
            effective_on=step.effective_on,
            recorded_at=step.recorded_at,
            scheduled=step.effective_on > today,
            actor_name=step.actor,
            record_region=region,
            record_entity="Certificate",
        )


@strawberry.type(description="A certificate issued by a certification body to a holder.")
class Certificate:
    number: str
    family: CertificateFamily
    standard: str
    scope: str
    stars: int | None
    issued_on: date
    expires_on: date
    status: CertificateStatus = strawberry.field(
        description="The status on the day asked for (asOf, default today): the step in force "
        "then, EXPIRED once expiresOn has passed."
    )
    status_reason: str | None
    status_since: date | None
    version: int
    scope_exception: str | None = strawberry.field(
        description="Why it was accepted outside its issuer's accredited scope on the issue "
        "date (a historical import), or null."
    )
    model: strawberry.Private[models.Certificate]
    moment: strawberry.Private[Moment]

    @classmethod
    def of(cls, m: models.Certificate, moment: Moment) -> Certificate:
        standing = certificate_standing(m, moment.day, known_at=moment.known_at)
        return cls(
            number=m.number,
            family=CertificateFamily(m.family),
            standard=m.standard,
            scope=m.scope,
            stars=m.stars,
            issued_on=m.issued_on,
            expires_on=m.expires_on,
            status=standing.status
            if standing
            else effective_status(m.status, m.expires_on, today=moment.day),
            status_reason=standing.reason if standing else m.status_reason,
            status_since=standing.since if standing else m.status_since,
            version=m.version,
            scope_exception=m.scope_exception,
            model=m,
            moment=moment,
        )

    @strawberry.field
    async def issuer(self, info: Info) -> Institution | None:
        return await load_institution(info, self.model.issuer, self.moment)

    @strawberry.field
    async def holder(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.model.holder)
        return None if found is None else Organization.of(found)

    @strawberry.field(
        description="Status steps in the order they take effect (effective date, then "
        "recording order), scheduled ones included and marked; with knownAt, those known then."
    )
    def history(self) -> list[StatusChange]:
        steps = steps_as_known(status_timeline(self.model), self.moment)
        today, region = self.moment.today, self.model.region
        return [StatusChange.of(s, today=today, region=region) for s in steps]

    @strawberry.field(
        description="How a service certificate's stars were earned, when its issuer recorded "
        "it (public: totals, stars, CPSQ and evidence name no person)."
    )
    async def service_assessment(self, info: Info) -> ServiceAssessment | None:
        found = await info.context.loaders.service_assessment.load(self.number)
        return None if found is None else ServiceAssessment.of(found)

    @strawberry.field(
        permission_classes=[SeesOverdueSuspensions],
        description="A suspension in force past its family's limit (regulators only).",
    )
    def suspension_overdue(self) -> SuspensionOverdue | None:
        steps = steps_as_known(status_timeline(self.model), self.moment)  # knownAt too
        since = suspension_overdue(self.model.family, steps, today=self.moment.day)
        m = self.model
        return None if since is None else SuspensionOverdue.of(m.family, since)


async def certificate_connection(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    holder: str | None = None,
    issuer: str | None = None,
    status: str | None = None,
    standard: str | None = None,
    family: str | None = None,
    region: str | None = None,
    moment: Moment | None = None,
) -> Connection[Certificate]:
    """A page of certificates, within what the caller's key may list: the public looks
    certificates up one at a time (which keeps the registry from being harvested), a
    certification body lists its own, a partner its scope (``registry.domain.permissions``).
    ``moment``: the day (and knowledge) of the object listing them, else the request's; on
    a past day only those issued by then, with their status then."""
    context = info.context
    scope = listing(await context.access(), "Certificate", region=region, issuer=issuer)
    if scope.refusal is not None:
        raise PublicError(*scope.refusal)
    limit = page_size(first, maximum=context.settings.max_page_size)
    moment = moment or moment_of(info)
    query = models.CertificateQuery(
        today=moment.day,
        issued_by=None if moment.day >= context.today else moment.day,
        holder=holder,
        issuer=scope.issuer or issuer,
        status=status,
        standard=standard,
        family=family,
        region=region,
        within=None if scope.within is None else tuple(sorted(scope.within)),
    )
    found = await context.store.list_certificates(
        query, after=decode_cursor(after), limit=limit + 1
    )
    for certificate in found[:limit]:
        context.loaders.certificate.prime(certificate.number, certificate)
    return Connection.of(
        found,
        limit=limit,
        key=lambda c: c.number,
        node=lambda c: Certificate.of(c, moment),
        counter=lambda: context.store.count_certificates(query),
    )
