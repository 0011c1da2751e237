"""The write operations: authorise, check references, convert, write one atomic batch.
The writes that feed credit (complaints, ratings, credit events, service evaluations) are
in ``registry.operations.credit_writes``; both share ``write_batch``.

The API, the seed loader and the CLI all write through these, so every writer obeys the same
rules. Records arrive validated (see ``refusals.validate_batch``). A write that changes the
inputs of credit scores recomputes them, in a second logged write after the batch (a failure
there leaves scores stale until ``registry credit recompute``, never the batch half-written).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from graph.errors import AlreadyApplied, Conflict, NotFound, StaleVersion
from graph.log_models import IdempotencyClaim, WriteGuard, WriteResult
from graph.port import GraphStore
from registry.auth import Principal
from registry.domain.certificates import status_timeline
from registry.domain.lifecycle import CERTIFICATE_TRANSITIONS
from registry.domain.vocabulary import InstitutionKind, Role
from registry.operations import convert
from registry.operations.credit import recompute_credit
from registry.operations.grantors import (
    refuse_new_grantors,
    refuse_non_grantors,
    refuse_others_grants,
    refuse_unless_kind,
)
from registry.operations.holder_names import refuse_other_holder_names, refuse_unregistered_names
from registry.operations.lifecycle_checks import (
    Replan,
    certificates_to_issue,
    refuse_broken_timelines,
    refuse_rewritten_grants,
    replanned,
)
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.sanctions import (
    refuse_granting_around_sanctions,
    refuse_lifting_sanctions,
)
from registry.operations.write_access import (
    accreditation_claims,
    authorize,
    authorize_rows,
    certificate_claims,
    institution_claims,
    organization_claims,
    refuse_linking_others,
    status_change_claims,
)
from registry.records import (
    AccreditationRecord,
    CertificateRecord,
    FieldProblem,
    InstitutionRecord,
    OrganizationRecord,
    Record,
    RegionRecord,
    StatusChangeRecord,
)
from registry.records.base import VersionedRecord

__all__ = [
    "authorize",
    "change_certificate_statuses",
    "issue_certificates",
    "rescore",
    "upsert_accreditations",
    "upsert_institutions",
    "upsert_organizations",
    "upsert_regions",
    "write_batch",
]

R = TypeVar("R", bound=Record)


async def _write(
    records: Sequence[R],
    write: Callable[[WriteGuard | None], Awaitable[WriteResult]],
    *,
    references: dict[str, tuple[str, Callable[[R], str | None]]],
    key: Callable[[R], str] | None = None,
    idempotency: IdempotencyClaim | None = None,
    implied: Mapping[str, int] | None = None,
    scored: Callable[[], Awaitable[None]] | None = None,
) -> WriteResult:
    """Run the store write, turning its refusals into problems that name the input fields.

    ``references`` maps each input field to the kind of entity it names and how to read it;
    ``key`` names each record's entity, for the expected versions the records carry. An
    idempotency key claimed before raises AlreadyApplied, for the caller to replay.
    ``implied`` are versions the write was checked against (not the caller's): when only
    those are stale, Replan says to read and check again. ``scored`` rescores what the
    written facts feed, after the write and also before its replay is answered: a batch
    that landed as the store went away lost its rescore, and the retry its error asked for
    was answered from the key without one, leaving scores stale until the next day.
    """
    given = {
        key(r): r.expected_version
        for r in records
        if key is not None and isinstance(r, VersionedRecord) and r.expected_version is not None
    }
    expected = {**(implied or {}), **given}
    guard = WriteGuard(expected, idempotency) if expected or idempotency else None
    try:
        result = await write(guard)
    except AlreadyApplied:
        if scored is not None:
            await scored()  # a no-op when the first try's rescore was stored
        raise
    except StaleVersion as exc:
        if not exc.stale.keys() & given.keys():
            raise Replan from exc
        problems = [
            FieldProblem(
                "STALE_VERSION",
                f"expected version {exc.stale[k][0]}, stored version is {exc.stale[k][1]}",
                f"input[{index}].expectedVersion",
                current_version=exc.stale[k][1],
            )
            for index, record in enumerate(records)
            if key is not None and (k := key(record)) in exc.stale
        ]
        raise Refusal(RefusalKind.CONFLICT, problems) from exc
    except NotFound as exc:
        missing = set(exc.keys)
        problems = [
            FieldProblem("NOT_FOUND", f"no {label} {value}", f"input[{index}].{field}")
            for index, record in enumerate(records)
            for field, (label, get) in references.items()
            if label == exc.label and (value := get(record)) is not None and value in missing
        ]
        raise Refusal(
            RefusalKind.NOT_FOUND, problems or [FieldProblem("NOT_FOUND", str(exc), "input")]
        ) from exc
    except Conflict as exc:
        raise Refusal(RefusalKind.CONFLICT, [FieldProblem("CONFLICT", str(exc), "input")]) from exc
    if scored is not None:
        await scored()
    return result


# The same, for the operations kept in their own modules (credit, stations, requests).
write_batch = _write


async def _require_regions(store: GraphStore, codes: Iterable[tuple[int, str, str]]) -> None:
    """Region codes must name regions of the tree (a well-formed code is not enough)."""
    wanted = list(codes)
    known = {region.code for region in await store.get_regions(sorted({c for _, _, c in wanted}))}
    problems = [
        FieldProblem(
            "UNKNOWN_REGION", f"{code} is not a region of the registry", f"input[{index}].{field}"
        )
        for index, field, code in wanted
        if code not in known
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def upsert_regions(
    store: GraphStore, principal: Principal, records: Sequence[RegionRecord]
) -> WriteResult:
    authorize(principal, "upsertRegions")
    return await _write(
        records,
        lambda guard: store.upsert_regions(
            [convert.region_model(r) for r in records], actor=principal.actor
        ),
        references={},
    )


async def upsert_institutions(
    store: GraphStore,
    principal: Principal,
    records: Sequence[InstitutionRecord],
    *,
    secret: bytes,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    # Read once: what each record changes (authorization) and whom it names (linking).
    stored = {i.uscc: i for i in await store.get_institutions([r.uscc for r in records])}
    claims = functools.partial(institution_claims, store, records, stored)
    await authorize_rows(store, principal, "upsertInstitutions", claims)
    refuse_new_grantors(principal, records, stored)
    await _require_regions(store, ((i, "region", r.region) for i, r in enumerate(records)))
    await _require_associations(store, records)
    if principal.role is not Role.ADMIN:
        await refuse_other_holder_names(store, records, list(stored))
    models = [convert.institution_model(r, secret=secret) for r in records]
    if principal.role not in (Role.ADMIN, Role.REGULATOR):
        await refuse_linking_others(store, models, stored)
    # A new institution is ranked (UNRATED until there is evidence); a changed kind may put it
    # in or out of supervision.
    return await _write(
        records,
        lambda guard: store.upsert_institutions(models, actor=principal.actor, guard=guard),
        key=lambda r: r.uscc,
        idempotency=idempotency,
        references={"group": ("Institution", lambda r: r.group)},
        scored=lambda: rescore(store, (r.uscc for r in records), today),
    )


async def _require_associations(store: GraphStore, records: Sequence[InstitutionRecord]) -> None:
    """Memberships name institutions (stored or in the batch) that are associations."""
    batch = {r.uscc: r.kinds for r in records}
    named = sorted({a for r in records for a in r.associations} - set(batch))
    kinds: dict[str, Sequence[InstitutionKind | str]] = dict(batch)
    for found in await store.get_institutions(named) if named else []:
        kinds[found.uscc] = found.kinds
    problems: list[FieldProblem] = []
    missing = False
    for index, record in enumerate(records):
        for position, association in enumerate(record.associations):
            field = f"input[{index}].associations[{position}]"
            if association not in kinds:
                missing = True
                problems.append(FieldProblem("NOT_FOUND", f"no Institution {association}", field))
            elif InstitutionKind.ASSOCIATION not in kinds[association]:
                problems.append(
                    FieldProblem("INVALID_VALUE", f"{association} is not an association", field)
                )
    if problems:
        kind = RefusalKind.NOT_FOUND if missing else RefusalKind.INVALID_INPUT
        raise Refusal(kind, problems)


async def upsert_organizations(
    store: GraphStore,
    principal: Principal,
    records: Sequence[OrganizationRecord],
    *,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    await authorize_rows(
        store,
        principal,
        "upsertOrganizations",
        functools.partial(organization_claims, store, records),
    )
    await _require_regions(store, ((i, "region", r.region) for i, r in enumerate(records)))
    if principal.role is not Role.ADMIN:  # ADMIN corrects a record as it finds it
        await refuse_unregistered_names(store, records)
    return await _write(
        records,
        lambda guard: store.upsert_organizations(
            [convert.organization_model(r) for r in records], actor=principal.actor, guard=guard
        ),
        key=lambda r: r.uscc,
        idempotency=idempotency,
        references={},
    )


async def upsert_accreditations(
    store: GraphStore,
    principal: Principal,
    records: Sequence[AccreditationRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    async def attempt() -> WriteResult:
        # The grants re-sent (whose they are, what they granted) and the holders' running
        # grants, read again on a replan, as for certificates: a check made before a
        # suspension landed let the grant be shortened or granted again after it.
        await authorize_rows(
            store,
            principal,
            "upsertAccreditations",
            functools.partial(accreditation_claims, store, records),
        )
        stored = {a.number: a for a in await store.get_accreditations([r.number for r in records])}
        await refuse_others_grants(store, principal, records, stored)
        refuse_rewritten_grants(principal.role, records, stored, today=today)
        read = await refuse_granting_around_sanctions(
            store, principal.role, records, stored, today=today
        )
        await refuse_non_grantors(store, records)
        return await _write(
            records,
            lambda guard: store.upsert_accreditations(
                [convert.accreditation_model(r) for r in records],
                actor=principal.actor,
                guard=guard,
            ),
            key=lambda r: r.number,
            idempotency=idempotency,
            implied={**read, **{n: a.version for n, a in stored.items()}},
            references={
                "body": ("Institution", lambda r: r.body),
                "holder": ("Institution", lambda r: r.holder),
            },
        )

    return await replanned(attempt)


# Who issues certificates: a certification body.
_ISSUERS = frozenset({InstitutionKind.CERTIFICATION_BODY})


async def rescore(store: GraphStore, usccs: Iterable[str], today: date) -> None:
    """The written facts are inputs of these institutions' credit scores."""
    await recompute_credit(store, sorted(set(usccs)), today)


async def issue_certificates(
    store: GraphStore,
    principal: Principal,
    records: Sequence[CertificateRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    async def attempt() -> WriteResult:
        # Whom each number was issued by (authorization) and its past (lifecycle), read
        # again on a replan: a re-send checked against a read a suspension then moved
        # shortened the suspended certificate all the same (twenty-fourth session's review).
        numbers = [r.number for r in records]
        stored = {c.number: c for c in await store.get_certificates(numbers)}
        claims = functools.partial(certificate_claims, store, records, stored)
        await authorize_rows(store, principal, "issueCertificates", claims)
        issuers = [r.issuer for r in records]
        await refuse_unless_kind(
            store, issuers, "issuer", _ISSUERS, "NOT_AN_ISSUER", "a certification body"
        )
        models, read = await certificates_to_issue(
            store, records, today=today, stored=stored, oversight=principal.role is Role.ADMIN
        )
        return await _write(
            records,
            lambda guard: store.issue_certificates(models, actor=principal.actor, guard=guard),
            key=lambda r: r.number,
            idempotency=idempotency,
            implied={**read, **{n: c.version for n, c in stored.items()}},
            references={
                "issuer": ("Institution", lambda r: r.issuer),
                "holder": ("Organization", lambda r: r.holder),
            },
            scored=lambda: rescore(
                store, [u for r in records for u in (r.issuer, r.holder)], today
            ),
        )

    return await replanned(attempt)


async def change_certificate_statuses(
    store: GraphStore,
    principal: Principal,
    records: Sequence[StatusChangeRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    parties: set[str] = set()

    async def attempt() -> WriteResult:
        numbers = [r.number for r in records]
        stored = {c.number: c for c in await store.get_certificates(numbers)}
        missing = [
            FieldProblem("NOT_FOUND", f"no certificate {r.number}", f"input[{i}].number")
            for i, r in enumerate(records)
            if r.number not in stored
        ]
        if missing:
            raise Refusal(RefusalKind.NOT_FOUND, missing)
        await authorize_rows(
            store,
            principal,
            "changeCertificateStatus",
            functools.partial(status_change_claims, records, stored),
        )
        parties.update(u for c in stored.values() for u in (c.issuer, c.holder))
        await refuse_lifting_sanctions(store, principal, records, stored, today=today)
        models = refuse_broken_timelines(
            numbers,
            {n: status_timeline(c) for n, c in stored.items()},
            [convert.status_change_model(r, today=today) for r in records],
            CERTIFICATE_TRANSITIONS,
            role=principal.role,
            today=today,
        )
        return await _write(
            records,
            lambda guard: store.change_certificate_statuses(
                models, actor=principal.actor, guard=guard
            ),
            key=lambda r: r.number,
            idempotency=idempotency,
            references={"number": ("Certificate", lambda r: r.number)},
            implied={n: c.version for n, c in stored.items()},
            scored=lambda: rescore(store, parties, today),
        )

    return await replanned(attempt)
