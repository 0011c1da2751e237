"""Who grants accreditations, and whose a regulator writes: those regulators grant (CMA,
CNCA approvals), in its jurisdiction. Its reach on ``upsertAccreditations`` is a region, so
without this a city regulator revived an expired CNAS accreditation with a scope CNAS never
granted, and made itself the body of its provincial regulator's CMA."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from graph.models import Accreditation, Institution
from graph.port import GraphStore
from registry.auth import Principal, access_of
from registry.domain.vocabulary import AccreditationScheme, InstitutionKind, Role
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import AccreditationRecord, FieldProblem, InstitutionRecord

__all__ = [
    "refuse_grantors_standing",
    "refuse_new_grantors",
    "refuse_non_grantors",
    "refuse_others_grants",
    "refuse_others_steps",
    "refuse_unless_kind",
]

# The kinds that grant accreditations: who holds them decides what verifies.
_GRANTING = frozenset({InstitutionKind.ACCREDITATION_BODY.value, InstitutionKind.REGULATOR.value})
# Schemes granted for the whole country: no region's key reaches them. CNCA is registered at
# a Beijing district, so a Beijing regulator's key counted it as "in its jurisdiction" and
# widened national approvals for bodies certifying everywhere, dated back to 2003.
_NATIONAL = frozenset({AccreditationScheme.CNCA_APPROVAL.value})
Row = tuple[str, tuple[str, ...], bool]  # the field, the bodies named, a national scheme
# Who grants which schemes (DOMAIN.md): an accreditation body the CNAS schemes, a regulator
# CMA and CNCA approvals (a regulator naming itself body of a CNAS scheme stood in for CNAS).
_S = AccreditationScheme
_GRANTED_BY = {
    InstitutionKind.ACCREDITATION_BODY: frozenset(
        s.value for s in _S if s not in (_S.CMA, _S.CNCA_APPROVAL)
    ),
    InstitutionKind.REGULATOR: frozenset({_S.CMA.value, _S.CNCA_APPROVAL.value}),
}


async def refuse_unless_kind(
    store: GraphStore,
    parties: Sequence[str],
    field: str,
    kinds: frozenset[InstitutionKind],
    code: str,
    what: str,
) -> None:
    """Every row names, in ``field``, an institution of one of ``kinds``: a key acting for
    an institution of another kind (a partner's, say) cannot grant or certify in its name
    and so make certificates verify. An institution not stored is left to the reference
    check (NOT_FOUND)."""
    stored = {i.uscc: i.kinds for i in await store.get_institutions(sorted(set(parties)))}
    problems = [
        FieldProblem(code, f"{party} is not {what}", f"input[{index}].{field}")
        for index, party in enumerate(parties)
        if party in stored and not kinds.intersection(stored[party])
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def refuse_non_grantors(store: GraphStore, records: Sequence[AccreditationRecord]) -> None:
    """Each grant names as its body an institution of the kind that grants its scheme
    (NOT_A_GRANTOR on ``body``)."""
    for kind, schemes in _GRANTED_BY.items():  # rows of other schemes name "": not checked
        await refuse_unless_kind(
            store,
            [r.body if r.scheme in schemes else "" for r in records],
            "body",
            frozenset({kind}),
            "NOT_A_GRANTOR",
            f"of kind {kind.value}, which grants {', '.join(sorted(schemes))}",
        )


async def refuse_others_grants(
    store: GraphStore,
    principal: Principal,
    records: Sequence[AccreditationRecord],
    stored: Mapping[str, Accreditation],
) -> None:
    """A regulator's key writes an accreditation only when the body it names, and the body
    stored for it, is a regulator whose own region lies in the key's jurisdiction, and the
    scheme is not national (NOT_AUTHORIZED on ``input[i].body`` otherwise; a body not stored
    is left to NOT_FOUND). ``stored``: the accreditations of those numbers already written."""
    if principal.role is not Role.REGULATOR:
        return
    rows = []
    for index, r in enumerate(records):
        old = stored.get(r.number)
        bodies = (r.body,) if old is None else (r.body, old.body)
        national = {r.scheme.value, r.scheme.value if old is None else old.scheme} & _NATIONAL
        rows.append((f"input[{index}].body", bodies, bool(national)))
    await _refuse_others(store, principal, rows)


async def refuse_others_steps(
    store: GraphStore, principal: Principal, grants: Sequence[Accreditation]
) -> None:
    """A regulator's key steps an accreditation (its status, its scope) only when the body
    stored for it (``grants``, row by row) is a regulator whose own region lies in the
    key's jurisdiction, and the scheme is not national (NOT_AUTHORIZED on
    ``input[i].number``): a provincial regulator added to a CNAS grant's scope, dated back
    to the grant, and a certificate issued outside that scope verified without its
    warning."""
    if principal.role is not Role.REGULATOR:
        return
    rows = [
        (f"input[{index}].number", (grant.body,), grant.scheme in _NATIONAL)
        for index, grant in enumerate(grants)
    ]
    await _refuse_others(store, principal, rows)


async def _refuse_others(store: GraphStore, principal: Principal, rows: Sequence[Row]) -> None:
    """NOT_AUTHORIZED on each row's field naming a body that is not a regulator in the key's
    jurisdiction (a body not stored is left to NOT_FOUND), or a national scheme."""
    named = sorted({uscc for _, usccs, _ in rows for uscc in usccs})
    found = {i.uscc: i for i in await store.get_institutions(named)}
    jurisdiction = (await access_of(store, principal)).regions or frozenset()
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            "a national approval: the partner system of the body that grants it, or ADMIN, "
            "records it",
            field,
        )
        for field, _, national in rows
        if national
    ]
    problems += [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{uscc} is not a regulator in this key's jurisdiction: its grants are its own",
            field,
        )
        for field, usccs, national in rows
        if not national
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


def refuse_grantors_standing(
    principal: Principal, usccs: Sequence[str], stored: Mapping[str, Institution]
) -> None:
    """A grantor's own standing is ADMIN's to record, as its kinds and name are: its
    registered region does not tell its level. CNCA, a national regulator, is registered at
    a Beijing district, so a Beijing district regulator's key revoked it, and a Beijing
    city key revoked CNAS, for good (REVOKED is final), while their grants read VALID
    (twenty-fifth session's review); a provincial key suspended its own bureau.
    NOT_AUTHORIZED on ``input[i].uscc``."""
    if principal.role is Role.ADMIN:
        return
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{found.name} grants accreditations: its standing is ADMIN's to record",
            f"input[{index}].uscc",
        )
        for index, uscc in enumerate(usccs)
        if (found := stored.get(uscc)) is not None and _granting(found.kinds)
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def _kinds_of(institution: Institution | None) -> tuple[str, ...]:
    return () if institution is None else institution.kinds


def _granting(kinds: Iterable[object]) -> frozenset[str]:
    return _GRANTING & {str(k) for k in kinds}
