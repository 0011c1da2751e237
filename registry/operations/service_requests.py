"""Service requests through a one-stop quality service station (DB2101/T 0050-2022 §6,
Annexes A to C): an enterprise submits its demand, the station's staff move it on, and the
requester, holding the token it was given, evaluates the service on the Annex C form.

The token is the requester's only credential: the registry keeps its SHA-256 and hands the
token out once. The Annex C form is kept as a service evaluation of the station (the same
record a regulator's survey is). It counts in the station's satisfaction index and credit
once the station's regulator confirmed who filled it in: anyone may submit a request, so a
station could ask itself and answer its own form.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import date

from graph.changelog import utc_now
from graph.errors import StaleVersion
from graph.log_models import WriteGuard, WriteResult
from graph.models import ServiceEvaluation
from graph.port import GraphStore
from graph.station_models import ServiceRequest, ServiceStation
from registry.auth import ANONYMOUS, Principal, key_digest
from registry.domain.satisfaction import REQUESTER
from registry.domain.stations import (
    DEFAULT_COMPLETION_DAYS,
    due_by,
    form_id,
    illegal_transition,
)
from registry.domain.vocabulary import ServiceEvaluationKind, ServiceRequestStatus
from registry.operations import convert
from registry.operations.credit import recompute_credit
from registry.operations.lifecycle_checks import Replan, replanned
from registry.operations.refusals import Refusal, RefusalKind, validate_one
from registry.operations.write_access import authorize, authorize_rows, request_claims
from registry.operations.writes import write_batch
from registry.records import FieldProblem, ServiceEvaluationRecord
from registry.records.stations import (
    ConfirmationRecord,
    RequestAdvanceRecord,
    RequestEvaluationRecord,
    ServiceRequestRecord,
)

__all__ = [
    "advance_service_request",
    "confirm_service_evaluation",
    "confirm_service_request",
    "evaluate_service_request",
    "submit_service_request",
]

_S = ServiceRequestStatus
_TOKEN_PREFIX = "srt_"  # noqa: S105 - a prefix, not a secret
# Whom the change log names for the requester's writes (the demand, the Annex C form): the
# public's actor, whatever key was sent. The key named the enterprise in the partner feed
# (its other writes give it away) on the requests and forms the registry keeps from partners.
REQUESTER_ACTOR = ANONYMOUS.actor


def _refuse(kind: RefusalKind, code: str, message: str, field: str) -> Refusal:
    return Refusal(kind, [FieldProblem(code, message, field)])


async def _station(store: GraphStore, uscc: str) -> ServiceStation:
    found = await store.get_stations([uscc])
    if not found:
        raise _refuse(
            RefusalKind.NOT_FOUND, "NOT_FOUND", f"no service station {uscc}", "input.station"
        )
    return found[0]


async def submit_service_request(
    store: GraphStore, principal: Principal, record: ServiceRequestRecord, *, today: date
) -> tuple[ServiceRequest, str, WriteResult]:
    """Keep the demand (Annex A) and return it with the requester's token (shown once)."""
    authorize(principal, "submitServiceRequest")
    station = await _station(store, record.station)
    if record.category.value not in station.services:
        raise _refuse(
            RefusalKind.INVALID_INPUT,
            "NOT_OFFERED",
            f"station {station.uscc} does not offer {record.category.value}",
            "input.category",
        )
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    request = ServiceRequest(
        id="SR-" + secrets.token_hex(8),
        station=station.uscc,
        category=record.category.value,
        status=_S.SUBMITTED.value,
        submitted_on=today,
        submitted_at=utc_now(),
        demand=record.demand,
        enterprise=record.enterprise,
        enterprise_uscc=record.enterprise_uscc,
        contact=record.contact,
        token_digest=key_digest(token),
        stage_since=today,
        due_by=due_by(_S.SUBMITTED, today, station.completion_days),
        committed_days=station.completion_days or DEFAULT_COMPLETION_DAYS,
        region=station.region,
    )
    result = await store.put_service_requests(
        [request], actor=REQUESTER_ACTOR, guard=WriteGuard({request.id: 0})
    )
    await recompute_credit(store, [station.uscc], today)
    return request, token, result


async def _stored(
    store: GraphStore, principal: Principal, mutation: str, request_id: str
) -> ServiceRequest:
    """The request, once the caller may touch it: its station's own, or its region's."""
    found = await store.get_service_requests([request_id])
    if not found:
        raise _refuse(RefusalKind.NOT_FOUND, "NOT_FOUND", f"no request {request_id}", "input.id")
    claims = functools.partial(request_claims, "input.id", found[0])
    await authorize_rows(store, principal, mutation, claims)
    return found[0]


