"""What a credit input states stays as first written, for every writer but ADMIN (who
corrects): credit records, associations' ratings and service evaluations all feed the
scores of days gone by, so rewriting one, or adding one dated back, changed what the
registry had said about those days. An association rewrote its grade C of a member into an
A published a year earlier; a regulator re-dated another regulator's mystery visit out of
the year it counted in. A writer publishes a new record instead; ADMIN corrects a mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Protocol, TypeVar

from graph.mapping import to_props
from graph.port import GraphStore
from registry.auth import Principal
from registry.domain.vocabulary import Role
from registry.operations import convert
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.sanctions import reported_from
from registry.records import CreditRatingRecord, FieldProblem, ServiceEvaluationRecord

__all__ = [
    "EVENT_FACTS",
    "StoredDocs",
    "changed",
    "evaluations_kept",
    "ratings_kept",
    "refuse_rewrites",
    "stored_docs",
]

StoredDocs = Mapping[str, Mapping[str, object]]


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Keyed)


async def stored_docs(
    store: GraphStore, principal: Principal, entity: str, records: Sequence[_Keyed]
) -> StoredDocs:
    """The stored documents of the records written (none read for ADMIN, who corrects)."""
    if principal.role is Role.ADMIN:
        return {}
    return {d.key: d.doc for d in await store.export_docs(entity, [r.id for r in records])}


def refuse_rewrites(
    stored: StoredDocs,
    records: Sequence[R],
    rewritten: Callable[[Mapping[str, object], R], list[str]],
    who: str,
) -> dict[str, int]:
    """NOT_AUTHORIZED on each field ``rewritten`` says a record would change; else the
    stored versions read, for the write to expect (so the check holds when it lands)."""
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{record.id} was recorded with {name} {old.get(name)}: {who}, ADMIN corrects it",
            f"input[{index}].{name}",
        )
        for index, record in enumerate(records)
        if (old := stored.get(record.id)) is not None
        for name in rewritten(old, record)
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)
    return {key: int(str(doc.get("version", 0))) for key, doc in stored.items()}


# What each states, by stored name: kept as first written.
EVENT_FACTS = ("kind", "date", "weight", "authority", "publicUntil", "description", "deadline")
_RATING_FACTS = ("grade", "score", "period", "publishedOn", "validUntil", "method", "evidence")
_EVALUATION_FACTS = (
    "kind",
    "date",
    "serviceCategory",
    "evaluator",
    "answers",
    "checksPassed",
    "checksTotal",
)


def changed(old: Mapping[str, object], model: object, names: Sequence[str]) -> list[str]:
    """The ``names`` whose stored value differs from what ``model`` would store."""
    now = to_props(model)
    return [name for name in names if old.get(name) != now.get(name)]


async def ratings_kept(
    store: GraphStore, principal: Principal, records: Sequence[CreditRatingRecord], today: date
) -> dict[str, int]:
    """A published rating stays as published, and a new one is published today: dated
    back, it changed the member's score and class on days gone by; dated ahead (2030), it
    was locked into those days' answers, which no one but ADMIN could withdraw
    (INVALID_VALUE on ``publishedOn``). Returns the stored versions read."""
    stored = await stored_docs(store, principal, "CreditRating", records)
    if principal.role is not Role.ADMIN:
        _refuse_dated(
            [
                (
                    index,
                    "publishedOn",
                    f"a rating counts from the day it is published here: {today}",
                )
                for index, r in enumerate(records)
                if r.id not in stored and r.published_on != today
            ]
        )
    return refuse_rewrites(
        stored,
        records,
        lambda old, r: changed(old, convert.credit_rating_model(r), _RATING_FACTS),
        "an association publishes a new rating",
    )


async def evaluations_kept(
    store: GraphStore,
    principal: Principal,
    records: Sequence[ServiceEvaluationRecord],
    today: date,
) -> dict[str, int]:
    """A recorded evaluation stays as recorded, and a new one is reported within
    ``REPORT_DAYS`` of its day and not after today (INVALID_VALUE on ``date``): one dated
    ahead, or years back, only moved other days' scores, and one dated 364 days back (the
    year the score reads) took a member's grade on a day eleven months gone from 88.2 A to
    76.4 B. Returns the stored versions read."""
    stored = await _evaluation_docs(store, principal, records)
    if principal.role is not Role.ADMIN:
        first = reported_from(today)
        _refuse_dated(
            [
                (index, "date", f"an evaluation is reported from {first} to today")
                for index, r in enumerate(records)
                if r.id not in stored and not first <= r.date <= today
            ]
        )
    return refuse_rewrites(
        stored,
        records,
        lambda old, r: changed(old, convert.service_evaluation_model(r), _EVALUATION_FACTS),
        "record a new evaluation",
    )


async def _evaluation_docs(
    store: GraphStore, principal: Principal, records: Sequence[ServiceEvaluationRecord]
) -> StoredDocs:
    """The stored evaluations written again, as documents (they are not exported: they
    name who answered). One stored under another institution is the store's to refuse."""
    if principal.role is Role.ADMIN:
        return {}
    named = {r.id: r.institution for r in records}
    found = await store.get_service_evaluations(sorted(named))
    return {v.id: to_props(v) for v in found if named[v.id] == v.institution}


def _refuse_dated(found: list[tuple[int, str, str]]) -> None:
    if found:
        raise Refusal(
            RefusalKind.INVALID_INPUT,
            [FieldProblem("INVALID_VALUE", why, f"input[{i}].{name}") for i, name, why in found],
        )
