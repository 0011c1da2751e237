"""Credit scores from stored facts: recomputed when their inputs change, read as stored.

``recompute_credit`` is called after every write that changes a score's inputs (and by
``registry credit recompute``, ``seed``, and ``generate`` and ``import`` where the store
has no bulk path: a bulk load scores with ``bulk_scoring``). Reads of today return the
stored assessment, and compute one on the fly only for an institution that has none of the
current method yet, without writing it; reads of a past day compute it from the facts of
that day. Only supervised (market) institutions are scored at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial

from graph.bulk_data import CreditScoring
from graph.errors import CreditMoved
from graph.models import CreditEvent, CreditFacts, ServiceEvaluation, StoredCredit
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.domain.credit_score import (
    METHOD_VERSION,
    AssociationRating,
    ComplaintCounts,
    CreditAssessment,
    CreditInputs,
    DatedCreditEvent,
    Factor,
    FactorName,
    assess_credit,
    last_public_day,
    public_on,
)
from registry.domain.ranking import PIN_RETENTION
from registry.domain.satisfaction import (
    SATISFACTION_WINDOW_DAYS,
    SurveyAnswer,
    counts_on,
    satisfaction_index,
)
from registry.domain.stations import StageTally
from registry.domain.supervision import is_supervised
from registry.domain.vocabulary import CreditEventKind, CreditGrade, ServiceEvaluationKind

__all__ = [
    "assessed",
    "assessments",
    "bulk_scoring",
    "counted",
    "credit_facts",
    "credit_inputs",
    "factors_json",
    "recompute_all",
    "recompute_credit",
    "rescore_moved",
    "satisfaction_of",
    "stored_assessment",
]

CREDIT_ACTOR = "system:credit"


def _dated(event: CreditEvent) -> DatedCreditEvent:
    """A repaired record stops counting the day it is repaired, as the public stops seeing it."""
    public_until = last_public_day(event.public_until, event.repaired_on)
    return DatedCreditEvent(CreditEventKind(event.kind), event.date, event.weight, public_until)


async def credit_facts(
    store: GraphStore,
    usccs: Sequence[str],
    day: date,
    *,
    past: bool = False,
    shown_on: date | None = None,
) -> list[CreditFacts]:
    """What the named institutions' scores read on ``day``, evaluations of the last year.
    ``past``: ``day`` is gone by, so what was dated after it is left out (the certificates
    issued, the complaints filed and the credit records dated later). ``shown_on``: only
    the credit records the public still sees that day (a past day shown to the public)."""
    since = date.fromordinal(max(1, day.toordinal() - (SATISFACTION_WINDOW_DAYS - 1)))
    found = await store.get_credit_inputs(
        usccs, today=day.isoformat(), evaluated_since=since.isoformat(), past=past
    )
    return [
        replace(
            f,
            events=tuple(
                e
                for e in f.events
                if (not past or e.date <= day)
                and (shown_on is None or public_on(e.public_until, e.repaired_on, shown_on))
            ),
            evaluations=counted(f.evaluations, day),
        )
        for f in found
    ]


def counted(evaluations: Sequence[ServiceEvaluation], day: date) -> tuple[ServiceEvaluation, ...]:
    """The evaluations that count on ``day``: a requester's form from its confirmation."""
    return tuple(v for v in evaluations if counts_on(v.recorded_by, v.confirmed_on, day))


def satisfaction_of(evaluations: Sequence[ServiceEvaluation]) -> float | None:
    """The satisfaction index of a set of evaluations: surveys blended with the share of
    mystery-customer checks passed (docs/credit-method.md)."""
    surveys = [
        [SurveyAnswer(a) if a else None for a in v.answers]
        for v in evaluations
        if v.kind == ServiceEvaluationKind.SURVEY
    ]
    visits = [v for v in evaluations if v.kind == ServiceEvaluationKind.MYSTERY_CUSTOMER]
    checks = sum(v.checks_total or 0 for v in visits)
    passed = sum(v.checks_passed or 0 for v in visits)
    return satisfaction_index(surveys, mystery=100.0 * passed / checks if checks else None)


