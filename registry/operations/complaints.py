"""Complaints with a lifecycle: anyone files one, the regulator of the institution's region
takes it step by step (``registry.domain.complaints`` holds the transitions and the time
limits), and the public sees counts only.

The id is the registry's, so nobody picks or guesses one to overwrite; the complainant's
contact is kept on the record and never in its change (``graph.cypher_store.complaints``).
A substantiated complaint is an input of the credit score, so every write rescores, and
stores the score only when its points move: a score change written after every filing and
step showed partners, in the feed beside the hidden complaint's seq, when a complaint was
filed against whom and when each step was taken.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from graph.changelog import utc_now
from graph.complaint_models import (
    ComplaintAdvance,
    ComplaintStep,
    ComplaintTally,
    ComplaintTallyQuery,
)
from graph.errors import AlreadyApplied, Conflict, NotFound, StaleVersion
from graph.log_models import IdempotencyClaim, WriteGuard, WriteResult
from graph.models import Complaint
from graph.port import GraphStore
from registry.auth import Principal, access_of
from registry.domain.complaints import (
    FINAL_STATUSES,
    HANDLING_STATUSES,
    OPEN_STATUSES,
    overdue_cutoffs,
    step_problems,
)
from registry.domain.oversight import own_case
from registry.domain.permissions import RowClaim
from registry.domain.vocabulary import ComplaintStatus
from registry.operations.credit import recompute_credit
from registry.operations.lifecycle_checks import Replan, replanned
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.write_access import authorize, authorize_rows
from registry.records import FieldProblem
from registry.records.complaints import ComplaintFilingRecord, ComplaintStepRecord

__all__ = [
    "ComplaintSummary",
    "advance_complaint",
    "complaint_summaries",
    "file_complaint",
    "new_complaint_id",
]


def new_complaint_id(today: date) -> str:
    """``CMP-2026-`` and 12 random hex digits: unguessable, so an id tells nothing about
    how many complaints there are, and names no other complaint."""
    return f"CMP-{today.year}-{secrets.token_hex(6).upper()}"


async def _replay_if_applied(store: GraphStore, idempotency: IdempotencyClaim | None) -> None:
    """A retried request is answered from what it wrote before its checks run: they would
    refuse the step it already took."""
    if idempotency is None:
        return
    record = await store.get_idempotency_record(idempotency.key, now=utc_now())
    if record is not None:
        raise AlreadyApplied(record)


def _refused(kind: RefusalKind, code: str, message: str, field: str) -> Refusal:
    return Refusal(kind, [FieldProblem(code, message, field)])


async def file_complaint(
    store: GraphStore,
    principal: Principal,
    record: ComplaintFilingRecord,
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    """File a complaint received today; ``keys[0]`` of the result is its id."""
    await _replay_if_applied(store, idempotency)
    complaint_id = new_complaint_id(today)
    received = ComplaintStatus.RECEIVED.value
    complaint = Complaint(
        id=complaint_id,
        against=record.against,
        channel=record.channel.value,
        category=record.category,
        status=received,
        filed_on=today,
        details=record.details,
        certificate=record.certificate,
        contact=record.contact,
        steps=(ComplaintStep(received, today, principal.actor),),
    )
    guard = WriteGuard({}, idempotency) if idempotency else None
    try:
        result = await store.file_complaints([complaint], actor=principal.actor, guard=guard)
    except NotFound as exc:
        field = "input.against" if exc.label == "Institution" else "input.certificate"
        raise _refused(RefusalKind.NOT_FOUND, "NOT_FOUND", str(exc), field) from exc
    except Conflict as exc:  # an id drawn twice: 48 random bits make it all but impossible
        raise _refused(RefusalKind.CONFLICT, "CONFLICT", str(exc), "input") from exc
    await recompute_credit(store, [record.against], today, only_moved=True)
    return result


async def _complaint_claims(
    store: GraphStore, principal: Principal, complaint: Complaint
) -> list[RowClaim]:
    """A complaint concerns the region of the institution it is against; one against a
    regulator of the key's own level is its superior's (``own_case``). Outside the key's
    regions it is answered as no complaint at all: a refusal naming its region told another
    province's regulator that a complaint of that id existed, and in which district."""
    found = await store.get_institutions([complaint.against])
    regions = (await access_of(store, principal)).regions
    if regions is not None and (not found or found[0].region not in regions):
        raise _refused(
            RefusalKind.NOT_FOUND, "NOT_FOUND", f"no complaint {complaint.id}", "input.id"
        )
    if found and own_case(principal.role, principal.regions, found[0]):
        raise _refused(
            RefusalKind.NOT_AUTHORIZED,
            "NOT_AUTHORIZED",
            "a complaint against a regulator of this key's own level is its superior's",
            "input.id",
        )
    return [
        RowClaim(
            party_field="input.id",
            region_field="input.id",
            regions=(found[0].region if found else None,),
        )
    ]


