"""The hard rules of classified supervision: what the registry itself finds, with its proof.

Each rule that applies is a reason with the records it rests on (certificates, accreditations,
complaints, credit events), so a class D can be checked record by record. Certificate findings
come from ``anomalies`` (the verification page's chain of trust), never re-derived here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from graph.models import Complaint, CreditEvent
from registry.domain.anomalies import AnomalyKind, CertificateFinding
from registry.domain.complaints import due_by, overdue
from registry.domain.credit_score import last_public_day
from registry.domain.lifecycle import add_months
from registry.domain.supervision import Evidence, Reason, SupervisionReasonCode
from registry.domain.vocabulary import CreditEventKind, RectificationOutcome

__all__ = [
    "FINDINGS_YEARS",
    "MAX_EVIDENCE",
    "findings_since",
    "hard_rules",
    "in_force",
]

FINDINGS_YEARS = 3  # a certification cycle, and the longest publicity period of a record
MAX_EVIDENCE = 20  # certificates named per reason; the text gives the full count


def findings_since(today: date) -> date:
    """The first issue date the certificate rules look at (the calendar's first day for a
    day asked for in its first years)."""
    return date.min if today.year <= FINDINGS_YEARS else add_months(today, -12 * FINDINGS_YEARS)


def in_force(event: CreditEvent, *, today: date) -> bool:
    """Started, still in its publicity period, and not repaired."""
    last = last_public_day(event.public_until, event.repaired_on)
    return event.date <= today and (last is None or today <= last)


def _certificates(
    findings: Iterable[CertificateFinding], kind: AnomalyKind, since: date
) -> Reason | None:
    found = sorted(
        (f for f in findings if f.kind is kind and f.issued_on >= since),
        key=lambda f: (f.issued_on, f.number),
        reverse=True,
    )
    if not found:
        return None
    accreditations = sorted({f.accreditation for f in found if f.accreditation is not None})
    named = found[:MAX_EVIDENCE]
    listed = "" if len(named) == len(found) else f" (the latest {len(named)} named)"
    if kind is AnomalyKind.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE:
        code = SupervisionReasonCode.ISSUED_WITHOUT_ACCREDITATION
        what = "when no accreditation covering them was in force on the issue date"
    else:
        code = SupervisionReasonCode.ISSUED_OUTSIDE_SCOPE
        what = "outside the scope of every accreditation in force on the issue date"
    relied = f"; accreditation(s) concerned: {', '.join(accreditations)}" if accreditations else ""
    text = f"issued {len(found)} certificate(s) since {since} {what}{listed}{relied}"
    evidence = [Evidence("Certificate", f.number) for f in named]
    evidence += [Evidence("Accreditation", number) for number in accreditations]
    return Reason(code, text, tuple(evidence))


def _serious_violation(events: Iterable[CreditEvent], today: date) -> Reason | None:
    listed = sorted(
        (
            e
            for e in events
            if e.kind == CreditEventKind.SERIOUS_VIOLATION and in_force(e, today=today)
        ),
        key=lambda e: (e.date, e.id),
    )
    if not listed:
        return None
    spans = ", ".join(
        f"{e.id} from {e.date} until {e.public_until or 'further notice'}" for e in listed
    )
    return Reason(
        SupervisionReasonCode.SERIOUS_VIOLATION,
        f"on the serious-violation list during its publicity period: {spans}",
        tuple(Evidence("CreditEvent", e.id) for e in listed),
    )


def _unrectified(order: CreditEvent, today: date) -> bool:
    """Past its deadline and not rectified (found so, or still pending): not rectified by
    the deadline is what DB2101/T 0050-2022 §8.2.2 names, so a finding recorded before the
    deadline counts from the day after it, and a past day before the deadline never rests
    on a finding recorded since (the event keeps no day for its outcome)."""
    if order.deadline is None or order.deadline >= today:
        return False
    return order.outcome in (None, RectificationOutcome.PENDING, RectificationOutcome.NOT_RECTIFIED)


def _failed_check_before(
    events: Sequence[CreditEvent], order: CreditEvent, today: date
) -> CreditEvent | None:
    """The failed spot check an order follows: the latest one on or before its date that is
    still in force. The reason is public; a check no longer public is not named again."""
    failed = [
        e
        for e in events
        if e.kind == CreditEventKind.SPOT_CHECK
        and e.weight < 0
        and e.date <= order.date
        and in_force(e, today=today)
    ]
    return max(failed, key=lambda e: (e.date, e.id), default=None)


def _not_rectified(events: Sequence[CreditEvent], today: date) -> Reason | None:
    orders = sorted(
        (
            e
            for e in events
            if e.kind == CreditEventKind.RECTIFICATION_ORDER
            and in_force(e, today=today)
            and _unrectified(e, today)
        ),
        key=lambda e: (e.date, e.id),
    )
    if not orders:
        return None
    parts: list[str] = []
    evidence: list[Evidence] = []
    for order in orders:
        state = (
            "found not rectified"
            if order.outcome == RectificationOutcome.NOT_RECTIFIED
            else "still pending"
        )
        part = f"rectification order {order.id} (deadline {order.deadline}) {state}"
        evidence.append(Evidence("CreditEvent", order.id))
        check = _failed_check_before(events, order, today)
        if check is not None:
            part += f" after the failed spot check {check.id} of {check.date}"
            evidence.append(Evidence("CreditEvent", check.id))
        parts.append(part)
    return Reason(
        SupervisionReasonCode.NOT_RECTIFIED_BY_DEADLINE,
        "; ".join(parts) + " (DB2101/T 0050-2022 §8.2.2)",
        tuple(dict.fromkeys(evidence)),
    )


def _overdue_complaints(complaints: Iterable[Complaint], today: date) -> Reason | None:
    late = sorted(
        (c for c in complaints if c.substantiated is True and overdue(c, today=today)),
        key=lambda c: (c.filed_on, c.id),
    )
    if not late:
        return None
    due = ", ".join(f"{c.id} due by {due_by(c)}" for c in late)
    return Reason(
        SupervisionReasonCode.OVERDUE_SUBSTANTIATED_COMPLAINT,
        f"{len(late)} substantiated complaint(s) still unresolved past the handling time "
        f"limit: {due}",
        tuple(Evidence("Complaint", c.id) for c in late),
    )


def hard_rules(
    *,
    events: Sequence[CreditEvent],
    complaints: Sequence[Complaint],
    findings: Sequence[CertificateFinding],
    today: date,
) -> tuple[Reason, ...]:
    """Every hard rule that applies to one institution on ``today``, most serious first."""
    since = findings_since(today)
    found = (
        _serious_violation(events, today),
        _certificates(findings, AnomalyKind.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE, since),
        _certificates(findings, AnomalyKind.OUTSIDE_ACCREDITED_SCOPE, since),
        _not_rectified(events, today),
        _overdue_complaints(complaints, today),
    )
    return tuple(reason for reason in found if reason is not None)
