"""Frozen records the store accepts and returns; never driver objects.

Enumerated values travel as their upper-snake-case strings and dates as ``datetime.date``;
the registry layer owns the vocabularies, the store only keeps them.

The change log's records and a write's bookkeeping are in ``graph.log_models``; each
capability with records of its own has its module beside this one (complaints, disputes,
networks, search, service certification, stations).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date

from graph.complaint_models import ComplaintStep

__all__ = [
    "FINAL_STATUSES",
    "ISSUED_REASON",
    "NO_NEXT_STEP",
    "Accreditation",
    "ApiKey",
    "Certificate",
    "CertificateMatch",
    "CertificateQuery",
    "Complaint",
    "CreditEvent",
    "CreditFacts",
    "CreditRating",
    "Institution",
    "InstitutionQuery",
    "Organization",
    "Person",
    "RankedInstitution",
    "RankingQuery",
    "Region",
    "RegionStatistics",
    "ServiceEvaluation",
    "StatusChange",
    "StoredCredit",
    "SupervisionPlan",
    "VerificationFacts",
]


# The reason the first step of an issued certificate carries when the issuer gave none; it
# reads as "no reason" wherever a status reason is shown.
ISSUED_REASON = "issued"
# ``statusUntil`` of a node whose timeline has no step after the one it caches.
NO_NEXT_STEP = date(9999, 12, 31)
# Statuses no step may follow (a certificate's or an accreditation's withdrawal, a
# certificate's cancellation, an institution's revocation or closure). A timeline ends at
# its first one: a step scheduled after it, not in force when it was recorded, never takes
# effect (docs/lifecycle.md, "A final step supersedes what was scheduled after it").
FINAL_STATUSES = frozenset({"WITHDRAWN", "CANCELLED", "REVOKED", "CLOSED"})


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a status timeline (certificate, accreditation or institution; ``number``
    is the entity's key): when it takes effect, when the registry learned it (``recorded_at``,
    ``seq``: its change), and for an accreditation the scope it extends or reduces."""

    number: str
    status: str
    reason: str | None
    effective_on: date
    recorded_at: str
    actor: str
    seq: int = 0
    scope_added: tuple[str, ...] = ()
    scope_removed: tuple[str, ...] = ()

    @property
    def stated_reason(self) -> str | None:
        """The reason as people read it: an issue with no reason given has none."""
        return None if self.reason == ISSUED_REASON else self.reason


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person, known by a keyed digest so the same person links two institutions."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Institution:
    uscc: str
    name: str
    kinds: tuple[str, ...]
    region: str
    address: str | None = None
    legal_representative: Person | None = None
    founded: date | None = None
    ownership: str | None = None
    status: str = "ACTIVE"
    group: str | None = None
    associations: tuple[str, ...] = ()  # the associations this institution is a member of
    version: int = 0
    # The status timeline: ``status`` is the step in force on the day of the last write,
    # ``status_since``..``status_until`` the days it holds for; ``history`` every step.
    status_since: date | None = None
    status_until: date | None = None
    history: tuple[StatusChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Organization:
    uscc: str
    name: str
    region: str
    version: int = 0


@dataclass(frozen=True, slots=True)
class Accreditation:
    number: str
    scheme: str
    body: str
    holder: str
    scope: tuple[str, ...]
    valid_from: date
    valid_until: date
    status: str = "VALID"
    version: int = 0
    body_name: str | None = None
    # ``scope`` is the scope as granted; steps of ``history`` extend or reduce it.
    status_since: date | None = None
    status_until: date | None = None
    history: tuple[StatusChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate as stored: ``status``, ``status_reason`` and ``status_since`` are the step
    of ``history`` in force on the day of the last write, until ``status_until``; ``status`` is
    never EXPIRED, that is derived on read."""

    number: str
    family: str
    standard: str
    scope: str
    issued_on: date
    expires_on: date
    issuer: str
    holder: str
    stars: int | None = None
    status: str = "VALID"
    status_reason: str | None = None
    status_since: date | None = None
    region: str | None = None
    version: int = 0
    holder_name: str | None = None  # the holder's name when the certificate was issued
    # Why it was accepted outside its issuer's accredited scope (a historical import), if so.
    scope_exception: str | None = None
    status_until: date | None = None
    history: tuple[StatusChange, ...] = ()


@dataclass(frozen=True, slots=True)
class VerificationFacts:
    """Everything a verification verdict depends on, read in one query."""

    certificate: Certificate
    holder: Organization | None
    issuer: Institution | None
    accreditations: tuple[Accreditation, ...]


@dataclass(frozen=True, slots=True)
class CertificateMatch:
    """A certificate found by its holder's name, with the names the public sees."""

    certificate: Certificate
    holder_name: str
    issuer_name: str | None


@dataclass(frozen=True, slots=True)
class Complaint:
    id: str
    against: str
    channel: str
    category: str
    status: str
    filed_on: date
    details: str
    certificate: str | None = None
    substantiated: bool | None = None
    closed_on: date | None = None
    resolution: str | None = None
    version: int = 0
    contact: str | None = None  # the complainant's, confidential
    accepted_on: date | None = None
    steps: tuple[ComplaintStep, ...] = ()  # every step, oldest first; none for imported ones


@dataclass(frozen=True, slots=True)
class CreditRating:
    id: str
    association: str
    institution: str
    grade: str
    score: float
    period: str
    published_on: date
    valid_until: date
    method: str
    evidence: str | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class CreditEvent:
    id: str
    institution: str
    kind: str
    date: dt.date
    authority: str
    weight: float
    description: str
    public_until: dt.date | None = None
    deadline: dt.date | None = None
    outcome: str | None = None
    repaired_on: dt.date | None = None
    repair_note: str | None = None
    plan: str | None = None  # a spot check's result for this supervision plan
    version: int = 0


@dataclass(frozen=True, slots=True)
class ServiceEvaluation:
    """A satisfaction form (``answers``, "" where left blank) or a mystery-customer visit."""

    id: str
    institution: str
    kind: str
    date: dt.date
    service_category: str
    evaluator: str
    answers: tuple[str, ...] = ()
    checks_passed: int | None = None
    checks_total: int | None = None
    comment: str | None = None
    version: int = 0
    recorded_by: str = ""  # who may correct it: an association's USCC, or an oversight role
    # A requester's form counts from the day the station's regulator confirmed who filled
    # it in, and how (registry.domain.satisfaction.counts_on).
    confirmed_on: dt.date | None = None
    confirmation: str | None = None


@dataclass(frozen=True, slots=True)
class CreditFacts:
    """What an institution's credit score is computed from, read in one round trip."""

    uscc: str
    ratings: tuple[CreditRating, ...]  # valid on the day asked for
    events: tuple[CreditEvent, ...]
    complaints_total: int
    complaints_substantiated: int
    certificates_issued: int
    certificates_withdrawn: int
    best_service_stars: int | None
    evaluations: tuple[ServiceEvaluation, ...] = ()  # in the year up to the day asked for
    kinds: tuple[str, ...] = ()  # the institution's kinds: who is supervised at all
    # A station's service requests of the year: stages within and past their time limits.
    stages_met: int = 0
    stages_late: int = 0
    stages_overdue: int = 0


@dataclass(frozen=True, slots=True)
class StoredCredit:
    """A credit assessment as kept on the Institution node; ``factors`` is canonical JSON.
    An unrated institution has no score nor grade, and is ranked after every rated one."""

    uscc: str
    score: float | None
    grade: str | None
    factors: str
    computed_on: date
    method: str


@dataclass(frozen=True, slots=True)
class RankingQuery:
    """Who is ranked: in ``region`` (with its sub-regions), of ``kind``, providing a service
    category (of any of ``provider_kinds``, or accredited for any of ``scope_standards``),
    with or without the unrated; ``as_of`` pins the scores to those at that change seq, and
    accreditations count as they stand on ``today``."""

    region: str | None = None
    kind: str | None = None
    provider_kinds: tuple[str, ...] = ()
    scope_standards: tuple[str, ...] = ()
    include_unrated: bool = True
    as_of: int | None = None
    today: date | None = None  # the day accreditations are valid on (None: as last written)


@dataclass(frozen=True, slots=True)
class RankedInstitution:
    """A ranked institution; ``sort`` is its ranking key (its score, or -1 when unrated)."""

    institution: Institution
    score: float | None
    sort: float


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A credential as stored: only the digest of the secret, never the secret.

    ``institutions`` are the parties the key acts for. ``regions`` are a partner's scope or a
    regulator's jurisdiction (each with its sub-regions); ``entities`` a partner's entity
    scope. A key past ``expires_at`` or with ``revoked_at`` set is refused."""

    digest: str
    role: str
    institutions: tuple[str, ...]
    label: str | None
    created_at: str
    entities: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    expires_at: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None  # recorded at most once a minute, outside the change log

    @property
    def key_id(self) -> str:
        """How logs, listings and revocations name the key: enough of the digest to tell
        keys apart, too little to stand for it."""
        return self.digest[:12]


@dataclass(frozen=True, slots=True)
class InstitutionQuery:
    region: str | None = None
    kind: str | None = None
    name_contains: str | None = None
    accreditation_scheme: str | None = None
    group: str | None = None
    today: date | None = None  # the day accreditations are valid on (None: as last written)
    within: tuple[str, ...] | None = None  # region codes (sub-regions listed): a key's scope


@dataclass(frozen=True, slots=True)
class CertificateQuery:
    """Filters for certificate listings; ``today`` decides which certificates count as expired."""

    today: date
    holder: str | None = None
    issuer: str | None = None
    status: str | None = None
    standard: str | None = None
    family: str | None = None
    region: str | None = None
    within: tuple[str, ...] | None = None  # region codes (sub-regions listed): a key's scope
    issued_by: date | None = None  # only those issued on or before (a listing of a past day)


@dataclass(frozen=True, slots=True)
class RegionStatistics:
    code: str
    institutions: int
    valid_certificates: int
    certified_organizations: int


@dataclass(frozen=True, slots=True)
class SupervisionPlan:
    """A drawn spot-check plan as published: ``canonical`` is the JSON its ``id`` digests."""

    id: str
    region: str
    date: date
    seed: int
    rates: str
    canonical: str
    created_at: str
