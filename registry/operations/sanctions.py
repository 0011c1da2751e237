"""Who sanctions, and so who dates and lifts: regulators (within their jurisdiction) and
ADMIN suspend, and what they suspended is theirs to lift; only those whose steps on a record
are sanctions schedule steps on it, and the others report a step in its month. Checked
before a status step is written, with the lifecycle's own rules (``lifecycle_checks``), and
before a certificate is issued or an accreditation granted: neither goes round a
suspension."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from graph.models import Accreditation, Certificate, CertificateQuery, StatusChange
from graph.port import GraphStore
from registry.auth import Principal, access_of, actor_prefix
from registry.domain.accreditations import accreditation_timeline, institution_status_on
from registry.domain.certificates import status_timeline
from registry.domain.timeline import in_effect, ordered
from registry.domain.vocabulary import CertificateStatus, InstitutionStatus, Role
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import (
    AccreditationRecord,
    CertificateRecord,
    FieldProblem,
    StatusChangeRecord,
)

__all__ = [
    "OVERSIGHT",
    "REPORT_DAYS",
    "oversight_suspension",
    "refuse_certifying_around_sanctions",
    "refuse_granting_around_sanctions",
    "refuse_lapsing_sanctions",
    "refuse_lifting_sanctions",
    "refuse_lifting_wider_suspensions",
    "refuse_out_of_time",
    "reported_from",
]

# Who sanctions: their steps are lifted by them alone (``refuse_lifting_sanctions``).
OVERSIGHT = frozenset({Role.REGULATOR, Role.ADMIN})
_OVERSIGHT_ACTORS = tuple(actor_prefix(role) for role in OVERSIGHT)
# How far back anyone but oversight dates a step: a report of this month's change, not a
# rewrite of what the registry said months ago (the registry's assumption: no rule gives one).
REPORT_DAYS = 30


def reported_from(today: date) -> date:
    """The first day a step, a credit record, a repair, an evaluation or a scope widening
    reported ``today`` may be dated: one rule, so its window is counted in one place."""
    return today - timedelta(days=REPORT_DAYS)


def refuse_out_of_time(
    sanctioning: bool,
    role: Role,
    steps: Sequence[StatusChange],
    transitions: Mapping[str, frozenset[str]],
    *,
    today: date,
) -> None:
    """Who dates a step where. A body's restore planted ahead lifted the suspension its
    regulator recorded before that day, and a final step planted far ahead (CANCELLED in
    2099) barred the withdrawal oversight records today: only those who sanction schedule
    steps, and none but ADMIN a final one. A body's restore dated eight months back erased an
    overdue suspension: the others report a step within ``REPORT_DAYS`` of its day
    (INVALID_VALUE on ``effectiveOn``). ADMIN records archives as they were."""
    if role is Role.ADMIN:
        return
    first = reported_from(today)
    problems = []
    for index, step in enumerate(steps):
        day = step.effective_on
        if day > today and (not sanctioning or not transitions.get(step.status)):
            message = f"{step.status} takes effect by today, {today}"
        elif day < first and not sanctioning:
            message = f"a step is reported within {REPORT_DAYS} days: from {first} on"
        else:
            continue
        problems.append(FieldProblem("INVALID_VALUE", message, f"input[{index}].effectiveOn"))
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def refuse_lifting_wider_suspensions(
    store: GraphStore,
    principal: Principal,
    lifting: Sequence[tuple[int, Sequence[StatusChange], date]],
    suspended: str,
) -> None:
    """A suspension oversight ordered (each of ``lifting``: its row, the record's timeline,
    the lifting's day) is lifted by a regulator only when its jurisdiction covers that of
    the key which ordered it, and by no one else but ADMIN: a city regulator undid its
    province's suspension of a lab, and of a certificate; an accreditation body undid, dated
    back to its first day, ADMIN's suspension of an accreditation it granted
    (NOT_AUTHORIZED). What decides is the last step in force on the lifting's day among
    those the key could not itself have recorded."""
    if principal.role is Role.ADMIN or not lifting:
        return
    prefix = actor_prefix(Role.REGULATOR)
    within: set[str] = set()
    if principal.role is Role.REGULATOR:
        own = (await access_of(store, principal)).regions or frozenset()
        within = {
            f"{prefix}{k.key_id}"
            for k in await store.list_api_keys()
            if k.role == Role.REGULATOR.value and set(k.regions or ()) <= own
        }
    wider = (actor_prefix(Role.ADMIN), prefix)
    problems = []
    for index, timeline, day in lifting:
        steps = [s for s in timeline if s.actor.startswith(wider) and s.actor not in within]
        step = in_effect(steps, day)
        if step is not None and step.status == suspended:
            message = f"suspended on {step.effective_on} by a wider authority: it lifts it"
            problems.append(FieldProblem("NOT_AUTHORIZED", message, f"input[{index}].status"))
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def oversight_suspension(
    timeline: Sequence[StatusChange], day: date, *, ahead: bool = False
) -> StatusChange | None:
    """The suspension oversight (a regulator or ADMIN) recorded that is in force on ``day``
    by oversight's own last word (a body suspending on top of the sanction and lifting its
    own suspension would otherwise lift the sanction with it), or, ``ahead``, the first one
    scheduled after it: a cancellation then supersedes it, and a validity shortened to end
    before it ends the certificate as a lapse (twenty-fourth session's review)."""
    oversight = [s for s in timeline if s.actor.startswith(_OVERSIGHT_ACTORS)]
    step = in_effect(oversight, day)
    if step is not None and step.status == CertificateStatus.SUSPENDED.value:
        return step
    if not ahead:
        return None
    suspended = CertificateStatus.SUSPENDED.value
    return next(
        (s for s in ordered(oversight) if s.effective_on > day and s.status == suspended), None
    )


async def refuse_lifting_sanctions(
    store: GraphStore,
    principal: Principal,
    records: Sequence[StatusChangeRecord],
    stored: Mapping[str, Certificate],
    *,
    today: date,
) -> None:
    """A body restores (VALID) or cancels its certificates only when it may: not one its
    regulator (or ADMIN) suspended, which would undo the sanction (NOT_AUTHORIZED), nor
    restores while the body itself is not ACTIVE today (ISSUER_NOT_ACTIVE): a suspended or
    revoked body certifies nothing, lifting included. Oversight itself lifts (or cancels)
    what it suspended, a regulator only what a key of its jurisdiction did
    (``refuse_lifting_wider_suspensions``)."""
    restoring = [
        (index, r) for index, r in enumerate(records) if r.status is CertificateStatus.VALID
    ]
    ending = [
        (index, r)
        for index, r in enumerate(records)
        if r.status in (CertificateStatus.VALID, CertificateStatus.CANCELLED)
    ]
    if principal.role in OVERSIGHT:
        lifting = [
            (index, status_timeline(stored[r.number]), r.effective_on or today)
            for index, r in ending
        ]
        await refuse_lifting_wider_suspensions(
            store, principal, lifting, CertificateStatus.SUSPENDED
        )
        return
    # A cancellation (the holder's own wish) ends a sanction as a lift does: a body turned
    # its regulator's suspension into a voluntary end, where the regulator would have it
    # withdrawn, which counts against the body (twenty-fourth session's review).
    if not ending:
        return
    issuers = sorted({stored[r.number].issuer for _, r in restoring})
    standing = {
        i.uscc: institution_status_on(i, today)[0] for i in await store.get_institutions(issuers)
    }
    sanctioned: list[FieldProblem] = []
    inactive: list[FieldProblem] = []
    for index, record in ending:
        certificate = stored[record.number]
        cancelling = record.status is CertificateStatus.CANCELLED
        step = oversight_suspension(
            status_timeline(certificate), record.effective_on or today, ahead=cancelling
        )
        if step is not None:
            message = f"suspended by its regulator from {step.effective_on}: the regulator lifts it"
            if cancelling:
                message += " or has it withdrawn"
            sanctioned.append(FieldProblem("NOT_AUTHORIZED", message, f"input[{index}].status"))
        if cancelling:
            continue
        status = standing.get(certificate.issuer, InstitutionStatus.ACTIVE)
        if status is not InstitutionStatus.ACTIVE:
            message = f"{certificate.issuer} is {status.value} today: it restores nothing"
            inactive.append(FieldProblem("ISSUER_NOT_ACTIVE", message, f"input[{index}].status"))
    if sanctioned:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, sanctioned)
    if inactive:
        raise Refusal(RefusalKind.INVALID_INPUT, inactive)


