"""Status steps of accreditations and institutions: an accreditation body changes the
accreditations it granted (status and scope, each from its effective date); regulators
change an institution's own standing. Each step is checked against the timeline as it will
be, like a certificate's (``lifecycle_checks``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date

from graph.log_models import IdempotencyClaim, WriteResult
from graph.models import Accreditation, Institution, StatusChange
from graph.port import GraphStore
from registry.auth import Principal
from registry.domain.accreditations import (
    accreditation_timeline,
    institution_timeline,
    scope_on,
)
from registry.domain.lifecycle import ACCREDITATION_TRANSITIONS, INSTITUTION_TRANSITIONS
from registry.domain.permissions import RowClaim
from registry.domain.vocabulary import AccreditationStatus, InstitutionStatus, Role
from registry.operations import convert
from registry.operations.grantors import refuse_grantors_standing, refuse_others_steps
from registry.operations.lifecycle_checks import refuse_broken_timelines, replanned
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.sanctions import (
    REPORT_DAYS,
    refuse_lifting_wider_suspensions,
    reported_from,
)
from registry.operations.write_access import authorize, authorize_rows
from registry.operations.writes import rescore, write_batch
from registry.records import (
    AccreditationStatusChangeRecord,
    FieldProblem,
    InstitutionStatusChangeRecord,
)

__all__ = ["change_accreditation_statuses", "change_institution_statuses"]

# An accreditation's steps are its grantor's sanctions (another body's are not its to touch).
_GRANTORS = frozenset({Role.ADMIN, Role.REGULATOR, Role.ACCREDITATION_BODY})


def _refuse_missing(keys: Sequence[str], found: set[str], what: str, field: str) -> None:
    missing = [
        FieldProblem("NOT_FOUND", f"no {what} {key}", f"input[{index}].{field}")
        for index, key in enumerate(keys)
        if key not in found
    ]
    if missing:
        raise Refusal(RefusalKind.NOT_FOUND, missing)


async def _accreditation_claims(
    store: GraphStore, stored: Mapping[str, Accreditation], numbers: Sequence[str]
) -> list[RowClaim]:
    """A step is made in the name of the body that granted the accreditation (as stored),
    about its holder's region."""
    holders = sorted({stored[n].holder for n in numbers})
    regions = {i.uscc: i.region for i in await store.get_institutions(holders)}
    return [
        RowClaim(
            party_field=f"input[{index}].number",
            all_of=(stored[number].body,),
            region_field=f"input[{index}].number",
            regions=(regions.get(stored[number].holder),),
        )
        for index, number in enumerate(numbers)
    ]


async def _institution_claims(
    stored: Mapping[str, Institution], usccs: Sequence[str]
) -> list[RowClaim]:
    """An institution's own status concerns its stored region."""
    return [
        RowClaim(
            party_field=f"input[{index}].uscc",
            region_field=f"input[{index}].uscc",
            regions=(stored[uscc].region,),
        )
        for index, uscc in enumerate(usccs)
    ]


