"""Credit scores from stored facts: recomputed when their inputs change, read as stored.

``recompute_credit`` is called after every write that changes a score's inputs (and by
``registry credit recompute``); reads return the stored assessment and compute one on the fly
only for an institution that has none yet, without writing it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

from graph.models import CreditEvent, CreditFacts, ServiceEvaluation, StoredCredit
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.domain.credit_score import (
    SATISFACTION_WINDOW_DAYS,
    AssociationRating,
    ComplaintCounts,
    CreditAssessment,
    CreditInputs,
    DatedCreditEvent,
    Factor,
    FactorName,
    SurveyAnswer,
    assess_credit,
    satisfaction_index,
)
from registry.domain.supervision import (
    ClassDecision,
    SupervisionClass,
    on_serious_violation_list,
    supervision_class,
)
from registry.domain.vocabulary import (
    CreditEventKind,
    CreditGrade,
    RectificationOutcome,
    ServiceEvaluationKind,
)

__all__ = [
    "assessments",
    "credit_facts",
    "credit_inputs",
    "factors_json",
    "recompute_credit",
    "satisfaction_of",
    "stored_assessment",
    "supervision_classes",
    "supervision_decision",
]

CREDIT_ACTOR = "system:credit"


def _dated(event: CreditEvent) -> DatedCreditEvent:
    """A repaired record stops counting the day it is repaired, as the public stops seeing it."""
    public_until = event.public_until
    if event.repaired_on is not None:
        last = event.repaired_on - timedelta(days=1)
        public_until = last if public_until is None else min(public_until, last)
    return DatedCreditEvent(CreditEventKind(event.kind), event.date, event.weight, public_until)


async def credit_facts(store: GraphStore, usccs: Sequence[str], day: date) -> list[CreditFacts]:
    """What the named institutions' scores read on ``day``, evaluations of the last year."""
    since = day - timedelta(days=SATISFACTION_WINDOW_DAYS - 1)
    return await store.get_credit_inputs(
        usccs, today=day.isoformat(), evaluated_since=since.isoformat()
    )


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
        grade=str(assessment.grade),
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
        float(stored.score),
        CreditGrade(stored.grade),
        stored.method,
        stored.computed_on,
        factors,
    )


async def recompute_credit(
    store: GraphStore, usccs: Sequence[str], today: date, *, actor: str = CREDIT_ACTOR
) -> int:
    """Recompute and store the named institutions' scores, 1,000 per write; an unchanged
    assessment is not written again. Returns how many were written."""
    written = 0
    keys = sorted(set(usccs))
    for start in range(0, len(keys), MAX_WRITE_BATCH):
        batch = keys[start : start + MAX_WRITE_BATCH]
        facts = await credit_facts(store, batch, today)
        current = {s.uscc: s for s in await store.get_stored_credit(batch)}
        fresh = [_stored(assess_credit(credit_inputs(f), today=today)) for f in facts]
        changed = [s for s in fresh if current.get(s.uscc) != s]
        if changed:
            written += (await store.store_credit(changed, actor=actor)).written
    return written


async def assessments(
    store: GraphStore, usccs: Sequence[str], today: date
) -> dict[str, CreditAssessment]:
    """The stored assessments; one computed on the fly (not stored) where none is stored."""
    found = {s.uscc: stored_assessment(s) for s in await store.get_stored_credit(usccs)}
    missing = [u for u in usccs if u not in found]
    if missing:
        for facts in await credit_facts(store, missing, today):
            found[facts.uscc] = assess_credit(credit_inputs(facts), today=today)
    return found


def _unrectified(events: Sequence[CreditEvent], today: date) -> bool:
    for event in events:
        if event.kind != CreditEventKind.RECTIFICATION_ORDER or event.repaired_on is not None:
            continue
        if event.public_until is not None and event.public_until < today:
            continue
        if event.outcome == RectificationOutcome.NOT_RECTIFIED:
            return True
        overdue = event.deadline is not None and event.deadline < today
        if overdue and event.outcome in (None, RectificationOutcome.PENDING):
            return True
    return False


def supervision_decision(
    facts: CreditFacts, assessment: CreditAssessment, today: date
) -> ClassDecision:
    """The class from the score, unless a hard rule forces D."""
    inputs = credit_inputs(facts)
    return supervision_class(
        assessment,
        serious_violation=on_serious_violation_list(inputs.events, today=today),
        issuing_without_accreditation=facts.certificates_valid > 0 and not facts.accredited,
        unrectified_order=_unrectified(facts.events, today),
    )


async def supervision_classes(
    store: GraphStore, usccs: Sequence[str], day: date
) -> dict[str, SupervisionClass]:
    """The supervision class of each named institution (those that exist), 1,000 at a time."""
    classes: dict[str, SupervisionClass] = {}
    for start in range(0, len(usccs), MAX_WRITE_BATCH):
        batch = usccs[start : start + MAX_WRITE_BATCH]
        found = await assessments(store, batch, day)
        for facts in await credit_facts(store, batch, day):
            assessment = found.get(facts.uscc)
            if assessment is not None:
                classes[facts.uscc] = supervision_decision(facts, assessment, day).class_
    return classes
