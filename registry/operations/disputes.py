"""Disputes as use cases: file one about an existing record (anyone), answer it (its issuer
or regulator), and the data-quality score of issuers.

Filing takes whose record it is and its region from the record itself, so the answer rights
and the change feed's region follow the record, not what the filer says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

from graph.dispute_models import Dispute
from graph.errors import Conflict, NotFound
from graph.log_models import WriteResult
from graph.port import MAX_WRITE_BATCH, GraphStore
from registry.auth import Principal, access_of
from registry.domain.anomalies import issue_anomaly
from registry.domain.data_quality import LATE_AFTER_DAYS, DataQuality, data_quality
from registry.domain.disputes import (
    DisputeEntity,
    DisputeOutcome,
    answered_by,
    answered_by_oversight,
    due_by,
    handling_refusals,
)
from registry.domain.hard_rules import findings_since
from registry.domain.oversight import own_case
from registry.domain.permissions import Refused
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.scans import one_scan_at_a_time
from registry.records import FieldProblem
from registry.records.disputes import DisputeRecord, ResolveDisputeRecord

__all__ = ["data_qualities", "file_dispute", "resolve_dispute"]

_TURN = 500  # issue groups judged between two turns of the event loop


def _not_found(message: str, field: str) -> Refusal:
    return Refusal(RefusalKind.NOT_FOUND, [FieldProblem("NOT_FOUND", message, field)])


async def _owner(store: GraphStore, entity: DisputeEntity, key: str) -> tuple[str, str | None]:
    """Whose record ``key`` is and the region it concerns (NOT_FOUND when there is none)."""
    if entity is DisputeEntity.CERTIFICATE:
        for certificate in await store.get_certificates([key]):
            return certificate.issuer, certificate.region
    elif entity is DisputeEntity.ACCREDITATION:
        for accreditation in await store.get_accreditations([key]):
            holders = await store.get_institutions([accreditation.holder])
            return accreditation.body, holders[0].region if holders else None
    else:
        for institution in await store.get_institutions([key]):
            return institution.uscc, institution.region
    raise _not_found(f"unknown {entity.value.lower()} {key}", "input.key")


async def file_dispute(
    store: GraphStore, principal: Principal, record: DisputeRecord, *, today: date
) -> tuple[Dispute, WriteResult]:
    """Keep a dispute about an existing record, due ``ANSWER_WITHIN_DAYS`` after today."""
    institution, region = await _owner(store, record.entity, record.key)
    dispute = Dispute(
        id=secrets.token_hex(16),
        entity=record.entity.value,
        key=record.key,
        field=record.field,
        claim=record.claim,
        contact=record.contact,
        institution=institution,
        region=region,
        filed_on=today,
        due_by=due_by(today),
    )
    try:
        result = await store.file_dispute(dispute, actor=principal.actor)
    except NotFound as exc:  # checked again under the head the write claims
        raise _not_found(str(exc), "input.key") from exc
    return dataclasses.replace(dispute, version=1), result


async def resolve_dispute(
    store: GraphStore, principal: Principal, record: ResolveDisputeRecord, *, today: date
) -> tuple[Dispute, WriteResult]:
    """Uphold an open dispute, as its issuer or regulator, or reject it, as its regulator
    (NOT_AUTHORIZED for the issuer: its own record's case); NOT_FOUND for an
    unknown id, NOT_AUTHORIZED for anyone else, DISPUTE_CLOSED once answered."""
    found = await store.get_disputes([record.id])
    if not found:
        raise _not_found(f"unknown dispute {record.id}", "input.id")
    dispute = found[0]
    access = await access_of(store, principal)
    refused = handling_refusals(access, dispute)
    if dispute.entity == DisputeEntity.INSTITUTION.value:
        subject = await store.get_institutions([dispute.institution])
        if subject and own_case(principal.role, principal.regions, subject[0]):
            refused = [Refused("input.id", "a regulator of this key's own level: its superior's")]
    if (
        not refused
        and record.outcome is DisputeOutcome.REJECTED
        and not answered_by_oversight(access)
    ):
        # The issuer rejected a dispute about its own certificate and so closed it, and the
        # regulator's answer was then refused (twenty-fourth session's review): an issuer
        # upholds what is said of its record; rejecting it is its regulator's call.
        refused = [
            Refused("input.outcome", "a dispute of this key's own record: its regulator rejects it")
        ]
    if refused:
        raise Refusal(
            RefusalKind.NOT_AUTHORIZED,
            [FieldProblem("NOT_AUTHORIZED", r.message, r.field) for r in refused],
        )
    who = answered_by(access, dispute)
    try:
        result = await store.answer_dispute(
            record.id,
            status=record.outcome.value,
            answer=record.answer,
            answered_by=who,
            answered_on=today,
            actor=principal.actor,
        )
    except Conflict as exc:
        raise Refusal(
            RefusalKind.CONFLICT,
            [FieldProblem("DISPUTE_CLOSED", "the dispute has been answered already", "input.id")],
        ) from exc
    answered = dataclasses.replace(
        dispute,
        status=record.outcome.value,
        answer=record.answer,
        answered_by=who,
        answered_on=today,
        version=dispute.version + 1,
    )
    return answered, result


async def _anomalies(store: GraphStore, issuers: Sequence[str], day: date) -> Counter[str]:
    """How many certificates each issuer issued since the hard rules' window opened that
    the chain of trust finds it could not vouch for: one judgment per family, standard and
    issue day the store counted, never one per certificate."""
    if not issuers:
        return Counter()
    async with one_scan_at_a_time():
        return await _count_anomalies(store, issuers, day)


async def _count_anomalies(store: GraphStore, issuers: Sequence[str], day: date) -> Counter[str]:
    found: Counter[str] = Counter()
    bodies = {i.uscc: i for i in await store.get_institutions(issuers)}
    held = defaultdict(list)
    for accreditation in await store.get_accreditations_held(issuers):
        held[accreditation.holder].append(accreditation)
    groups = await store.get_issue_groups(issuers, since=findings_since(day))
    for index, group in enumerate(groups):
        if index % _TURN == _TURN - 1:  # 7,192 groups held the loop 0.6 s in one block
            await asyncio.sleep(0)
        body = bodies.get(group.issuer)
        if body is None:
            continue
        kind = issue_anomaly(
            body,
            tuple(held[group.issuer]),
            family=group.family,
            standard=group.standard,
            issued_on=group.issued_on,
            today=day,
        )
        if kind is not None:
            found[group.issuer] += group.certificates
    return found


async def data_qualities(
    store: GraphStore, usccs: Sequence[str], day: date
) -> dict[str, DataQuality]:
    """The score of each issuer among ``usccs`` (the others are left out): four store
    aggregations per batch of issuers, and the chain of trust once per counted group."""
    scored: dict[str, DataQuality] = {}
    since = findings_since(day)
    for start in range(0, len(usccs), MAX_WRITE_BATCH):
        batch = usccs[start : start + MAX_WRITE_BATCH]
        counts = await store.get_data_quality_counts(
            batch, since=since, late_after_days=LATE_AFTER_DAYS
        )
        anomalies = await _anomalies(store, [c.uscc for c in counts if c.recent_certificates], day)
        for c in counts:
            found = data_quality(c, anomalies=anomalies[c.uscc])
            if found is not None:
                scored[c.uscc] = found
    return scored
