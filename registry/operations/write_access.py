"""Object-level authorization of writes: in whose name each row is written and which
regions it concerns, as written and as stored, held against the key's reach (the table in
``registry.domain.permissions``). Looking at what is stored as well stops a key from taking
over another party's record by writing its key.

A certificate's region is its holder's, as recorded on the certificate when it was issued
(``Certificate.region``): the region the change feed and the snapshots filter on. An
accreditation, a credit rating and a credit event concern their institution's region.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from graph.models import Certificate, Institution
from graph.port import GraphStore
from graph.station_models import ServiceRequest
from registry.auth import Principal, access_of
from registry.domain.permissions import (
    MUTATION_ROLES,
    WRITE_RULES,
    Reach,
    Refused,
    RowClaim,
    write_refusals,
)
from registry.domain.vocabulary import InstitutionStatus, Role
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import (
    AccreditationRecord,
    CertificateRecord,
    CreditEventRecord,
    CreditRatingRecord,
    FieldProblem,
    InstitutionRecord,
    OrganizationRecord,
    ServiceAssessmentRecord,
    ServiceEvaluationRecord,
    StatusChangeRecord,
)
from registry.records.stations import StationRecord

__all__ = [
    "accreditation_claims",
    "authorize",
    "authorize_rows",
    "certificate_claims",
    "credit_event_claims",
    "holder_claim",
    "institution_claims",
    "organization_claims",
    "rating_claims",
    "refuse_linking_others",
    "region_claim",
    "request_claims",
    "service_assessment_claims",
    "service_evaluation_claims",
    "station_claims",
    "status_change_claims",
]

Claims = Callable[[], Awaitable[Sequence[RowClaim]]]


def authorize(principal: Principal, mutation: str) -> None:
    """Function-level authorization: the role must be allowed to call ``mutation`` (writes
    that are no mutation, such as regions and complaints, are ADMIN's)."""
    allowed = MUTATION_ROLES.get(mutation, frozenset({Role.ADMIN}))
    if principal.role not in allowed:
        raise Refusal(
            RefusalKind.NOT_AUTHORIZED,
            [
                FieldProblem(
                    "NOT_AUTHORIZED",
                    f"role {principal.role.value} may not call {mutation}",
                    "input",
                )
            ],
        )


async def authorize_rows(
    store: GraphStore, principal: Principal, mutation: str, claims: Claims
) -> None:
    """Refuse the batch (NOT_AUTHORIZED, one problem per offending field) unless the role
    may call ``mutation`` and every row is within the key's reach. Rows are looked at only
    for keys whose reach is bounded."""
    authorize(principal, mutation)
    if WRITE_RULES.get(mutation, {}).get(principal.role) is Reach.EVERYTHING:
        return
    access = await access_of(store, principal)
    refused = write_refusals(access, mutation, await claims())
    if refused:
        raise Refusal(
            RefusalKind.NOT_AUTHORIZED,
            [FieldProblem("NOT_AUTHORIZED", r.message, r.field) for r in refused],
        )


def _known(*parties: str | None) -> tuple[str, ...]:
    return tuple(p for p in parties if p is not None)


def _concerned(written: str | None, old: object, stored: str | None) -> tuple[str | None, ...]:
    """The regions a row concerns: the one it names (left out when what it names does not
    exist: the write refuses that NOT_FOUND) and, when the record exists (``old``), its
    stored one, kept even when unknown (None), which no region set covers."""
    return (*_known(written), *(() if old is None else (stored,)))


async def _institution_regions(store: GraphStore, usccs: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(usccs))
    return {i.uscc: i.region for i in await store.get_institutions(wanted)} if wanted else {}


async def _stored_docs(
    store: GraphStore, entity: str, keys: Iterable[str]
) -> dict[str, Mapping[str, object]]:
    """The stored documents (as exported) of the named entities, with ``region`` set to the
    region a scope is checked against."""
    found = await store.export_docs(entity, sorted(set(keys)))
    return {d.key: {**d.doc, "scopeRegion": d.region} for d in found}


def _text(doc: Mapping[str, object] | None, name: str) -> str | None:
    value = None if doc is None else doc.get(name)
    return None if value is None else str(value)


async def institution_claims(
    store: GraphStore, records: Sequence[InstitutionRecord], stored: Mapping[str, Institution]
) -> list[RowClaim]:
    """An institution record is written in the institution's own name; moving it between
    regions concerns both; changing its status, its kinds, its memberships or its region is
    its regulator's call. Kinds decide what it may grant (a partner that made its
    certification body an accreditation body could then grant). Memberships are two-sided:
    an institution that left its association before a bad grade would stop the association
    rating it, and one that claimed a group would borrow its name and keep that group's
    inspectors away. Its region decides who supervises it: moved to another province by
    itself, it would be out of its regulator's reach, and its complaints with it.
    ``stored``: the institutions already written, by USCC. A holder becoming an institution
    concerns its holder record's region too: a Jiangsu regulator registered a Dalian holder
    as a Jiangsu institution, and Liaoning's regulator could no longer reach it."""
    new = [r.uscc for r in records if r.uscc not in stored]
    holders = {o.uscc: o.region for o in await store.get_organizations(new)} if new else {}
    claims = []
    for index, r in enumerate(records):
        old = stored.get(r.uscc)
        held = holders.get(r.uscc)
        regulated = tuple(
            Refused(f"input[{index}].{name}", f"an institution's {name}: its regulator's call")
            for name in _regulated_changes(r, old)
        )
        claims.append(
            RowClaim(
                party_field=f"input[{index}].uscc",
                all_of=(r.uscc,),
                region_field=f"input[{index}].region",
                regions=_concerned(r.region, old or held, held if old is None else old.region),
                regulated=regulated,
            )
        )
    return claims


_REGULATED = ("status", "kinds", "group", "associations", "region")


def _regulated_changes(record: InstitutionRecord, old: Institution | None) -> list[str]:
    """The fields of ``_REGULATED`` that ``record`` changes (for a new institution, all
    but the status it starts with)."""
    now = _regulated(record.status, record.kinds, record.group, record.associations, record.region)
    if old is None:
        before = _regulated(InstitutionStatus.ACTIVE.value, (), None, (), None)
    else:
        before = _regulated(old.status, old.kinds, old.group, old.associations, old.region)
    return [name for name, a, b in zip(_REGULATED, now, before, strict=True) if a != b]


def _regulated(
    status: str,
    kinds: Iterable[object],
    group: str | None,
    associations: Iterable[str],
    region: str | None,
) -> tuple[object, ...]:
    """The values of ``_REGULATED``, in its order, as compared (lists as sets)."""
    return (status, frozenset(map(str, kinds)), group, frozenset(associations), region)


async def organization_claims(
    store: GraphStore, records: Sequence[OrganizationRecord]
) -> list[RowClaim]:
    """A new holder may be registered by any body about to certify it; an existing one is
    the business of itself and of the body that certified it, while only one has. Any body
    may issue a certificate to any holder, so "a body that certified it" would let a body
    rename another body's client after issuing it a throwaway certificate. An existing
    holder's region is its regulator's call, as an institution's is: it decides who
    supervises the holder's certificates, so its certifier moving it would take them out of
    their regulator's reach. An institution's first holder record concerns its institution's
    region too: a Jiangsu regulator gave a Shenyang lab one in Jiangsu, and then confirmed
    the stars a body gave it there."""
    usccs = [r.uscc for r in records]
    stored = {o.uscc: o.region for o in await store.get_organizations(usccs)}
    # An institution holding certificates is a holder too, under its institution's region.
    settled = {i.uscc: i.region for i in await store.get_institutions(usccs)} | stored
    issuers = await store.get_issuers_of_holders(sorted(stored))
    return [
        RowClaim(
            party_field=f"input[{index}].uscc",
            any_of=None if r.uscc not in stored else (r.uscc, *_sole(issuers.get(r.uscc, ()))),
            region_field=f"input[{index}].region",
            regions=_concerned(r.region, r.uscc in settled or None, settled.get(r.uscc)),
            regulated=(
                (Refused(f"input[{index}].region", "a holder's region: its regulator's call"),)
                if r.uscc in settled and settled[r.uscc] != r.region
                else ()
            ),
        )
        for index, r in enumerate(records)
    ]


def _sole(certifiers: Iterable[str]) -> tuple[str, ...]:
    """The one body that certified a holder; none when two or more have."""
    found = tuple(sorted(set(certifiers)))
    return found if len(found) == 1 else ()


async def accreditation_claims(
    store: GraphStore, records: Sequence[AccreditationRecord]
) -> list[RowClaim]:
    """An accreditation is written in the name of the body that grants it, and concerns
    its holder's region."""
    stored = await _stored_docs(store, "Accreditation", (r.number for r in records))
    regions = await _institution_regions(store, (r.holder for r in records))
    return [
        RowClaim(
            party_field=f"input[{index}].body",
            all_of=_known(r.body, _text(old, "body")),
            region_field=f"input[{index}].holder",
            regions=_concerned(regions.get(r.holder), old, _text(old, "scopeRegion")),
        )
        for index, r in enumerate(records)
        for old in [stored.get(r.number)]
    ]


async def certificate_claims(
    store: GraphStore, records: Sequence[CertificateRecord], stored: Mapping[str, Certificate]
) -> list[RowClaim]:
    """A certificate is issued in its issuer's name and concerns its holder's region
    (``stored``: the certificates of those numbers already written, by number)."""
    holders = {o.uscc: o.region for o in await store.get_organizations([r.holder for r in records])}
    return [
        RowClaim(
            party_field=f"input[{index}].issuer",
            all_of=_known(r.issuer, None if old is None else old.issuer),
            region_field=f"input[{index}].holder",
            regions=_concerned(holders.get(r.holder), old, None if old is None else old.region),
        )
        for index, r in enumerate(records)
        for old in [stored.get(r.number)]
    ]


async def status_change_claims(
    records: Sequence[StatusChangeRecord], stored: Mapping[str, Certificate]
) -> list[RowClaim]:
    """A status change is made in the issuer's name, about the certificate's region."""
    return [
        RowClaim(
            party_field=f"input[{index}].number",
            all_of=(stored[r.number].issuer,),
            region_field=f"input[{index}].number",
            regions=(stored[r.number].region,),
        )
        for index, r in enumerate(records)
    ]


async def rating_claims(store: GraphStore, records: Sequence[CreditRatingRecord]) -> list[RowClaim]:
    """A rating is published in its association's name, about its institution's region."""
    stored = await _stored_docs(store, "CreditRating", (r.id for r in records))
    regions = await _institution_regions(store, (r.institution for r in records))
    return [
        RowClaim(
            party_field=f"input[{index}].association",
            all_of=_known(r.association, _text(old, "association")),
            region_field=f"input[{index}].institution",
            regions=_concerned(regions.get(r.institution), old, _text(old, "scopeRegion")),
        )
        for index, r in enumerate(records)
        for old in [stored.get(r.id)]
    ]


async def credit_event_claims(
    store: GraphStore, records: Sequence[CreditEventRecord]
) -> list[RowClaim]:
    """A credit-file record concerns its institution's region (as it was and will be)."""
    stored = await _stored_docs(store, "CreditEvent", (r.id for r in records))
    regions = await _institution_regions(store, (r.institution for r in records))
    return [
        RowClaim(
            party_field=f"input[{index}].institution",
            region_field=f"input[{index}].institution",
            regions=_concerned(regions.get(r.institution), old, _text(old, "scopeRegion")),
        )
        for index, r in enumerate(records)
        for old in [stored.get(r.id)]
    ]


async def service_evaluation_claims(
    store: GraphStore, records: Sequence[ServiceEvaluationRecord]
) -> list[RowClaim]:
    """An evaluation is recorded in the recorder's own name (the store keeps it theirs)
    and concerns the evaluated institution's region."""
    regions = await _institution_regions(store, (r.institution for r in records))
    return [
        RowClaim(
            party_field=f"input[{index}].institution",
            region_field=f"input[{index}].institution",
            regions=_known(regions.get(r.institution)),
        )
        for index, r in enumerate(records)
    ]


async def service_assessment_claims(
    records: Sequence[ServiceAssessmentRecord], stored: Mapping[str, Certificate]
) -> list[RowClaim]:
    """An assessment is recorded in the name of the certificate's issuer, who made it,
    about the certificate's region."""
    return [
        RowClaim(
            party_field=f"input[{index}].certificate",
            all_of=(stored[r.certificate].issuer,),
            region_field=f"input[{index}].certificate",
            regions=(stored[r.certificate].region,),
        )
        for index, r in enumerate(records)
    ]


async def holder_claim(store: GraphStore, certificate: Certificate) -> list[RowClaim]:
    """A decision about a certificate's holder: its region as the certificate has it and,
    when the holder is an institution, the institution's own (records written before holder
    records were tied to it may differ)."""
    found = await _institution_regions(store, [certificate.holder])
    regions = tuple(dict.fromkeys((certificate.region, *_known(found.get(certificate.holder)))))
    field = "input.certificate"
    return [RowClaim(party_field=field, region_field=field, regions=regions)]


async def region_claim(field: str, region: str) -> list[RowClaim]:
    """A write about a whole region (a supervision plan)."""
    return [RowClaim(party_field=field, region_field=field, regions=(region,))]


async def station_claims(store: GraphStore, records: Sequence[StationRecord]) -> list[RowClaim]:
    """A station's catalogue is written in its own name and concerns its region."""
    regions = await _institution_regions(store, (r.uscc for r in records))
    return [
        RowClaim(
            party_field=f"input[{index}].uscc",
            all_of=(r.uscc,),
            region_field=f"input[{index}].uscc",
            regions=_known(regions.get(r.uscc)),
        )
        for index, r in enumerate(records)
    ]


async def request_claims(field: str, request: ServiceRequest) -> list[RowClaim]:
    """A step of a service request is the station's own, about the station's region."""
    return [
        RowClaim(
            party_field=field,
            all_of=(request.station,),
            region_field=field,
            regions=(request.region or None,),
        )
    ]


def _person_of(institution: Institution | None) -> str | None:
    person = None if institution is None else institution.legal_representative
    return None if person is None else person.key


async def refuse_linking_others(
    store: GraphStore, models: Sequence[Institution], stored: Mapping[str, Institution]
) -> None:
    """A person who represents another institution is linked to one more by its regulator:
    linked by the institution itself, anyone knowing an ID number could join another body's
    representative to its own (a shared person is what regulators look for), and learn from
    the answer whether a name goes with that ID number."""
    named = {  # the persons newly named (an institution keeps the one it has)
        m.legal_representative.key: i
        for i, m in enumerate(models)
        if m.legal_representative and m.legal_representative.key != _person_of(stored.get(m.uscc))
    }
    if not named:
        return
    batch = {m.uscc for m in models}
    represented = await store.get_represented(sorted(named))
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            "this person represents another institution: their regulator links them to one more",
            f"input[{named[key]}].legalRepresentative",
        )
        for key, usccs in sorted(represented.items(), key=lambda kv: named[kv[0]])
        if set(usccs) - batch
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)
