"""Disputes: anyone may say a field of a record is wrong; the record's issuer or the
regulator of its region answers within a time limit, upholding it (the answer states the
correction) or rejecting it (the answer gives the reason).

An upheld dispute does not change the record: the issuer corrects it through the ordinary
writes (``changeCertificateStatus``, ``issueCertificates``...), which keep their own history
and rules. The dispute records that the registry was told, by whom it was answered and how.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum

from graph.dispute_models import Dispute
from registry.domain.permissions import Access, Refused, RowClaim, write_refusals
from registry.domain.vocabulary import Role

__all__ = [
    "ANSWER_WITHIN_DAYS",
    "DISPUTABLE_FIELDS",
    "DisputeEntity",
    "DisputeOutcome",
    "DisputeStatus",
    "answered_by",
    "answered_by_oversight",
    "due_by",
    "handling_refusals",
    "is_overdue",
    "may_handle",
]

# GLEIF's LEI issuers aim to resolve a challenge within ten business days, checking an
# identity record against a business register. A certification body may have to read its
# audit file and ask the holder, and an institution's record is its regulator's: 30 calendar
# days, which also spans the week-long public holidays.
ANSWER_WITHIN_DAYS = 30


class DisputeEntity(StrEnum):
    CERTIFICATE = "CERTIFICATE"
    ACCREDITATION = "ACCREDITATION"
    INSTITUTION = "INSTITUTION"


class DisputeStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class DisputeOutcome(StrEnum):
    """An answer: upheld (the answer states the correction) or rejected (it gives why)."""

    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


# The fields of each record (as GraphQL names them) a dispute may be about.
DISPUTABLE_FIELDS: Mapping[DisputeEntity, frozenset[str]] = {
    DisputeEntity.CERTIFICATE: frozenset(
        {
            "family",
            "standard",
            "scope",
            "stars",
            "issuedOn",
            "expiresOn",
            "issuer",
            "holder",
            "holderName",
            "status",
            "statusReason",
        }
    ),
    DisputeEntity.ACCREDITATION: frozenset(
        {"scheme", "body", "holder", "scope", "validFrom", "validUntil", "status"}
    ),
    DisputeEntity.INSTITUTION: frozenset(
        {
            "name",
            "kinds",
            "region",
            "address",
            "legalRepresentative",
            "founded",
            "ownership",
            "status",
            "group",
        }
    ),
}

_OVERSIGHT = frozenset({Role.ADMIN, Role.REGULATOR})


def due_by(filed_on: date) -> date:
    """The last day to answer a dispute filed on ``filed_on``."""
    return filed_on + timedelta(days=ANSWER_WITHIN_DAYS)


def is_overdue(dispute: Dispute, *, today: date) -> bool:
    """Still open after its last day."""
    return dispute.status == DisputeStatus.OPEN.value and today > dispute.due_by


def handling_refusals(access: Access, dispute: Dispute) -> list[Refused]:
    """Why this key may not answer ``dispute`` nor read its contact (empty: it may). The
    record's issuer may (a key acting for the certificate's issuer or the accreditation's
    body), and so may a regulator whose regions cover the record's region; an institution's
    own record is its regulator's alone, as only regulators change it."""
    if dispute.entity == DisputeEntity.INSTITUTION.value and access.role not in _OVERSIGHT:
        return [Refused("input.id", "a dispute about an institution's record is its regulator's")]
    claim = RowClaim(
        party_field="input.id",
        all_of=(dispute.institution,),
        region_field="input.id",
        regions=(dispute.region,),
    )
    return write_refusals(access, "resolveDispute", [claim])


def may_handle(access: Access, dispute: Dispute) -> bool:
    return not handling_refusals(access, dispute)


def answered_by_oversight(access: Access) -> bool:
    """Whether this key answers as oversight (a regulator or ADMIN), not as the issuer."""
    return access.role in _OVERSIGHT


def answered_by(access: Access, dispute: Dispute) -> str:
    """Who answered, as everyone may read it: the issuer's USCC when a key acting for it
    answered, else the oversight role (the credential is in the change log)."""
    if answered_by_oversight(access):
        return access.role.value
    return dispute.institution