def _stepped(
    request: ServiceRequest, record: RequestAdvanceRecord, station: ServiceStation, today: date
) -> ServiceRequest:
    """The request after the step: the day and time of it, the closed stage counted against
    its limit, the next stage's limit. A new match keeps the stage and its last day: the
    enterprise's wait does not start again."""
    wanted, now = record.status, utc_now()
    if wanted is _S.MATCHED and request.status == _S.MATCHED.value:
        return dataclasses.replace(request, provider=record.provider, matched_at=now)
    late = request.due_by is not None and today > request.due_by
    changed = dataclasses.replace(
        request,
        status=wanted.value,
        stage_since=today,
        due_by=due_by(wanted, today, _committed(request, station)),
        stages_met=request.stages_met + (not late),
        stages_late=request.stages_late + late,
    )
    stamps = {
        _S.MATCHED: {"matched_on": today, "matched_at": now, "provider": record.provider},
        _S.IN_SERVICE: {"in_service_on": today, "in_service_at": now},
        _S.DONE: {"done_on": today, "done_at": now, "summary": record.summary},
        _S.REJECTED: {"rejected_on": today, "rejected_at": now, "reason": record.reason},
    }[wanted]
    return dataclasses.replace(changed, **stamps)  # type: ignore[arg-type]


def _committed(request: ServiceRequest, station: ServiceStation) -> int | None:
    """The handling time the enterprise was promised when it asked: a station that raised
    its commitment to 250 days for one request's service and lowered it again once the
    stage had opened kept that request's due day a year off."""
    if request.committed_days is not None:
        return request.committed_days
    return station.completion_days  # asked before commitments were kept with requests


def _check_provider(
    record: RequestAdvanceRecord, request: ServiceRequest, station: ServiceStation
) -> None:
    """A match is the station itself (§6.2.1: it serves) or a provider its catalogue routes
    this item to (§6.2.2)."""
    routed = {*station.providers_of(request.category), station.uscc}
    if record.provider is not None and record.provider not in routed:
        raise _refuse(
            RefusalKind.INVALID_INPUT,
            "NOT_ROUTED",
            f"{record.provider} is not a provider of {request.category} for this station",
            "input.provider",
        )


async def advance_service_request(
    store: GraphStore, principal: Principal, record: RequestAdvanceRecord, *, today: date
) -> tuple[ServiceRequest, WriteResult]:
    """Record a step of the process; only the station's own staff (or an administrator).
    Checked against the request as read, and read again when another step landed first."""
    authorize(principal, "advanceServiceRequest")

    async def stepped(request: ServiceRequest) -> ServiceRequest:
        if problem := illegal_transition(_S(request.status), record.status):
            raise _refuse(RefusalKind.INVALID_INPUT, "INVALID_TRANSITION", problem, "input.status")
        station = await _station(store, request.station)
        _check_provider(record, request, station)
        return _stepped(request, record, station, today)

    return await _changed_request(store, principal, "advanceServiceRequest", record, stepped, today)


async def _changed_request(
    store: GraphStore,
    principal: Principal,
    mutation: str,
    record: RequestAdvanceRecord | ConfirmationRecord,
    change: Callable[[ServiceRequest], Awaitable[ServiceRequest]],
    today: date,
) -> tuple[ServiceRequest, WriteResult]:
    """Read the request the caller may touch, ``change`` it and write it expecting the
    version read (read and changed again when another write landed first), then score its
    station again."""

    async def attempt() -> tuple[ServiceRequest, WriteResult]:
        request = await _stored(store, principal, mutation, record.id)
        changed = await change(request)
        result = await write_batch(
            [record],
            lambda guard: store.put_service_requests([changed], actor=principal.actor, guard=guard),
            key=lambda r: r.id,
            implied={request.id: request.version},
            references={},
        )
        return dataclasses.replace(changed, version=request.version + 1), result

    changed, result = await replanned(attempt)
    await recompute_credit(store, [changed.station], today)
    return changed, result