def credit_inputs(facts: CreditFacts) -> CreditInputs:
    """The domain's inputs from the stored facts (ratings were read valid on the day)."""
    rating = None
    if facts.ratings:
        latest = max(facts.ratings, key=lambda r: (r.published_on, r.id))
        rating = AssociationRating(
            CreditGrade(latest.grade), float(latest.score), latest.published_on, latest.valid_until
        )
    return CreditInputs(
        uscc=facts.uscc,
        rating=rating,
        events=tuple(_dated(e) for e in sorted(facts.events, key=lambda e: (e.date, e.id))),
        complaints=ComplaintCounts(facts.complaints_total, facts.complaints_substantiated),
        certificates_issued=facts.certificates_issued,
        certificates_withdrawn=facts.certificates_withdrawn,
        best_service_stars=facts.best_service_stars,
        satisfaction=satisfaction_of(facts.evaluations),
        time_limit_compliance=StageTally(
            met=facts.stages_met, late=facts.stages_late, overdue=facts.stages_overdue
        ).compliance,
    )


def factors_json(factors: Sequence[Factor]) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text."""
    body = [
        {
            "name": str(f.name),
            "value": f.value,
            "weight": f.weight,
            "contribution": f.contribution,
            "evidence": f.evidence,
        }
        for f in factors
    ]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _stored(assessment: CreditAssessment) -> StoredCredit:
    return StoredCredit(
        uscc=assessment.uscc,
        score=assessment.score,
        grade=None if assessment.grade is None else str(assessment.grade),
        factors=factors_json(assessment.factors),
        computed_on=assessment.computed_on,
        method=assessment.method_version,
    )


def stored_assessment(stored: StoredCredit) -> CreditAssessment:
    factors = tuple(
        Factor(
            FactorName(f["name"]),
            None if f["value"] is None else float(f["value"]),
            float(f["weight"]),
            float(f["contribution"]),
            str(f["evidence"]),
        )
        for f in json.loads(stored.factors)
    )
    return CreditAssessment(
        stored.uscc,
        None if stored.score is None else float(stored.score),
        None if stored.grade is None else CreditGrade(stored.grade),
        stored.method,
        stored.computed_on,
        factors,
    )


async def recompute_credit(
    store: GraphStore,
    usccs: Sequence[str],
    today: date,
    *,
    actor: str = CREDIT_ACTOR,
    only_moved: bool = False,
) -> int:
    """Recompute and store the named institutions' scores, 1,000 per write; an unchanged
    assessment is not written again (``only_moved``: nor one whose score, grade and factors'
    points are unchanged, only its day and wording), and one of an institution nobody
    supervises is removed. Returns how many were written."""
    written = 0
    keys = sorted(set(usccs))
    same = _same_points if only_moved else _same
    for start in range(0, len(keys), MAX_WRITE_BATCH):
        batch = keys[start : start + MAX_WRITE_BATCH]
        for attempt in range(_RESCORE_ATTEMPTS):
            # The stored scores before the facts: a rescore that lands between the two reads
            # then moves what the store is checked against, and this one reads again.
            current = {s.uscc: s for s in await store.get_stored_credit(batch)}
            facts = await credit_facts(store, batch, today)
            fresh = _scored(facts, today=today)
            # In the order of their keys, whatever order the engine read them in: a bulk load
            # that scores gives each the seq of its change here (graph.bulk_credit).
            changed = sorted(
                (s for s in fresh if not same(current.get(s.uscc), s)), key=lambda s: s.uscc
            )
            # Stored only over what it was computed against: ten copies of one write rescored
            # at once each stored the same score again, and a score computed from older facts
            # could land last. The last attempt stores what it computed, whatever landed.
            last = attempt == _RESCORE_ATTEMPTS - 1
            expected = None if last else {s.uscc: current.get(s.uscc) for s in changed}
            try:
                if changed:
                    stored = await store.store_credit(changed, actor=actor, expected=expected)
                    written += stored.written
            except CreditMoved:
                continue
            break
        unsupervised = [f.uscc for f in facts if not is_supervised(f.kinds) and f.uscc in current]
        if unsupervised:
            written += (await store.clear_credit(unsupervised, actor=actor)).written
    if written:
        await _forget_old_keys(store)
    return written


_RESCORE_ATTEMPTS = 5


def _same(stored: StoredCredit | None, fresh: StoredCredit) -> bool:
    return stored == fresh


def _same_points(stored: StoredCredit | None, fresh: StoredCredit) -> bool:
    """Whether ``fresh`` says what ``stored`` says: the same method, score and grade, and
    each factor's value (to a tenth), weight and points."""
    return stored is not None and _points(stored) == _points(fresh)


