"""Whose accreditations a regulator writes: those regulators grant (CMA, CNCA approvals), in
its jurisdiction. Its reach on ``upsertAccreditations`` is a region, so without this a city
regulator revived an expired CNAS accreditation with a scope CNAS never granted, and made
itself the body of its provincial regulator's CMA."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graph.models import Institution
from graph.port import GraphStore
from registry.auth import Principal, access_of
from registry.domain.vocabulary import InstitutionKind, Role
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import AccreditationRecord, FieldProblem, InstitutionRecord

__all__ = ["refuse_new_grantors", "refuse_others_grants", "refuse_others_steps"]

# The kinds that grant accreditations: who holds them decides what verifies.
_GRANTING = frozenset({InstitutionKind.ACCREDITATION_BODY.value, InstitutionKind.REGULATOR.value})


async def refuse_others_grants(
    store: GraphStore, principal: Principal, records: Sequence[AccreditationRecord]
) -> None:
    """A regulator's key writes an accreditation only when the body it names, and the body
    stored for it, is a regulator whose own region lies in the key's jurisdiction
    (NOT_AUTHORIZED on ``input[i].body`` otherwise; a body not stored is left to NOT_FOUND)."""
    if principal.role is not Role.REGULATOR:
        return
    stored = {a.number: a.body for a in await store.get_accreditations([r.number for r in records])}
    await _refuse_others(
        store,
        principal,
        [
            (f"input[{index}].body", (r.body, stored.get(r.number, r.body)))
            for index, r in enumerate(records)
        ],
    )


async def refuse_others_steps(
    store: GraphStore, principal: Principal, bodies: Sequence[str]
) -> None:
    """A regulator's key steps an accreditation (its status, its scope) only when the body
    stored for it (``bodies``, row by row) is a regulator whose own region lies in the
    key's jurisdiction (NOT_AUTHORIZED on ``input[i].number``): a provincial regulator
    added to a CNAS grant's scope, dated back to the grant, and a certificate issued outside
    that scope verified without its warning."""
    if principal.role is not Role.REGULATOR:
        return
    rows = [(f"input[{index}].number", (body,)) for index, body in enumerate(bodies)]
    await _refuse_others(store, principal, rows)


async def _refuse_others(
    store: GraphStore, principal: Principal, rows: Sequence[tuple[str, tuple[str, ...]]]
) -> None:
    """NOT_AUTHORIZED on each row's field naming a body that is not a regulator in the key's
    jurisdiction (a body not stored is left to NOT_FOUND)."""
    named = sorted({uscc for _, usccs in rows for uscc in usccs})
    found = {i.uscc: i for i in await store.get_institutions(named)}
    jurisdiction = (await access_of(store, principal)).regions or frozenset()
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{uscc} is not a regulator in this key's jurisdiction: its grants are its own",
            field,
        )
        for field, usccs in rows
        for uscc in dict.fromkeys(usccs)
        if (body := found.get(uscc)) is not None
        and (InstitutionKind.REGULATOR.value not in body.kinds or body.region not in jurisdiction)
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def refuse_new_grantors(
    principal: Principal, records: Sequence[InstitutionRecord], stored: dict[str, Institution]
) -> None:
    """Only ADMIN makes an institution a grantor or stops it being one, or renames one: a
    regulator gave its own record the ACCREDITATION_BODY kind, then granted CNAS schemes in
    its own name, and a certification body it favoured verified VALID while CNAS had
    suspended it; another renamed itself 国家市场监督管理总局 for a moment, recorded a penalty
    in that name (a credit record's authority names a registered regulator) and renamed
    itself back."""
    if principal.role is Role.ADMIN:
        return
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            "who grants accreditations (REGULATOR, ACCREDITATION_BODY) is ADMIN's to set",
            f"input[{index}].kinds",
        )
        for index, record in enumerate(records)
        if _granting(record.kinds) != _granting(_kinds_of(stored.get(record.uscc)))
    ]
    problems += [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{found.name} grants accreditations and records are kept in its name: ADMIN "
            "renames it",
            f"input[{index}].name",
        )
        for index, record in enumerate(records)
        if (found := stored.get(record.uscc)) is not None
        and _granting(found.kinds)
        and record.name != found.name
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def _kinds_of(institution: Institution | None) -> tuple[str, ...]:
    return () if institution is None else institution.kinds


def _granting(kinds: Iterable[object]) -> frozenset[str]:
    return _GRANTING & {str(k) for k in kinds}
