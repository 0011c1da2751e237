"""Certificates, their status history, and certificate listings."""

from __future__ import annotations

from datetime import date

import strawberry

from graph import models
from registry.context import Context
from registry.domain.certificates import effective_status
from registry.domain.permissions import covers, listing, may_see_status_actor
from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.schema.errors import PublicError
from registry.schema.institutions import Institution, Organization, load_institution
from registry.schema.pagination import Connection, decode_cursor, page_size

__all__ = ["Certificate", "StatusChange", "certificate_connection"]

Info = strawberry.Info[Context, None]


@strawberry.type(description="One step of a certificate's status history.")
class StatusChange:
    status: CertificateStatus
    reason: str | None
    effective_on: date = strawberry.field(description="When the change took effect.")
    recorded_at: str = strawberry.field(description="When the registry learned of it (UTC).")
    actor_name: strawberry.Private[str]
    certificate_region: strawberry.Private[str | None]

    @strawberry.field(
        description="Which credential recorded it (oversight and partners, within their "
        "jurisdiction or scope)."
    )
    async def actor(self, info: Info) -> str | None:
        if not may_see_status_actor(info.context.principal.role):
            return None
        access = await info.context.access()
        return self.actor_name if covers(access, self.certificate_region, "Certificate") else None


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
        description="Today's status: EXPIRED once expiresOn has passed."
    )
    status_reason: str | None
    status_since: date | None
    version: int
    model: strawberry.Private[models.Certificate]

    @classmethod
    def of(cls, m: models.Certificate, *, today: date) -> Certificate:
        return cls(
            number=m.number,
            family=CertificateFamily(m.family),
            standard=m.standard,
            scope=m.scope,
            stars=m.stars,
            issued_on=m.issued_on,
            expires_on=m.expires_on,
            status=effective_status(m.status, m.expires_on, today=today),
            status_reason=m.status_reason,
            status_since=m.status_since,
            version=m.version,
            model=m,
        )

    @strawberry.field
    async def issuer(self, info: Info) -> Institution | None:
        return await load_institution(info, self.model.issuer)

    @strawberry.field
    async def holder(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.model.holder)
        return None if found is None else Organization.of(found)

    @strawberry.field(description="Status changes, oldest first.")
    async def history(self, info: Info) -> list[StatusChange]:
        return [
            StatusChange(
                status=CertificateStatus(s.status),
                reason=s.reason,
                effective_on=s.effective_on,
                recorded_at=s.recorded_at,
                actor_name=s.actor,
                certificate_region=self.model.region,
            )
            for s in await info.context.loaders.history.load(self.number)
        ]


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
) -> Connection[Certificate]:
    """A page of certificates, within what the caller's key may list: the public looks
    certificates up one at a time (which keeps the registry from being harvested), a
    certification body lists its own, a partner its scope (``registry.domain.permissions``)."""
    context = info.context
    scope = listing(await context.access(), "Certificate", region=region, issuer=issuer)
    if scope.refusal is not None:
        raise PublicError(*scope.refusal)
    limit = page_size(first, maximum=context.settings.max_page_size)
    query = models.CertificateQuery(
        today=context.today,
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
        node=lambda c: Certificate.of(c, today=context.today),
        counter=lambda: context.store.count_certificates(query),
    )