async def evaluate_service_request(
    store: GraphStore, principal: Principal, record: RequestEvaluationRecord, *, today: date
) -> tuple[ServiceRequest, ServiceEvaluation, WriteResult]:
    """The requester's Annex C form, once the service is done or refused (a station that
    refused every request in time met every limit; the refused enterprise answers how it
    was handled, 答复时间 being the refusal), kept as a service evaluation
    of the station (id ``<request>-C``)."""
    authorize(principal, "evaluateServiceRequest")
    found = await store.get_service_requests([record.id])
    # The same answer for an unknown request and a wrong token: ids are not for guessing.
    if not found or not hmac.compare_digest(found[0].token_digest, key_digest(record.token)):
        raise _refuse(
            RefusalKind.NOT_AUTHORIZED,
            "NOT_AUTHORIZED",
            "no request with this id and token",
            "input.token",
        )
    request = found[0]
    if request.status not in (_S.DONE.value, _S.REJECTED.value):
        raise _refuse(
            RefusalKind.CONFLICT,
            "NOT_DONE",
            "a request is evaluated once its service is done (§6.4.1) or refused",
            "input.id",
        )
    left = await store.get_service_evaluations([form_id(request.id)])
    if left and left[0].recorded_by != REQUESTER:  # from before the ids were reserved
        raise _refuse(
            RefusalKind.CONFLICT,
            "FORM_TAKEN",
            "another party recorded an evaluation under this request's form id before such ids "
            "were reserved: the registry's operator removes it",
            "input.id",
        )
    if request.evaluation is not None and left:
        raise _refuse(RefusalKind.CONFLICT, "ALREADY_EVALUATED", "evaluated already", "input.id")
    form = validate_one(
        ServiceEvaluationRecord,
        {
            "id": form_id(request.id),
            "institution": request.station,
            "kind": ServiceEvaluationKind.SURVEY,
            "date": today,
            "serviceCategory": request.category,
            "evaluator": f"service request {request.id}",
            "answers": record.answers,
            "comment": record.comment,
        },
    )
    # The request is marked first, expecting the version read, and the form written after
    # it, expecting the version read: of tries sent at once only the one that marked the
    # request writes its form. Written the other way round, a loser's answers replaced the
    # winner's, and a refused try left its form. A form a failed write left missing is
    # written by the next try.
    evaluated, version, result = request, request.version, None
    if request.evaluation is None:
        evaluated = dataclasses.replace(request, evaluation=form.id, evaluated_on=today)
        try:
            result = await write_batch(
                [record],
                lambda guard: store.put_service_requests(
                    [evaluated], actor=REQUESTER_ACTOR, guard=guard
                ),
                key=lambda r: r.id,
                implied={request.id: request.version},
                references={},
            )
        except Replan as exc:  # evaluated (or advanced) meanwhile
            raise _refuse(
                RefusalKind.CONFLICT, "STALE_VERSION", "the request changed meanwhile", "input.id"
            ) from exc
        version += 1
    try:
        written = await store.record_service_evaluations(
            [convert.service_evaluation_model(form, recorded_by=REQUESTER)],
            actor=REQUESTER_ACTOR,
            guard=WriteGuard({form.id: left[0].version if left else 0}),
        )
    except StaleVersion as exc:  # another try wrote the form meanwhile
        raise _refuse(
            RefusalKind.CONFLICT, "STALE_VERSION", "the form was written meanwhile", "input.id"
        ) from exc
    await recompute_credit(store, [request.station], today)
    form_kept = await _form_of(store, evaluated)
    return dataclasses.replace(evaluated, version=version), form_kept, result or written


async def _form_of(store: GraphStore, request: ServiceRequest) -> ServiceEvaluation:
    """The request's Annex C form; NOT_EVALUATED before the requester filled it in."""
    forms = (
        []
        if request.evaluation is None
        else await store.get_service_evaluations([request.evaluation])
    )
    found = next(iter(forms), None)
    if found is None:
        raise _refuse(
            RefusalKind.CONFLICT, "NOT_EVALUATED", "the requester has not evaluated", "input.id"
        )
    return found


async def confirm_service_evaluation(
    store: GraphStore, principal: Principal, record: ConfirmationRecord, *, today: date
) -> tuple[ServiceRequest, ServiceEvaluation, WriteResult]:
    """The station's regulator confirms who filled in a request's Annex C form; the form
    counts from today. Once: a second confirmation is ALREADY_CONFIRMED."""
    authorize(principal, "confirmServiceEvaluation")
    request = await _stored(store, principal, "confirmServiceEvaluation", record.id)
    form = await _form_of(store, request)
    if form.confirmed_on is not None:
        raise _refuse(RefusalKind.CONFLICT, "ALREADY_CONFIRMED", "confirmed already", "input.id")
    confirmed = dataclasses.replace(
        form, confirmed_on=today, confirmation=record.confirmation.value
    )
    try:
        result = await write_batch(
            [record],
            lambda guard: store.record_service_evaluations(
                [confirmed], actor=principal.actor, guard=guard
            ),
            implied={form.id: form.version},
            references={},
        )
    except Replan as exc:  # confirmed meanwhile
        raise _refuse(
            RefusalKind.CONFLICT, "ALREADY_CONFIRMED", "confirmed meanwhile", "input.id"
        ) from exc
    await recompute_credit(store, [request.station], today)
    return request, dataclasses.replace(confirmed, version=form.version + 1), result


async def confirm_service_request(
    store: GraphStore, principal: Principal, record: ConfirmationRecord, *, today: date
) -> tuple[ServiceRequest, WriteResult]:
    """The station's regulator confirms who asked; the request's stages count in the
    station's time limits from today. Once: a second confirmation is ALREADY_CONFIRMED."""
    authorize(principal, "confirmServiceRequest")

    async def confirmed(request: ServiceRequest) -> ServiceRequest:
        if request.confirmed_on is not None:
            raise _refuse(
                RefusalKind.CONFLICT, "ALREADY_CONFIRMED", "confirmed already", "input.id"
            )
        return dataclasses.replace(
            request, confirmed_on=today, confirmation=record.confirmation.value
        )

    return await _changed_request(
        store, principal, "confirmServiceRequest", record, confirmed, today
    )
