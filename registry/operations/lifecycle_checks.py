"""The lifecycle rules at write time: validity, accredited scope and the stars its recorded
assessment earns when a certificate is issued, and every new status step against the
timeline as it will be.

Rules are checked against records read before the write. The write then expects the versions
it read (an implied ``WriteGuard``), so a write that landed in between makes it plan again
(``Replan``) instead of slipping a step past a check made on an older timeline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TypeVar

from graph.models import Accreditation, Certificate, Institution, StatusChange
from graph.port import GraphStore
from registry.domain.accreditations import institution_status_on
from registry.domain.lifecycle import timeline_problems, validity_problem
from registry.domain.service_standards import certificate_disagreement, weighted_total
from registry.domain.verification import scope_problem
from registry.domain.vocabulary import InstitutionStatus, Role
from registry.operations import convert
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.sanctions import (
    OVERSIGHT,
    REPORT_DAYS,
    refuse_certifying_around_sanctions,
    refuse_lapsing_sanctions,
    refuse_out_of_time,
    reported_from,
)
from registry.records import AccreditationRecord, CertificateRecord, FieldProblem

__all__ = [
    "NOT_YET_RECORDED",
    "Replan",
    "certificates_to_issue",
    "moved_validity",
    "refuse_broken_timelines",
    "refuse_rewritten_grants",
    "replanned",
]

T = TypeVar("T")
# A new step's place in recording order: after every step already recorded.
NOT_YET_RECORDED = 2**62
_ATTEMPTS = 5


class Replan(Exception):
    """Another write changed a record this one was checked against: read and check again."""


async def replanned(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt`` (read, check, write) until no other write lands in between."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return await attempt()
        except Replan:
            continue
    try:
        return await attempt()
    except Replan as exc:
        problem = FieldProblem(
            "CONCURRENT_CHANGE", "the records kept changing while this was checked", "input"
        )
        raise Refusal(RefusalKind.CONFLICT, [problem]) from exc


def refuse_broken_timelines(
    keys: Sequence[str],
    histories: Mapping[str, Sequence[StatusChange]],
    steps: Sequence[StatusChange],
    transitions: Mapping[str, frozenset[str]],
    *,
    role: Role,
    today: date,
    sanctioning: frozenset[Role] = OVERSIGHT,
) -> list[StatusChange]:
    """The new ``steps`` (one per input row, ``keys[i]`` naming its record), placed after
    every recorded step; raise ``INVALID_TRANSITION`` naming each row's field when the
    timeline as it will be cannot take it (after ``refuse_out_of_time``: ``sanctioning``
    are the roles whose steps on these records are sanctions, dated freely)."""
    refuse_out_of_time(role in sanctioning, role, steps, transitions, today=today)
    placed = [replace(step, seq=NOT_YET_RECORDED) for step in steps]
    problems = [
        FieldProblem("INVALID_TRANSITION", problem.message, f"input[{index}].{problem.field}")
        for index, (key, step) in enumerate(zip(keys, placed, strict=True))
        for problem in timeline_problems(histories[key], [step], transitions, today=today)
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    return placed


async def certificates_to_issue(
    store: GraphStore,
    records: Sequence[CertificateRecord],
    *,
    today: date,
    stored: Mapping[str, Certificate],
    oversight: bool = False,
) -> tuple[list[Certificate], dict[str, int]]:
    """The certificates to write, once their validity is within the family's limits, their
    standard within the issuer's accredited scope on the issue date and the issuer itself
    not suspended (nor revoked or closed) that day. A historical import outside the scope is
    accepted with the exception recorded on it.

    A body writes nothing it could not issue today either (``oversight``: ADMIN migrating an
    archive may): an issue date is the writer's own to state, so a body suspended or
    stripped of its accreditation today could otherwise date its certificates before that
    and, once reinstated, have them verify VALID. Also returns the versions of the other
    certificates the checks read, for the write to imply."""
    read: dict[str, int] = {}
    problems = [
        FieldProblem("INVALID_VALIDITY", message, f"input[{index}].{field}")
        for index, r in enumerate(records)
        if (found := validity_problem(r.family, r.issued_on, r.expires_on, today=today))
        for field, message in [found]
    ]
    problems += _past_kept(records, stored)
    if not oversight:
        _refuse_rewritten_terms(records, stored)
        refuse_lapsing_sanctions(records, stored, today=today)
        read = await refuse_certifying_around_sanctions(store, records, stored, today=today)
        started = [(r.number, r.issued_on) for r in records]
        problems += _reported_late(started, stored, "issuedOn", "certificate", today=today)
        problems += [
            moved
            for index, r in enumerate(records)
            if (old := stored.get(r.number)) is not None
            and (moved := moved_validity(index, "expiresOn", old.expires_on, r.expires_on, today))
        ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    issuers = sorted({r.issuer for r in records})
    bodies = {i.uscc: i for i in await store.get_institutions(issuers)}  # others: NOT_FOUND later
    held: dict[str, list[Accreditation]] = {}
    for accreditation in await store.get_accreditations_held(issuers):
        held.setdefault(accreditation.holder, []).append(accreditation)
    models: list[Certificate] = []
    # The verdict depends on these four facts alone: a batch of one issuer's certificates
    # judges each (standard, family, day) once, not once a row.
    judged: dict[tuple[str, str, str, date], str | None] = {}
    standing: dict[tuple[str, date], InstitutionStatus] = {}  # each issuer's own, by day
    for index, record in enumerate(records):
        model = convert.certificate_model(record)
        facts = (model.issuer, model.family, model.standard, model.issued_on)
        if facts not in judged:
            judged[facts] = (
                scope_problem(model, tuple(held.get(record.issuer, ())))
                if record.issuer in bodies
                else None
            )
        outside = judged[facts]
        if outside is not None and not record.historical_import:
            problems.append(
                FieldProblem("OUTSIDE_ACCREDITED_SCOPE", outside, f"input[{index}].standard")
            )
        # The flag excuses the issue day's scope, which the registry may not have known,
        # never today's: with it a body issued today's certificate outside any scope.
        if (
            not oversight
            and (outside is None or record.historical_import)
            and record.issuer in bodies
        ):
            now = (model.issuer, model.family, model.standard, today)
            if now not in judged:
                judged[now] = scope_problem(
                    replace(model, issued_on=today), tuple(held.get(record.issuer, ()))
                )
            if (recorded := judged[now]) is not None:
                problems.append(
                    FieldProblem(
                        "OUTSIDE_ACCREDITED_SCOPE",
                        f"{recorded}, the day this issue is recorded",
                        f"input[{index}].standard",
                    )
                )
        body = bodies.get(record.issuer)
        if body is not None:  # historical imports too: the flag is the writer's own to set
            days = (record.issued_on,) if oversight else (record.issued_on, today)
            if inactive := _not_active(body, days, standing):
                problems.append(
                    FieldProblem(
                        "ISSUER_NOT_ACTIVE",
                        f"{record.issuer} was {inactive[1].value} on {inactive[0]}: "
                        "it could not certify that day",
                        f"input[{index}].issuedOn",
                    )
                )
        models.append(replace(model, scope_exception=outside))
    problems += await _stars_problems(store, records)
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    return models, read


def _not_active(
    body: Institution,
    days: Sequence[date],
    standing: dict[tuple[str, date], InstitutionStatus],
) -> tuple[date, InstitutionStatus] | None:
    """The first of ``days`` the body was not ACTIVE, with its status then (each issuer and
    day judged once a batch, in ``standing``)."""
    for day in days:
        if (body.uscc, day) not in standing:
            standing[body.uscc, day] = institution_status_on(body, day)[0]
        if standing[body.uscc, day] is not InstitutionStatus.ACTIVE:
            return day, standing[body.uscc, day]
    return None


def moved_validity(
    index: int, field: str, stored: date, sent: date, today: date
) -> FieldProblem | None:
    """A bound of a record's validity, sent again, moves only where no past day's answer
    turns (INVALID_VALUE): an expired certificate re-issued with a later expiry answered
    VALID for the days it had answered EXPIRED, and ``knownAt`` could not show what was said
    before. Moving bounds of days still ahead is a renewal in time."""
    if stored == sent or min(stored, sent) >= today:
        return None
    message = f"stored as {stored}: moving it to {sent} changes what days before {today} said"
    return FieldProblem("INVALID_VALUE", message, f"input[{index}].{field}")


def refuse_rewritten_grants(
    role: Role,
    records: Sequence[AccreditationRecord],
    stored: Mapping[str, Accreditation],
    *,
    today: date,
) -> None:
    """An accreditation sent again is the grant it was, for every writer but ADMIN, who
    corrects archives. Its scheme, body, holder and scope stay as granted (NOT_AUTHORIZED):
    re-sent, a wider scope whitewashed certificates issued outside it, a narrower one put
    warnings on certificates that had had none, and another holder moved the chain of trust
    of the first holder's certificates, on every day since the grant. Scope changes are
    dated steps (``changeAccreditationStatus``: ``scopeAdded``, ``scopeRemoved``). Its
    validity moves only among days still ahead (``moved_validity``), and a new grant is
    reported within ``REPORT_DAYS`` of its start. ``stored``: the accreditations of those
    numbers already written, by number."""
    if role is Role.ADMIN:
        return
    rewritten = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{r.number} was granted with {field} {was!r}: "
            + (
                "a change of scope is a dated step (changeAccreditationStatus)"
                if field == "scope"
                else "another is a new grant"
            )
            + "; ADMIN corrects a mistake",
            f"input[{index}].{field}",
        )
        for index, r in enumerate(records)
        if (old := stored.get(r.number)) is not None
        for field, was, sent in (
            ("scheme", old.scheme, r.scheme.value),
            ("body", old.body, r.body),
            ("holder", old.holder, r.holder),
            ("scope", sorted(old.scope), sorted(r.scope)),
        )
        if was != sent
    ]
    if rewritten:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, rewritten)
    moved = [
        found
        for index, r in enumerate(records)
        if (old := stored.get(r.number)) is not None
        for field, was_day, sent_day in (
            ("validFrom", old.valid_from, r.valid_from),
            ("validUntil", old.valid_until, r.valid_until),
        )
        if (found := moved_validity(index, field, was_day, sent_day, today))
    ]
    started = [(r.number, r.valid_from) for r in records]
    moved += _reported_late(started, stored, "validFrom", "grant", today=today)
    if moved:
        raise Refusal(RefusalKind.INVALID_INPUT, moved)


# What a certificate certifies: kept as issued, for every writer but ADMIN.
_TERMS = ("family", "standard", "scope", "stars")


def _refuse_rewritten_terms(
    records: Sequence[CertificateRecord], stored: Mapping[str, Certificate]
) -> None:
    """A certificate sent again certifies what it was issued for (NOT_AUTHORIZED): these
    decide what every day of it answers, past days too, and nothing dates them. A body
    re-sent a certificate issued outside its accredited scope under another standard and
    without its scope exception, and verifications of days gone by lost the warning; another
    raised a lapsed certificate's stars. Another standard, scope or grade is a new
    certificate (a new number); ADMIN corrects a mistake."""
    problems = [
        FieldProblem(
            "NOT_AUTHORIZED",
            f"{record.number} was issued with {name} {getattr(old, name)!r}: another "
            "standard, scope or star grade is a new certificate; ADMIN corrects a mistake",
            f"input[{index}].{name}",
        )
        for index, record in enumerate(records)
        if (old := stored.get(record.number)) is not None
        and (old.issuer, old.holder) == (record.issuer, record.holder)
        for sent in [convert.certificate_model(record)]
        for name in _TERMS
        if getattr(old, name) != getattr(sent, name)
    ]
    if problems:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, problems)


def _reported_late(
    started: Sequence[tuple[str, date]],
    stored: Mapping[str, object],
    field: str,
    what: str,
    *,
    today: date,
) -> list[FieldProblem]:
    """A body reports a new record (``started``: each row's number and first day) within
    ``REPORT_DAYS`` of its start, as it reports a status step. 40 certificates dated 2024
    and lapsed since, to holders it invented, took a body's own grade from 65.8 C to 78.7 B
    (twenty-fourth session's review); a CNAS grant dated back 23 months took a body's
    certificate off the anomaly list and its class on 2026-01-01 from D to A, where the same
    widening as a scope step was refused (twenty-fifth session's). Older records are an
    archive, ADMIN's to load (``registry import``); one already recorded may be sent again.
    INVALID_VALUE on ``field``."""
    first = reported_from(today)
    return [
        FieldProblem(
            "INVALID_VALUE",
            f"a new {what} is reported within {REPORT_DAYS} days of its start: from {first} "
            "on (an older one is an archive, loaded by ADMIN)",
            f"input[{index}].{field}",
        )
        for index, (number, day) in enumerate(started)
        if number not in stored and day < first
    ]


def _past_kept(
    records: Sequence[CertificateRecord], stored: Mapping[str, Certificate]
) -> list[FieldProblem]:
    """Re-issuing a number may not start it after steps already dated: its past stays as
    recorded (a later issuedOn made the certificate vanish from the days it was recorded
    SUSPENDED, and left steps dated before it began). Nor before its recorded issue date:
    the first step stays where it was, so the days in between answered VALID with no step
    behind them, and past answers turned from NOT_FOUND to VALID."""
    problems = []
    for index, record in enumerate(records):
        old = stored.get(record.number)
        if (
            old is None
            or not old.history
            or (old.issuer, old.holder) != (record.issuer, record.holder)
        ):
            continue  # new, or another party's number: that conflict is the store's to refuse
        first = min(step.effective_on for step in old.history)
        if record.issued_on > first:
            message = f"{record.number} has steps dated from {first}, before this issue date"
            problems.append(FieldProblem("INVALID_VALUE", message, f"input[{index}].issuedOn"))
        elif record.issued_on < old.issued_on:
            message = f"{record.number} was issued on {old.issued_on}: its timeline starts there"
            problems.append(FieldProblem("INVALID_VALUE", message, f"input[{index}].issuedOn"))
    return problems


async def _stars_problems(
    store: GraphStore, records: Sequence[CertificateRecord]
) -> list[FieldProblem]:
    """A certificate re-issued over a recorded assessment keeps that assessment's scheme and
    carries the stars it earns (issue 16)."""
    assessed = {
        a.certificate: a for a in await store.get_service_assessments([r.number for r in records])
    }
    return [
        FieldProblem(code, message, f"input[{index}].{field}")
        for index, record in enumerate(records)
        if (a := assessed.get(record.number)) is not None
        and (
            found := certificate_disagreement(
                a.scheme,
                weighted_total(a.scores, a.weights),
                standard=record.standard,
                stars=record.stars,
            )
        )
        for code, message in [found]
        for field in ["standard" if code == "STANDARD_DISAGREES_WITH_ASSESSMENT" else "stars"]
    ]