def _shortened(
    stored_end: date, sent_end: date, timeline: Sequence[StatusChange], today: date
) -> StatusChange | None:
    """The suspension oversight recorded (in force or scheduled) that a validity sent to end
    sooner than stored would turn into a lapse; None when it ends no sooner or none stands.
    One rule for a certificate's expiry and an accreditation's end."""
    if sent_end >= stored_end:
        return None
    return oversight_suspension(timeline, today, ahead=True)


def refuse_lapsing_sanctions(
    records: Sequence[CertificateRecord], stored: Mapping[str, Certificate], *, today: date
) -> None:
    """A body ends no suspension oversight recorded by letting the certificate lapse: sent
    again to expire sooner, a suspended certificate ended EXPIRED, not withdrawn, and never
    counted against its body (twenty-fourth session's review). NOT_AUTHORIZED."""
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"suspended by its regulator from {step.effective_on}: its validity is not "
            "shortened while the sanction stands",
            f"input[{index}].expiresOn",
        )
        for index, r in enumerate(records)
        if (old := stored.get(r.number)) is not None
        and (step := _shortened(old.expires_on, r.expires_on, status_timeline(old), today))
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


_LISTED = 1_000  # a holder's certificates from one issuer, read a page at a time


async def refuse_certifying_around_sanctions(
    store: GraphStore,
    records: Sequence[CertificateRecord],
    stored: Mapping[str, Certificate],
    *,
    today: date,
) -> dict[str, int]:
    """While oversight's suspension of a certificate stands (in force or scheduled, until
    the certificate's own end), its issuer gives the holder no new certificate under the
    same standard: CQC issued the holder of a certificate its regulator had suspended the
    same certificate again under a new number, which verified VALID (twenty-fourth
    session's review). Withdrawing the suspended one first does not free the holder either.
    Read by the batch's holders that the issuer has certified before (their edges, not the
    issuer's every certificate). NOT_AUTHORIZED on ``standard``.

    Returns the versions of the certificates read, for the write to imply: a suspension
    recorded between this read and the write makes it check again."""
    read: dict[str, int] = {}
    new = [(index, r) for index, r in enumerate(records) if r.number not in stored]
    holders = sorted({r.holder for _, r in new})
    certified = await store.get_issuers_of_holders(holders) if holders else {}
    sanctioned: dict[tuple[str, str, str], tuple[str, StatusChange]] = {}
    for issuer, holder, standard in sorted(
        {
            (r.issuer, r.holder, r.standard)
            for _, r in new
            if r.issuer in certified.get(r.holder, ())
        }
    ):
        query = CertificateQuery(today=today, issuer=issuer, holder=holder, standard=standard)
        after: str | None = None
        while True:
            page = await store.list_certificates(query, after=after, limit=_LISTED)
            live = [c.number for c in page if c.expires_on >= today]
            for found in await store.get_certificates(live) if live else []:
                read[found.number] = found.version
                step = oversight_suspension(status_timeline(found), today, ahead=True)
                if step is not None:
                    sanctioned[(issuer, holder, standard)] = (found.number, step)
            if len(page) < _LISTED:
                break
            after = page[-1].number
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"its regulator suspended {number} under this standard from {step.effective_on}: "
            "no new certificate while the sanction stands",
            f"input[{index}].standard",
        )
        for index, r in new
        if (held := sanctioned.get((r.issuer, r.holder, r.standard))) is not None
        for number, step in [held]
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)
    return read