def _points(stored: StoredCredit) -> tuple[object, ...]:
    factors = [
        (f["name"], _tenth(f["value"]), f["weight"], f["contribution"])
        for f in json.loads(stored.factors)
    ]
    return (stored.method, stored.score, stored.grade, factors)


def _tenth(value: object) -> object:
    return round(value, 1) if isinstance(value, float) else value


def _scored(
    facts: Sequence[CreditFacts], *, today: date, leave: frozenset[str] = frozenset()
) -> list[StoredCredit]:
    """The assessments to store of the supervised institutions among ``facts``, but those
    in ``leave``."""
    return [
        _stored(assess_credit(credit_inputs(f), today=today))
        for f in facts
        if is_supervised(f.kinds) and f.uscc not in leave
    ]


def bulk_scoring(
    today: date,
    *,
    leave: frozenset[str] = frozenset(),
    assessed: frozenset[str] = frozenset(),
) -> CreditScoring:
    """What a first load (``generate``, ``import``) is given to score its institutions on
    ``today`` from the facts it holds, instead of a rescore reading them back (30 s at
    100,000 institutions; graph.bulk_credit). Those in ``leave`` are left to the rescore of
    what is written after the load, so that none is scored twice; ``assessed`` are the
    certificates whose assessments, confirmed by ``today``, follow the load (their stars
    count)."""
    return CreditScoring(today, partial(_scored, today=today, leave=leave), assessed)


_PRUNE_EVERY = 60.0  # seconds: a bulk rescore leaves many kept keys, each write need not scan
_pruned_at: dict[int, float] = {}


async def _forget_old_keys(store: GraphStore) -> None:
    """Drop the ranking keys no pinned page may still ask for, once a minute per store."""
    now = time.monotonic()
    if now - _pruned_at.get(id(store), -_PRUNE_EVERY) < _PRUNE_EVERY:
        return
    _pruned_at[id(store)] = now
    horizon = datetime.now(UTC) - PIN_RETENTION
    await store.prune_credit_history(before=horizon.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


async def recompute_all(store: GraphStore, today: date, *, actor: str = CREDIT_ACTOR) -> int:
    """Recompute every institution's score: after a bulk load (seed, generate, import) or a new
    method version. Returns how many were written."""
    return await recompute_credit(store, await store.institution_usccs(), today, actor=actor)


async def rescore_moved(store: GraphStore, today: date) -> int:
    """A new day's rescore (``operations.new_day``). A score reads facts by the day it is
    computed on (a rating's validity, an event's date and publicity period, a certificate's
    steps, the last year's evaluations and service requests), so a score stored when its
    inputs were last written goes stale as those days come: every score is recomputed, and
    those whose points moved are written."""
    usccs = await store.institution_usccs()
    return await recompute_credit(store, usccs, today, only_moved=True)


async def assessments(
    store: GraphStore,
    usccs: Sequence[str],
    today: date,
    *,
    on: date | None = None,
    withheld: bool = False,
) -> dict[str, CreditAssessment]:
    """The assessments of the supervised institutions among ``usccs`` on ``today``: as
    stored, or computed on the fly (not stored) where none of the current method is stored.
    On a past day (``on``), each is computed from the facts as they stood then, so a class
    on that day rests on no penalty, complaint or certificate dated later; ``withheld``:
    without the credit records the public no longer sees today."""
    if on is not None and on != today:
        shown_on = today if withheld else None
        return await _computed(store, usccs, on, past=on < today, shown_on=shown_on)
    found = {
        s.uscc: stored_assessment(s)
        for s in await store.get_stored_credit(usccs)
        if s.method == METHOD_VERSION
    }
    missing = [u for u in usccs if u not in found]
    return found | await _computed(store, missing, today, past=False)


async def _computed(
    store: GraphStore, usccs: Sequence[str], day: date, *, past: bool, shown_on: date | None = None
) -> dict[str, CreditAssessment]:
    if not usccs:
        return {}
    return assessed(await credit_facts(store, usccs, day, past=past, shown_on=shown_on), day)


def assessed(facts: Sequence[CreditFacts], day: date) -> dict[str, CreditAssessment]:
    """The assessments on ``day`` of the supervised institutions among ``facts`` (read for
    that day), computed and not stored."""
    return {
        f.uscc: assess_credit(credit_inputs(f), today=day) for f in facts if is_supervised(f.kinds)
    }
