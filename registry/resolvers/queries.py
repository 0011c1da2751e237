"""Query resolvers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

import strawberry
from pydantic import ValidationError

from graph import models
from registry.context import Context
from registry.domain.certificates import certificate_standing
from registry.domain.permissions import listing
from registry.records import Record, problems_from
from registry.records.base import CertificateNumber, RegionCode, Uscc
from registry.records.filters import CertificateFilterRecord, InstitutionFilterRecord
from registry.records.institutions import AccreditationNumber
from registry.schema.certificates import Certificate, certificate_connection
from registry.schema.errors import PublicError
from registry.schema.inputs import CertificateFilter, InstitutionFilter
from registry.schema.institutions import Accreditation, Institution, Organization
from registry.schema.pagination import Connection, decode_cursor, page_size
from registry.schema.regions import Region, load_region
from registry.schema.timelines import moment_of

__all__ = [
    "accreditation",
    "certificate",
    "certificates",
    "institution",
    "institutions",
    "organization",
    "region",
    "region_code_checked",
]

Info = strawberry.Info[Context, None]
R = TypeVar("R", bound=Record)


class _Key(Record):
    uscc: Uscc | None = None
    number: CertificateNumber | None = None
    code: RegionCode | None = None
    accreditation: AccreditationNumber | None = None


def _checked(model: type[R], values: dict[str, object], prefix: str) -> R:
    """Validate lookup arguments; a malformed key is a clear error, not an empty answer."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problem = problems_from(exc, prefix=prefix)[0]
        raise PublicError(problem.code, f"{problem.field}: {problem.message}") from exc


def region_code_checked(code: str) -> None:
    """A malformed region code is a clear error, not an empty answer."""
    _checked(_Key, {"code": code}, "")


AsOf = strawberry.argument(
    description="Answer as the record stood on this day (default today), as known now."
)
KnownAt = strawberry.argument(
    description="Answer the record's status as the registry knew it at this moment (with a "
    "time zone): status steps recorded later are left out (status, statusSince, history). "
    "Everything else (its version and fields, credit, supervisionClass, credit records) is "
    "as recorded now."
)


async def institution(
    info: Info,
    uscc: str,
    as_of: Annotated[date | None, AsOf] = None,
    known_at: Annotated[datetime | None, KnownAt] = None,
) -> Institution | None:
    key = _checked(_Key, {"uscc": uscc}, "").uscc
    found = None if key is None else await info.context.loaders.institution.load(key)
    return None if found is None else Institution.of(found, moment_of(info, as_of, known_at))


async def accreditation(
    info: Info,
    number: str,
    as_of: Annotated[date | None, AsOf] = None,
    known_at: Annotated[datetime | None, KnownAt] = None,
) -> Accreditation | None:
    """Null when there is no such accreditation, or it was not granted yet on ``asOf``."""
    key = _checked(_Key, {"accreditation": number}, "").accreditation
    found = [] if key is None else await info.context.store.get_accreditations([key])
    moment = moment_of(info, as_of, known_at)
    if not found or moment.day < found[0].valid_from:  # not granted yet, as a certificate
        return None
    return Accreditation.of(found[0], moment)


async def institutions(
    info: Info,
    filter: InstitutionFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[Institution]:
    context = info.context
    limit = page_size(first, maximum=context.settings.max_page_size)
    given = _checked(InstitutionFilterRecord, strawberry.asdict(filter) if filter else {}, "filter")
    scope = listing(await context.access(), "Institution", region=given.region)
    if scope.refusal is not None:
        raise PublicError(*scope.refusal)
    query = models.InstitutionQuery(
        region=given.region,
        kind=given.kind.value if given.kind else None,
        name_contains=given.name_contains,
        accreditation_scheme=given.accreditation_scheme.value
        if given.accreditation_scheme
        else None,
        group=given.group,
        today=context.today,
        within=None if scope.within is None else tuple(sorted(scope.within)),
    )
    moment = moment_of(info)
    found = await context.store.list_institutions(
        query, after=decode_cursor(after), limit=limit + 1
    )
    for item in found[:limit]:
        context.loaders.institution.prime(item.uscc, item)
    return Connection.of(
        found,
        limit=limit,
        key=lambda i: i.uscc,
        node=lambda i: Institution.of(i, moment),
        counter=lambda: context.store.count_institutions(query),
    )


async def organization(info: Info, uscc: str) -> Organization | None:
    key = _checked(_Key, {"uscc": uscc}, "").uscc
    found = None if key is None else await info.context.loaders.organization.load(key)
    return None if found is None else Organization.of(found)


async def certificate(
    info: Info,
    number: str,
    as_of: Annotated[date | None, AsOf] = None,
    known_at: Annotated[datetime | None, KnownAt] = None,
) -> Certificate | None:
    """Null when there is no such certificate, or there was none on ``asOf`` (not issued
    yet) or at ``knownAt`` (not recorded yet)."""
    key = _checked(_Key, {"number": number}, "").number
    found = None if key is None else await info.context.loaders.certificate.load(key)
    moment = moment_of(info, as_of, known_at)
    if found is None or certificate_standing(found, moment.day, known_at=moment.known_at) is None:
        return None
    return Certificate.of(found, moment)


async def certificates(
    info: Info,
    filter: CertificateFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[Certificate]:
    given = _checked(CertificateFilterRecord, strawberry.asdict(filter) if filter else {}, "filter")
    return await certificate_connection(
        info,
        first=first,
        after=after,
        holder=given.holder,
        issuer=given.issuer,
        status=given.status.value if given.status else None,
        standard=given.standard,
        family=given.family.value if given.family else None,
        region=given.region,
    )


async def region(info: Info, code: str) -> Region | None:
    _checked(_Key, {"code": code}, "")
    return await load_region(info, code)