async def refuse_granting_around_sanctions(
    store: GraphStore,
    role: Role,
    records: Sequence[AccreditationRecord],
    stored: Mapping[str, Accreditation],
    *,
    today: date,
) -> dict[str, int]:
    """What holds for a certificate holds for an accreditation: while a suspension oversight
    recorded stands (or is scheduled), its body neither shortens the grant to end it as a
    lapse nor grants the holder the same scheme again under a new number. CNAS's key did
    both to an accreditation ADMIN had suspended, and the new grant read VALID
    (twenty-fourth session's review). NOT_AUTHORIZED. Returns the versions of the holders'
    running grants read, for the write to imply (as for certificates)."""
    if role in OVERSIGHT:
        return {}
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"suspended by oversight from {step.effective_on}: its validity is not shortened "
            "while the sanction stands",
            f"input[{index}].validUntil",
        )
        for index, r in enumerate(records)
        if (old := stored.get(r.number)) is not None
        and (step := _shortened(old.valid_until, r.valid_until, accreditation_timeline(old), today))
    ]
    new = [(index, r) for index, r in enumerate(records) if r.number not in stored]
    held = await store.get_accreditations_held(sorted({r.holder for _, r in new})) if new else []
    asked = {(r.body, r.holder, r.scheme.value) for _, r in new}
    running = [  # grants still running of the triples asked: an ended one frees the holder
        a for a in held if a.valid_until >= today and (a.body, a.holder, a.scheme) in asked
    ]
    sanctioned = {
        (a.body, a.holder, a.scheme): (a.number, step)
        for a in running
        if (step := oversight_suspension(accreditation_timeline(a), today, ahead=True)) is not None
    }
    problems += [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"oversight suspended {number} from {step.effective_on}: no new grant of the "
            "scheme while the sanction stands",
            f"input[{index}].scheme",
        )
        for index, r in new
        if (found := sanctioned.get((r.body, r.holder, r.scheme.value))) is not None
        for number, step in [found]
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)
    return {a.number: a.version for a in running}
