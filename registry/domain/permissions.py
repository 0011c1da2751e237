"""Who may do what: function-level and field-level rules in one table."""

from __future__ import annotations

from registry.domain.vocabulary import Role

__all__ = [
    "MUTATION_ROLES",
    "may_read_changes",
    "may_see_complaints",
    "may_see_overdue_suspensions",
    "may_see_personal_data",
    "may_see_status_actor",
    "may_see_withdrawn_credit_events",
]

_WRITERS = frozenset({Role.ADMIN, Role.PARTNER})

MUTATION_ROLES: dict[str, frozenset[Role]] = {
    "upsertInstitutions": _WRITERS | {Role.REGULATOR},
    "upsertOrganizations": _WRITERS | {Role.REGULATOR, Role.CERTIFICATION_BODY},
    "upsertAccreditations": _WRITERS | {Role.REGULATOR},
    "issueCertificates": _WRITERS | {Role.CERTIFICATION_BODY},
    "changeCertificateStatus": _WRITERS | {Role.CERTIFICATION_BODY, Role.REGULATOR},
    "publishCreditRatings": _WRITERS | {Role.ASSOCIATION},
    "recordCreditEvents": _WRITERS | {Role.REGULATOR},
    "recordServiceEvaluations": _WRITERS | {Role.REGULATOR, Role.ASSOCIATION},
    "drawSupervisionPlan": frozenset({Role.ADMIN, Role.REGULATOR}),
    # Timelines (issue 13): an accreditation body changes the accreditations it granted;
    # an institution's own standing is the regulators'.
    "changeAccreditationStatus": frozenset({Role.ADMIN, Role.ACCREDITATION_BODY}),
    "changeInstitutionStatus": frozenset({Role.ADMIN, Role.REGULATOR}),
}

_OVERSIGHT = frozenset({Role.ADMIN, Role.REGULATOR})


def may_see_personal_data(role: Role) -> bool:
    """Names of natural persons (legal representatives) are personal data."""
    return role in _OVERSIGHT


def may_see_complaints(role: Role) -> bool:
    """Complaint details are confidential to the regulators handling them."""
    return role in _OVERSIGHT


def may_see_status_actor(role: Role) -> bool:
    """Which credential recorded a status change is internal audit information."""
    return role in _OVERSIGHT | {Role.PARTNER}


def may_read_changes(role: Role) -> bool:
    """The change feed is for synchronising partners and operators."""
    return role in {Role.ADMIN, Role.PARTNER}


def may_see_overdue_suspensions(role: Role) -> bool:
    """A suspension past its limit is for the regulators to act on (issue 13)."""
    return role in _OVERSIGHT


def may_see_withdrawn_credit_events(role: Role) -> bool:
    """Negative records past their publicity period, or repaired, stay visible to oversight."""
    return role in _OVERSIGHT
