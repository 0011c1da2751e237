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
from datetime import date, timedelta
from typing import TypeVar

from graph.models import Accreditation, Certificate, Institution, StatusChange
from graph.port import GraphStore
from registry.auth import Principal, access_of, actor_prefix
from registry.domain.accreditations import institution_status_on
from registry.domain.certificates import status_timeline
from registry.domain.lifecycle import timeline_problems, validity_problem
from registry.domain.service_standards import certificate_disagreement, weighted_total
from registry.domain.timeline import in_effect
from registry.domain.verification import scope_problem
from registry.domain.vocabulary import CertificateStatus, InstitutionStatus, Role
from registry.operations import convert
from registry.operations.refusals import Refusal, RefusalKind
from registry.records import CertificateRecord, FieldProblem, StatusChangeRecord

__all__ = [
    "NOT_YET_RECORDED",
    "REPORT_DAYS",
    "Replan",
    "certificates_to_issue",
    "moved_validity",
    "refuse_broken_timelines",
    "refuse_lifting_sanctions",
    "refuse_lifting_wider_suspensions",
    "replanned",
]

T = TypeVar("T")
# Who sanctions: their steps are lifted by them alone (``refuse_lifting_sanctions``).
_OVERSIGHT = frozenset({Role.REGULATOR, Role.ADMIN})
_OVERSIGHT_ACTORS = tuple(actor_prefix(role) for role in _OVERSIGHT)
# A new step's place in recording order: after every step already recorded.
NOT_YET_RECORDED = 2**62
_ATTEMPTS = 5
# How far back anyone but oversight dates a step: a report of this month's change, not a
# rewrite of what the registry said months ago (the registry's assumption: no rule gives one).
REPORT_DAYS = 30


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
    sanctioning: frozenset[Role] = _OVERSIGHT,
) -> list[StatusChange]:
    """The new ``steps`` (one per input row, ``keys[i]`` naming its record), placed after
    every recorded step; raise ``INVALID_TRANSITION`` naming each row's field when the
    timeline as it will be cannot take it (after ``_refuse_out_of_time``: ``sanctioning``
    are the roles whose steps on these records are sanctions, dated freely)."""
    _refuse_out_of_time(role in sanctioning, role, steps, transitions, today=today)
    placed = [replace(step, seq=NOT_YET_RECORDED) for step in steps]
    problems = [
        FieldProblem("INVALID_TRANSITION", problem.message, f"input[{index}].{problem.field}")
        for index, (key, step) in enumerate(zip(keys, placed, strict=True))
        for problem in timeline_problems(histories[key], [step], transitions)
    ]
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    return placed


def _refuse_out_of_time(
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
    first = today - timedelta(days=REPORT_DAYS)
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


async def certificates_to_issue(
    store: GraphStore,
    records: Sequence[CertificateRecord],
    *,
    today: date,
    stored: Mapping[str, Certificate],
    oversight: bool = False,
) -> list[Certificate]:
    """The certificates to write, once their validity is within the family's limits, their
    standard within the issuer's accredited scope on the issue date and the issuer itself
    not suspended (nor revoked or closed) that day. A historical import outside the scope is
    accepted with the exception recorded on it.

    A body writes nothing it could not issue today either (``oversight``: ADMIN migrating an
    archive may): an issue date is the writer's own to state, so a body suspended or
    stripped of its accreditation today could otherwise date its certificates before that
    and, once reinstated, have them verify VALID."""
    problems = [
        FieldProblem("INVALID_VALIDITY", message, f"input[{index}].{field}")
        for index, r in enumerate(records)
        if (found := validity_problem(r.family, r.issued_on, r.expires_on, today=today))
        for field, message in [found]
    ]
    problems += _past_kept(records, stored)
    if not oversight:
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
    return models


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


async def refuse_lifting_sanctions(
    store: GraphStore,
    principal: Principal,
    records: Sequence[StatusChangeRecord],
    stored: Mapping[str, Certificate],
    *,
    today: date,
) -> None:
    """A body restores (VALID) its certificates only when it may: not one its regulator (or
    ADMIN) suspended, which would undo the sanction (NOT_AUTHORIZED), and not while the body
    itself is not ACTIVE today (ISSUER_NOT_ACTIVE): a suspended or revoked body certifies
    nothing, lifting included. Oversight itself lifts what it suspended, a regulator only
    what a key of its jurisdiction did (``refuse_lifting_wider_suspensions``)."""
    restoring = [
        (index, r) for index, r in enumerate(records) if r.status is CertificateStatus.VALID
    ]
    if principal.role in _OVERSIGHT:
        lifting = [
            (index, status_timeline(stored[r.number]), r.effective_on or today)
            for index, r in restoring
        ]
        await refuse_lifting_wider_suspensions(
            store, principal, lifting, CertificateStatus.SUSPENDED
        )
        return
    if not restoring:
        return
    issuers = sorted({stored[r.number].issuer for _, r in restoring})
    standing = {
        i.uscc: institution_status_on(i, today)[0] for i in await store.get_institutions(issuers)
    }
    sanctioned: list[FieldProblem] = []
    inactive: list[FieldProblem] = []
    for index, record in restoring:
        certificate = stored[record.number]
        # Oversight's own last word by that day: a body suspending on top of the sanction
        # and then lifting its own suspension would otherwise lift the sanction with it.
        oversight = [
            s for s in status_timeline(certificate) if s.actor.startswith(_OVERSIGHT_ACTORS)
        ]
        step = in_effect(oversight, record.effective_on or today)
        if step is not None and step.status == CertificateStatus.SUSPENDED.value:
            message = f"suspended by its regulator on {step.effective_on}: the regulator lifts it"
            sanctioned.append(FieldProblem("NOT_AUTHORIZED", message, f"input[{index}].status"))
        status = standing.get(certificate.issuer, InstitutionStatus.ACTIVE)
        if status is not InstitutionStatus.ACTIVE:
            message = f"{certificate.issuer} is {status.value} today: it restores nothing"
            inactive.append(FieldProblem("ISSUER_NOT_ACTIVE", message, f"input[{index}].status"))
    if sanctioned:
        raise Refusal(RefusalKind.NOT_AUTHORIZED, sanctioned)
    if inactive:
        raise Refusal(RefusalKind.INVALID_INPUT, inactive)
