"""Recording service-certification assessments (issue 16): the issuer of a service
certificate writes how its stars were earned, and the stars must be the ones earned.

The certificate is read first: its issuer is whom the write is made for, its standard the
scheme the assessment is judged under (elements, CPSQ target, star bands), its stars what the
total must earn. A certificate changed between that read and the write is not caught here
(the write's guard covers assessments only); issuing it checked its stars against the
assessment stored then, and the verifier shows both.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from datetime import date

from graph.log_models import IdempotencyClaim, WriteResult
from graph.models import Certificate
from graph.port import GraphStore
from graph.service_models import ServiceAssessment
from registry.auth import Principal
from registry.domain.service_standards import (
    certificate_disagreement,
    scheme_problems,
    service_standard,
    weighted_total,
)
from registry.domain.vocabulary import CertificateFamily, Role
from registry.operations import convert
from registry.operations.lifecycle_checks import replanned
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.write_access import (
    authorize,
    authorize_rows,
    holder_claim,
    service_assessment_claims,
)
from registry.operations.writes import rescore, write_batch
from registry.records import (
    AssessmentConfirmationRecord,
    FieldProblem,
    ServiceAssessmentRecord,
)

__all__ = ["confirm_service_assessment", "record_service_assessments"]


async def record_service_assessments(
    store: GraphStore,
    principal: Principal,
    records: Sequence[ServiceAssessmentRecord],
    *,
    today: date,
    idempotency: IdempotencyClaim | None = None,
) -> WriteResult:
    numbers = [r.certificate for r in records]
    stored = {c.number: c for c in await store.get_certificates(numbers)}
    missing = [
        FieldProblem("NOT_FOUND", f"no certificate {r.certificate}", f"input[{i}].certificate")
        for i, r in enumerate(records)
        if r.certificate not in stored
    ]
    if missing:
        raise Refusal(RefusalKind.NOT_FOUND, missing)
    await authorize_rows(
        store,
        principal,
        "recordServiceAssessments",
        functools.partial(service_assessment_claims, records, stored),
    )
    # A confirmation the holder's regulator made stays through a rewrite: the stars it
    # confirmed are the certificate's, which a rewrite cannot change.
    holders = [stored[r.certificate].holder for r in records]
    checked = assessments_to_record(records, stored)

    async def attempt() -> WriteResult:
        kept = {a.certificate: a for a in await store.get_service_assessments(numbers)}
        models = [_confirmed_as(model, kept.get(model.certificate)) for model in checked]
        return await write_batch(
            records,
            lambda guard: store.record_service_assessments(
                models, actor=principal.actor, guard=guard
            ),
            key=lambda r: r.certificate,
            idempotency=idempotency,
            implied={n: kept[n].version if n in kept else 0 for n in numbers},
            references={"certificate": ("Certificate", lambda r: r.certificate)},
            scored=lambda: rescore(store, holders, today),
        )

    return await replanned(attempt)


def _confirmed_as(model: ServiceAssessment, kept: ServiceAssessment | None) -> ServiceAssessment:
    if kept is None:
        return model
    return dataclasses.replace(
        model, confirmed_on=kept.confirmed_on, confirmation=kept.confirmation
    )


async def confirm_service_assessment(
    store: GraphStore, principal: Principal, record: AssessmentConfirmationRecord, *, today: date
) -> tuple[ServiceAssessment, WriteResult]:
    """The holder's regulator confirms the holder sought and holds the certificate: its
    stars count in the holder's credit from today, never on days before (credit method
    2026.6). Once: a second confirmation is ALREADY_CONFIRMED."""
    authorize(principal, "confirmServiceAssessment")
    day = record.confirmed_on or today
    if day != today and (principal.role is not Role.ADMIN or day > today):
        raise _refusal(RefusalKind.INVALID_INPUT, "INVALID_VALUE", "confirmed today")
    found = await store.get_certificates([record.certificate])
    if not found:
        raise _refusal(RefusalKind.NOT_FOUND, "NOT_FOUND", f"no certificate {record.certificate}")
    certificate = found[0]
    claims = functools.partial(holder_claim, store, certificate)
    await authorize_rows(store, principal, "confirmServiceAssessment", claims)

    async def attempt() -> tuple[ServiceAssessment, WriteResult]:
        assessed = await store.get_service_assessments([certificate.number])
        if not assessed:
            raise _refusal(
                RefusalKind.CONFLICT,
                "NOT_ASSESSED",
                f"{certificate.number} has no assessment recorded: its issuer records it first",
            )
        if assessed[0].confirmed_on is not None:
            raise _refusal(RefusalKind.CONFLICT, "ALREADY_CONFIRMED", "confirmed already")
        confirmed = dataclasses.replace(
            assessed[0], confirmed_on=day, confirmation=record.confirmation.value
        )
        result = await write_batch(
            [record],
            lambda guard: store.record_service_assessments(
                [confirmed], actor=principal.actor, guard=guard
            ),
            implied={certificate.number: assessed[0].version},
            references={},
            scored=lambda: rescore(store, [certificate.holder], today),
        )
        return dataclasses.replace(confirmed, version=assessed[0].version + 1), result

    return await replanned(attempt)


def _refusal(kind: RefusalKind, code: str, message: str) -> Refusal:
    return Refusal(kind, [FieldProblem(code, message, "input.certificate")])


def assessments_to_record(
    records: Sequence[ServiceAssessmentRecord],
    certificates: Mapping[str, Certificate],
) -> list[ServiceAssessment]:
    """The assessments to write, once each fits its certificate: a service certificate
    under a standard the registry models, assessed before it was issued, with the scheme's
    elements, a CPSQ at its target, and the stars it carries."""
    problems: list[FieldProblem] = []
    models: list[ServiceAssessment] = []
    for index, record in enumerate(records):
        certificate = certificates[record.certificate]
        at = f"input[{index}]"
        models.append(convert.service_assessment_model(record, scheme=certificate.standard))
        if certificate.family != CertificateFamily.SERVICE:
            problems.append(
                FieldProblem(
                    "NOT_A_SERVICE_CERTIFICATE",
                    f"{certificate.number} is a {certificate.family} certificate: only "
                    "service certificates are assessed for stars",
                    f"{at}.certificate",
                )
            )
            continue
        standard = service_standard(certificate.standard)
        if standard is None:
            problems.append(
                FieldProblem(
                    "UNKNOWN_STANDARD",
                    f"the registry models no assessment scheme for {certificate.standard}",
                    f"{at}.certificate",
                )
            )
            continue
        problems += [
            FieldProblem(code, message, f"{at}.{field}")
            for field, code, message in scheme_problems(
                standard, [e.element.value for e in record.elements], record.cpsq
            )
        ]
        problems += _date_problems(record, certificate, at)
        total = weighted_total(
            [e.score for e in record.elements], [e.weight for e in record.elements]
        )
        found = certificate_disagreement(
            standard.code, total, standard=certificate.standard, stars=certificate.stars
        )
        if found is not None:
            problems.append(FieldProblem(found[0], found[1], f"{at}.certificate"))
    if problems:
        raise Refusal(RefusalKind.INVALID_INPUT, problems)
    return models


def _date_problems(
    record: ServiceAssessmentRecord, certificate: Certificate, at: str
) -> list[FieldProblem]:
    """The certification decision follows the assessment: stage 2 and every element come
    no later than the certificate's issue date."""
    issued = certificate.issued_on
    problems = [
        FieldProblem(
            "INVALID_DATE_RANGE",
            f"assessed after the certificate was issued ({issued})",
            f"{at}.elements[{position}].assessedOn",
        )
        for position, part in enumerate(record.elements)
        if part.assessed_on > issued
    ]
    if record.stage2_on > issued:
        problems.append(
            FieldProblem(
                "INVALID_DATE_RANGE",
                f"stage 2 must come before the certificate was issued ({issued})",
                f"{at}.stage2On",
            )
        )
    return problems