def _refuse_unknown_reductions(
    granted: Mapping[str, tuple[str, ...]],
    histories: Mapping[str, Sequence[StatusChange]],
    steps: Sequence[StatusChange],
) -> None:
    """A reduction names items in the scope on its effective date (a typo reduces nothing)."""
    problems = [
        FieldProblem(
            "INVALID_VALUE",
            f"{item} is not in the scope of {step.number} on {step.effective_on}",
            f"input[{index}].scopeRemoved",
        )
        for index, step in enumerate(steps)
        for item in step.scope_removed
        if item not in scope_on(granted[step.number], histories[step.number], step.effective_on)
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


def _refuse_widening_back(role: Role, steps: Sequence[StatusChange], today: date) -> None:
    """A scope is widened from a day reported within ``REPORT_DAYS`` (INVALID_VALUE on
    ``effectiveOn``), by a grantor too: a widening is no sanction, and dated back to 2003
    or 2016 it took the warning off certificates issued outside the scope on those days.
    A reduction, like a suspension, a grantor may date back; ADMIN records archives."""
    if role is Role.ADMIN:
        return
    first = reported_from(today)
    problems = [
        FieldProblem(
            "INVALID_VALUE",
            f"a scope is widened from a day reported within {REPORT_DAYS} days: from {first} on",
            f"input[{index}].effectiveOn",
        )
        for index, step in enumerate(steps)
        if step.scope_added and step.effective_on < first
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def change_accreditation_statuses(
    store: GraphStore,
    principal: Principal,
    records: Sequence[AccreditationStatusChangeRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    authorize(principal, "changeAccreditationStatus")
    numbers = [r.number for r in records]
    holders: set[str] = set()

    async def attempt() -> WriteResult:
        stored = {a.number: a for a in await store.get_accreditations(numbers)}
        _refuse_missing(numbers, set(stored), "accreditation", "number")
        await authorize_rows(
            store,
            principal,
            "changeAccreditationStatus",
            functools.partial(_accreditation_claims, store, stored, numbers),
        )
        await refuse_others_steps(store, principal, [stored[n] for n in numbers])
        holders.update(a.holder for a in stored.values())
        histories = {n: accreditation_timeline(a) for n, a in stored.items()}
        await refuse_lifting_wider_suspensions(
            store,
            principal,
            [
                (index, histories[r.number], r.effective_on or today)
                for index, r in enumerate(records)
                if r.status is AccreditationStatus.VALID
            ],
            AccreditationStatus.SUSPENDED,
        )
        steps = refuse_broken_timelines(
            numbers,
            histories,
            [convert.accreditation_step_model(r, today=today) for r in records],
            ACCREDITATION_TRANSITIONS,
            role=principal.role,
            today=today,
            sanctioning=_GRANTORS,
        )
        _refuse_widening_back(principal.role, steps, today)
        granted = {n: a.scope for n, a in stored.items()}
        _refuse_unknown_reductions(granted, histories, steps)
        return await write_batch(
            records,
            lambda guard: store.change_accreditation_statuses(
                steps, actor=principal.actor, guard=guard
            ),
            key=lambda r: r.number,
            idempotency=idempotency,
            references={"number": ("Accreditation", lambda r: r.number)},
            implied={n: a.version for n, a in stored.items()},
            # Whether an institution is accredited scores.
            scored=lambda: rescore(store, holders, today),
        )

    return await replanned(attempt)


async def change_institution_statuses(
    store: GraphStore,
    principal: Principal,
    records: Sequence[InstitutionStatusChangeRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    authorize(principal, "changeInstitutionStatus")
    usccs = [r.uscc for r in records]

    async def attempt() -> WriteResult:
        stored = {i.uscc: i for i in await store.get_institutions(usccs)}
        _refuse_missing(usccs, set(stored), "institution", "uscc")
        await authorize_rows(
            store,
            principal,
            "changeInstitutionStatus",
            functools.partial(_institution_claims, stored, usccs),
        )
        refuse_grantors_standing(principal, usccs, stored)
        await refuse_lifting_wider_suspensions(
            store,
            principal,
            [
                (index, institution_timeline(stored[r.uscc]), r.effective_on or today)
                for index, r in enumerate(records)
                if r.status is InstitutionStatus.ACTIVE
            ],
            InstitutionStatus.SUSPENDED,
        )
        steps = refuse_broken_timelines(
            usccs,
            {u: institution_timeline(i) for u, i in stored.items()},
            [convert.institution_step_model(r, today=today) for r in records],
            INSTITUTION_TRANSITIONS,
            role=principal.role,
            today=today,
        )
        return await write_batch(
            records,
            lambda guard: store.change_institution_statuses(
                steps, actor=principal.actor, guard=guard
            ),
            key=lambda r: r.uscc,
            idempotency=idempotency,
            references={"uscc": ("Institution", lambda r: r.uscc)},
            implied={u: i.version for u, i in stored.items()},
        )

    return await replanned(attempt)