def _planned_advance(
    complaint: Complaint, record: ComplaintStepRecord, *, today: date, actor: str
) -> ComplaintAdvance:
    """What the step writes: the step itself, the acceptance day, and on a final step the
    closing day, the finding and the reason as resolution."""
    status = record.status
    step = ComplaintStep(status.value, today, actor, record.reason, record.substantiated)
    final = status in FINAL_STATUSES
    return ComplaintAdvance(
        id=complaint.id,
        step=step,
        accepted_on=today if status is ComplaintStatus.ACCEPTED else None,
        closed_on=today if final else None,
        substantiated=record.substantiated,
        resolution=record.reason if final else None,
    )


async def advance_complaint(
    store: GraphStore,
    principal: Principal,
    record: ComplaintStepRecord,
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    """Take the next step of a complaint, as the regulator of its institution's region."""
    authorize(principal, "advanceComplaint")
    await _replay_if_applied(store, idempotency)
    against: list[str] = []

    async def attempt() -> WriteResult:
        found = await store.get_complaints([record.id])
        if not found:
            raise _refused(
                RefusalKind.NOT_FOUND, "NOT_FOUND", f"no complaint {record.id}", "input.id"
            )
        complaint = found[0]
        await authorize_rows(
            store,
            principal,
            "advanceComplaint",
            lambda: _complaint_claims(store, principal, complaint),
        )
        if record.expected_version not in (None, complaint.version):
            raise _stale(record.expected_version, complaint.version)
        current = ComplaintStatus(complaint.status)
        problems = step_problems(
            current, record.status, substantiated=record.substantiated, reason=record.reason
        )
        if problems:
            raise Refusal(
                RefusalKind.INVALID_INPUT,
                [FieldProblem(p.code, p.message, p.field) for p in problems],
            )
        advance = _planned_advance(complaint, record, today=today, actor=principal.actor)
        guard = WriteGuard({complaint.id: complaint.version}, idempotency)
        against[:] = [complaint.against]
        try:
            return await store.advance_complaints(
                [advance],
                against={complaint.id: complaint.against},
                actor=principal.actor,
                guard=guard,
            )
        except StaleVersion as exc:
            if record.expected_version is not None:
                stored = exc.stale[complaint.id][1]
                raise _stale(record.expected_version, stored) from exc
            raise Replan from exc

    result = await replanned(attempt)
    await recompute_credit(store, against, today, only_moved=True)
    return result


def _stale(expected: int, stored: int) -> Refusal:
    return Refusal(
        RefusalKind.CONFLICT,
        [
            FieldProblem(
                "STALE_VERSION",
                f"expected version {expected}, stored version is {stored}",
                "input.expectedVersion",
                current_version=stored,
            )
        ],
    )


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """The public counts for one institution, in all and per year of filing."""

    received: int = 0
    open: int = 0
    overdue: int = 0
    substantiated: int = 0
    years: tuple[ComplaintTally, ...] = ()


async def complaint_summaries(
    store: GraphStore, usccs: Sequence[str], day: date
) -> dict[str, ComplaintSummary]:
    """Counts of the complaints against each institution filed by ``day``, overdue judged
    on ``day``: counted by the store, never read one by one."""
    cutoffs = overdue_cutoffs(day)
    query = ComplaintTallyQuery(
        day=day,
        open_statuses=tuple(sorted(s.value for s in OPEN_STATUSES)),
        handling=tuple(sorted(s.value for s in HANDLING_STATUSES)),
        filed_before=cutoffs.filed_before,
        accepted_before=cutoffs.accepted_before,
    )
    years: dict[str, list[ComplaintTally]] = defaultdict(list)
    for tally in await store.get_complaint_tallies(usccs, query):
        years[tally.institution].append(tally)
    return {
        uscc: ComplaintSummary(
            received=sum(t.received for t in years[uscc]),
            open=sum(t.open for t in years[uscc]),
            overdue=sum(t.overdue for t in years[uscc]),
            substantiated=sum(t.substantiated for t in years[uscc]),
            years=tuple(years[uscc]),
        )
        for uscc in usccs
    }
