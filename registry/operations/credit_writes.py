"""The writes that feed institutions' credit: complaints against them, associations'
ratings, credit events (sanctions, spot checks, honours) and service evaluations. Each is
authorised, checked and written as one atomic batch by ``writes.write_batch``, then the
institutions it names are scored again (``writes.rescore``)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from graph.log_models import IdempotencyClaim, WriteGuard, WriteResult
from graph.models import InstitutionQuery
from graph.port import GraphStore
from registry.auth import Principal, access_of
from registry.domain.stations import is_form_id
from registry.domain.supervision import drawn_institutions
from registry.domain.vocabulary import InstitutionKind, RectificationOutcome, Role
from registry.operations import convert
from registry.operations.kept_facts import (
    EVENT_FACTS,
    StoredDocs,
    changed,
    evaluations_kept,
    ratings_kept,
    refuse_rewrites,
    stored_docs,
)
from registry.operations.lifecycle_checks import replanned
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.sanctions import REPORT_DAYS, reported_from
from registry.operations.write_access import (
    authorize,
    authorize_rows,
    credit_event_claims,
    rating_claims,
    service_evaluation_claims,
)
from registry.operations.writes import rescore, write_batch
from registry.records import (
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    FieldProblem,
    ServiceEvaluationRecord,
)

_Input = TypeVar("_Input", CreditRatingRecord, CreditEventRecord, ServiceEvaluationRecord)

__all__ = [
    "publish_credit_ratings",
    "record_complaints",
    "record_credit_events",
    "record_service_evaluations",
]


async def record_complaints(
    store: GraphStore,
    principal: Principal,
    records: Sequence[ComplaintRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    authorize(principal, "recordComplaints")
    return await write_batch(
        records,
        lambda guard: store.record_complaints(
            [convert.complaint_model(r) for r in records], actor=principal.actor, guard=guard
        ),
        key=lambda r: r.id,
        idempotency=idempotency,
        references={
            "against": ("Institution", lambda r: r.against),
            "certificate": ("Certificate", lambda r: r.certificate),
        },
        scored=lambda: rescore(store, (r.against for r in records), today),
    )


async def publish_credit_ratings(
    store: GraphStore,
    principal: Principal,
    records: Sequence[CreditRatingRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    await authorize_rows(
        store, principal, "publishCreditRatings", functools.partial(rating_claims, store, records)
    )
    await _only_members(store, [(i, r.association, r.institution) for i, r in enumerate(records)])

    return await _kept_and_written(
        store,
        records,
        functools.partial(ratings_kept, store, principal, records, today),
        lambda guard: store.publish_credit_ratings(
            [convert.credit_rating_model(r) for r in records], actor=principal.actor, guard=guard
        ),
        {
            "association": ("Institution", lambda r: r.association),
            "institution": ("Institution", lambda r: r.institution),
        },
        idempotency=idempotency,
        today=today,
    )


async def _kept_and_written(
    store: GraphStore,
    records: Sequence[_Input],
    kept: Callable[[], Awaitable[dict[str, int]]],
    write: Callable[[WriteGuard | None], Awaitable[WriteResult]],
    references: dict[str, tuple[str, Callable[[_Input], str | None]]],
    *,
    idempotency: IdempotencyClaim | None,
    today: date,
) -> WriteResult:
    """Check what the stored records state is kept (``kept``, returning the versions it
    read), write expecting those versions, check again if another write landed first, then
    score the institutions named again."""

    async def attempt() -> WriteResult:
        return await write_batch(
            records,
            write,
            key=lambda r: r.id,
            idempotency=idempotency,
            references=references,
            implied=await kept(),
            scored=lambda: rescore(store, (r.institution for r in records), today),
        )

    return await replanned(attempt)


async def _only_members(store: GraphStore, claims: Sequence[tuple[int, str, str]]) -> None:
    """An association acts only on its members: ``claims`` are (input index, association,
    institution). Unknown institutions are left to the store, which reports them NOT_FOUND."""
    named = sorted({institution for _, _, institution in claims})
    members = {i.uscc: i.associations for i in await store.get_institutions(named)}
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{institution} is not a member of {association}",
            f"input[{index}].institution",
        )
        for index, association, institution in claims
        if institution in members and association not in members[institution]
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


async def record_credit_events(
    store: GraphStore,
    principal: Principal,
    records: Sequence[CreditEventRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    await authorize_rows(
        store,
        principal,
        "recordCreditEvents",
        functools.partial(credit_event_claims, store, records),
    )
    await _drawn_in_plans(store, records)

    return await _kept_and_written(
        store,
        records,
        functools.partial(_facts_kept, store, principal, records, today),
        lambda guard: store.record_credit_events(
            [convert.credit_event_model(r) for r in records], actor=principal.actor, guard=guard
        ),
        {
            "institution": ("Institution", lambda r: r.institution),
            "plan": ("SupervisionPlan", lambda r: r.plan),
        },
        idempotency=idempotency,
        today=today,
    )


# More than any province's regulators at every level (about 3,000 nationwide).
_REGULATORS = 10_000


async def _facts_kept(
    store: GraphStore, principal: Principal, records: Sequence[CreditEventRecord], today: date
) -> dict[str, int]:
    """A regulator repairs a record or adds its outcome; it does not rewrite what the record
    states: rewritten, a city regulator turned a serious violation into a commendation "by"
    the national regulator, or ended its publicity early and took it off the public file
    (negative records are repaired, never deleted). Returns the stored versions the check
    read, for the write to expect."""
    if principal.role is Role.ADMIN:
        return {}
    stored = await stored_docs(store, principal, "CreditEvent", records)
    await _own_authority(store, principal, records, stored)
    _reported_in_time(records, stored, today)
    return refuse_rewrites(stored, records, _rewritten, "a regulator repairs a record")


def _reported_in_time(
    records: Sequence[CreditEventRecord], stored: StoredDocs, today: date
) -> None:
    """A new record, and a first repair, are reported within ``REPORT_DAYS`` of their day
    (INVALID_VALUE on ``date``, ``repairedOn``), as penalty decisions are published within
    20 working days of them: a regulator dated a repair sixteen months back, and the lab's
    past days turned from B to unrated and the record came off their public file; another
    recorded a serious violation dated 2024, and a lab's grade of 2024-06-01 went from 85.7
    A to 31.3 D. A repair decided for a day ahead stays public until then; a record is of a
    decision made, never of one ahead: a commendation dated 2099 and a violation dated next
    year were locked into every later day's answer, which no one but ADMIN could withdraw
    (twenty-fifth session's review)."""
    first = reported_from(today)
    why = f"is reported within {REPORT_DAYS} days of its day: from {first} on"
    problems = [
        FieldProblem("INVALID_VALUE", f"a credit record {why}, to today", f"input[{index}].date")
        for index, record in enumerate(records)
        if record.id not in stored and not first <= record.date <= today
    ]
    problems += [
        FieldProblem("INVALID_VALUE", f"a repair {why}", f"input[{index}].repairedOn")
        for index, record in enumerate(records)
        if record.repaired_on is not None
        and record.repaired_on < first
        and (stored.get(record.id) or {}).get("repairedOn") is None
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


async def _own_authority(
    store: GraphStore,
    principal: Principal,
    records: Sequence[CreditEventRecord],
    stored: StoredDocs,
) -> None:
    """A regulator's key records a new credit record in the name of a regulator registered
    in its jurisdiction: with free text, a city regulator recorded a serious violation "by"
    the national regulator, whose records weigh most with the public (NOT_AUTHORIZED on
    ``input[i].authority``). A record already stored keeps its authority (``_FACTS``)."""
    new = [(i, r) for i, r in enumerate(records) if r.id not in stored]
    if principal.role is not Role.REGULATOR or not new:
        return
    jurisdiction = tuple(sorted((await access_of(store, principal)).regions or ()))
    query = InstitutionQuery(kind=InstitutionKind.REGULATOR.value, within=jurisdiction)
    names = {i.name for i in await store.list_institutions(query, after=None, limit=_REGULATORS)}
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{record.authority} is not a regulator registered in this key's jurisdiction",
            f"input[{index}].authority",
        )
        for index, record in new
        if record.authority not in names
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def _rewritten(old: Mapping[str, object], record: CreditEventRecord) -> list[str]:
    """The stored fields ``record`` would change: what it states (kind, date, weight,
    authority, publicity end, its public text, a rectification deadline), and what is
    recorded once: a repair (re-dated, it moved the record off past days' files and
    scores), and an order's outcome once it is no longer PENDING: a city regulator moved
    its province's rectification deadline back, and the institution stood in class D on
    every day since (twenty-fourth session's review). The plan a result answers may be
    corrected: a result moves to its new plan."""
    rewritten = changed(old, convert.credit_event_model(record), EVENT_FACTS)
    repaired, now = old.get("repairedOn"), record.repaired_on
    if repaired is not None and now is not None and now.isoformat() != repaired:
        rewritten.append("repairedOn")
    outcome = old.get("outcome")
    if outcome not in (None, RectificationOutcome.PENDING.value) and record.outcome != outcome:
        rewritten.append("outcome")
    return rewritten


async def _drawn_in_plans(store: GraphStore, records: Sequence[CreditEventRecord]) -> None:
    """A spot check entered as a plan's result concerns an institution the plan drew, on or
    after the plan's day (a plan that does not exist is left to the store, which reports it
    NOT_FOUND)."""
    named = sorted({r.plan for r in records if r.plan is not None})
    if not named:
        return
    plans = {p.id: p for p in await store.get_supervision_plans_by_id(named)}
    drawn = {key: drawn_institutions(p.canonical) for key, p in plans.items()}
    problems = [
        FieldProblem(
            "INVALID_VALUE",
            f"supervision plan {r.plan} did not draw {r.institution}",
            f"input[{index}].plan",
        )
        for index, r in enumerate(records)
        if r.plan in drawn and r.institution not in drawn[r.plan]
    ]
    problems += [  # a check the plan sent inspectors to is made after it was drawn
        FieldProblem(
            "INVALID_VALUE",
            f"supervision plan {r.plan} was drawn on {plans[r.plan].date}",
            f"input[{index}].date",
        )
        for index, r in enumerate(records)
        if r.plan in plans and r.date < plans[r.plan].date
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)


def _recorder(principal: Principal) -> str:
    if principal.role is Role.ASSOCIATION:
        return principal.institution or ""
    if principal.role in (Role.REGULATOR, Role.ADMIN):
        return "OVERSIGHT"
    return principal.role.value


async def record_service_evaluations(
    store: GraphStore,
    principal: Principal,
    records: Sequence[ServiceEvaluationRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    await authorize_rows(
        store,
        principal,
        "recordServiceEvaluations",
        functools.partial(service_evaluation_claims, store, records),
    )
    taken = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{r.id} is a service request's Annex C form: its requester fills it in "
            "(evaluateServiceRequest)",
            f"input[{index}].id",
        )
        for index, r in enumerate(records)
        if is_form_id(r.id)
    ]
    if taken:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, taken)
    # An evaluation stays with whoever recorded it: an association (by its USCC) cannot
    # rewrite a regulator's visit, nor one association another's.
    recorder = _recorder(principal)
    if principal.role is Role.ASSOCIATION:
        own = principal.institution or ""
        await _only_members(store, [(i, own, r.institution) for i, r in enumerate(records)])
    return await _kept_and_written(
        store,
        records,
        functools.partial(evaluations_kept, store, principal, records, today),
        lambda guard: store.record_service_evaluations(
            [convert.service_evaluation_model(r, recorded_by=recorder) for r in records],
            actor=principal.actor,
            guard=guard,
        ),
        {"institution": ("Institution", lambda r: r.institution)},
        idempotency=idempotency,
        today=today,
    )
